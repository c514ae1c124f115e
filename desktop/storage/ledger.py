"""The record ledger: one hash-chained entry per change of every record with legal weight.

Events chain the steps of a case; the ledger chains every record: units, officers, persons,
receptions and their people, cases and their people, events, commitments, calendar days,
documents, and any table a later migration adds with ``uuid`` and ``unit_code``. Each insert,
update (of a covered column) and delete appends one entry to the owning unit's chain::

    digest = SHA-256(canonical JSON of the record's covered columns)     ('' for a deletion)
    hash   = SHA-256(canonical JSON of [unit_code, seq, tbl, record_uuid, version, digest, prev_hash])

Canonical JSON: keys sorted, no spaces, UTF-8 without ``\\u`` escapes for non-ASCII (as
``json.dumps(ensure_ascii=False, sort_keys=True, separators=(",", ":"))``). The entries are
written by SQLite triggers, so no write path of the app can forget them (a bulk import, a
migration, a new repository function); the triggers call SQL functions this module registers on
every connection (``register_functions``): a sqlite3 shell without them cannot write to a covered
table until it drops the triggers, and then its edits no longer match the ledger.

A trigger does as much as it can in SQLite itself, since a call into Python costs more than the
SQL around it (migration 0016): SQLite writes both canonical JSON texts (``json_object`` over the
sorted columns, ``json_array`` of the entry), hands their UTF-8 bytes to Python only to be hashed
(``giaitrinh_digest``, ``giaitrinh_sha256``), and makes the entry's own id (a UUID version 7, as
``units.new_uuid``) with ``randomblob``. The formulas above are unchanged: the same texts are hashed.

Only the register's own unit's records are chained here: at the province, a commune's records
and their entries come together in the commune's bundles (``desktop/sync/chain.py``).

``verify_ledger`` walks each chain (O(n)), then compares every record with its latest entry
through the ledger's index by record (migration 0020; O(n log n)), and names each finding in Vietnamese:
an edited record, a record added or deleted behind the app, a broken or truncated chain. A chain
truncated at its end together with its records is invisible here: the signed heads
(``ledger_heads``, written at each export and checkpoint, kept by the province) catch that.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain as _concat, repeat
from json.encoder import encode_basestring as _encode_str

try:
    from json.encoder import c_make_encoder as _c_make_encoder
except ImportError:  # pragma: no cover - CPython has it
    _c_make_encoder = None
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - a dependency; everything below works without it, slower
    _orjson = None

log = logging.getLogger(__name__)

GENESIS = "0" * 64
TABLE = "ledger"
# Columns left out of a record's digest: derived text the app rewrites on its own (search text,
# name keys, the register's shown requester name), a document's file (covered by its SHA-256),
# and an account's login bookkeeping (each login would otherwise be a change of legal weight).
EXCLUDED = frozenset({"id", "search_text", "name_key", "requester_name", "requester_key", "pdf",
                      "failed_count", "locked_until", "last_login_at"})
_OWN_PREFIXES = ("sync_", "sqlite_", "_", "ledger")
TRIGGER_KINDS = ("ai", "au", "ad")

_CANON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
# The very C encoder ``_CANON.encode`` builds anew at each call (``JSONEncoder.iterencode``, one-shot),
# with the same arguments, made once: the same code writes the same bytes, minus a few microseconds
# a call. Only its guard against circular values is left out (``markers``: a circular value makes it
# fail, and the slow path then raises as before). ``None`` where Python has no C encoder.
_ENCODE = None if _c_make_encoder is None else _c_make_encoder(
    None, _CANON.default, _encode_str, _CANON.indent, _CANON.key_separator, _CANON.item_separator,
    _CANON.sort_keys, _CANON.skipkeys, _CANON.allow_nan)
_join = "".join


def canonical(value: object) -> str:
    """Canonical JSON text (sorted keys, no spaces, no ``\\u`` escapes for non-ASCII)."""
    if _ENCODE is not None:
        try:
            return _join(_ENCODE(value, 0))
        except Exception:  # noqa: BLE001 - a value JSON cannot write: the slow path raises its error
            pass
    return _CANON.encode(value)


def canonical_each(values: list) -> list[str]:
    """``canonical`` of each value (a bundle part's records, a chain's entries), without a Python
    call per value."""
    if _ENCODE is not None:
        try:
            return list(map(_join, map(_ENCODE, values, repeat(0))))
        except Exception:  # noqa: BLE001 - as in ``canonical``
            pass
    return [canonical(v) for v in values]


# Values that ``orjson`` writes byte for byte as ``canonical`` does, and reads as ``json`` does: text,
# whole numbers (orjson refuses one beyond 64 bits when writing, and reads it as a fractional number,
# caught below), true, false, null; in objects (keys sorted by code point in both) and arrays, the
# same escapes (only ``"``, ``\`` and characters below U+0020, with the same short forms and lower-case
# ``\u00xx``). A fractional number is written differently (``1e-7``, ``nan`` as ``null``): any value
# holding one takes the standard library's way. ``tests/desktop/storage/test_ledger_canonical.py``
# compares the two over every character and over generated values.
_PLAIN = frozenset({str, int, bool, type(None)})
_DICT = frozenset({dict})
_SORTED = None if _orjson is None else _orjson.OPT_SORT_KEYS


def _has_float(value: object) -> bool:
    kind = type(value)
    if kind is float:
        return True
    if kind is dict:
        return not _PLAIN.issuperset(map(type, value.values())) and any(map(_has_float, value.values()))
    if kind is list:
        return any(map(_has_float, value))
    return False


def _flat(values: list) -> bool:
    """Every value an object of text, whole numbers, booleans and nulls (a record of a bundle)."""
    return _DICT.issuperset(map(type, values)) and _PLAIN.issuperset(
        map(type, _concat.from_iterable(map(dict.values, values))))


def canonical_matches(values: list, lines: list[str]) -> bool:
    """``canonical_each(values) == lines``: each line is its value's canonical JSON (a bundle's part)."""
    if len(values) != len(lines):
        return False
    if _orjson is not None and _flat(values):
        try:
            written = list(map(_orjson.dumps, values, repeat(None), repeat(_SORTED)))
        except TypeError:   # a number beyond 64 bits, a lone surrogate: the standard library decides
            pass
        else:
            return written == list(map(str.encode, lines, repeat("utf-8"), repeat("surrogatepass")))
    return canonical_each(values) == lines


def parse_array(text: str) -> list:
    """``json.loads`` of a JSON array, faster where ``orjson`` reads the very same values (not when a
    fractional number, or a number beyond 64 bits, is read: ``json`` then reads it again)."""
    if _orjson is not None:
        try:
            values = _orjson.loads(text)
        except ValueError:   # NaN, Infinity, lone surrogates, deep nesting: the standard library decides
            pass
        else:
            if type(values) is list and (_flat(values) or not any(map(_has_float, values))):
                return values
    return json.loads(text)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _number(value: object) -> object:
    """A fractional number as SQLite writes it in JSON: 15 significant digits."""
    return float(f"{value:.15g}") if isinstance(value, float) else value


def record_digest(record: dict, columns: Iterable[str]) -> str:
    """The digest of a record (a dict of column → value) over its covered ``columns``."""
    values = {c: record[c] for c in columns}
    for c, v in values.items():
        if type(v) is float:
            values[c] = _number(v)
    return sha256_hex(canonical(values))


def digest_each(records: list[dict]) -> list[str]:
    """``record_digest(r, r)`` of each record (each holding exactly its covered columns)."""
    if _orjson is not None and _flat(records):   # no fractional number: nothing for ``_number`` to do
        try:
            written = list(map(_orjson.dumps, records, repeat(None), repeat(_SORTED)))
        except TypeError:
            pass
        else:
            sha256 = hashlib.sha256
            return [sha256(w).hexdigest() for w in written]
    return [record_digest(r, r) for r in records]


def link_hash(unit_code: str, seq: int, tbl: str, record_uuid: str, version: int, digest: str, prev_hash: str) -> str:
    return sha256_hex(canonical([unit_code, seq, tbl, record_uuid, version, digest, prev_hash]))


def _digest_sql(text: bytes | str | None, has_real: int = 1) -> str | None:
    """SQL ``giaitrinh_digest(CAST(json_object(...) AS BLOB), has_real)``. SQLite's ``json_object``
    over the columns in sorted order writes canonical JSON already (the same escapes as Python's,
    no spaces, UTF-8 as is), so its bytes are hashed as they are (the cast spares decoding the text
    into Python and encoding it back; triggers before migration 0016 pass the text itself); only a
    row with a fractional number, which SQLite prints its own way, is parsed and re-encoded."""
    if text is None:
        return None
    if not has_real:
        return hashlib.sha256(text if type(text) is bytes else text.encode("utf-8")).hexdigest()
    record = json.loads(text)
    return record_digest(record, record)


def _sha256_sql(data: bytes | str | None) -> str | None:
    """SQL ``giaitrinh_sha256(CAST(json_array(...) AS BLOB))``: an entry's hash from the canonical
    JSON SQLite wrote (``json_array`` of text and integers escapes as ``canonical`` does)."""
    if data is None:
        return None
    return hashlib.sha256(data if type(data) is bytes else data.encode("utf-8")).hexdigest()


# An entry's own id made in SQL: a UUID version 7 as ``units.new_uuid`` makes them (48 bits of Unix
# milliseconds, version 7, 12 random bits, variant 0b10, 62 random bits; 32 hex digits), so the
# unique index on ``ledger.uuid`` takes new entries at its end.
_UUID_SQL = ("lower(printf('%012x', CAST(strftime('%s', 'now') AS INTEGER) * 1000 "
             "+ CAST(substr(strftime('%f', 'now'), 4) AS INTEGER)) || '7' || substr(hex(randomblob(2)), 2) "
             "|| substr('89ab', 1 + (random() & 3), 1) || substr(hex(randomblob(8)), 2))")


def _new_uuid() -> str:
    from desktop.storage.units import new_uuid  # units imports db, which imports this module

    return new_uuid()


_BATCHED: set[int] = set()  # connections (by id) that chain their rows themselves (``batched``)


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the ledger's triggers and ``verify`` call (each connection needs them)."""
    key = id(conn)
    _BATCHED.discard(key)  # a new connection that reuses a closed one's id
    conn.create_function("giaitrinh_digest", 1, _digest_sql, deterministic=True)
    conn.create_function("giaitrinh_digest", 2, _digest_sql, deterministic=True)
    conn.create_function("giaitrinh_link", 7, link_hash, deterministic=True)  # triggers before 0016
    conn.create_function("giaitrinh_sha256", 1, _sha256_sql, deterministic=True)
    conn.create_function("giaitrinh_uuid", 0, _new_uuid)
    conn.create_function("giaitrinh_by_trigger", 0, lambda: key not in _BATCHED)


