"""Old registers as offices keep them, for tests, the benchmark and trying the import.

``write_xlsx`` writes a workbook with the quirks of real ones (openpyxl, write mode): a title
merged across the top, the header row lower down, a row of column numbers, dates typed as text,
as Excel dates and as serial numbers, a date merged over several rows, names in capitals, ID
numbers and phones stored as numbers (leading zeros lost), empty rows. ``write_csv`` writes the
same rows as CSV in UTF-8 with a BOM or in Windows-1258 (tone marks as combining characters).
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HEADERS = ("STT", "Ngày tiếp", "Họ và tên", "Số CCCD/CMND", "Địa chỉ", "Điện thoại", "Loại đơn",
           "Nội dung vụ việc", "Kết quả xử lý", "Ngày trả lời")
TITLE = ("ỦY BAN NHÂN DÂN XÃ THỤY HÙNG", "SỔ TIẾP CÔNG DÂN NĂM 2024")

# The rows of the small sample, as typed in the office (see the module's docstring).
SMALL: tuple[tuple[Any, ...], ...] = (
    (1, "05/02/2024", "NGUYỄN VĂN AN", 1203012345, "thôn Đông, xã Thụy Hùng", 912345678, "Kiến nghị",
     "Kiến nghị sửa đường liên thôn", "Đã trả lời bằng văn bản", 45350),
    (2, 45327, "Trần Thị Bình", "034185001234", "thôn Tây", "0987 654 321", "Khiếu nại",
     "Khiếu nại việc thu hồi đất", "", None),
    (3, None, "Lê Văn Cường", 34190001122, "xóm Chợ", None, "Tố cáo",
     "Tố cáo cán bộ địa chính nhận tiền", "", None),
    (None, None, None, None, None, None, None, None, None, None),
    (4, datetime(2024, 3, 1), "", None, "thôn Bắc", None, "Phản ánh", "Phản ánh đèn đường hỏng", "", None),
    (5, "31/02/2024", "Phạm Thị Dung", None, "thôn Nam", None, "Kiến nghị", "Kiến nghị cấp nước sạch", "", None),
    (6, "12/03/24", "Hoàng Văn Em", 12345678, "thôn Đông", "không có", "KN lần 2",
     "Khiếu nại lần hai về bồi thường", "", None),
)
SERIAL_DAY = 45327  # 05/02/2024 as an Excel serial


def write_xlsx(path: Path, rows=SMALL, *, merged_date_rows: tuple[int, int] | None = (1, 2),
               sheet: str = "Sổ TCD 2024") -> Path:
    """A workbook of ``rows`` under the title and header; the date of data rows
    ``merged_date_rows`` (0-based, inclusive) merged into one cell."""
    from openpyxl import Workbook

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet
    width = len(HEADERS)
    last = chr(64 + width)
    ws.append([TITLE[0]])
    ws.merge_cells(f"A1:{last}1")
    ws.append([TITLE[1]])
    ws.merge_cells(f"A2:{last}2")
    ws.append([])
    ws.append(list(HEADERS))
    ws.append([f"({i})" for i in range(1, width + 1)])
    first = 6
    for r in rows:
        ws.append(list(r))
    if merged_date_rows:
        a, b = merged_date_rows
        ws.merge_cells(f"B{first + a}:B{first + b}")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _cp1258_text(text: str) -> str:
    """Text as Windows-1258 stores it: base letters precomposed, tone marks combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out)


def write_csv(path: Path, rows=SMALL, *, encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(HEADERS)
    for r in rows:
        w.writerow(["" if v is None else (v.strftime("%d/%m/%Y") if isinstance(v, datetime) else v) for v in r])
    text = buf.getvalue()
    if encoding == "cp1258":
        text = _cp1258_text(text)
    path.write_bytes(text.encode(encoding))
    return path


def large_rows(n: int, *, seed: int = 7, today: date = date(2026, 11, 23)) -> list[tuple[Any, ...]]:
    """``n`` rows of the same quirks, with distinct people (for the benchmark)."""
    from desktop.workflow.sample import Sampler

    s = Sampler(seed, today=today)
    rng = random.Random(seed)
    kinds = ("Kiến nghị", "Phản ánh", "Khiếu nại", "Tố cáo", "Kiến nghị, phản ánh")
    start = today - timedelta(days=3 * 365)
    out = []
    for i in range(n):
        p = s.person()
        day = start + timedelta(days=rng.randrange(0, 3 * 365 - 40))
        serial = (day - date(1899, 12, 30)).days
        when: Any = (day.strftime("%d/%m/%Y"), serial, datetime(day.year, day.month, day.day))[i % 3]
        name = p.full_name.upper() if i % 4 == 0 else p.full_name
        idn: Any = int(p.id_number) if p.id_number and i % 2 else p.id_number
        phone: Any = int(p.phone) if p.phone and i % 3 == 0 else p.phone
        kind = kinds[i % len(kinds)]
        summary, _ = s.matter(("petition", "feedback", "complaint_1", "denunciation", "petition")[i % 5], s.field(),
                              requester=p)
        done = day + timedelta(days=20) if i % 3 == 1 else None
        out.append((i + 1, when, name, idn, p.address, phone, kind, summary,
                    "Đã trả lời" if done else "", (done - date(1899, 12, 30)).days if done else None))
    return out
