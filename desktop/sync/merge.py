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
from operator import itemgetter

from desktop.errors import UserError
from desktop.storage import attachments as attachment_repo
from desktop.storage import sync_repo
from desktop.storage.db import Database
from desktop.sync.progress import Progress
from desktop.sync.verify import VerifiedBundle

log = logging.getLogger(__name__)

CATEGORIES = ("new", "updated", "unchanged", "older", "conflict", "rejected")
SAMPLES = 50
BATCH = 5000
SCALARS = (str, int, float, type(None))
# What a batch may raise because of one record: a broken constraint, or a value SQLite cannot bind.
UNBINDABLE = (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError, OverflowError,
              ValueError, TypeError)


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


def _decoded(record: dict) -> dict | None:
    """The record with every value made bindable, or None when one cannot be."""
    try:
        return {k: _decode_value(v) for k, v in record.items()}
    except (ValueError, TypeError):
        return None


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

    def check(self, record: object) -> tuple[str, int] | str:
        """(uuid, version) of an acceptable record, or the reason to reject it.

        Values are not looked at here (that would cost a Python step per field): a value SQLite
        cannot bind makes the batch fail and the record is then decoded or rejected on its own.
        """
        if type(record) is not dict:
            return "Không phải một bản ghi"
        uuid = record.get("uuid")
        if type(uuid) is not str or not 0 < len(uuid) <= 64:
            return "Thiếu mã UUID"
        if record.get("unit_code") != self.unit_code:
            return f"Bản ghi thuộc đơn vị {str(record.get('unit_code'))[:40]}, không phải đơn vị gửi gói"
        if not record.keys() <= self.columns:
            unknown = sorted(str(k) for k in record if k not in self.columns)
            return f"Có cột sổ tỉnh không có: {', '.join(unknown[:5])} (hãy cập nhật phần mềm)"
        if not self.table.versioned:
            return uuid, 0
        version = record.get("version")
        if type(version) is not int or not 1 <= version < 2**63:
            return "Số phiên bản không hợp lệ"
        return uuid, version

    def run(self, records: list[object], lines: list[str], first_from_unit: bool) -> None:
        checked: dict[str, tuple[int, dict, str]] = {}
        for record, line in zip(records, lines):
            got = self.check(record)
            if type(got) is str:
                uuid = record.get("uuid") if isinstance(record, dict) else None
                self.keep("rejected", uuid[:64] if isinstance(uuid, str) else "", None, got, record)
            elif got[0] in checked:
                self.keep("rejected", got[0], got[1], "Trùng mã UUID trong cùng một gói", record)
            else:
                checked[got[0]] = (got[1], record, line)
        new: list[tuple[str, dict]] = []
        if first_from_unit:
            # Nothing of a unit is at the province before its first bundle: no need to look up.
            new = [(uuid, record) for uuid, (_, record, _) in checked.items()]
        else:
            self._compare(checked, new)
        if new:
            self._write(new, insert=True)

    def _compare(self, checked: dict[str, tuple[int, dict, str]], new: list[tuple[str, dict]]) -> None:
        # Fast path: SQLite prints the stored row as JSON; the same line means unchanged.
        # Columns no incoming record has (a document's PDF, which travels as a file) are left out.
        present: set[str] = set()
        for _, record, _ in checked.values():
            present.update(record)
        omit = tuple(c for c in self.table.columns if c not in present)
        brief = sync_repo.existing_json(self.db, self.table, list(checked), omit)
        slow: list[str] = []
        for uuid, (version, record, line) in checked.items():
            found = brief.get(uuid)
            if found is None:
                new.append((uuid, record))
            elif found == (self.unit_code, version, line):
                self.out.counts["unchanged"] += 1
            else:
                slow.append(uuid)
        existing = sync_repo.existing_rows(self.db, self.table, slow)
        updated: list[tuple[str, dict]] = []
        for uuid in slow:
            version, record, _ = checked[uuid]
            old = existing[uuid]
            if old["unit_code"] != self.unit_code:
                self.keep("rejected", uuid, version, "Mã UUID đã dùng cho bản ghi của đơn vị khác", record, old)
                continue
            old_version = old.get("version", 0) if self.table.versioned else 0
            if version > old_version:
                updated.append((uuid, record))
            elif version < old_version:
                self.out.counts["older"] += 1
                self.out.note("older", uuid, f"Phiên bản {version} cũ hơn phiên bản {old_version} đã có")
            else:
                values = _decoded(record)
                if values is None:
                    self.keep("rejected", uuid, version, "Có giá trị không phải số hoặc chữ", record)
                elif all(old.get(k) == v for k, v in values.items()):
                    self.out.counts["unchanged"] += 1
                else:
                    self.keep("conflict", uuid, version,
                              f"Cùng phiên bản {version} nhưng nội dung khác bản đã có", record, old)
        if updated:
            self._write(updated, insert=False)

    def _write(self, rows: list[tuple[str, dict]], *, insert: bool) -> None:
        fts = self.table.has_fts
        if fts and insert:
            last_id = sync_repo.max_id(self.db, self.table)
        elif fts:
            sync_repo.fts_remove(self.db, self.table, [u for u, _ in rows])
        groups: dict[tuple[str, ...], list[tuple[str, dict]]] = {}
        for row in rows:
            groups.setdefault(tuple(row[1]), []).append(row)
        for cols, members in groups.items():
            write_cols = cols if insert else tuple(c for c in cols if c != "uuid")
            for start in range(0, len(members), BATCH):
                self._write_chunk(write_cols, members[start:start + BATCH], insert)
        if fts and insert:
            sync_repo.fts_add_after(self.db, self.table, last_id)
        elif fts:
            sync_repo.fts_add(self.db, self.table, [u for u, _ in rows])

    def _rows(self, cols, members, insert: bool) -> list[tuple]:
        get = itemgetter(*cols)
        if len(cols) == 1:
            return [(get(r),) if insert else (get(r), u) for u, r in members]
        return [get(r) for _, r in members] if insert else [get(r) + (u,) for u, r in members]

    def _exec(self, cols, rows, insert: bool) -> None:
        if insert:
            sync_repo.insert_rows(self.db, self.table, cols, rows)
        else:
            sync_repo.update_rows(self.db, self.table, cols, rows)

    def _write_chunk(self, cols, chunk, insert: bool) -> None:
        conn = self.db.conn
        conn.execute("SAVEPOINT merge_chunk")
        try:
            self._exec(cols, self._rows(cols, chunk, insert), insert)
        except UNBINDABLE:
            conn.execute("ROLLBACK TO merge_chunk")
            conn.execute("RELEASE merge_chunk")
            self._write_rows(cols, chunk, insert)
            return
        conn.execute("RELEASE merge_chunk")
        self.out.counts["new" if insert else "updated"] += len(chunk)

    def _write_rows(self, cols, chunk, insert: bool) -> None:
        conn = self.db.conn
        for uuid, record in chunk:
            version = record.get("version") if self.table.versioned else None
            values = _decoded(record)
            if values is None:
                self.keep("rejected", uuid, version, "Có giá trị không phải số hoặc chữ", record)
                continue
            conn.execute("SAVEPOINT merge_row")
            try:
                self._exec(cols, self._rows(cols, [(uuid, values)], insert), insert)
            except UNBINDABLE as exc:
                conn.execute("ROLLBACK TO merge_row")
                conn.execute("RELEASE merge_row")
                reason = _reason_for(exc) if isinstance(exc, sqlite3.Error) else "Giá trị không hợp lệ"
                if insert and f"{self.table.name}.uuid" in str(exc):
                    # The lookup was skipped (first bundle of the unit): name the real cause.
                    reason = "Mã UUID đã dùng cho bản ghi của đơn vị khác"
                self.keep("rejected", uuid, version, reason, record)
                continue
            conn.execute("RELEASE merge_row")
            self.out.counts["new" if insert else "updated"] += 1


