"""The one .xlsx writer: report forms in their own layout, and register exports.

XlsxWriter in ``constant_memory`` mode (rows streamed to disk as written: memory stays flat for a
100,000-row register). Every sheet: A4 landscape, fitted to one page wide, the header rows frozen
and repeated on each printed page, Times New Roman; real Excel dates shown dd/mm/yyyy.

- ``write_forms``: one sheet per form — title, period, merged header levels, the numbered row
  with the identities ("1=5+11+17"), one row per unit (or officer) and the total, notes.
- ``write_table``: a register (Sổ tiếp công dân, Sổ vụ việc, Sổ văn bản đi …) from its Vietnamese
  headers and an iterator of rows; ``date`` values become Excel dates.

XlsxWriter is imported inside the functions (not at start-up).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

FONT = "Times New Roman"
DATE_FORMAT = "dd/mm/yyyy"
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _workbook(target, constant_memory: bool = True):
    import xlsxwriter

    return xlsxwriter.Workbook(target, {"constant_memory": constant_memory, "in_memory": False,
                                         "default_date_format": DATE_FORMAT, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})


def _sheet_name(text: str, used: set[str]) -> str:
    name = _BAD_SHEET.sub("-", text)[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _page(ws, header_rows: tuple[int, int], width_cols: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)                    # A4
    ws.fit_to_pages(1, 0)              # one page wide, as many tall as needed
    ws.set_margins(left=0.4, right=0.3, top=0.5, bottom=0.5)
    ws.repeat_rows(*header_rows)
    ws.center_horizontally()


class _Formats:
    def __init__(self, wb) -> None:
        base = {"font_name": FONT, "font_size": 11}
        self.title = wb.add_format({**base, "bold": True, "font_size": 13, "align": "center"})
        self.sub = wb.add_format({**base, "italic": True, "align": "center"})
        self.left = wb.add_format({**base, "align": "left"})
        self.code = wb.add_format({**base, "bold": True, "align": "right"})
        self.head = wb.add_format({**base, "bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                   "text_wrap": True, "font_size": 10})
        self.numbering = wb.add_format({**base, "italic": True, "border": 1, "align": "center", "font_size": 9})
        self.cell = wb.add_format({**base, "border": 1, "valign": "top", "text_wrap": True, "font_size": 10})
        self.line = wb.add_format({**base, "border": 1, "font_size": 10})
        self.number = wb.add_format({**base, "border": 1, "num_format": "#,##0", "font_size": 10})
        self.decimal = wb.add_format({**base, "border": 1, "num_format": "#,##0.##", "font_size": 10})
        self.total_label = wb.add_format({**base, "border": 1, "bold": True, "font_size": 10})
        self.total = wb.add_format({**base, "border": 1, "bold": True, "num_format": "#,##0", "font_size": 10})
        self.date = wb.add_format({**base, "border": 1, "num_format": DATE_FORMAT, "valign": "top", "font_size": 10})
        self.note = wb.add_format({**base, "italic": True, "font_size": 10, "text_wrap": True, "valign": "top"})
        # the wide forms' header (GT-01, 05/KQTH: 36–37 columns), in narrower columns
        self.head_small = wb.add_format({**base, "bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                         "text_wrap": True, "font_size": 8})
        self.numbering_small = wb.add_format({**base, "italic": True, "border": 1, "align": "center",
                                              "font_size": 8, "text_wrap": True})


def _form_widths(width: int) -> tuple[float, float, bool]:
    """(label column, figure columns, small header) for a form ``width`` columns wide: fit to one
    A4 page wide, a 37-column form printed at 35 % was unreadable; narrower columns and a smaller
    header font print it at about twice that."""
    if width > 30:
        return 20, 5.6, True
    if width > 20:
        return 24, 7, True
    return 28, 9, False


def write_forms(reports: Sequence, target: Path | io.BytesIO, *, unit_name: str = "",
                consolidated: bool = False) -> None:
    """Every form report (``engine.FormReport``) on its own sheet, in the form's layout.

    Forms are small (a row per unit): written in normal mode, since merged header cells span rows
    and ``constant_memory`` flushes a row as soon as a later one is touched."""
    wb = _workbook(target if isinstance(target, io.BytesIO) else str(target), constant_memory=False)
    fmt = _Formats(wb)
    used: set[str] = set()
    for report in reports:
        form = report.form
        leaves = form.leaves()
        width = len(leaves) + 1
        ws = wb.add_worksheet(_sheet_name(form.code.replace("/", "-"), used))
        depth = form.header_depth()
        first_head = 5
        _page(ws, (first_head, first_head + depth), width)
        label_w, col_w, small = _form_widths(width)
        ws.set_column(0, 0, label_w)
        ws.set_column(1, width - 1, col_w)
        head = fmt.head_small if small else fmt.head
        ws.write(0, 0, (unit_name or report.unit_name).upper(), fmt.left)
        ws.write(0, width - 1, form.code, fmt.code)
        ws.merge_range(1, 0, 1, width - 1, form.title, fmt.title)
        ws.merge_range(2, 0, 2, width - 1, f"Số liệu tính từ ngày {report.period.start:%d/%m/%Y} đến ngày "
                                           f"{report.period.end:%d/%m/%Y} ({report.period.name})", fmt.sub)
        ws.merge_range(3, 0, 3, width - 1, f"(Kèm theo Báo cáo của {unit_name or report.unit_name})", fmt.sub)
        cells = sorted(form.header(), key=lambda c: (c.row, c.col))
        for level in range(depth):
            row = first_head + level
            ws.set_row(row, 56 if small else 42)
            for cell in (c for c in cells if c.row == level):
                r0, c0 = row, cell.col
                r1, c1 = row + cell.rowspan - 1, cell.col + cell.colspan - 1
                if (r0, c0) == (r1, c1):
                    ws.write(r0, c0, cell.text, head)
                else:
                    ws.merge_range(r0, c0, r1, c1, cell.text, head)
        row = first_head + depth
        numbering = fmt.numbering_small if small else fmt.numbering
        if small and any(len(t) > 6 for t in form.numbering()):
            ws.set_row(row, 36)       # "5=6+7+8+9+10+11+12" wraps in a narrow column
        ws.write(row, 0, "MS", numbering)
        for i, text in enumerate(form.numbering(), start=1):
            ws.write(row, i, text, numbering)
        ws.freeze_panes(row + 1, 1)
        for data_row in report.all_rows():
            row += 1
            is_total = data_row.key == "__total__"
            ws.write(row, 0, data_row.label, fmt.total_label if is_total else fmt.cell)
            for i, leaf in enumerate(leaves, start=1):
                value = data_row.values.get(leaf.no)
                if value is None:
                    ws.write_blank(row, i, None, fmt.number)
                elif isinstance(value, float) and not value.is_integer():
                    ws.write_number(row, i, value, fmt.decimal)
                else:
                    ws.write_number(row, i, value, fmt.total if is_total else fmt.number)
        row += 2
        notes = [f"{len(leaves) + 1}. Ghi chú: {form.note}" if form.note else f"{len(leaves) + 1}. Ghi chú:"]
        manual = [str(leaf.no) for leaf in leaves if leaf.rule is None or leaf.rule.manual]
        if manual:
            notes.append(f"Cột để trống ({', '.join(manual)}): sổ không theo dõi số liệu này, đơn vị tự điền.")
        if consolidated:
            notes.append("Tổng hợp từ báo cáo đã được chấp nhận của các đơn vị và số liệu của đơn vị tổng hợp.")
        for text in notes:
            ws.merge_range(row, 0, row, width - 1, text, fmt.note)
            ws.set_row(row, 30)
            row += 1
    wb.close()


def write_table(target: Path | io.BytesIO, *, title: str, subtitle: str, headers: Sequence[str],
                rows: Iterable[Sequence], widths: Sequence[float] | None = None, unit_name: str = "",
                numbered: bool = True, sheet: str = "Sổ") -> int:
    """A register as one sheet: title, subtitle, Vietnamese headers, "(1) (2) …", then the rows.
    Returns the number of rows written."""
    wb = _workbook(target if isinstance(target, io.BytesIO) else str(target))
    fmt = _Formats(wb)
    ws = wb.add_worksheet(_sheet_name(sheet, set()))
    width = len(headers)
    head_row = 3
    _page(ws, (head_row, head_row + (1 if numbered else 0)), width)
    for i in range(width):
        ws.set_column(i, i, widths[i] if widths else 14)
    ws.write(0, 0, unit_name.upper(), fmt.left)
    ws.merge_range(1, 0, 1, max(width - 1, 1), title, fmt.title)
    ws.merge_range(2, 0, 2, max(width - 1, 1), subtitle, fmt.sub)
    ws.set_row(head_row, 45)
    for i, h in enumerate(headers):
        ws.write(head_row, i, h, fmt.head)
    row = head_row
    if numbered:
        row += 1
        for i in range(width):
            ws.write(row, i, f"({i + 1})", fmt.numbering)
    ws.freeze_panes(row + 1, 0)
    count = 0
    # One line per row, as a spreadsheet is read (a row sized to its text would keep per-row
    # state in XlsxWriter and grow with the register); the printed registers wrap instead.
    cell, number, day = fmt.line, fmt.number, fmt.date
    blank, text, num, when = ws.write_blank, ws.write_string, ws.write_number, ws.write_datetime
    for values in rows:
        row += 1
        count += 1
        for i, v in enumerate(values):
            kind = type(v)
            if kind is str:
                if v:
                    text(row, i, v, cell)
                else:
                    blank(row, i, None, cell)
            elif v is None:
                blank(row, i, None, cell)
            elif kind is date:
                when(row, i, datetime(v.year, v.month, v.day), day)
            elif kind is datetime:
                when(row, i, v, day)
            elif kind is bool:
                text(row, i, "x" if v else "", cell)
            elif kind is int or kind is float:
                num(row, i, v, number)
            else:
                text(row, i, str(v), cell)
    ws.autofilter(head_row, 0, max(row, head_row), width - 1)
    wb.close()
    return count
