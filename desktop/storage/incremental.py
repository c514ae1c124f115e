"""What changed since a verified checkpoint, and the check of only that (issue #20, item 2).

A full ``verify`` reads every record, entry and event of the register: minutes at 1M cases. After
a day's work only a few hundred records changed, and every change made through SQL leaves a trace
the check can follow without reading the rest:

* a change made by the app (or by anyone with the ledger's SQL functions) appends ledger entries
  after the checkpoint's head: those entries name the records to compare;
* a change made with the ledger's triggers dropped changes the schema (``PRAGMA schema_version``)
  — and the app puts the triggers back at the next open, with a line in ``audit_log`` — so the
  quick check cannot vouch for the register and the full check runs instead;
* a row inserted behind the app gets an id above the table's mark; a ledger or event chain cut at
  its end falls below its mark.

``marks`` reads those marks (kept in the signed checkpoint, ``desktop/sync/verified.py``);
``check_since`` checks what came after them. What the quick check cannot see is a change written
into the file's bytes without SQL, or a schema cookie set back by hand: the full check
(``giaitrinh verify --full``) reads everything and sees those too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from desktop.storage import ledger

_HASH_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_CANON = ledger._CANON


def marks(conn: sqlite3.Connection) -> dict:
    """The register's marks now: schema version, the last ledger entry and event, each covered
    table's highest id."""
    tables = {}
    for table in ledger.covered_columns(conn):
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone():
            tables[table] = conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0]
    return {
        "schema_version": conn.execute("PRAGMA schema_version").fetchone()[0],
        "ledger_id": conn.execute("SELECT coalesce(max(id), 0) FROM ledger").fetchone()[0],
        "event_id": conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0],
        "tables": tables,
    }


@dataclass
class SinceResult:
    needs_full: str = ""                 # why the quick check cannot vouch (Vietnamese), or ''
    ledger_entries: int = 0
    records_checked: int = 0
    events_checked: int = 0
    cases: set[str] = field(default_factory=set)       # cases to compare with their last event
    documents: set[str] = field(default_factory=set)   # documents whose PDF to hash
    problems: list[str] = field(default_factory=list)