class batched:
    """``with ledger.batched(conn):`` the triggers of this connection stand aside while a bulk
    writer inserts whole batches and chains them with ``append_inserted`` (same transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.key = id(conn)

    def __enter__(self) -> None:
        _BATCHED.add(self.key)

    def __exit__(self, *exc: object) -> None:
        _BATCHED.discard(self.key)


def _inserted_scope(conn: sqlite3.Connection, table: str):
    """What chaining ``table``'s newly inserted rows reads: its covered columns (None when the
    ledger does not cover it), the register's own unit code (None: every unit's rows) and the
    expression of a row's version."""
    columns = covered_columns(conn).get(table)
    own = conn.execute("SELECT value FROM settings WHERE key = 'local_unit_code'").fetchone()
    cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
    return columns, own[0] if own else None, "version" if "version" in cols else "0"


def append_inserted(conn: sqlite3.Connection, table: str, after_id: int) -> int:
    """Chain the rows of ``table`` inserted after ``after_id`` (in id order) as their insert
    triggers would have, one statement to read them and one to write the entries."""
    columns, own, version = _inserted_scope(conn, table)
    if columns is None:
        return 0
    rows = conn.execute(f'SELECT unit_code, uuid, {version}, {_digest_call("", columns)} FROM "{table}" '
                        "WHERE id > ? AND unit_code = coalesce(?, unit_code) ORDER BY id",
                        (after_id, own)).fetchall()
    return _write_entries(conn, table, rows, link_hash, _new_uuid)


