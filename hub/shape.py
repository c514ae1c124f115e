"""The shape of each record, checked while the bundle is prepared (CPU, off the server).

The same rules as the province's merge (desktop/sync/merge.py ``_TableMerge.check``) and the
same Vietnamese reasons: a record must be an object with a uuid, belong to the sending unit,
have only the register's columns, a valid version where the type is versioned, scalar values
(bytes as ``{"$base64": …}``), and for the partitioned types the date that places it. The
result travels to the server with each line (``hub.storage.records.stage``), so the set-based
merge only has to look at what needs other rows: duplicates, other units' uuids, references.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import chain, repeat
from typing import NamedTuple

from hub.types import RecordType

_YEAR = re.compile(r"\d{4}-")
_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)
_TEXT_OR_NONE = frozenset((str, type(None)))


class Shaped(NamedTuple):          # a tuple: made once per record, it must be cheap
    uuid: str | None
    version: int
    year: int | None
    reason: str | None


def _nested(record: dict) -> bool:
    for value in record.values():
        if isinstance(value, _SCALARS):
            continue
        if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("$base64"), str):
            continue
        return True
    return False


def shape(t: RecordType | None, name: str, record: object, unit: str) -> Shaped:
    if t is None:
        uuid = record.get("uuid") if isinstance(record, dict) else None
        return Shaped(uuid[:64] if isinstance(uuid, str) else None, 0, None,
                      f"Hệ thống không có loại bản ghi “{name[:60]}” (hãy cập nhật phần mềm)")
    if type(record) is not dict:
        return Shaped(None, 0, None, "Không phải một bản ghi")
    uuid = record.get("uuid")
    if type(uuid) is not str or not 0 < len(uuid) <= 64:
        return Shaped(uuid[:64] if isinstance(uuid, str) else None, 0, None, "Thiếu mã UUID")
    owner = record.get("unit_code")
    if owner != unit:
        return Shaped(uuid, 0, None, f"Bản ghi thuộc đơn vị {str(owner)[:40] if owner is not None else '?'}, "
                      "không phải đơn vị gửi gói")
    columns = t.column_set
    if not record.keys() <= columns:
        unknown = sorted(str(k) for k in record if k not in columns)
        return Shaped(uuid, 0, None, f"Có cột sổ tỉnh không có: {', '.join(unknown[:5])} (hãy cập nhật phần mềm)")
    version = 0
    if t.versioned:
        version = record.get("version")
        if type(version) is not int or not 1 <= version < 2**63:
            return Shaped(uuid, 0, None, "Số phiên bản không hợp lệ")
    if _nested(record):
        return Shaped(uuid, 0, None, "Có giá trị không phải số hoặc chữ")
    year = None
    if t.year_key is not None:
        stamp = record.get(t.year_key)
        if type(stamp) is not str or not _YEAR.match(stamp):
            return Shaped(uuid, 0, None, "Thiếu ngày tạo bản ghi")
        year = int(stamp[:4])
    return Shaped(uuid, version, year, None)


def _text(value: str) -> str:
    """A text value in COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _line(line: str) -> str:
    """A JSON line in COPY's text format: only backslashes to double, unless the line has a raw tab
    or carriage return (JSON allows them between tokens; the register's export never writes one)."""
    if "\t" in line or "\r" in line:
        return _text(line)
    return line.replace("\\", "\\\\")


@dataclass
class Part:
    """One part of a bundle, each record shaped: what both ways into the tables need."""
    name: str
    type: RecordType | None
    shaped: list[Shaped]
    lines: list[str]
    refs: list[tuple[tuple[str, str, str], ...]]     # per record: (column, parent type, uuid) it points to