def check_since(conn: sqlite3.Connection, mark: dict, *, limit: int = 200,
                tick: Callable[[], None] | None = None) -> SinceResult:
    """Check the ledger entries, records and events written after ``mark`` (a verified
    checkpoint's marks); ``needs_full`` says when only the full check can vouch."""
    out = SinceResult()
    tick = tick or (lambda: None)

    def add(message: str) -> None:
        if len(out.problems) < limit:
            out.problems.append(message)

    if conn.execute("PRAGMA schema_version").fetchone()[0] != mark["schema_version"]:
        out.needs_full = ("cấu trúc sổ đã thay đổi từ lần kiểm tra đã ký (nâng cấp phần mềm, hoặc bộ ghi nhật ký "
                          "toàn vẹn bị gỡ ngoài ứng dụng)")
        return out
    covered = ledger.covered_columns(conn)
    if set(covered) != set(mark["tables"]):
        out.needs_full = "danh sách bảng được bảo vệ đã thay đổi từ lần kiểm tra đã ký"
        return out

    # 1. The ledger after the mark: chained, continuing the entries before it, not cut at its end.
    top = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'ledger'").fetchone()
    last_id = conn.execute("SELECT coalesce(max(id), 0) FROM ledger").fetchone()[0]
    if last_id < mark["ledger_id"] or (top and top[0] > last_id):
        add("Các mục cuối của nhật ký toàn vẹn đã bị xóa ngoài ứng dụng (các thay đổi mới nhất của sổ bị xóa dấu vết).")
    latest: dict[tuple[str, str], tuple[str, str]] = {}   # (tbl, uuid) → (digest, unit) of its newest entry
    prev: dict[str, tuple[int, str]] = {}
    # Read by id (a range of the table) and ordered here: ``ORDER BY unit_code, seq`` would walk the
    # whole (unit_code, seq) index of a province's 7M entries to find the few after the mark.
    entries = sorted(conn.execute(
        "SELECT unit_code, seq, tbl, record_uuid, version, digest, prev_hash, hash FROM ledger WHERE id > ? "
        "ORDER BY id", (mark["ledger_id"],)).fetchall(), key=lambda e: (e[0], e[1]))
    for u, seq, tbl, ruuid, ver, digest, prev_hash, h in entries:
        out.ledger_entries += 1
        if u not in prev:
            before = conn.execute("SELECT seq, hash FROM ledger WHERE unit_code = ? AND seq < ? ORDER BY seq DESC "
                                  "LIMIT 1", (u, seq)).fetchone()
            prev[u] = (before[0], before[1]) if before else (0, ledger.GENESIS)
        want_seq, want_prev = prev[u][0] + 1, prev[u][1]
        if seq != want_seq or prev_hash != want_prev:
            add(f"Nhật ký toàn vẹn của đơn vị {u}: mục số {seq} không nối tiếp mục trước (chuỗi bị cắt, chèn hoặc viết lại).")
        if hashlib.sha256(_CANON.encode([u, seq, tbl, ruuid, ver, digest, prev_hash]).encode()).hexdigest() != h:
            add(f"Nhật ký toàn vẹn của đơn vị {u}: mục số {seq} ({ledger.describe(conn, tbl, ruuid)}) đã bị sửa "
                "ngoài ứng dụng.")
        prev[u] = (seq, h)
        latest[(tbl, ruuid)] = (digest, u)
        if out.ledger_entries % 1000 == 0:
            tick()

    # 2. The records those entries name: each still matches its newest entry.
    by_table: dict[str, list[str]] = {}
    for (tbl, ruuid) in latest:
        by_table.setdefault(tbl, []).append(ruuid)
    for tbl, uuids in by_table.items():
        columns = covered.get(tbl)
        if columns is None:
            continue
        actual: dict[str, str] = {}
        for start in range(0, len(uuids), 500):
            chunk = uuids[start:start + 500]
            actual.update(conn.execute(
                f'SELECT uuid, {ledger._digest_call("", columns)} FROM "{tbl}" WHERE uuid IN '
                f"({','.join('?' * len(chunk))})", chunk).fetchall())
            tick()
        for ruuid in uuids:
            recorded, _unit = latest[(tbl, ruuid)]
            have = actual.get(ruuid)
            out.records_checked += 1
            if recorded == "" and have is not None:
                add(f"{ledger.describe(conn, tbl, ruuid)} đã bị xóa theo nhật ký nhưng vẫn còn trong sổ (được khôi "
                    "phục ngoài ứng dụng).")
            elif recorded != "" and have is None:
                add(f"{ledger.TABLE_LABELS.get(tbl, tbl)} mã {ruuid[:8]} có trong nhật ký toàn vẹn nhưng đã bị xóa "
                    "khỏi sổ ngoài ứng dụng.")
            elif recorded != "" and have != recorded:
                add(f"{ledger.describe(conn, tbl, ruuid)} đã bị sửa ngoài ứng dụng (nội dung không khớp nhật ký "
                    "toàn vẹn).")
        if tbl == "cases":
            out.cases.update(u for u in uuids if u in actual)
        elif tbl == "documents":
            out.documents.update(u for u in uuids if u in actual)

    # 3. Rows above each table's mark that no entry names: added behind the app.
    own = conn.execute("SELECT value FROM settings WHERE key = 'local_unit_code'").fetchone()
    for tbl, high in mark["tables"].items():
        for ruuid, unit in conn.execute(f'SELECT uuid, unit_code FROM "{tbl}" WHERE id > ?', (high,)):
            if (tbl, ruuid) in latest or (own and unit != own[0]):
                continue  # a commune's record at the province: its bundle's chain vouched for it
            add(f"{ledger.describe(conn, tbl, ruuid)} có trong sổ nhưng không có trong nhật ký toàn vẹn "
                "(được thêm ngoài ứng dụng).")
        tick()

    # 4. Events after the mark: chained on from the unit's last event before it, hashes intact.
    from desktop.storage.events import GENESIS as EVENT_GENESIS, HASHED_FIELDS

    last_event: dict[str, str] = {}
    if conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0] < mark["event_id"]:
        add("Các sự kiện cuối cùng của sổ đã bị xóa ngoài ứng dụng.")
    events = sorted(conn.execute(f"SELECT id, hash, {', '.join(HASHED_FIELDS)} FROM events WHERE id > ? ORDER BY id",
                                 (mark["event_id"],)).fetchall(), key=lambda r: (r[3], r[0]))  # unit, id
    for row in events:
        event_id, h, values = row[0], row[1], tuple(row)[2:]
        unit, case_uuid, prev_hash = values[1], values[2], values[-1]
        out.events_checked += 1
        if unit not in last_event:
            before = conn.execute("SELECT hash FROM events WHERE unit_code = ? AND id < ? ORDER BY id DESC LIMIT 1",
                                  (unit, event_id)).fetchone()
            last_event[unit] = before[0] if before else EVENT_GENESIS
        if prev_hash != last_event[unit]:
            add(f"Sự kiện #{event_id} không nối tiếp sự kiện trước (chuỗi bị cắt, xóa hoặc chèn).")
        if hashlib.sha256(_HASH_JSON.encode(values).encode("utf-8")).hexdigest() != h:
            add(f"Sự kiện #{event_id} đã bị sửa ngoài ứng dụng (mã băm không khớp).")
        last_event[unit] = h
        out.cases.add(case_uuid)
    return out