def merge(db: Database, bundle: VerifiedBundle, progress: Progress) -> MergeResult:
    """Merge every part of ``bundle``; must run inside ``db.write()``."""
    result = MergeResult()
    first_from_unit = not sync_repo.inbox_for_unit(db, bundle.manifest.unit_code)
    unit = bundle.manifest.unit_code
    tables = {t.name: t for t in sync_repo.synced_tables(db)}
    parts = {p.table: p for p in bundle.manifest.parts}
    order = [n for n in tables if n in parts] + [n for n in parts if n not in tables]
    for step, name in enumerate(order):
        progress.report(step, len(order), f"Đang đối chiếu {name}")
        records = bundle.records(parts[name])
        lines = bundle.lines(parts[name])
        if name not in tables:
            out = result.tables.setdefault(name, TableResult(name))
            reason = f"Sổ tỉnh không có loại bản ghi “{name}” (hãy cập nhật phần mềm)"
            for record in records:
                uuid = record.get("uuid") if isinstance(record, dict) else ""
                out.counts["rejected"] += 1
                out.note("rejected", str(uuid)[:64], reason)
                result.kept.append((name, str(uuid)[:64], unit, None, "rejected", reason, _dump(record), None))
            continue
        _TableMerge(db, tables[name], unit, result).run(records, lines, first_from_unit)
    return result


