"""Which column of an old register holds which field: matched from the headers, remembered per layout.

Each field has Vietnamese header synonyms, compared accent-insensitively (``fold``): "Họ và tên",
"HỌ TÊN NGƯỜI ĐẾN", "ho ten" all name the requester. The header row is the first of the sheet's
top rows that names at least two fields (old registers carry a title, the unit and a period
above it). A layout's signature is a hash of its folded header cells; the mapping the clerk
confirmed is stored in the register under it (``settings``), so next year's file of the same
layout maps itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from desktop.domain.text import fold
from desktop.errors import UserError
from desktop.storage.db import Database
from desktop.workflow.old_register.sheet import SheetData, column_index, column_letter

HEADER_SCAN = 20  # rows looked at for the header row
LAYOUT_KEY = "old_register_layout:"


@dataclass(frozen=True)
class Field:
    code: str
    label: str                     # Vietnamese, as the mapping table shows it
    synonyms: tuple[str, ...]      # folded header texts; a header matches when it starts with one
    required: bool = False


FIELDS: tuple[Field, ...] = (
    Field("seq", "Số thứ tự (sổ cũ)", ("stt", "so tt", "so thu tu", "tt")),
    Field("received_on", "Ngày tiếp nhận", ("ngay tiep", "ngay nhan", "ngay thang", "ngay den", "ngay vao so",
                                             "ngay tiep nhan", "thoi gian tiep", "ngay"), required=True),
    Field("full_name", "Họ tên người yêu cầu", ("ho va ten", "ho ten", "ten nguoi", "nguoi dung don",
                                                "nguoi gui", "nguoi khieu nai", "nguoi to cao", "nguoi yeu cau",
                                                "cong dan", "ten cong dan"), required=True),
    Field("id_number", "Số CCCD / CMND", ("so cccd", "cccd", "so cmnd", "cmnd", "can cuoc", "so can cuoc",
                                          "so dinh danh", "cmnd cccd", "giay to tuy than", "so giay to")),
    Field("phone", "Số điện thoại", ("so dien thoai", "dien thoai", "sdt", "dt lien he")),
    Field("address", "Địa chỉ", ("dia chi", "noi cu tru", "noi o", "cu tru", "thuong tru", "que quan")),
    Field("kind", "Loại đơn", ("loai don", "phan loai", "loai vu viec", "loai", "hinh thuc don", "tinh chat")),
    Field("summary", "Tóm tắt nội dung", ("tom tat", "noi dung", "trich yeu", "noi dung vu viec",
                                          "noi dung don", "noi dung yeu cau"), required=True),
    Field("field", "Lĩnh vực", ("linh vuc",)),
    Field("result", "Kết quả xử lý", ("ket qua", "huong xu ly", "ket qua xu ly", "ket qua giai quyet",
                                      "ket qua tiep")),
    Field("result_on", "Ngày trả lời / giải quyết", ("ngay tra loi", "ngay giai quyet", "ngay ket thuc",
                                                     "ngay xu ly", "ngay co ket qua")),
    Field("notes", "Ghi chú", ("ghi chu",)),
    # Not a day of the case: named here so that "Ngày sinh" never passes for the receipt day.
    Field("birth", "Ngày / năm sinh", ("ngay sinh", "nam sinh", "ngay thang nam sinh")),
)
FIELD_BY_CODE = {f.code: f for f in FIELDS}


@dataclass
class Mapping:
    header_row: int                              # the row number of the headers (1-based)
    columns: dict[str, int] = field(default_factory=dict)   # field code → column index (0-based)
    headers: tuple[str, ...] = ()                # the header row's texts, as in the file
    remembered: bool = False                     # taken from a layout stored in the register

    @property
    def signature(self) -> str:
        return layout_signature(self.headers)

    def describe(self) -> list[tuple[str, str, str]]:
        """(field label, column letter, header text) of each mapped field, in field order."""
        out = []
        for f in FIELDS:
            if f.code in self.columns:
                c = self.columns[f.code]
                out.append((f.label, column_letter(c), self.headers[c] if c < len(self.headers) else ""))
        return out

    def missing(self) -> list[str]:
        return [f.label for f in FIELDS if f.required and f.code not in self.columns]


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def layout_signature(headers: tuple[str, ...] | list[str]) -> str:
    """A short hash of the folded header texts (empty trailing headers ignored)."""
    folded = [fold(h) for h in headers]
    while folded and not folded[-1]:
        folded.pop()
    return hashlib.sha256("|".join(folded).encode("utf-8")).hexdigest()[:16]


def _match(header: str) -> str | None:
    """The field a header names, by its longest matching synonym."""
    h = fold(header)
    if not h:
        return None
    best, best_len = None, 0
    for f in FIELDS:
        for syn in f.synonyms:
            if (h == syn or h.startswith(syn + " ")) and len(syn) > best_len:
                best, best_len = f.code, len(syn)
    return best


def guess(data: SheetData) -> Mapping:
    """The header row and the columns matched from its texts (each field at most once, leftmost)."""
    best: Mapping | None = None
    for row in data.rows[:HEADER_SCAN]:
        headers = tuple(_text(c) for c in row.cells)
        columns: dict[str, int] = {}
        for i, h in enumerate(headers):
            code = _match(h)
            if code and code not in columns:
                columns[code] = i
        if len(columns) >= 2 and (best is None or len(columns) > len(best.columns)):
            best = Mapping(row.number, columns, headers)
    if best is None:
        raise UserError("no_header", "Không tìm thấy dòng tiêu đề (họ tên, ngày, nội dung …) trong "
                                     f"{HEADER_SCAN} dòng đầu của tệp. Hãy chỉ rõ cột bằng tùy chọn ghép cột.")
    return best


def headers_at(data: SheetData, row_number: int) -> tuple[str, ...]:
    row = next((r for r in data.rows if r.number == row_number), None)
    if row is None:
        raise UserError("no_header", f"Tệp không có dòng {row_number}.")
    return tuple(_text(c) for c in row.cells)


def resolve(data: SheetData, db: Database | None, overrides: dict[str, str] | None = None) -> Mapping:
    """The mapping to use: the guess, replaced by the layout remembered in the register, then the
    clerk's ``overrides`` (field code → column letter, 1-based number or header text)."""
    mapping = guess(data)
    if db is not None:
        saved = remembered(db, mapping.signature)
        if saved is not None:  # the same headers: wherever they stand in this file (a CSV has no title rows)
            mapping = Mapping(mapping.header_row, {k: int(v) for k, v in saved["columns"].items()},
                              mapping.headers, remembered=True)
    for code, where in (overrides or {}).items():
        if code not in FIELD_BY_CODE:
            known = ", ".join(f.code for f in FIELDS)
            raise UserError("bad_mapping", f"Không có trường “{code}”. Các trường: {known}.")
        if where in ("", "-"):
            mapping.columns.pop(code, None)
            continue
        mapping.columns[code] = _column_of(where, mapping.headers)
    return mapping


def _column_of(where: str, headers: tuple[str, ...]) -> int:
    w = where.strip()
    if w.isdigit():
        return int(w) - 1
    if w.isalpha() and w.isascii() and len(w) <= 2 and w.upper() == w:
        return column_index(w)
    folded = fold(w)
    for i, h in enumerate(headers):
        if fold(h) == folded:
            return i
    raise UserError("bad_mapping", f"Không tìm thấy cột “{where}” trong dòng tiêu đề.")


def remembered(db: Database, signature: str) -> dict | None:
    raw = db.get_setting(LAYOUT_KEY + signature)
    return json.loads(raw) if raw else None


def remember(db: Database, mapping: Mapping) -> None:
    """Store the confirmed mapping in the register under its layout's signature."""
    db.set_setting(LAYOUT_KEY + mapping.signature, json.dumps(
        {"header_row": mapping.header_row, "columns": mapping.columns,
         "headers": [h for h in mapping.headers]}, ensure_ascii=False))
