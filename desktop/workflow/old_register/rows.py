"""One row of an old register read as a case, with every problem named in Vietnamese.

What old registers hold, and what is done with it (each change is shown in the preview):

* dates typed as dd/mm/yyyy (or d/m/yy, dd-mm-yyyy, dd.mm.yyyy), real Excel dates, and Excel
  serial numbers (45321 = 02/02/2024) when a date column was formatted as a number;
* names in capitals ("NGUYỄN VĂN AN") written as names are written ("Nguyễn Văn An");
* ID numbers stored as numbers, which lost their leading zero: a 10–11 digit number becomes the
  12-digit căn cước, a 7–8 digit one the 9-digit CMND (DOMAIN.md §8), flagged; a number that
  still is not a valid ID is kept as text with the kind "other", flagged;
* a phone that lost its leading 0 (912345678) gets it back; one that is not a phone is kept in
  the case's content, flagged;
* kinds and fields from the words offices use ("Tố cáo", "KN lần 2", "Đất đai").

A row is refused (kept out of the import, listed) when it lacks a date, a name or a content,
or its date cannot be read: nothing is guessed for the facts a case stands on.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from desktop.domain.text import fold
from desktop.domain.validation import normalize_id, normalize_phone
from desktop.errors import ValidationError
from desktop.workflow.bulk import BulkCase, BulkPerson, BulkStep
from desktop.workflow.old_register.mapping import FIELD_BY_CODE, Mapping
from desktop.workflow.old_register.sheet import SheetRow, column_letter

EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_RANGE = (18264, 73051)   # 01/01/1950 … 31/12/2099 as Excel serials
_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})")
_COLUMN_NUMBERS = re.compile(r"\(?\d{1,2}\)?")

KIND_WORDS = (  # folded phrase → kind; the first found among the cell's words wins
    ("to cao", "denunciation"), ("tc", "denunciation"),
    ("kien nghi phan anh", "petition"), ("kn pa", "petition"),
    ("khieu nai lan 2", "complaint_2"), ("khieu nai lan hai", "complaint_2"), ("kn lan 2", "complaint_2"),
    ("khieu nai", "complaint_1"), ("kn", "complaint_1"),
    ("giai trinh", "explanation"),
    ("kien nghi", "petition"),
    ("phan anh", "feedback"), ("pa", "feedback"),
)
FIELD_WORDS = (
    ("dat dai", "land"), ("dat", "land"), ("xay dung", "construction"), ("moi truong", "environment"),
    ("tu phap", "justice"), ("ho tich", "civil_status"), ("chinh sach", "policy"), ("xa hoi", "policy"),
    ("can bo", "personnel"), ("cong chuc", "personnel"), ("tai chinh", "finance"), ("ngan sach", "finance"),
    ("khac", "other"),
)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str          # "C" (the column letter), or "" for the whole row
    message: str         # Vietnamese
    fatal: bool          # the row is kept out of the import


@dataclass(frozen=True)
class ParsedRow:
    row: int
    key: str                           # the row's import key (hash of its cells)
    values: dict[str, str]             # field code → the value as it will be imported (for the preview)
    item: BulkCase | None              # None when empty or refused
    problems: tuple[Problem, ...]
    empty: bool = False


def cell_text(value: Any) -> str:
    if type(value) is str:  # most cells: the common case first
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def row_key(row: SheetRow, texts: list[str] | None = None) -> str:
    """A stable key of the row's content: the same row in next year's copy of the file is found again.
    ``texts``: the row's cells already as ``cell_text`` (each cell is read once per row)."""
    cells = [cell_text(c) for c in row.cells] if texts is None else list(texts)
    while cells and not cells[-1]:
        cells.pop()
    return hashlib.sha256("\x1f".join(cells).encode("utf-8")).hexdigest()