def _write_entries(conn: sqlite3.Connection, table: str, digested, link, make_uuid) -> int:
    """Append one entry per (unit_code, uuid, version, digest) of ``digested``, in order, to each
    unit's chain (``link``: the entry's hash; ``make_uuid``: its id); the entries' count."""
    heads: dict[str, tuple[int, str]] = {}
    batch = []
    for unit, uuid, ver, digest in digested:
        if unit not in heads:
            heads[unit] = head(conn, unit)
        seq, prev = heads[unit]
        seq += 1
        h = link(unit, seq, table, uuid, ver, digest, prev)
        batch.append((make_uuid(), unit, seq, table, uuid, ver, digest, prev, h))
        heads[unit] = (seq, h)
    # Multi-row statements: a third less time than ``executemany`` for the entries of a batch.
    per = max(1, min(500, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // 9))
    for i in range(0, len(batch), per):
        chunk = batch[i:i + per]
        conn.execute("INSERT INTO ledger(uuid, unit_code, seq, tbl, record_uuid, version, digest, prev_hash, hash) "
                     "VALUES " + ",".join(["(?,?,?,?,?,?,?,?,?)"] * len(chunk)), [v for row in chunk for v in row])
    return len(batch)


# -- which tables and columns --------------------------------------------------------------------

def _is_covered_name(name: str) -> bool:
    return not name.startswith(_OWN_PREFIXES) and not name.endswith("_fts") and "_fts_" not in name


def candidate_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables with ``uuid`` and ``unit_code`` (the synced records), in creation order."""
    out = []
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").fetchall():
        if not _is_covered_name(name):
            continue
        cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
        if {"uuid", "unit_code"} <= cols:
            out.append(name)
    return out


def covered_columns(conn: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    """tbl → the columns its digests cover (sorted), as recorded in ``ledger_columns``."""
    return {t: tuple(json.loads(c)) for t, c in conn.execute("SELECT tbl, columns FROM ledger_columns ORDER BY rowid")}


def _columns_for(conn: sqlite3.Connection, table: str) -> tuple[str, ...]:
    cols = []
    for r in conn.execute(f'PRAGMA table_info("{table}")'):
        name, decl = r[1], (r[2] or "").upper()
        if name in EXCLUDED or "BLOB" in decl:
            continue
        cols.append(name)
    return tuple(sorted(cols))


def _json_object(prefix: str, columns: Iterable[str]) -> str:
    return "json_object(" + ", ".join(f"'{c}', {prefix}\"{c}\"" for c in sorted(columns)) + ")"


def _digest_call(prefix: str, columns: Iterable[str]) -> str:
    """SQL computing a row's digest (``_digest_sql``), telling it whether a value is fractional."""
    columns = sorted(columns)
    real = " OR ".join(f"typeof({prefix}\"{c}\") = 'real'" for c in columns) or "0"
    return f"giaitrinh_digest(CAST({_json_object(prefix, columns)} AS BLOB), {real})"


def _trigger_sql(table: str, columns: tuple[str, ...], versioned: bool) -> list[str]:
    """The three triggers that chain ``table``'s changes of the register's own unit."""
    own = "(SELECT value FROM settings WHERE key = 'local_unit_code')"
    out = []
    for kind in TRIGGER_KINDS:
        row = "OLD." if kind == "ad" else "NEW."
        digest = "''" if kind == "ad" else _digest_call(row, columns)
        version = f"{row}version" if versioned else "0"
        when = f"giaitrinh_by_trigger() AND {row}unit_code = coalesce({own}, {row}unit_code)"
        event = {"ai": "INSERT", "ad": "DELETE", "au": "UPDATE OF " + ", ".join(f'"{c}"' for c in columns)}[kind]
        if kind == "au":
            when += " AND (" + " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in columns) + ")"
        out.append(f"""CREATE TRIGGER "ledger_{kind}_{table}" AFTER {event} ON "{table}" WHEN {when}
BEGIN
  INSERT INTO ledger(uuid, unit_code, seq, tbl, record_uuid, version, digest, prev_hash, hash)
  SELECT {_UUID_SQL}, u, s, '{table}', r, v, d, p,
         giaitrinh_sha256(CAST(json_array(u, s, '{table}', r, v, d, p) AS BLOB)) FROM (
    SELECT {row}unit_code AS u, {row}uuid AS r, {version} AS v, {digest} AS d,
           coalesce((SELECT seq FROM ledger WHERE unit_code = {row}unit_code ORDER BY seq DESC LIMIT 1), 0) + 1 AS s,
           coalesce((SELECT hash FROM ledger WHERE unit_code = {row}unit_code ORDER BY seq DESC LIMIT 1),
                    '{GENESIS}') AS p);
END""")
    return out


def _trigger_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger%'")}


def _install_table(conn: sqlite3.Connection, table: str, columns: tuple[str, ...] | None) -> tuple[str, ...]:
    existing = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
    if columns is None:
        columns = _columns_for(conn, table)
        conn.execute("INSERT INTO ledger_columns(tbl, columns) VALUES (?, ?)", (table, json.dumps(list(columns))))
    columns = tuple(c for c in columns if c in existing)  # a column a migration dropped
    for kind in TRIGGER_KINDS:
        conn.execute(f'DROP TRIGGER IF EXISTS "ledger_{kind}_{table}"')
    for sql in _trigger_sql(table, columns, "version" in existing):
        conn.execute(sql)
    return columns


def ensure(conn: sqlite3.Connection, *, baseline_new: bool = True) -> list[str]:
    """Install the triggers of every covered table that lacks them (a table a migration rebuilt
    or added, or triggers dropped behind the app); return the tables already covered whose
    triggers were missing. A table covered for the first time (a new kind of record, such as
    corrections or reveals) gets a first entry for each of the unit's rows."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_columns'").fetchone():
        return []
    names = _trigger_names(conn)
    known = covered_columns(conn)
    missing = []
    for table in candidate_tables(conn):
        if table in known and all(f"ledger_{k}_{table}" in names for k in TRIGGER_KINDS):
            continue
        missing.append(table)
    if not missing:
        return []
    started = not conn.in_transaction
    if started:
        conn.execute("BEGIN IMMEDIATE")
    try:
        for table in missing:
            columns = _install_table(conn, table, known.get(table))
            if table not in known and baseline_new:
                baseline(conn, [(table, columns)])
        if started:
            conn.execute("COMMIT")
    except BaseException:
        if started and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return [t for t in missing if t in known]


def baseline(conn: sqlite3.Connection, tables: list[tuple[str, tuple[str, ...]]]) -> int:
    """A first entry for every existing row of the register's own unit (all rows when no unit
    is declared yet), table by table in the given order, rows in id order."""
    own = conn.execute("SELECT value FROM settings WHERE key = 'local_unit_code'").fetchone()
    own = own[0] if own else None
    count = 0
    for table, columns in tables:
        cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
        version = "version" if "version" in cols else "0"
        where = "WHERE unit_code = ?" if own else ""
        rows = conn.execute(f'SELECT unit_code, uuid, {version}, {_digest_call("", columns)} FROM "{table}" '
                            f"{where} ORDER BY id", (own,) if own else ()).fetchall()
        heads: dict[str, tuple[int, str]] = {}
        batch = []
        for unit, uuid, ver, digest in rows:
            if unit not in heads:
                last = conn.execute("SELECT seq, hash FROM ledger WHERE unit_code = ? ORDER BY seq DESC LIMIT 1",
                                    (unit,)).fetchone()
                heads[unit] = (last[0], last[1]) if last else (0, GENESIS)
            seq, prev = heads[unit]
            seq += 1
            h = link_hash(unit, seq, table, uuid, ver, digest, prev)
            batch.append((_new_uuid(), unit, seq, table, uuid, ver, digest, prev, h))
            heads[unit] = (seq, h)
        conn.executemany("INSERT INTO ledger(uuid, unit_code, seq, tbl, record_uuid, version, digest, prev_hash, "
                         "hash) VALUES (?,?,?,?,?,?,?,?,?)", batch)
        count += len(batch)
    return count


def install(conn: sqlite3.Connection) -> int:
    """Cover every candidate table (migration 0008): columns, triggers, first entries."""
    tables = []
    for table in candidate_tables(conn):
        tables.append((table, _install_table(conn, table, None)))
    return baseline(conn, tables)


def refresh_triggers(conn: sqlite3.Connection) -> list[str]:
    """Recreate, in this module's current form, the triggers of every covered table that has all
    three (migration 0016); entries, covered columns and records stay as they are. A table whose
    triggers are missing is left to ``ensure``, which reports it."""
    names = _trigger_names(conn)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    done = []
    for table, columns in covered_columns(conn).items():
        if table in tables and all(f"ledger_{k}_{table}" in names for k in TRIGGER_KINDS):
            _install_table(conn, table, columns)
            done.append(table)
    return done


def head(conn: sqlite3.Connection, unit_code: str) -> tuple[int, str]:
    """(seq, hash) of the unit's last entry; (0, GENESIS) for an empty chain."""
    row = conn.execute("SELECT seq, hash FROM ledger WHERE unit_code = ? ORDER BY seq DESC LIMIT 1",
                       (unit_code,)).fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


