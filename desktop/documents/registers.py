"""Printed registers, landscape A4, ready to bind: outgoing documents, citizen reception, follow-up.

- Sổ đăng ký văn bản đi (NĐ 30/2020/NĐ-CP Art. 15, Appendix IV): number and symbol; date; type and
  summary; signer; recipients; unit or person keeping the file copy; copies; date sent; receipt
  signature; notes. Voided numbers stay, marked with their reason.
- Sổ tiếp công dân (Luật Tiếp công dân 2013 Art. 25; Mẫu 03/TCD, 13 columns).
- Sổ theo dõi giải quyết: number received; document; handler; deadline; progress; reply; notes.

A denouncer's identity is secret (Luật Tố cáo 2018, Art. 9): a bound book is read by many, so
reception lines about a denunciation print "(bảo mật)" instead of name, address and ID.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date

from desktop.documents.model import nfc
from desktop.storage.db import Database

log = logging.getLogger(__name__)

SECRET = "(bảo mật)"
RECEPTION_KINDS = {"regular": "Thường xuyên", "periodic": "Định kỳ", "adhoc": "Đột xuất"}
CASE_KINDS = {"explanation": "Yêu cầu giải trình", "petition": "Kiến nghị", "feedback": "Phản ánh",
              "complaint_1": "Khiếu nại", "complaint_2": "Khiếu nại lần hai", "denunciation": "Tố cáo",
              "complaint": "Khiếu nại"}


OUTGOING_HEADER = ("Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản",
                   "Người ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản",
                   "Ngày chuyển", "Ký nhận", "Ghi chú")
OUTGOING_WIDTHS = (0.09, 0.075, 0.245, 0.1, 0.14, 0.09, 0.05, 0.075, 0.06, 0.075)
RECEPTION_HEADER = ("STT", "Ngày tiếp", "Họ tên, địa chỉ", "Số CCCD/ Hộ chiếu", "Tóm tắt nội dung",
                    "Phân loại đơn", "Số người", "Cơ quan đã giải quyết", "Thuộc thẩm quyền",
                    "Hướng dẫn (cơ quan, số văn bản)", "Chuyển đơn (cơ quan, số văn bản)",
                    "Theo dõi kết quả giải quyết", "Ghi chú")
RECEPTION_WIDTHS = (0.035, 0.075, 0.12, 0.095, 0.14, 0.065, 0.045, 0.075, 0.05, 0.08, 0.08, 0.075, 0.065)


@dataclass(frozen=True)
class Sheet:
    """A register to print: title lines, a period line, and a table with relative column widths."""

    unit_name: str
    title: str
    period: str
    header: tuple[str, ...]
    widths: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]
    numbering: tuple[str, ...] = ()   # the "(1) (2) …" row under the header


def _d(day: date | None) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if day else ""


def period_line(start: date, end: date) -> str:
    if start == date(start.year, 1, 1) and end == date(start.year, 12, 31):
        return f"Năm {start.year}"
    return f"Từ ngày {_d(start)} đến ngày {_d(end)}"


def outgoing_sheet(db: Database, start: date, end: date, issuer_code: str | None = None) -> Sheet:
    from desktop.storage import documents_repo as repo
    from desktop.storage import units as unit_repo

    unit = unit_repo.get_unit(db, issuer_code) if issuer_code else unit_repo.local_unit(db)
    rows = []
    for r in repo.register_rows(db, unit.code, start, end):
        title = r.document.type_name.capitalize() if r.document.type_name else "Công văn"
        summary = r.document.summary if r.document.type_name else r.document.subject_line
        if summary.startswith("Về "):
            summary = "về " + summary[3:]
        note = f"Đã hủy số ngày {_d(r.voided_on)}: {r.void_reason}" if r.status == "void" else r.receipt_note
        rows.append((r.symbol, _d(r.issued_on), f"{title} {summary}".strip(), r.signer_name,
                     "; ".join(r.recipients), r.file_keeper, str(r.copies), _d(r.sent_on), "", note))
    return Sheet(
        unit_name=unit.name, title="SỔ ĐĂNG KÝ VĂN BẢN ĐI", period=period_line(start, end),
        header=OUTGOING_HEADER, widths=OUTGOING_WIDTHS,
        rows=tuple(rows), numbering=tuple(f"({i})" for i in range(1, 11)))


def _pages(fetch):
    """Every page of a keyset-paged register, oldest first: ``fetch(after)`` returns a page."""
    after = None
    while True:
        page = fetch(after)
        yield page.rows
        if page.next_cursor is None:
            return
        after = page.next_cursor


def _case_outcomes(db: Database, case_uuids: list[str]) -> dict[str, str]:
    """Column (12) "theo dõi kết quả giải quyết": the case a reception opened and where it stands."""
    if not case_uuids:
        return {}
    from desktop.rules.book import default_rules

    rules = default_rules()
    marks = ",".join("?" * len(case_uuids))
    out = {}
    for row in db.query(f"SELECT uuid, number, rules_id, state FROM cases WHERE uuid IN ({marks})", case_uuids):
        try:
            state = rules.by_id(row["rules_id"]).state_label(row["state"])
        except Exception:  # noqa: BLE001 - a rule set retired since: show the code
            state = row["state"]
        out[row["uuid"]] = f"Vụ việc số {row['number']}: {state.lower()}"
    return out


def reception_sheet(db: Database, start: date, end: date) -> Sheet:
    from desktop.storage import receptions as reception_repo
    from desktop.storage import units as unit_repo

    unit = unit_repo.local_unit(db)
    rows, index = [], 0
    for page in _pages(lambda after: reception_repo.page_receptions(
            db, date_from=start, date_to=end, after=after, descending=False, limit=500)):
        outcomes = _case_outcomes(db, [r.case_uuid for r in page if r.case_uuid])
        for r in page:
            index += 1
            secret = r.case_kind == "denunciation"
            who = SECRET if secret else "\n".join(x for x in (r.person_name, r.address) if x)
            rows.append((str(index), _d(r.received_on), who, SECRET if secret else r.id_number, r.content,
                         CASE_KINDS.get(r.case_kind, r.case_kind), str(r.people_count), r.previous_handling,
                         "x" if r.within_competence else "", r.guided_to, r.forwarded_to,
                         "; ".join(x for x in (outcomes.get(r.case_uuid, ""), r.follow_up) if x),
                         "; ".join(x for x in (RECEPTION_KINDS.get(r.kind, ""), r.notes) if x)))
    return Sheet(
        unit_name=unit.name, title="SỔ TIẾP CÔNG DÂN", period=period_line(start, end),
        header=RECEPTION_HEADER, widths=RECEPTION_WIDTHS,
        rows=tuple(rows), numbering=tuple(f"({i})" for i in range(1, 14)))


FOLLOWUP_HEADER = ("Số đến", "Ngày nhận", "Loại, trích yếu nội dung", "Người xử lý", "Hạn giải quyết",
                   "Tiến độ, kết quả", "Số, ký hiệu văn bản trả lời", "Ghi chú")
FOLLOWUP_WIDTHS = (0.07, 0.08, 0.33, 0.12, 0.08, 0.12, 0.12, 0.08)


def _kind_and_summary(kind: str, summary: str) -> str:
    """"Tố cáo: cán bộ thu tiền", not "Tố cáo: Tố cáo cán bộ thu tiền" (summaries often start with
    their kind)."""
    label = CASE_KINDS.get(kind, kind)
    for word in sorted({label, label.split(" lần")[0]}, key=len, reverse=True):
        if summary[:len(word)].lower() == word.lower() and summary[len(word):len(word) + 1] in (" ", ""):
            summary = summary[len(word):].strip()
            break
    return f"{label}: {summary}" if summary else label


def followup_sheet(db: Database, start: date, end: date) -> Sheet:
    from desktop.rules.book import default_rules
    from desktop.storage import cases as case_repo
    from desktop.storage import documents_repo as repo
    from desktop.storage import units as unit_repo

    unit = unit_repo.local_unit(db)
    rules = default_rules()
    rows = []
    filt = case_repo.CaseFilter(date_from=start, date_to=end)
    for page in _pages(lambda after: case_repo.page_cases(db, filt, descending=False, after=after, limit=500)):
        issued = repo.symbols_by_case(db, [c.uuid for c in page])
        for c in page:
            try:
                state = rules.for_case(c.kind, c.received_on).state_label(c.state)
            except Exception:  # a rule set retired since: show the code
                state = c.state
            who = c.requester_name or (SECRET if c.confidential else "")
            rows.append((c.number, _d(c.received_on), _kind_and_summary(c.kind, c.summary)
                         + (f" ({who})" if who and who != SECRET else f" {SECRET}" if who else ""),
                         c.assignee_name, _d(c.due_on), state,
                         "; ".join(issued.get(c.uuid, ())), ""))
    return Sheet(
        unit_name=unit.name, title="SỔ THEO DÕI GIẢI QUYẾT ĐƠN, YÊU CẦU", period=period_line(start, end),
        header=FOLLOWUP_HEADER, widths=FOLLOWUP_WIDTHS,
        rows=tuple(rows), numbering=tuple(f"({i})" for i in range(1, 9)))


TALL_ROW = 72.0   # points (an inch): a row taller than this is split across pages rather than moved whole


@functools.cache
def _register_table_class():
    from reportlab.platypus import Table

    class RegisterTable(Table):
        """A register's table: a tall row (a long complaint's content) that does not fit the rest of
        a page is split there, its continuation under the repeated header of the next page; a
        short row moves whole. ReportLab's own order (between rows first, then inside a row) moved
        a tall row to the next page and left most of the page empty, or, splitting the rest on the
        same page, repeated the header in its middle."""

        def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's names
            self._calc(availWidth, availHeight)
            n = self._getFirstPossibleSplitRowPosition(availHeight)
            if n < len(self._rowHeights) and self._rowHeights[n] > TALL_ROW:
                parts = self._splitRows(availHeight, doInRowSplit=1)
                if parts:
                    return parts
            return super().split(availWidth, availHeight)

    return RegisterTable


def _RegisterTable(*args, **kwargs):  # noqa: N802 - the class, made once on first use (reportlab loads lazily)
    return _register_table_class()(*args, **kwargs)


def render_sheet(sheet: Sheet) -> bytes:
    """The register as a landscape PDF; the header row repeats on every page, pages numbered from 2."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer, Table
    from xml.sax.saxutils import escape

    from desktop.documents.pdf import build_pdf

    def x(text: str) -> str:
        return escape(nfc(text)).replace("\n", "<br/>")

    def story(width: float, st: dict) -> list:
        unit = ParagraphStyle("u", parent=st["issuer"], alignment=0)
        title = ParagraphStyle("t", parent=st["type"], fontSize=16, leading=19, spaceBefore=6)
        cell = ParagraphStyle("c", parent=st["cell"], fontSize=9.5, leading=11)
        head = ParagraphStyle("h", parent=st["cellhead"], fontSize=9.5, leading=11)
        out = [Paragraph(x(sheet.unit_name.upper()), unit), Paragraph(x(sheet.title), title),
               Paragraph(x(sheet.period), st["date"]), Spacer(1, 8)]
        data = [[Paragraph(x(h), head) for h in sheet.header]]
        if sheet.numbering:
            data.append([Paragraph(n, ParagraphStyle("n", parent=cell, alignment=1)) for n in sheet.numbering])
        data += [[Paragraph(x(v), cell) for v in row] for row in sheet.rows]
        style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
        if not sheet.rows:   # one line across the whole table, not wrapped inside the first column
            empty = ParagraphStyle("e", parent=cell, alignment=1)
            data.append([Paragraph("Không có dòng nào trong kỳ.", empty)] + [""] * (len(sheet.header) - 1))
            style.append(("SPAN", (0, len(data) - 1), (-1, len(data) - 1)))
        table = _RegisterTable(data, colWidths=[w * width for w in sheet.widths],
                               repeatRows=2 if sheet.numbering else 1, splitInRow=1)
        table.setStyle(style)
        out.append(table)
        return out

    return build_pdf(story, landscape_=True, title=nfc(f"{sheet.title} {sheet.period}"))


SHEETS = {"outgoing": outgoing_sheet, "reception": reception_sheet, "followup": followup_sheet}


def render_register(db: Database, which: str, start: date, end: date) -> bytes:
    from desktop.errors import UserError

    if which not in SHEETS:
        raise UserError("register_unknown", f"Không có sổ \"{which}\"; chọn outgoing, reception hoặc followup.")
    if end < start:
        raise UserError("register_bad_period", "Ngày kết thúc kỳ phải sau ngày bắt đầu.")
    return render_sheet(SHEETS[which](db, start, end))