def parse_day(value: Any) -> tuple[date | None, str]:
    """(the day, a note when it was converted) or (None, why it cannot be read)."""
    if isinstance(value, datetime):
        return value.date(), ""
    if isinstance(value, date):
        return value, ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            day = EXCEL_EPOCH + timedelta(days=int(value))
            return day, f"ngày lưu dạng số Excel ({int(value)}) đọc là {day:%d/%m/%Y}"
        return None, f"“{cell_text(value)}” không phải ngày"
    text = cell_text(value)
    if text.isdigit() and SERIAL_RANGE[0] <= int(text) <= SERIAL_RANGE[1]:
        return parse_day(int(text))
    m = _DMY.fullmatch(text) or _DMY.match(text)
    if m:
        d, mo, y = (int(x) for x in m.groups())
        note = ""
        if len(m.group(3)) == 2:
            y += 2000 if y < 50 else 1900
            note = f"năm viết hai chữ số “{m.group(3)}” đọc là {y}"
        try:
            return date(y, mo, d), note
        except ValueError:
            return None, f"ngày “{text}” không có thật"
    try:
        return date.fromisoformat(text[:10]), ""
    except ValueError:
        return None, f"“{text}” không đọc được là ngày (dạng ngày/tháng/năm)"


def proper_name(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


def restore_id(value: Any) -> tuple[str, str]:
    """(the ID number as text, a note when leading zeros were restored)."""
    text = cell_text(value).replace(" ", "").replace(".", "") if not isinstance(value, (int, float)) \
        else cell_text(value)
    if not text.isdigit():
        return text, ""
    if len(text) in (10, 11):
        return text.zfill(12), f"số CCCD lưu dạng số đã mất số 0 đầu: khôi phục thành {text.zfill(12)}"
    if len(text) in (7, 8):
        return text.zfill(9), f"số CMND lưu dạng số đã mất số 0 đầu: khôi phục thành {text.zfill(9)}"
    return text, ""


def _word_match(folded: str, table) -> str | None:
    padded = f" {folded} "
    for words, code in table:
        if f" {words} " in padded:
            return code
    return None


def parse_row(row: SheetRow, mapping: Mapping, *, default_kind: str, today: date) -> ParsedRow:
    """The row as a ``BulkCase`` with its problems; ``item`` None when refused or empty."""
    all_texts = [cell_text(c) for c in row.cells]
    key = row_key(row, all_texts)
    width = len(row.cells)
    raw = {code: (row.cells[c] if c < width else None) for code, c in mapping.columns.items()}
    texts = {code: (all_texts[c] if c < width else "") for code, c in mapping.columns.items()}
    if not any(texts.values()):
        return ParsedRow(row.number, key, {}, None, (Problem(row.number, "", "Dòng trống: bỏ qua.", False),), True)
    others = [t for code, t in texts.items() if t and code != "seq"]
    if all(_COLUMN_NUMBERS.fullmatch(t) for t in others):
        return ParsedRow(row.number, key, {}, None,
                         (Problem(row.number, "", "Dòng đánh số cột (1), (2) …: bỏ qua.", False),), True)
    problems: list[Problem] = []

    def note(code: str, message: str, fatal: bool = False) -> None:
        col = column_letter(mapping.columns[code]) if code in mapping.columns else ""
        label = FIELD_BY_CODE[code].label if code in FIELD_BY_CODE else ""
        problems.append(Problem(row.number, col, f"{label}: {message}" if label else message, fatal))

    for code, c in mapping.columns.items():
        if c in row.merged and texts.get(code):
            note(code, f"ô gộp nhiều dòng — lấy giá trị “{texts[code]}” của ô gộp")
    values: dict[str, str] = {}
    # -- the facts a case stands on
    received, why = parse_day(raw.get("received_on")) if texts.get("received_on") else (None, "")
    if "received_on" not in mapping.columns or not texts.get("received_on"):
        note("received_on", "trống — dòng không được nhập.", True)
    elif received is None:
        note("received_on", f"{why} — dòng không được nhập.", True)
    elif why:
        note("received_on", why)
    if received:
        values["received_on"] = f"{received:%d/%m/%Y}"
    name = texts.get("full_name", "")
    if not name:
        note("full_name", "trống — dòng không được nhập.", True)
    elif name.isupper():
        fixed = proper_name(name)
        note("full_name", f"viết hoa toàn bộ, ghi lại thành “{fixed}”")
        name = fixed
    values["full_name"] = name
    summary = texts.get("summary", "")
    if not summary:
        note("summary", "trống — dòng không được nhập.", True)
    values["summary"] = summary
    # -- the kind
    kind = default_kind
    if texts.get("kind"):
        found = _word_match(fold(texts["kind"]), KIND_WORDS)
        if found is None:
            note("kind", f"“{texts['kind']}” không rõ là loại nào (khiếu nại, tố cáo, kiến nghị, phản ánh, "
                         "giải trình) — dòng không được nhập.", True)
        else:
            kind = found
    values["kind"] = kind
    field = "other"
    if texts.get("field"):
        field = _word_match(fold(texts["field"]), FIELD_WORDS) or "other"
        if field == "other" and fold(texts["field"]) != "khac":
            note("field", f"“{texts['field']}” không thuộc danh mục, ghi là “Khác”")
    # -- the person
    extra: list[str] = []
    id_kind, id_number = "", ""
    if texts.get("id_number"):
        number, restored = restore_id(raw["id_number"])
        if restored:
            note("id_number", restored)
        try:
            id_kind, id_number = normalize_id("", number, today=today)
        except ValidationError as exc:
            id_kind, id_number = "other", number
            note("id_number", f"{exc.message} Giữ nguyên, ghi loại giấy tờ “khác”.")
        values["id_number"] = id_number
    phone = ""
    if texts.get("phone"):
        candidate = texts["phone"]
        if isinstance(raw["phone"], (int, float)) or (candidate.isdigit() and len(candidate) == 9):
            candidate = "0" + candidate if len(candidate) == 9 else candidate
            if candidate != texts["phone"]:
                note("phone", f"lưu dạng số đã mất số 0 đầu: khôi phục thành {candidate}")
        try:
            phone = normalize_phone(candidate)
        except ValidationError:
            note("phone", f"“{texts['phone']}” không phải số điện thoại: ghi vào nội dung vụ việc")
            extra.append(f"Điện thoại (theo sổ cũ): {texts['phone']}")
        values["phone"] = phone
    address = texts.get("address", "")
    values["address"] = address
    # -- what happened, as the old register tells it
    history: tuple[BulkStep, ...] = ()
    result = texts.get("result", "")
    if texts.get("result_on"):
        done, why = parse_day(raw["result_on"])
        if done is None:
            note("result_on", f"{why}: ghi vào nội dung, vụ việc để ở trạng thái mới tiếp nhận")
            extra.append(f"Ngày giải quyết (theo sổ cũ): {texts['result_on']}")
        elif received and done < received:
            note("result_on", "trước ngày tiếp nhận: ghi vào nội dung, vụ việc để ở trạng thái mới tiếp nhận")
            extra.append(f"Ngày giải quyết (theo sổ cũ): {texts['result_on']}")
        elif done > today:
            note("result_on", "ở tương lai: ghi vào nội dung, vụ việc để ở trạng thái mới tiếp nhận")
            extra.append(f"Ngày giải quyết (theo sổ cũ): {texts['result_on']}")
        else:
            if why:
                note("result_on", why)
            history = (BulkStep("accept", received), BulkStep("reply", done, note=result or "Theo sổ cũ"))
            values["result_on"] = f"{done:%d/%m/%Y}"
            result = ""
    if result:
        extra.append(f"Kết quả (theo sổ cũ): {result}")
    if texts.get("notes"):
        extra.append(f"Ghi chú (theo sổ cũ): {texts['notes']}")
    if texts.get("birth"):
        extra.append(f"Ngày / năm sinh (theo sổ cũ): {texts['birth']}")
    if texts.get("seq"):
        extra.append(f"Số thứ tự trong sổ cũ: {texts['seq']}")
    if any(p.fatal for p in problems):
        return ParsedRow(row.number, key, values, None, tuple(problems))
    person = BulkPerson(full_name=name, id_number=id_number, id_kind=id_kind, phone=phone, address=address)
    item = BulkCase(kind=kind, received_on=received, summary=summary[:500], content="\n".join(
        ([summary] if len(summary) > 500 else []) + extra), requesters=(person,), field=field,
        history=history, import_key=key)
    return ParsedRow(row.number, key, values, item, tuple(problems))
