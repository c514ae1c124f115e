"""Merge a verified bundle's records into the province register (inside the caller's transaction).

Rules (issue #5): the commune owns its records; a record is matched by UUID; a higher version
replaces the stored one, an older version never overwrites a newer one, an equal version with
the same content changes nothing, an equal version with different content is a **conflict**: the
stored record stays and the incoming one is kept in ``sync_conflicts`` — never dropped.
A record that cannot be merged (foreign owner, unknown column, broken reference, duplicate key)
is **rejected** with its reason and also kept in ``sync_conflicts``.

Rows go in with ``executemany`` per record type, parents before children; a batch that breaks a
constraint is retried row by row under savepoints, so one bad record is rejected, not the bundle.
"""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
from dataclasses import dataclass, field

from desktop.storage import sync_repo
from desktop.storage.db import Database
from desktop.sync.progress import Progress
from desktop.sync.verify import VerifiedBundle

log = logging.getLogger(__name__)

CATEGORIES = ("new", "updated", "unchanged", "older", "conflict", "rejected")
SAMPLES = 50
BATCH = 5000
SCALARS = (str, int, float, type(None))


@dataclass
class TableResult:
    table: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    samples: list[tuple[str, str, str]] = field(default_factory=list)   # (category, uuid, reason)

    def note(self, category: str, uuid: str, reason: str) -> None:
        if len(self.samples) < SAMPLES:
            self.samples.append((category, uuid, reason))


@dataclass
class MergeResult:
    tables: dict[str, TableResult] = field(default_factory=dict)
    kept: list[tuple] = field(default_factory=list)   # (tbl, uuid, unit, version, kind, reason, incoming, local)

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(CATEGORIES, 0)
        for t in self.tables.values():
            for k, v in t.counts.items():
                out[k] += v
        return out

    def as_dict(self) -> dict:
        return {"totals": self.totals(),
                "tables": {n: {"counts": t.counts, "samples": [list(s) for s in t.samples]}
                           for n, t in self.tables.items()}}


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _decode_value(value: object) -> object:
    """JSON value → SQLite value; bytes travel as ``{"$base64": "…"}``."""
    if isinstance(value, int) and not -2**63 <= value < 2**63:
        raise ValueError("integer out of range")
    if isinstance(value, SCALARS) or isinstance(value, bool):
        return value
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("$base64"), str):
        return base64.b64decode(value["$base64"], validate=True)
    raise ValueError("not a scalar")