# -- verify ---------------------------------------------------------------------------------------

TABLE_LABELS = {
    "units": "Đơn vị", "officers": "Cán bộ", "persons": "Người yêu cầu/công dân", "receptions": "Lượt tiếp công dân",
    "reception_people": "Người trong lượt tiếp", "cases": "Vụ việc", "case_people": "Người trong vụ việc",
    "events": "Sự kiện", "commitments": "Cam kết", "calendar_days": "Ngày trong lịch", "documents": "Văn bản",
}
# A column that names a record to a person (never a citizen's name: verify output is shared).
_NAMING = {"cases": "number", "documents": "symbol", "calendar_days": "day", "receptions": "received_on",
           "units": "code", "events": "action", "officers": "full_name"}


@dataclass(frozen=True)
class Finding:
    kind: str            # edited, added, deleted, chain, truncated, head
    table: str
    record_uuid: str
    message: str         # Vietnamese


def describe(conn: sqlite3.Connection, table: str, uuid: str) -> str:
    label = TABLE_LABELS.get(table, f"Bản ghi bảng {table}")
    column = _NAMING.get(table)
    name = None
    if column:
        try:
            row = conn.execute(f'SELECT "{column}" FROM "{table}" WHERE uuid = ?', (uuid,)).fetchone()
            name = row[0] if row else None
        except sqlite3.Error:
            name = None
    short = uuid[:8]
    return f"{label} {name} (mã {short})" if name else f"{label} mã {short}"


