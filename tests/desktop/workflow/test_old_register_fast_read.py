"""The .xlsx cell loop of the old-register import (``sheet._fast_values``) gives exactly what
openpyxl's read-only ``iter_rows(values_only=True)`` gives, on sheets written by Excel-like
writers with every kind of cell an old register holds (issue #18: a 10,000-row register in
≤ 10 s needed a faster loop than openpyxl's)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook

from desktop.workflow.old_register import samples, sheet


def _both(path):
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[wb.sheetnames[0]]
        ws.reset_dimensions()
        reference = list(ws.iter_rows(values_only=True))
        ws = wb[wb.sheetnames[0]]
        ws.reset_dimensions()
        fast = list(sheet._fast_values(wb, ws))
    finally:
        wb.close()
    return reference, fast


def test_same_values_as_openpyxl_on_a_shared_strings_workbook_with_every_kind_of_cell(tmp_path):
    """XlsxWriter writes shared strings (as Excel does), rich text, styles with date formats,
    booleans, formulas with cached values, errors, gaps in rows and columns."""
    import xlsxwriter

    path = tmp_path / "so-excel.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Sổ 2023")
    dmy, when, clock = (book.add_format({"num_format": f}) for f in ("dd/mm/yyyy", "d/m/yyyy h:mm", "h:mm"))
    bold = book.add_format({"bold": True})
    ws.write_row(0, 0, ["STT", "Ngày tiếp", "Họ và tên", "Số CCCD", "Ghi chú"])
    ws.write_number(1, 0, 1)
    ws.write_datetime(1, 1, datetime(2023, 3, 7), dmy)
    ws.write_string(1, 2, "NGUYỄN VĂN ẤT")
    ws.write_number(1, 3, 34185001234)                 # an ID number that lost its leading zero
    ws.write_rich_string(1, 4, "Đã ", bold, "giải quyết", " xong")
    ws.write_number(2, 0, 2.5)
    ws.write_number(2, 1, 45000)                        # an Excel serial date without a date format
    ws.write_string(2, 2, "Trần Thị Đức")
    ws.write_boolean(2, 3, True)
    ws.write_formula(2, 4, "=A2+A3", None, 3.5)
    ws.write_datetime(3, 1, datetime(2023, 4, 1, 8, 30), when)
    ws.write_datetime(3, 2, datetime(1899, 12, 31, 14, 15), clock)
    ws.write_formula(3, 3, '=NA()', None, "#N/A")
    ws.write_formula(3, 4, '="Ghi "&"chú"', None, "Ghi chú")
    ws.write_string(6, 7, "xa sau một khoảng trống")   # rows 5-6 missing, columns F-G empty
    ws.merge_range(8, 0, 9, 1, "ô gộp")
    ws.write_string(10, 0, "Trần Thị Đức")              # a repeated shared string
    book.close()
    reference, fast = _both(path)
    assert fast == reference
    assert fast[1][1] == datetime(2023, 3, 7) and fast[1][3] == 34185001234 and fast[1][4] == "Đã giải quyết xong"
    assert fast[2][3] is True and fast[2][4] == 3.5 and fast[3][3] == "#N/A" and fast[5] == []
    assert isinstance(fast[3][2], time)


@pytest.mark.parametrize("rows", [samples.SMALL, samples.large_rows(300, today=date(2026, 11, 23))])
def test_same_values_as_openpyxl_on_the_inline_strings_samples(tmp_path, rows):
    path = samples.write_xlsx(tmp_path / "so-cu.xlsx", rows, merged_date_rows=(0, 2))
    reference, fast = _both(path)
    assert fast == reference and len(fast) == len(rows) + 5


def test_read_file_uses_it_and_reads_the_same_rows_as_before(tmp_path, monkeypatch):
    path = samples.write_xlsx(tmp_path / "so-cu.xlsx", samples.SMALL, merged_date_rows=(1, 2))
    fast = sheet.read_file(path)

    def no_fast_path(wb, ws):
        raise sheet._NoFastPath

    monkeypatch.setattr(sheet, "_fast_values", no_fast_path)   # openpyxl's own loop, as before
    slow = sheet.read_file(path)
    assert fast.rows == slow.rows and fast.merged_ranges == slow.merged_ranges == 3