def _ref_text(value: object) -> str:
    """A reference value as PostgreSQL's ``->>`` gives it (the staged merge compares that text)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _shape_whole(t: RecordType, records: list, lines: list[str], unit: str) -> list[Shaped] | None:
    """Every record of a part judged at once, a column at a time, when each is the usual good one;
    ``None`` when any is not (``_shape_all`` then judges them one by one, with their reasons). The
    same conditions as ``shape``: objects, a uuid of 1 to 64 characters, the sending unit, only the
    register's columns, no nested value (lines with one ``{`` and no ``[`` — each line is an object,
    so as many ``{`` as lines means one each — or else only scalar values), a valid version, the
    date placing it."""
    n = len(records)
    if not n or set(map(type, records)) != {dict}:
        return None
    get = dict.get
    uuids = list(map(get, records, repeat("uuid")))
    if (set(map(type, uuids)) != {str} or min(map(len, uuids)) == 0 or max(map(len, uuids)) > 64
            or set(map(get, records, repeat("unit_code"))) != {unit}
            or not t.column_set.issuperset(chain.from_iterable(records))
            or not ((sum(map(str.count, lines, repeat("{"))) == n and not any(map(str.__contains__, lines, repeat("["))))
                    or _SCALAR_TYPES.issuperset(map(type, chain.from_iterable(map(dict.values, records)))))):
        return None
    versions: object = repeat(0)
    if t.versioned:
        versions = list(map(get, records, repeat("version")))
        if set(map(type, versions)) != {int} or min(versions) < 1 or max(versions) >= 2**63:
            return None
    years: object = repeat(None)
    if t.year_key is not None:
        stamps = list(map(get, records, repeat(t.year_key)))
        if set(map(type, stamps)) != {str} or not all(map(_YEAR.match, stamps)):
            return None
        years = [int(stamp[:4]) for stamp in stamps]
    return list(map(Shaped, uuids, versions, years, repeat(None)))


def _shape_all(t: RecordType | None, name: str, records: list, lines: list[str], unit: str) -> list[Shaped]:
    """``shape`` of every record: the whole part at once when each is the usual good record, else
    with the usual good record judged in one expression (a line with one ``{`` and no ``[`` holds
    no nested value: no need to look at each value)."""
    if t is None:
        return [shape(t, name, record, unit) for record in records]
    whole = _shape_whole(t, records, lines, unit)
    if whole is not None:
        return whole
    columns, versioned, year_key, scalars = t.column_set, t.versioned, t.year_key, _SCALAR_TYPES
    out = []
    for record, line in zip(records, lines):
        if type(record) is dict:
            uuid = record.get("uuid")
            version = record.get("version") if versioned else 0
            stamp = record.get(year_key) if year_key is not None else None
            if (type(uuid) is str and 0 < len(uuid) <= 64 and record.get("unit_code") == unit
                    and record.keys() <= columns
                    and ((line.count("{") == 1 and "[" not in line) or set(map(type, record.values())) <= scalars)
                    and (not versioned or (type(version) is int and 1 <= version < 2**63))
                    and (year_key is None or (type(stamp) is str and _YEAR.match(stamp)))):
                out.append(Shaped(uuid, version, int(stamp[:4]) if year_key is not None else None, None))
                continue
        out.append(shape(t, name, record, unit))
    return out


def _refs(t: RecordType, records: list, shaped: list[Shaped]) -> list[tuple[tuple[str, str, str], ...]]:
    """Per record, the (column, parent type, uuid) it points to; a refused record points nowhere."""
    if all(s.reason is None for s in shaped):          # every record an object
        get = dict.get
        columns = [(col, parent, list(map(get, records, repeat(col)))) for col, parent in t.references]
        if all(set(map(type, values)) <= _TEXT_OR_NONE for _, _, values in columns):
            # The usual part: every reference text or nothing (no JSON to write for PostgreSQL's ->>).
            if len(columns) == 1:
                col, parent, values = columns[0]
                return [((col, parent, v),) if v is not None else () for v in values]
            return [tuple((col, parent, v) for (col, parent, _), v in zip(columns, row) if v is not None)
                    for row in zip(*(values for _, _, values in columns))]
    return [tuple((col, parent, _ref_text(record[col])) for col, parent in t.references
                  if record.get(col) is not None) if s.reason is None else ()
            for record, s in zip(records, shaped)]


def shape_part(t: RecordType | None, name: str, records: list, lines: list[str], unit: str) -> Part:
    shaped = _shape_all(t, name, records, lines, unit)
    if t is not None and t.references:
        refs = _refs(t, records, shaped)
    else:
        refs = [()] * len(shaped)
    return Part(name, t, shaped, lines, refs)


def staging_rows(part: Part) -> bytes:
    """The part's rows for ``hub_stage``: type, uuid, version, year, reason, the line itself."""
    tbl = _text(part.name)
    out = []
    for s, line in zip(part.shaped, part.lines):
        out.append("\t".join((tbl, _text(s.uuid) if s.uuid is not None else "\\N", str(s.version),
                              str(s.year) if s.year is not None else "\\N",
                              _text(s.reason) if s.reason is not None else "\\N",
                              _line(line))) + "\n")
    return "".join(out).encode("utf-8")


def copy_rows(t: RecordType | None, name: str, records: list, lines: list[str], unit: str) -> bytes:
    """``staging_rows`` of one part from its records and lines."""
    return staging_rows(shape_part(t, name, records, lines, unit))