def _needed_files(bundle: VerifiedBundle) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """What the bundle's records need: {attachment sha256: [uuids]}, [(document uuid, sha256)]."""
    attachments: dict[str, list[str]] = {}
    documents: list[tuple[str, str]] = []
    for part in bundle.manifest.parts:
        if part.table not in ("attachments", "documents"):
            continue
        for record in bundle.records(part):
            if not isinstance(record, dict) or not isinstance(record.get("sha256"), str) or not record["sha256"]:
                continue
            if part.table == "attachments":
                attachments.setdefault(record["sha256"], []).append(str(record.get("uuid"))[:64])
            elif "pdf" in record:  # version 2: the PDF travels as a file, never in the line
                raise UserError("bundle_damaged", "Nội dung gói không hợp lệ (văn bản mang tệp PDF trong dòng "
                                "thay vì tệp kèm theo). Gói bị từ chối, sổ không thay đổi.")
            else:
                documents.append((str(record.get("uuid"))[:64], record["sha256"]))
    return attachments, documents


def _missing(what: str) -> UserError:
    return UserError("bundle_file_missing",
                     f"Gói thiếu tệp của {what}, tỉnh cũng chưa có tệp đó. Gói bị từ chối, sổ không thay đổi; "
                     "hãy đề nghị xã xuất lại gói.")


def _to_store(carried: dict, sha: str, what: str, out: dict, dry_run: bool):
    """The carried file that must be written for ``sha`` (counted in ``out``); None on a dry run.
    Neither carried nor held already: the whole bundle is refused (``_missing``)."""
    file = carried.get(sha)
    if file is None:
        raise _missing(what)
    out["stored"] += 1
    if dry_run:
        out["bytes"] += file.size
        return None
    return file


def _write_blob(db: Database, table: str, column: str, rowid: int, chunks) -> int:
    done = 0
    with db.conn.blobopen(table, column, rowid) as blob:
        for chunk in chunks:
            blob.write(chunk)
            done += len(chunk)
    return done


def store_files(db: Database, bundle: VerifiedBundle, progress: Progress, *, dry_run: bool = False) -> dict:
    """Store the files a version-2 bundle carries (inside the caller's transaction), each checked
    against its SHA-256 as it streams: an attachment's bytes once per SHA-256 in
    ``attachment_blobs`` (as the commune keeps them), an issued document's PDF in its row. Every
    attachment and issued document of the bundle must end with its file — carried, or held from
    before — else the whole bundle is refused (the caller's transaction rolls back).

    ``dry_run`` (the preview, whose verification hashed every file): count, write nothing."""
    out = {"stored": 0, "held": 0, "bytes": 0}
    if bundle.manifest.format_version < 2:
        return out
    carried = {f.sha256: f for f in bundle.files}
    used: set[str] = set()
    streamed: set[str] = set()
    attachments, documents = _needed_files(bundle)
    total = len(attachments) + len(documents)
    for step, (sha, uuids) in enumerate(attachments.items()):
        if step % 20 == 0:
            progress.report(step, total, "Đang lưu tệp đính kèm")
        if sha in carried:
            used.add(sha)
        if attachment_repo.has_blob(db, sha):
            out["held"] += 1
            continue
        file = _to_store(carried, sha, f"tệp đính kèm {uuids[0]}", out, dry_run)
        if file is None:
            continue
        cur = db.execute("INSERT INTO attachment_blobs(sha256, size, data) VALUES (?, ?, zeroblob(?))",
                         (sha, file.size, file.size))
        out["bytes"] += _write_blob(db, "attachment_blobs", "data", cur.lastrowid, bundle.stream_file(file))
        streamed.add(sha)
    unit = bundle.manifest.unit_code
    for step, (uuid, sha) in enumerate(documents, start=len(attachments)):
        if step % 20 == 0:
            progress.report(step, total, "Đang lưu văn bản đã ban hành")
        if sha in carried:
            used.add(sha)
        row = db.one("SELECT id, pdf IS NULL FROM documents WHERE uuid = ? AND unit_code = ? AND sha256 = ?",
                     (uuid, unit, sha))
        if row is None:  # the record was not merged (kept as a conflict or rejected): nothing to fill
            continue
        if not row[1]:
            out["held"] += 1
            continue
        file = _to_store(carried, sha, f"văn bản {uuid}", out, dry_run)
        if file is None:
            continue
        db.execute("UPDATE documents SET pdf = zeroblob(?) WHERE id = ?", (file.size, row[0]))
        out["bytes"] += _write_blob(db, "documents", "pdf", row[0], bundle.stream_file(file))
        streamed.add(sha)
    if set(carried) - used:
        raise UserError("bundle_damaged", "Nội dung gói không hợp lệ (gói mang tệp không thuộc bản ghi nào). "
                        "Gói bị từ chối, sổ không thay đổi.")
    if not bundle.files_hashed:  # files the province already held: checked all the same
        for sha in sorted(set(carried) - streamed):
            progress.check()
            for _ in bundle.stream_file(carried[sha]):
                pass
    return out