# The lowest and highest rowids SQLite gives (64-bit signed integers): pages are read from the first.
LOWEST_ROWID, HIGHEST_ROWID = -(2 ** 63), 2 ** 63 - 1
# Rows a paged check reads at once, as one aggregate row (``pages``).
BATCH = 2000


def pages(conn: sqlite3.Connection, sql: str, before: tuple = (), *, first: int = LOWEST_ROWID,
          up_to: int | None = None):
    """The full verify's paged reads (the ledger's chains, the records against the ledger, the
    event chain, the cases against their last event): ``sql`` sums up, as one row, the next
    ``BATCH`` rows of a table in rowid order from a first rowid; the row starts with the page's
    count and its last rowid. Yields ``(first rowid, row)`` page after page, from ``first`` until
    a page is empty or ends at ``up_to`` (or the highest rowid). The parameters of ``sql``:
    ``before``, the first rowid, ``up_to`` when given, then ``BATCH``."""
    end = HIGHEST_ROWID if up_to is None else up_to
    bound = () if up_to is None else (up_to,)
    while True:
        row = conn.execute(sql, (*before, first, *bound, BATCH)).fetchone()
        if not row[0]:
            return
        yield first, row
        if row[1] >= end:
            return
        first = row[1] + 1


def ticks(tick, before: int, after: int) -> None:
    """``tick()`` once for every 20,000 rows between ``before`` and ``after`` rows done."""
    if tick is not None:
        for _ in range(after // 20000 - before // 20000):
            tick()


def hex_digests(joined: bytes, count: int) -> str | None:
    """The SHA-256 hex digests of ``count`` texts that SQLite joined with newlines (``x'0a'``), joined
    with commas; None when the newlines do not cut them into ``count`` texts. A canonical JSON text
    holds no newline byte (JSON escapes it), so a count that differs means a text that is not one."""
    parts = joined.split(b"\n")
    if len(parts) != count:
        return None
    sha256 = hashlib.sha256
    return ",".join([sha256(p).hexdigest() for p in parts])


# A page of the ledger in id order as one row (``_walk_by_id``): its entries' count, last id, lowest and
# highest unit, how many have the types the app writes, their seqs, previous hashes and hashes joined
# with commas, and their canonical JSON texts joined with newlines.
_LEDGER_PAGE = (
    "SELECT count(*), max(id), min(unit_code), max(unit_code), sum(typeof(unit_code) = 'text' AND "
    "typeof(seq) = 'integer' AND typeof(prev_hash) = 'text' AND typeof(hash) = 'text'), group_concat(seq, ','), "
    "group_concat(prev_hash, ','), group_concat(hash, ','), CAST(group_concat(j, x'0a') AS BLOB) FROM ("
    "SELECT id, unit_code, seq, prev_hash, hash, CAST(json_array(unit_code, seq, tbl, record_uuid, version, digest, "
    "prev_hash) AS BLOB) AS j FROM ledger WHERE id >= ? ORDER BY id LIMIT ?)")


def _walk_by_id(conn: sqlite3.Connection, tick, limit: int) -> tuple[int, list[tuple]] | None:
    """Every chain walked in one read of the ledger in id order (a scan of the table, not of the
    (unit_code, seq) index with a lookup per entry): each unit's entries are appended with rising
    seq and id, so per unit the id order is the seq order. Returns (entries, the first ``limit``
    problems in (unit_code, seq) order, as ``_walk_by_seq`` finds them), or None when some unit's
    seqs do not rise with its ids (then only that walk names the same problems).

    SQLite writes each entry's canonical JSON (``json_array`` escapes as Python's encoder does, and
    the entries hold text and integers only) as UTF-8 bytes: only the SHA-256 is computed here; an
    entry whose hash differs is encoded again the Python way (``link_hash``) before it counts.

    The ledger is read in pages of ``BATCH`` entries, each page one row (``_LEDGER_PAGE``). A page of
    one unit whose seqs are the next ones of its chain, whose first entry links to the unit's last
    hash and each other to the one before it, and whose hashes, joined, are the joined SHA-256 of the
    texts, continues the chain with no problem; any other page is read again entry by entry."""
    state: dict[str, list] = {}        # unit → [expected seq, previous hash]
    problems: list[tuple] = []
    checked = 0
    for first, (count, last, low, high, typed, seqs, prevs, hashes, texts) in pages(conn, _LEDGER_PAGE):
        st = state.get(low, [1, GENESIS]) if typed == count and low == high else None
        if (st is not None and seqs == ",".join(map(str, range(st[0], st[0] + count)))
                and prevs == (f"{st[1]},{hashes[:-65]}" if count > 1 else st[1])
                and hex_digests(texts, count) == hashes):
            state[low] = [st[0] + count, hashes[-64:]]
            ticks(tick, checked, checked + count)
            checked += count
        else:
            walked = _walk_entries(conn, first, last, state, problems, checked, tick, limit)
            if walked is None:
                return None
            checked = walked
    problems.sort()
    out = []
    for u, seq, order, kind, expect, rid in problems[:limit]:
        tbl, ruuid = conn.execute("SELECT tbl, record_uuid FROM ledger WHERE id = ?", (rid,)).fetchone()
        out.append((u, seq, order, kind, tbl, ruuid, expect))
    return checked, out


def _walk_entries(conn: sqlite3.Connection, first: int, last: int, state: dict, problems: list, checked: int,
                  tick, limit: int) -> int | None:
    """``_walk_by_id`` entry by entry over the ids ``first``..``last``: ``state`` and ``problems``
    carried on; the entries checked so far, or None as ``_walk_by_id``."""
    sha256 = hashlib.sha256
    for blob, u, seq, prev_hash, h, rid in conn.execute(
            "SELECT CAST(json_array(unit_code, seq, tbl, record_uuid, version, digest, prev_hash) AS BLOB), "
            "unit_code, seq, prev_hash, hash, id FROM ledger WHERE id >= ? AND id <= ? ORDER BY id", (first, last)):
        checked += 1
        if tick is not None and not checked % 20000:
            tick()
        st = state.get(u)
        if st is None:
            if type(u) is not str:
                return None  # sorted here as SQLite sorts only if every unit is text
            st = state[u] = [1, GENESIS]
        elif seq < st[0]:
            return None
        if seq != st[0] or prev_hash != st[1]:
            problems.append((u, seq, 0, "seq" if seq != st[0] else "prev", st[0], rid))
        if sha256(blob).hexdigest() != h:
            tbl, ruuid, ver, digest = conn.execute("SELECT tbl, record_uuid, version, digest FROM ledger WHERE id = ?",
                                                   (rid,)).fetchone()
            if link_hash(u, seq, tbl, ruuid, ver, digest, prev_hash) != h:
                problems.append((u, seq, 1, "hash", st[0], rid))
        if len(problems) > 2 * limit:
            problems.sort()
            del problems[limit:]
        st[0], st[1] = seq + 1, h
    return checked


def _walk_by_seq(conn: sqlite3.Connection, tick, limit: int) -> tuple[int, list[tuple]]:
    """The walk in (unit_code, seq) order, through the index: what ``_walk_by_id`` finds, for a
    ledger whose seqs do not rise with its ids."""
    sha256 = hashlib.sha256
    problems: list[tuple] = []
    checked = 0
    unit, expect_seq, prev = None, 1, GENESIS
    for text, u, seq, tbl, ruuid, ver, digest, prev_hash, h in conn.execute(
            "SELECT json_array(unit_code, seq, tbl, record_uuid, version, digest, prev_hash), "
            "unit_code, seq, tbl, record_uuid, version, digest, prev_hash, hash FROM ledger "
            "ORDER BY unit_code, seq"):
        checked += 1
        if tick is not None and not checked % 20000:
            tick()
        if u != unit:
            unit, expect_seq, prev = u, 1, GENESIS
        if seq != expect_seq:
            problems.append((u, seq, 0, "seq", tbl, ruuid, expect_seq))
        elif prev_hash != prev:
            problems.append((u, seq, 0, "prev", tbl, ruuid, expect_seq))
        if sha256(text.encode()).hexdigest() != h and link_hash(u, seq, tbl, ruuid, ver, digest, prev_hash) != h:
            problems.append((u, seq, 1, "hash", tbl, ruuid, expect_seq))
        del problems[limit:]
        expect_seq, prev = seq + 1, h
    return checked, problems


def walk_chains(conn: sqlite3.Connection, *, limit: int = 200, tick=None) -> tuple[int, list[tuple]]:
    """Every chain of the ledger walked: (entries, the first ``limit`` problems in (unit_code, seq)
    order, each ``(unit, seq, order, kind, tbl, record_uuid, expected seq)``). Plain values, so a
    second process can walk while this one compares the records (``verify_ledger``'s ``walked``)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").fetchone():
        return 0, []
    walked = _walk_by_id(conn, tick, limit)
    return walked if walked is not None else _walk_by_seq(conn, tick, limit)


def verify_ledger(conn: sqlite3.Connection, *, limit: int = 200, tick=None,
                  walked=None) -> tuple[int, int, list[Finding]]:
    """(entries checked, records checked, findings) of every chain held in the register.
    ``tick()`` is called every few thousand entries and records (progress, cancel). ``walked``:
    a function returning ``walk_chains``'s result when another process walks the chains meanwhile;
    without it they are walked here first."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").fetchone():
        return 0, 0, []
    findings: list[Finding] = []
    top = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'ledger'").fetchone()
    last_id = conn.execute("SELECT max(id) FROM ledger").fetchone()[0] or 0
    if top and top[0] > last_id:
        findings.append(Finding("truncated", TABLE, "", f"{top[0] - last_id} mục cuối của nhật ký toàn vẹn đã bị xóa "
                                "ngoài ứng dụng (các thay đổi mới nhất của sổ bị xóa dấu vết)."))
    walk = walk_chains(conn, limit=limit, tick=tick) if walked is None else None
    records, compared = _compare_records(conn, limit=limit, tick=tick)
    checked, problems = walk if walk is not None else walked()
    for u, seq, _order, kind, tbl, ruuid, expect_seq in problems[:max(0, limit - len(findings))]:
        if kind == "seq":
            message = (f"Nhật ký toàn vẹn của đơn vị {u}: thiếu mục số {expect_seq}"
                       + (f" đến {seq - 1}" if seq - 1 > expect_seq else "") + " (đã bị xóa ngoài ứng dụng).")
        elif kind == "prev":
            message = (f"Nhật ký toàn vẹn của đơn vị {u}: mục số {seq} không nối tiếp mục trước "
                       "(chuỗi bị cắt, chèn hoặc viết lại).")
        else:
            message = (f"Nhật ký toàn vẹn của đơn vị {u}: mục số {seq} ({describe(conn, tbl, ruuid)}) "
                       "đã bị sửa ngoài ứng dụng.")
        findings.append(Finding("chain", tbl, ruuid, message))
    findings.extend(compared[:max(0, limit - len(findings))])
    return checked, records, findings


