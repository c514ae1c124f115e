"""Reading an old register: an .xlsx sheet (openpyxl, read-only) or a CSV file, as rows of cells.

Offices keep their registers in Excel, some exported to CSV by older tools: UTF-8 with a BOM
from Excel's "CSV UTF-8", or the Windows code page 1258 (Vietnamese) from older ones, whose
decomposed tone marks are composed again here (NFC). Cells come as they were stored (numbers,
dates, text): the row parser decides what they mean.

Read-only mode keeps memory flat on a large workbook but does not expose merged cells: their
ranges are read from the sheet's XML (``<mergeCell ref="B5:B7"/>``, after the rows), and the
value of a merged block is copied into each of its cells, each copy flagged for the preview.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.errors import UserError

log = logging.getLogger(__name__)

MAX_COLUMNS = 60  # an old register has a dozen; a sheet with thousands of styled columns is cut here
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(frozen=True)
class SheetRow:
    number: int                         # the row number as the office sees it (Excel row, CSV line)
    cells: tuple[Any, ...]
    merged: frozenset[int] = frozenset()  # columns whose value was copied from a merged block


@dataclass
class SheetData:
    name: str                            # the sheet's name ('' for CSV)
    rows: list[SheetRow]
    sheets: tuple[str, ...] = ()         # every sheet of the workbook
    encoding: str = ""                   # CSV: the encoding found
    merged_ranges: int = 0
    notes: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _nfc(value: Any) -> Any:
    if isinstance(value, str) and not value.isascii() and not unicodedata.is_normalized("NFC", value):
        return unicodedata.normalize("NFC", value)
    return value


def read_file(path: Path | str, sheet: str | None = None) -> SheetData:
    """The rows of ``path`` (.xlsx, .xlsm, .csv or .txt); a clear Vietnamese message otherwise."""
    p = Path(path)
    if not p.exists():
        raise UserError("file_missing", f"Không tìm thấy tệp {p.name}.")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, sheet)
    if suffix in (".csv", ".txt"):
        return _read_csv(p)
    if suffix == ".xls":
        raise UserError("old_xls", "Tệp .xls (Excel 97–2003) chưa đọc được: hãy mở bằng Excel hoặc LibreOffice "
                                   "và lưu lại dạng .xlsx, rồi chọn lại tệp.")
    raise UserError("file_kind", f"Chỉ nhập được tệp Excel (.xlsx) hoặc CSV, không phải “{p.suffix}”.")


# -- xlsx -------------------------------------------------------------------------------------
def _merged_ranges(ws) -> list[tuple[int, int, int, int]]:
    """(first row, first col, last row, last col) of each merged block, 1-based rows, 0-based cols."""
    try:
        source = ws._get_source()  # read-only sheets keep the XML in the archive; not exposed otherwise
    except Exception:  # pragma: no cover - a future openpyxl without it: no merged-cell flags
        log.warning("merged cells of %s not read", getattr(ws, "title", "?"))
        return []
    out = []
    tail = b""
    with source:
        while True:
            chunk = source.read(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            cut = data.rfind(b"<")
            body, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            for m in _MERGE.finditer(body):
                c1, r1, c2, r2 = m.groups()
                c2, r2 = c2 or c1, r2 or r1
                out.append((int(r1), column_index(c1.decode()), int(r2), column_index(c2.decode())))
        for m in _MERGE.finditer(tail):
            c1, r1, c2, r2 = m.groups()
            c2, r2 = c2 or c1, r2 or r1
            out.append((int(r1), column_index(c1.decode()), int(r2), column_index(c2.decode())))
    return out


def _read_xlsx(p: Path, sheet: str | None) -> SheetData:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UserError("xlsx_unreadable", f"Không đọc được tệp Excel {p.name}: tệp hỏng hoặc không phải .xlsx.") from exc
    try:
        names = tuple(wb.sheetnames)
        if sheet is None:
            ws = wb[names[0]]
        elif sheet in names:
            ws = wb[sheet]
        elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
            ws = wb[names[int(sheet) - 1]]
        else:
            raise UserError("sheet_missing", f"Tệp không có trang tính “{sheet}”. Các trang: {', '.join(names)}.")
        ws.reset_dimensions()  # some writers record wrong dimensions: read what is there
        merged = _merged_ranges(ws)
        rows: list[SheetRow] = []
        try:
            values_by_row = _fast_values(wb, ws)
        except _NoFastPath:
            values_by_row = ws.iter_rows(values_only=True)
        for number, values in enumerate(values_by_row, start=1):
            cells = values[:MAX_COLUMNS]
            while cells and cells[-1] is None:  # styled but empty cells at the end of a row
                cells = cells[:-1]
            rows.append(SheetRow(number, tuple(_nfc(v) for v in cells)))
        title = ws.title
    finally:
        wb.close()
    data = SheetData(title, rows, sheets=names, merged_ranges=len(merged))
    _fill_merged(data, merged)
    return data


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _IS, _T, _R = (_NS + t for t in ("row", "c", "v", "is", "t", "r"))


class _NoFastPath(Exception):
    pass


def _text(node) -> str:
    """A string item's text without its formatting: its ``<t>`` and each run's ``<t>`` (as
    openpyxl's ``Text.content``; phonetic runs left out)."""
    if len(node) == 1 and node[0].tag == _T:  # the usual case: one plain <t>
        return node[0].text or ""
    parts = []
    t = node.find(_T)
    if t is not None and t.text:
        parts.append(t.text)
    for run in node.iterfind(_R):
        t = run.find(_T)
        if t is not None and t.text:
            parts.append(t.text)
    return "".join(parts)


def _row_elements(source) -> Iterator[Any]:
    """Each ``<row>`` element of the sheet XML, parsed in C (lxml, which python-docx and openpyxl
    already bring, else the standard library), the rows before it dropped: memory stays flat."""
    try:
        from lxml.etree import iterparse
    except ImportError:  # pragma: no cover - lxml is a dependency of python-docx
        from xml.etree.ElementTree import iterparse

        for _, element in iterparse(source):
            if element.tag == _ROW:
                yield element
                element.clear()
        return
    for _, element in iterparse(source, events=("end",), tag=_ROW, huge_tree=True, resolve_entities=False):
        yield element
        element.clear()
        parent = element.getparent()
        while element.getprevious() is not None:
            del parent[0]


def _fast_values(wb, ws) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as value tuples, exactly as openpyxl's read-only ``iter_rows(values_only=True)``
    gives them (missing rows as ``[]``), but parsed in one C-level XML pass with no object per
    cell: openpyxl builds a dict — and for each text cell a rich-text object — per cell, which was
    most of the time of a 10,000-row import (issue #18). openpyxl still opens the workbook, reads
    its shared strings and styles and tells which styles are dates; only the cell loop is here
    (``tests/desktop/workflow/test_old_register_fast_read.py`` compares the two on quirky sheets)."""
    from openpyxl.utils.datetime import from_excel, from_ISO8601
    from openpyxl.worksheet._reader import _cast_number

    try:
        strings = ws._shared_strings
        dates, durations, epoch = wb._date_formats, wb._timedelta_formats, wb.epoch
        source = ws._get_source()
    except Exception as exc:  # noqa: BLE001 - another openpyxl: its own reader then
        raise _NoFastPath from exc
    if getattr(wb, "rich_text", False) or not wb.data_only:  # pragma: no cover - read_file opens neither
        source.close()
        raise _NoFastPath
    columns: dict[str, int] = {}

    def rows() -> Iterator[tuple[Any, ...]]:
        expected = 1
        row_number = 0
        with source:
            for element in _row_elements(source):
                r = element.get("r")
                row_number = int(float(r)) if r else row_number + 1
                column = 0
                found: list[tuple[int, Any]] = []
                for cell in element:
                    if cell.tag != _C:
                        continue
                    ref = cell.get("r")
                    if ref:
                        letters = ref.rstrip("0123456789")
                        column = columns.get(letters) or columns.setdefault(letters, column_index(letters) + 1)
                    else:
                        column += 1
                    kind = cell.get("t", "n")
                    if kind == "inlineStr":
                        node = cell.find(_IS)
                        value = _text(node) if node is not None else None
                    else:
                        value = cell.findtext(_V) or None
                        if value is not None:
                            if kind == "n":
                                value = _cast_number(value)
                                style = cell.get("s")
                                style = int(style) if style else 0
                                if style in dates:
                                    try:
                                        value = from_excel(value, epoch, timedelta=style in durations)
                                    except (OverflowError, ValueError):
                                        value = "#VALUE!"
                            elif kind == "s":
                                value = strings[int(value)]
                            elif kind == "b":
                                value = bool(int(value))
                            elif kind == "d":
                                value = from_ISO8601(value)
                    found.append((column, value))
                while expected < row_number:  # rows the file leaves out (openpyxl: an empty list)
                    expected += 1
                    yield []
                if expected == row_number:
                    expected += 1
                    if not found:
                        yield ()
                        continue
                    out = [None] * found[-1][0]
                    for col, value in found:
                        out[col - 1] = value
                    yield tuple(out)

    return rows()


def _fill_merged(data: SheetData, merged: list[tuple[int, int, int, int]]) -> None:
    """Copy each merged block's value (its top-left cell) into the block's other cells."""
    if not merged:
        return
    by_number = {r.number: i for i, r in enumerate(data.rows)}
    for r1, c1, r2, c2 in merged:
        first = by_number.get(r1)
        if first is None:
            continue
        top = data.rows[first].cells
        value = top[c1] if c1 < len(top) else None
        for rn in range(r1, r2 + 1):
            i = by_number.get(rn)
            if i is None:
                continue
            row = data.rows[i]
            cells = list(row.cells) + [None] * max(0, c2 + 1 - len(row.cells))
            flagged = set(row.merged)
            for c in range(c1, min(c2, MAX_COLUMNS - 1) + 1):
                if (rn, c) != (r1, c1):
                    cells[c] = value
                flagged.add(c)
            data.rows[i] = SheetRow(row.number, tuple(cells), frozenset(flagged))


# -- csv --------------------------------------------------------------------------------------
def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "UTF-8 (BOM)"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    return raw.decode("cp1258", errors="replace"), "Windows-1258"


def _read_csv(p: Path) -> SheetData:
    raw = p.read_bytes()
    text, encoding = _decode(raw)
    text = unicodedata.normalize("NFC", text)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [SheetRow(n, tuple(cells[:MAX_COLUMNS]))
            for n, cells in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1)]
    return SheetData("", rows, encoding=encoding)


def iter_cells(row: SheetRow, width: int) -> Iterator[Any]:
    for i in range(width):
        yield row.cells[i] if i < len(row.cells) else None