def _reason_for(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "foreign key" in text:
        return "Tham chiếu tới bản ghi chưa có ở tỉnh (thiếu bản ghi liên quan; có thể do thiếu gói trước)"
    if "unique" in text:
        return f"Trùng khóa duy nhất với bản ghi khác đã có ở tỉnh ({str(exc)[:120]})"
    if "not null" in text:
        return f"Thiếu giá trị bắt buộc ({str(exc)[:120]})"
    if "check" in text:
        return f"Giá trị không hợp lệ ({str(exc)[:120]})"
    return f"Không ghi được ({str(exc)[:120]})"


class _TableMerge:
    def __init__(self, db: Database, table: sync_repo.SyncedTable, unit_code: str, result: MergeResult) -> None:
        self.db, self.table, self.unit_code, self.result = db, table, unit_code, result
        self.out = result.tables.setdefault(table.name, TableResult(table.name))
        self.columns = set(table.columns)

    def keep(self, kind: str, uuid: str, version: int | None, reason: str, record: object,
             local: dict | None = None) -> None:
        self.out.counts[kind] += 1
        self.out.note(kind, uuid, reason)
        local_json = None if local is None else _dump({k: v for k, v in local.items() if k != "id"})
        self.result.kept.append((self.table.name, uuid, self.unit_code, version, kind, reason,
                                 _dump(record), local_json))

    def check(self, record: object) -> tuple[str, int, dict] | str:
        """(uuid, version, values) of an acceptable record, or the reason to reject it."""
        if not isinstance(record, dict):
            return "Không phải một bản ghi"
        uuid = record.get("uuid")
        if not isinstance(uuid, str) or not 0 < len(uuid) <= 64:
            return "Thiếu mã UUID"
        if record.get("unit_code") != self.unit_code:
            return f"Bản ghi thuộc đơn vị {str(record.get('unit_code'))[:40]}, không phải đơn vị gửi gói"
        unknown = [k for k in record if k not in self.columns]
        if unknown:
            return f"Có cột sổ tỉnh không có: {', '.join(sorted(map(str, unknown))[:5])} (hãy cập nhật phần mềm)"
        version = record.get("version", 0) if self.table.versioned else 0
        if self.table.versioned and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
            return "Số phiên bản không hợp lệ"
        try:
            values = {k: _decode_value(v) for k, v in record.items()}
        except (ValueError, TypeError):
            return "Có giá trị không phải số hoặc chữ"
        return uuid, version, values

    def run(self, records: list[object]) -> None:
        checked: dict[str, tuple[int, dict, object]] = {}
        for record in records:
            got = self.check(record)
            uuid = record.get("uuid") if isinstance(record, dict) else None
            uuid = uuid if isinstance(uuid, str) else ""
            if isinstance(got, str):
                self.keep("rejected", uuid[:64], None, got, record)
            elif got[0] in checked:
                self.keep("rejected", got[0], got[1], "Trùng mã UUID trong cùng một gói", record)
            else:
                checked[got[0]] = (got[1], got[2], record)
        existing = sync_repo.existing_rows(self.db, self.table, list(checked))
        new: list[tuple[str, dict, object]] = []
        updated: list[tuple[str, dict, object]] = []
        for uuid, (version, values, record) in checked.items():
            old = existing.get(uuid)
            if old is None:
                new.append((uuid, values, record))
                continue
            if old["unit_code"] != self.unit_code:
                self.keep("rejected", uuid, version, "Mã UUID đã dùng cho bản ghi của đơn vị khác", record, old)
                continue
            old_version = old.get("version", 0) if self.table.versioned else 0
            if version > old_version:
                updated.append((uuid, values, record))
            elif version < old_version:
                self.out.counts["older"] += 1
                self.out.note("older", uuid, f"Phiên bản {version} cũ hơn phiên bản {old_version} đã có")
            elif all(old.get(k) == v for k, v in values.items()):
                self.out.counts["unchanged"] += 1
            else:
                self.keep("conflict", uuid, version,
                          f"Cùng phiên bản {version} nhưng nội dung khác bản đã có", record, old)
        if new:
            self._write(new, insert=True)
        if updated:
            self._write(updated, insert=False)

    def _write(self, rows: list[tuple[str, dict, object]], *, insert: bool) -> None:
        fts = self.table.has_fts
        uuids = [u for u, _, _ in rows]
        if fts and not insert:
            sync_repo.fts_remove(self.db, self.table, uuids)
        groups: dict[tuple[str, ...], list[tuple[str, dict, object]]] = {}
        for row in rows:
            groups.setdefault(tuple(row[1]), []).append(row)
        for cols, members in groups.items():
            write_cols = cols if insert else tuple(c for c in cols if c != "uuid")
            for start in range(0, len(members), BATCH):
                chunk = members[start:start + BATCH]
                self._write_chunk(write_cols, chunk, insert)
        if fts:
            sync_repo.fts_add(self.db, self.table, uuids)

    def _values(self, cols, member, insert: bool) -> tuple:
        values = member[1]
        row = tuple(values[c] for c in cols)
        return row if insert else row + (member[0],)

    def _exec(self, cols, rows, insert: bool) -> None:
        if insert:
            sync_repo.insert_rows(self.db, self.table, cols, rows)
        else:
            sync_repo.update_rows(self.db, self.table, cols, rows)

    def _write_chunk(self, cols, chunk, insert: bool) -> None:
        kind = "new" if insert else "updated"
        conn = self.db.conn
        conn.execute("SAVEPOINT merge_chunk")
        try:
            self._exec(cols, [self._values(cols, m, insert) for m in chunk], insert)
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK TO merge_chunk")
            conn.execute("RELEASE merge_chunk")
            self._write_rows(cols, chunk, insert)
            return
        conn.execute("RELEASE merge_chunk")
        self.out.counts[kind] += len(chunk)

    def _write_rows(self, cols, chunk, insert: bool) -> None:
        conn = self.db.conn
        for member in chunk:
            conn.execute("SAVEPOINT merge_row")
            try:
                self._exec(cols, [self._values(cols, member, insert)], insert)
            except sqlite3.IntegrityError as exc:
                conn.execute("ROLLBACK TO merge_row")
                conn.execute("RELEASE merge_row")
                version = member[1].get("version") if self.table.versioned else None
                self.keep("rejected", member[0], version, _reason_for(exc), member[2])
                continue
            conn.execute("RELEASE merge_row")
            self.out.counts["new" if insert else "updated"] += 1


def merge(db: Database, bundle: VerifiedBundle, progress: Progress) -> MergeResult:
    """Merge every part of ``bundle``; must run inside ``db.write()``."""
    result = MergeResult()
    unit = bundle.manifest.unit_code
    tables = {t.name: t for t in sync_repo.synced_tables(db)}
    parts = {p.table: p for p in bundle.manifest.parts}
    order = [n for n in tables if n in parts] + [n for n in parts if n not in tables]
    for step, name in enumerate(order):
        progress.report(step, len(order), f"Đang đối chiếu {name}")
        records = bundle.records(parts[name])
        if name not in tables:
            out = result.tables.setdefault(name, TableResult(name))
            reason = f"Sổ tỉnh không có loại bản ghi “{name}” (hãy cập nhật phần mềm)"
            for record in records:
                uuid = record.get("uuid") if isinstance(record, dict) else ""
                out.counts["rejected"] += 1
                out.note("rejected", str(uuid)[:64], reason)
                result.kept.append((name, str(uuid)[:64], unit, None, "rejected", reason, _dump(record), None))
            continue
        _TableMerge(db, tables[name], unit, result).run(records)
    return result