def _ledger_units(conn: sqlite3.Connection) -> list:
    """The ledger's distinct units, one seek of its (unit_code, seq) index each (a register holds
    a few units and millions of entries: ``SELECT DISTINCT`` would read the whole index)."""
    units = []
    row = conn.execute("SELECT min(unit_code) FROM ledger").fetchone()
    while row is not None and row[0] is not None:
        units.append(row[0])
        row = conn.execute("SELECT min(unit_code) FROM ledger WHERE unit_code > ?", (row[0],)).fetchone()
    return units


def _same_sql(have: str | None, want: str) -> bool:
    return have is not None and " ".join(have.split()) == " ".join(want.split())


def _by_record(conn: sqlite3.Connection) -> tuple[str, str, bool]:
    """Where each record's entries are read, latest first: (table, its index by record, whether the
    deletions index is there too). The ledger itself through migration 0020's indexes; in a register
    whose index by record is missing or not the app's (dropped or replaced behind the app: every
    lookup would then read the whole ledger), a temporary copy indexed the same way: slower, the same
    answers."""
    from desktop.storage.migrations.m0020_ledger_by_record import BY_RECORD, DELETIONS

    have = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger' "
                             "AND name IN ('ledger_record', 'ledger_deletions')").fetchall())
    if _same_sql(have.get("ledger_record"), BY_RECORD):
        return "main.ledger", "ledger_record", _same_sql(have.get("ledger_deletions"), DELETIONS)
    conn.execute("DROP TABLE IF EXISTS temp.ledger_by_record")
    conn.execute("CREATE TEMP TABLE ledger_by_record (id INTEGER PRIMARY KEY, tbl, record_uuid, seq, digest, unit_code)")
    conn.execute("INSERT INTO temp.ledger_by_record SELECT id, tbl, record_uuid, seq, digest, unit_code FROM main.ledger")
    conn.execute("CREATE INDEX temp.ledger_by_record_i ON ledger_by_record(tbl, record_uuid, seq DESC)")
    return "temp.ledger_by_record", "ledger_by_record_i", False


