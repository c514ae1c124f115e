"""The append-only, hash-chained event log of every case.

Each event's hash covers its content and the previous event's hash *of the same owning unit*,
so a commune's chain survives intact in the province's register. Triggers refuse UPDATE and
DELETE; an edit made behind the app's back (triggers dropped, rows changed with another tool)
breaks the chain and ``verify_chain`` names the first broken event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from desktop.domain.records import Event
from desktop.security.principal import actor_name
from desktop.storage.cases import row_to_event
from desktop.storage.db import Database
from desktop.storage.units import new_uuid

GENESIS = "0" * 64
HASHED_FIELDS = ("uuid", "unit_code", "case_uuid", "seq", "action", "from_state", "to_state", "actor", "at",
                 "effective_on", "note", "data", "prev_hash")


# Made once (``json.dumps`` with options builds an encoder per call); the output is the same.
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_DATA_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def event_hash(values: dict[str, Any]) -> str:
    return row_hash([values[f] for f in HASHED_FIELDS])


def row_hash(values: Sequence[Any]) -> str:
    """The hash of an event given its ``HASHED_FIELDS`` values in order."""
    return hashlib.sha256(_HASH_JSON.encode(values).encode("utf-8")).hexdigest()


def event_data_json(data: dict[str, Any] | None) -> str:
    """An event's ``data`` column: its JSON, keys sorted (part of what the event's hash covers)."""
    return _DATA_JSON.encode(data or {})


def last_hash(db: Database, unit_code: str) -> str:
    row = db.one("SELECT hash FROM events WHERE unit_code = ? ORDER BY id DESC LIMIT 1", (unit_code,))
    return row[0] if row else GENESIS


def insert_event(
    db: Database,
    *,
    unit_code: str,
    case_uuid: str,
    action: str,
    from_state: str | None,
    to_state: str,
    effective_on: date,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: str | None = None,
) -> Event:
    """Append one event (call inside ``db.write()``); its actor is the logged-in officer."""
    actor = actor_name(db)
    seq = (db.scalar("SELECT max(seq) FROM events WHERE case_uuid = ?", (case_uuid,)) or 0) + 1
    values = {
        "uuid": new_uuid(), "unit_code": unit_code, "case_uuid": case_uuid, "seq": seq, "action": action,
        "from_state": from_state, "to_state": to_state, "actor": actor,
        "at": at or datetime.now().isoformat(timespec="seconds"), "effective_on": effective_on.isoformat(),
        "note": note, "data": event_data_json(data),
        "prev_hash": last_hash(db, unit_code),
    }
    values["hash"] = event_hash(values)
    cols = list(values)
    cur = db.execute(f"INSERT INTO events({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                     [values[c] for c in cols])
    return row_to_event(db.one("SELECT * FROM events WHERE id = ?", (cur.lastrowid,)))


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    case_uuid: str
    unit_code: str
    message: str  # Vietnamese


# A page of the events in id order as one row (``verify_chain``): count, last id, lowest and highest
# unit, how many have the types the app writes, previous hashes and hashes joined with commas, and
# the texts the hashes cover joined with newlines.
_EVENT_PAGE = (
    "SELECT count(*), max(id), min(unit_code), max(unit_code), sum(typeof(unit_code) = 'text' AND "
    "typeof(prev_hash) = 'text' AND typeof(hash) = 'text'), group_concat(prev_hash, ','), group_concat(hash, ','), "
    "CAST(group_concat(j, x'0a') AS BLOB) FROM (SELECT id, unit_code, prev_hash, hash, "
    f"CAST(json_array({', '.join(HASHED_FIELDS)}) AS BLOB) AS j FROM events WHERE id >= ? ORDER BY id LIMIT ?)")


def verify_chain(db: Database, tick=None) -> tuple[int, list[ChainProblem]]:
    """Walk every unit's chain in order; return (events checked, problems) in (unit, id) order.
    ``tick()`` is called every few thousand events (progress, cancel).

    The events are read a page of ``ledger.BATCH`` at a time, each page one row (``_EVENT_PAGE``;
    issue #20, the full verify in proportion to ``integrity_check``). A page of one unit whose first
    event links to the unit's last hash and each other to the one before it, and whose hashes,
    joined, are the joined SHA-256 of the texts, holds no problem; any other page is walked event by
    event (``_walk_events``), so every problem is named as ``verify_chain_by_event`` names it."""
    from desktop.storage import ledger

    previous: dict[str, str] = {}
    found: list[tuple] = []
    checked = 0
    for first, (count, last, low, high, typed, prevs, hashes, texts) in ledger.pages(db.conn, _EVENT_PAGE):
        prior = previous.get(low, GENESIS)
        if (typed == count and low == high and prevs == (f"{prior},{hashes[:-65]}" if count > 1 else prior)
                and ledger.hex_digests(texts, count) == hashes):
            previous[low] = hashes[-64:]
            ledger.ticks(tick, checked, checked + count)
            checked += count
        else:
            checked = _walk_events(db, "WHERE id >= ? AND id <= ? ORDER BY id", (first, last), previous,
                                   found, checked, tick, stop_at_untyped=True)
            if checked is None:   # a unit that is not text: walked by unit, as SQLite sorts it
                return _walk(db, "ORDER BY unit_code, id", tick)
    found.sort(key=lambda f: f[:3])
    return checked, [f[3] for f in found]


def verify_chain_by_event(db: Database, tick=None) -> tuple[int, list[ChainProblem]]:
    """``verify_chain`` walking every event one by one (what its pages are checked against)."""
    walked = _walk(db, "ORDER BY id", tick)
    return walked if walked is not None else _walk(db, "ORDER BY unit_code, id", tick)


def _walk(db: Database, order: str, tick) -> tuple[int, list[ChainProblem]] | None:
    """The events read in ``order``: by id (one scan of the table; each unit's chain is its events
    in id order, kept apart by unit here) or by unit then id (through the index). None when by id
    meets a unit that is not text (the problems are sorted here as SQLite sorts only text)."""
    found: list[tuple] = []
    by_id = order == "ORDER BY id"
    checked = _walk_events(db, order, (), {}, found, 0, tick, stop_at_untyped=by_id)
    if checked is None:
        return None
    if by_id:
        found.sort(key=lambda f: f[:3])
    return checked, [f[3] for f in found]


def _walk_events(db: Database, where: str, params: tuple, previous: dict[str, str], found: list[tuple],
                checked: int, tick, *, stop_at_untyped: bool) -> int | None:
    """Walk the events ``where`` selects (its ORDER BY included) one by one, each unit's last hash
    carried in ``previous``; append ``(unit, id, 0|1, ChainProblem)`` to ``found``; return the
    events checked so far (``checked`` plus these), or None at a unit that is not text when
    ``stop_at_untyped``. ``verify_chain_by_event`` walks the whole table with it, and
    ``verify_chain`` the pages whose joined check failed, so every problem is named the same way.

    SQLite writes each event's JSON itself (``json_array`` escapes as ``_HASH_JSON`` does) as UTF-8
    bytes: only the SHA-256 is computed here, for the millions of events of a province; an event
    whose hash differs is encoded again the Python way (``row_hash``) before it is reported."""
    sha256 = hashlib.sha256
    fields = ", ".join(HASHED_FIELDS)
    cur = db.conn.execute(f"SELECT id, hash, CAST(json_array({fields}) AS BLOB), unit_code, case_uuid, prev_hash "
                          f"FROM events {where}", params)
    cur.row_factory = None
    for event_id, h, blob, unit, case_uuid, prev_hash in cur:
        checked += 1
        if tick is not None and not checked % 20000:
            tick()
        if stop_at_untyped and type(unit) is not str:
            return None
        if prev_hash != previous.get(unit, GENESIS):
            found.append((unit, event_id, 0, ChainProblem(
                event_id, case_uuid, unit, f"Sự kiện #{event_id} không nối tiếp sự kiện trước (chuỗi bị cắt, xóa hoặc chèn).")))
        if sha256(blob).hexdigest() != h:
            values = db.conn.execute(f"SELECT {fields} FROM events WHERE id = ?", (event_id,)).fetchone()
            if row_hash(tuple(values)) != h:
                found.append((unit, event_id, 1, ChainProblem(
                    event_id, case_uuid, unit, f"Sự kiện #{event_id} đã bị sửa ngoài ứng dụng (mã băm không khớp).")))
        previous[unit] = h
    return checked
