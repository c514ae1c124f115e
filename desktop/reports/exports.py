"""Excel exports of the registers, as the window shows them (its filter and sort), with Vietnamese
headers and real dates (issue #14 item 7). The rows come from the same keyset pages the window
reads, so a 100,000-row register streams through ``xlsx.write_table`` in constant memory.

- ``export_cases``: Sổ vụ việc (``CaseFilter`` and sort of the case register);
- ``export_receptions``: Sổ tiếp công dân (Mẫu 03/TCD columns; a denouncer stays "(bảo mật)");
- ``export_outgoing``: Sổ đăng ký văn bản đi (NĐ 30/2020 Appendix IV).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from desktop.documents.registers import (CASE_KINDS, OUTGOING_HEADER, RECEPTION_HEADER, RECEPTION_KINDS, SECRET,
                                         period_line)
from desktop.reports import xlsx
from desktop.storage import cases as case_repo
from desktop.storage.db import Database

FIELD_LABELS = {"land": "Đất đai", "construction": "Xây dựng", "environment": "Môi trường", "justice": "Tư pháp",
                "civil_status": "Hộ tịch", "policy": "Chế độ, chính sách", "personnel": "Cán bộ, công chức",
                "finance": "Tài chính", "other": "Khác"}
CASE_HEADER = ("Số vụ việc", "Ngày tiếp nhận", "Loại", "Tóm tắt nội dung", "Người yêu cầu", "Lĩnh vực",
               "Trạng thái", "Hạn giải quyết", "Cán bộ thụ lý")
CASE_WIDTHS = (11, 12, 16, 48, 24, 16, 20, 12, 22)


def _subtitle(start: date | None, end: date | None) -> str:
    if start and end:
        return period_line(start, end)
    if start:
        return f"Từ ngày {start:%d/%m/%Y}"
    if end:
        return f"Đến ngày {end:%d/%m/%Y}"
    return "Toàn bộ sổ"


def _unit_name(db: Database) -> str:
    from desktop.storage.units import local_unit

    return local_unit(db).name


def case_rows(db: Database, filt: case_repo.CaseFilter, sort: str = "received",
              descending: bool = True) -> Iterator[tuple]:
    from desktop.rules.book import default_rules

    rules = default_rules()
    labels: dict[tuple[str, str], str] = {}
    after = None
    while True:
        page = case_repo.page_cases(db, filt, sort=sort, descending=descending, after=after, limit=2000)
        for c in page.rows:
            key = (c.kind, c.state)
            if key not in labels:
                try:
                    labels[key] = rules.for_case(c.kind, c.received_on).state_label(c.state)
                except Exception:  # noqa: BLE001 - a retired rule set: show the code
                    labels[key] = c.state
            who = c.requester_name or (SECRET if c.confidential else "")
            yield (c.number, c.received_on, CASE_KINDS.get(c.kind, c.kind), c.summary, who,
                   FIELD_LABELS.get(c.field, c.field), labels[key], c.due_on, c.assignee_name)
        if page.next_cursor is None:
            return
        after = page.next_cursor


def export_cases(db: Database, target: Path | io.BytesIO, filt: case_repo.CaseFilter = case_repo.CaseFilter(), *,
                 sort: str = "received", descending: bool = True) -> int:
    """Sổ vụ việc as .xlsx; returns the number of rows."""
    return xlsx.write_table(target, title="SỔ THEO DÕI VỤ VIỆC", subtitle=_subtitle(filt.date_from, filt.date_to),
                            headers=CASE_HEADER, rows=case_rows(db, filt, sort, descending), widths=CASE_WIDTHS,
                            unit_name=_unit_name(db), sheet="Sổ vụ việc")


def reception_rows(db: Database, date_from: date | None = None, date_to: date | None = None,
                   kind: str | None = None, descending: bool = False) -> Iterator[tuple]:
    from desktop.storage import receptions as reception_repo

    index, after = 0, None
    while True:
        page = reception_repo.page_receptions(db, date_from=date_from, date_to=date_to, kind=kind, after=after,
                                              limit=2000, descending=descending)
        for r in page.rows:
            index += 1
            secret = r.case_kind == "denunciation"
            who = SECRET if secret else "\n".join(x for x in (r.person_name, r.address) if x)
            yield (index, r.received_on, who, SECRET if secret else r.id_number, r.content,
                   CASE_KINDS.get(r.case_kind, r.case_kind), r.people_count, r.previous_handling,
                   "x" if r.within_competence else "", r.guided_to, r.forwarded_to, r.follow_up,
                   "; ".join(x for x in (RECEPTION_KINDS.get(r.kind, ""), r.notes) if x))
        if page.next_cursor is None:
            return
        after = page.next_cursor


def export_receptions(db: Database, target: Path | io.BytesIO, *, date_from: date | None = None,
                      date_to: date | None = None, kind: str | None = None, descending: bool = False) -> int:
    """Sổ tiếp công dân as .xlsx; returns the number of rows."""
    widths = (5, 11, 24, 14, 36, 12, 7, 16, 9, 18, 18, 18, 14)
    return xlsx.write_table(target, title="SỔ TIẾP CÔNG DÂN", subtitle=_subtitle(date_from, date_to),
                            headers=RECEPTION_HEADER, rows=reception_rows(db, date_from, date_to, kind, descending),
                            widths=widths, unit_name=_unit_name(db), sheet="Sổ tiếp công dân")


def export_outgoing(db: Database, target: Path | io.BytesIO, start: date, end: date) -> int:
    """Sổ đăng ký văn bản đi as .xlsx; returns the number of rows."""
    from desktop.storage import documents_repo as repo
    from desktop.storage.units import local_unit

    unit = local_unit(db)

    def rows():
        for r in repo.register_rows(db, unit.code, start, end):
            title = r.document.type_name.capitalize() if r.document.type_name else "Công văn"
            summary = r.document.summary if r.document.type_name else r.document.subject_line
            note = f"Đã hủy số ngày {r.voided_on:%d/%m/%Y}: {r.void_reason}" if r.status == "void" else r.receipt_note
            yield (r.symbol, r.issued_on, f"{title} {summary}".strip(), r.signer_name, "; ".join(r.recipients),
                   r.file_keeper, r.copies, r.sent_on, "", note)

    widths = (13, 11, 44, 18, 28, 16, 8, 11, 10, 16)
    return xlsx.write_table(target, title="SỔ ĐĂNG KÝ VĂN BẢN ĐI", subtitle=period_line(start, end),
                            headers=OUTGOING_HEADER, rows=rows(), widths=widths, unit_name=unit.name,
                            sheet="Sổ văn bản đi")