def _latest(source: str, index: str, value: str, uuid: str) -> str:
    """SQL of ``value`` read from the latest entry of the record ``uuid`` of the table given as the
    parameter: the entry of the highest seq, of two with the same seq the first written (the
    index's own order, migration 0020); NULL when the ledger holds none."""
    return (f"(SELECT {value} FROM {source} AS l INDEXED BY {index} WHERE l.tbl = ? AND l.record_uuid = {uuid} "
            "ORDER BY l.seq DESC, l.id LIMIT 1)")


def _compare_records(conn: sqlite3.Connection, *, limit: int, tick) -> tuple[int, list[Finding]]:
    """Every covered record against its latest entry: (records checked, the first ``limit``
    findings: edited, added, restored, deleted, a covered table gone)."""
    findings: list[Finding] = []

    def add(kind: str, table: str, uuid: str, message: str) -> None:
        if len(findings) < limit:
            findings.append(Finding(kind, table, uuid, message))

    units = _ledger_units(conn)
    own = conn.execute("SELECT value FROM settings WHERE key = 'local_unit_code'").fetchone()
    own_code = own[0] if own else None
    if own and own[0] not in units:
        units.append(own[0])
    conn.execute("DROP TABLE IF EXISTS temp.ledger_units")
    conn.execute("CREATE TEMP TABLE ledger_units (code TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.executemany("INSERT OR IGNORE INTO temp.ledger_units VALUES (?)", [(u,) for u in units])
    records = 0
    sha256 = hashlib.sha256
    try:
        source, index, deletions = _by_record(conn)
        for table, columns in covered_columns(conn).items():
            if tick is not None:
                tick()
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone():
                add("deleted", table, "", f"Bảng {TABLE_LABELS.get(table, table)} đã bị xóa khỏi sổ ngoài ứng dụng.")
                continue
            # Each record's canonical JSON as SQLite writes it (``_digest_sql``), read as UTF-8 bytes
            # and hashed here; a record whose hash differs from its entry's digest is digested again
            # exactly as the triggers do (``_digest_call``: a fractional number the Python way)
            # before it is reported.
            # The records are read in pages of ``BATCH``, each page one row: its digests recorded in
            # the ledger joined with commas, and its records' JSON joined with newlines. A page whose
            # hashes, joined the same way, are the same text holds no finding; any other page is read
            # again record by record, as follows. Each page also counts its records whose latest
            # entry is not a deletion (``live``: the deletions below).
            exact = f'SELECT {_digest_call("", columns)} FROM "{table}" WHERE rowid = ?'
            digest = _latest(source, index, "l.digest", "t.uuid")
            rows = f'FROM "{table}" t WHERE t.rowid >= ? AND t.unit_code IN temp.ledger_units'
            page = (f"SELECT count(*), max(r), sum(typeof(d) = 'text'), group_concat(coalesce(d, ''), ','), "
                    f"CAST(group_concat(j, x'0a') AS BLOB), sum(d <> '') FROM (SELECT t.rowid AS r, {digest} AS d, "
                    f"CAST({_json_object('t.', columns)} AS BLOB) AS j {rows} ORDER BY t.rowid LIMIT ?)")
            one_by_one = (f'SELECT t.rowid, t.uuid, {digest}, CAST({_json_object("t.", columns)} AS BLOB) '
                          f"{rows} AND t.rowid <= ? ORDER BY t.rowid")
            live = 0
            for first, (count, last, typed, digests, texts, page_live) in pages(conn, page, (table,)):
                live += page_live or 0
                if typed == count and hex_digests(texts, count) == digests:
                    ticks(tick, records, records + count)
                    records += count
                    continue
                for rowid, uuid, recorded, text in conn.execute(one_by_one, (table, first, last)):
                    records += 1
                    if tick is not None and not records % 20000:
                        tick()
                    if recorded and sha256(text).hexdigest() == recorded:
                        continue
                    if recorded and conn.execute(exact, (rowid,)).fetchone()[0] == recorded:
                        continue
                    if len(findings) >= limit:
                        continue
                    what = describe(conn, table, uuid)
                    if recorded is None:
                        add("added", table, uuid, f"{what} có trong sổ nhưng không có trong nhật ký toàn vẹn "
                                                  "(được thêm ngoài ứng dụng).")
                    elif recorded == "":
                        add("added", table, uuid, f"{what} đã bị xóa theo nhật ký nhưng vẫn còn trong sổ "
                                                  "(được khôi phục ngoài ứng dụng).")
                    else:
                        add("edited", table, uuid, f"{what} đã bị sửa ngoài ứng dụng (nội dung không khớp "
                                                   "nhật ký toàn vẹn).")
            # Deletions are the owner's to detect: a commune's bundles leave out records it need not
            # send (a person no case names), so the province holds fewer records than their chain.
            for uuid in _deleted(conn, table, source, index, deletions, live, own_code):
                add("deleted", table, uuid, f"{TABLE_LABELS.get(table, table)} mã {uuid[:8]} có trong nhật ký toàn "
                                            "vẹn nhưng đã bị xóa khỏi sổ ngoài ứng dụng.")
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.ledger_units")
        conn.execute("DROP TABLE IF EXISTS temp.ledger_by_record")
    return records, findings


def _unique_uuid(conn: sqlite3.Connection, table: str) -> bool:
    """``table`` holds each uuid at most once: a unique index on ``uuid`` alone, whole (not partial)."""
    for _seq, name, unique, _origin, partial in conn.execute(f'PRAGMA index_list("{table}")'):
        if unique and not partial and [r[2] for r in conn.execute(f'PRAGMA index_info("{name}")')] == ["uuid"]:
            return True
    return False


def _deleted(conn: sqlite3.Connection, table: str, source: str, index: str, deletions: bool, live: int,
             own: str | None) -> list[str]:
    """The records of ``table`` whose latest entry is not a deletion, of the register's own unit,
    that the table no longer holds, in uuid order. ``live``: the table's records the comparison
    found with such a latest entry.

    Every record the ledger names is one of: held and compared (``live``), latest entry a deletion
    (counted through the deletions index), or neither — held where the comparison does not read it,
    or gone behind the app. So when the ledger names exactly ``live`` + the deleted records, none is
    gone, without looking each record up in its table; otherwise (or without the deletions index,
    or a table that could hold a uuid twice) each record the ledger names is looked up."""
    if deletions and _unique_uuid(conn, table):
        named = conn.execute(f"SELECT count(*) FROM (SELECT DISTINCT record_uuid FROM {source} INDEXED BY {index} "
                             "WHERE tbl = ?)", (table,)).fetchone()[0]
        gone = conn.execute(f"SELECT count(*) FROM (SELECT DISTINCT record_uuid FROM {source} INDEXED BY "
                            f"ledger_deletions WHERE tbl = ? AND digest = '') x "
                            f"WHERE {_latest(source, index, 'l.digest', 'x.record_uuid')} = ''",
                            (table, table)).fetchone()[0]
        if named == live + gone:
            return []
    gone_here = _latest(source, index, "l.digest <> '' AND l.unit_code = coalesce(?, l.unit_code)", "x.record_uuid")
    return [r[0] for r in conn.execute(
        f"SELECT x.record_uuid FROM (SELECT DISTINCT record_uuid FROM {source} INDEXED BY {index} WHERE tbl = ?) x "
        f'WHERE NOT EXISTS (SELECT 1 FROM "{table}" t WHERE t.uuid = x.record_uuid) AND {gone_here}',
        (table, own, table))]


# -- chaining a bulk writer's rows (issue #18) ----------------------------------------------------
# ``append_inserted`` asks SQLite for each row's digest through ``giaitrinh_digest``: one call from
# SQLite into Python per row, which decodes the row's JSON into a Python string only to encode it
# back for hashing. ``chain_inserted`` reads the same canonical JSON as UTF-8 bytes and hashes
# them here, and writes each entry's own canonical JSON (a list of text and whole numbers) with
# ``json``'s C string encoder, as ``canonical`` does. Same entries, same order, same hashes.

_JSON_STR = json.encoder.encode_basestring  # what ``canonical`` uses for text (ensure_ascii=False)


def _fast_link(unit: str, seq: int, tbl: str, uuid: str, version: object, digest: str, prev: str) -> str:
    """``link_hash`` for an entry of text and whole numbers, written without the encoder's walk."""
    if type(version) is not int or type(unit) is not str or type(uuid) is not str:
        return link_hash(unit, seq, tbl, uuid, version, digest, prev)
    s = _JSON_STR
    text = f"[{s(unit)},{seq},{s(tbl)},{s(uuid)},{version},{s(digest)},{s(prev)}]"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_inserted(conn: sqlite3.Connection, table: str, after_id: int) -> int:
    """Chain the rows of ``table`` inserted after ``after_id`` (in id order) exactly as
    ``append_inserted`` does (its triggers standing aside, ``batched``), in less time."""
    from desktop.storage.units import new_uuid

    columns, own, version = _inserted_scope(conn, table)
    if columns is None:
        return 0
    ordered = sorted(columns)
    real = " OR ".join(f'typeof("{c}") = \'real\'' for c in ordered) or "0"
    rows = conn.execute(f'SELECT unit_code, uuid, {version}, CAST({_json_object("", ordered)} AS BLOB), {real} '
                        f'FROM "{table}" WHERE id > ? AND unit_code = coalesce(?, unit_code) ORDER BY id',
                        (after_id, own)).fetchall()
    sha256 = hashlib.sha256

    def digested():
        for unit, uuid, ver, record, has_real in rows:
            if has_real:  # SQLite prints fractional numbers its own way: re-encoded as ``_digest_sql`` does
                record = json.loads(record)
                yield unit, uuid, ver, record_digest(record, record)
            else:
                yield unit, uuid, ver, sha256(record).hexdigest()

    return _write_entries(conn, table, digested(), _fast_link, new_uuid)
