"""SQL for sync bundles: keys, outbox, acknowledgements, inbox, conflicts and synced tables.

Table names never come from a file: ``synced_tables`` lists the register's own tables that carry
``uuid`` and ``unit_code`` (versioned ones also ``version`` and ``updated_at``; append-only ones
such as ``events`` have none), and every other function accepts only a name from that list.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from desktop.storage import search
from desktop.storage.db import Database

_OWN_PREFIXES = ("sync_", "sqlite_", "_")
# Tables that never leave the register: accounts hold password hashes and wrapped keys, and who
# revealed a protected identity is this office's own log (issue #17; the reveal's event travels).
LOCAL_TABLES = frozenset({"accounts", "identity_reveals"})
CHUNK = 500


@dataclass(frozen=True)
class OwnKey:
    purpose: str
    public_key: bytes
    private_key_pem: bytes
    fingerprint: str
    created_at: str


@dataclass(frozen=True)
class PeerKey:
    id: int
    fingerprint: str
    role: str
    unit_code: str
    unit_name: str
    signing_key: bytes
    encryption_key: bytes | None
    encryption_fingerprint: str | None
    registered_at: str
    revoked_at: str | None
    revoked_reason: str

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class SyncedTable:
    name: str
    columns: tuple[str, ...]      # without the local integer ``id``
    versioned: bool
    parents: tuple[str, ...]      # tables referenced by foreign keys
    has_fts: bool                 # keeps ``search_text`` in an external-content ``<name>_fts``


# -- own keys and peers ---------------------------------------------------------------------------

def get_own_key(db: Database, purpose: str) -> OwnKey | None:
    row = db.one("SELECT * FROM sync_own_keys WHERE purpose = ?", (purpose,))
    return None if row is None else OwnKey(**dict(row))


def save_own_key(db: Database, purpose: str, public: bytes, pem: bytes, fp: str, at: str) -> None:
    db.execute("INSERT INTO sync_own_keys(purpose, public_key, private_key_pem, fingerprint, created_at) "
               "VALUES (?, ?, ?, ?, ?)", (purpose, public, pem, fp, at))


def rewrap_own_key(db: Database, purpose: str, pem: bytes) -> None:
    """The same private key, stored under another passphrase (``desktop.security.keyring``)."""
    db.execute("UPDATE sync_own_keys SET private_key_pem = ? WHERE purpose = ?", (pem, purpose))


def list_peer_keys(db: Database, role: str | None = None) -> list[PeerKey]:
    sql = "SELECT * FROM sync_peer_keys"
    rows = db.query(sql + " WHERE role = ? ORDER BY unit_code, id", (role,)) if role else \
        db.query(sql + " ORDER BY role, unit_code, id")
    return [PeerKey(**dict(r)) for r in rows]


def get_peer_key(db: Database, fp: str) -> PeerKey | None:
    row = db.one("SELECT * FROM sync_peer_keys WHERE fingerprint = ?", (fp,))
    return None if row is None else PeerKey(**dict(row))


def save_peer_key(db: Database, *, fingerprint: str, role: str, unit_code: str, unit_name: str,
                  signing_key: bytes, encryption_key: bytes | None, encryption_fingerprint: str | None,
                  at: str) -> None:
    db.execute(
        "INSERT INTO sync_peer_keys(fingerprint, role, unit_code, unit_name, signing_key, encryption_key, "
        "encryption_fingerprint, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (fingerprint, role, unit_code, unit_name, signing_key, encryption_key, encryption_fingerprint, at))


def revoke_peer_keys(db: Database, *, fingerprint: str | None = None, role: str | None = None,
                     reason: str, at: str) -> int:
    if fingerprint:
        cur = db.execute("UPDATE sync_peer_keys SET revoked_at = ?, revoked_reason = ? "
                         "WHERE fingerprint = ? AND revoked_at IS NULL", (at, reason, fingerprint))
    else:
        cur = db.execute("UPDATE sync_peer_keys SET revoked_at = ?, revoked_reason = ? "
                         "WHERE role = ? AND revoked_at IS NULL", (at, reason, role))
    return cur.rowcount


# -- outbox and acknowledgements (commune) ---------------------------------------------------------

OUTBOX_LIGHT = ("seq, bundle_id, kind, created_at, period_from, period_to, period_label, recipient, "
                "file_name, bundle_sha256, previous_sha256, manifest, counts, acknowledged_at")


def last_outbox(db: Database) -> sqlite3.Row | None:
    return db.one(f"SELECT {OUTBOX_LIGHT} FROM sync_outbox ORDER BY seq DESC LIMIT 1")


def list_outbox(db: Database) -> list[sqlite3.Row]:
    return db.query(f"SELECT {OUTBOX_LIGHT} FROM sync_outbox ORDER BY seq")


def outbox_by_sha(db: Database, sha: str) -> sqlite3.Row | None:
    return db.one(f"SELECT {OUTBOX_LIGHT} FROM sync_outbox WHERE bundle_sha256 = ?", (sha,))


def outbox_items(db: Database, seq: int) -> bytes:
    return db.scalar("SELECT items FROM sync_outbox WHERE seq = ?", (seq,))


def outbox_bundle(db: Database, seq: int) -> bytes | None:
    return db.scalar("SELECT bundle FROM sync_outbox WHERE seq = ?", (seq,))


def outbox_bundle_chunks(db: Database, seq: int, chunk: int = 1 << 20):
    """The stored copy of bundle ``seq`` in chunks (incremental blob I/O: memory flat)."""
    with db.conn.blobopen("sync_outbox", "bundle", seq, readonly=True) as blob:
        while data := blob.read(chunk):
            yield data


def store_outbox_bundle(db: Database, seq: int, source, size: int, chunk: int = 1 << 20) -> None:
    """Copy ``size`` bytes of the open file ``source`` into the outbox row's ``bundle`` in chunks."""
    db.execute("UPDATE sync_outbox SET bundle = zeroblob(?) WHERE seq = ?", (size, seq))
    with db.conn.blobopen("sync_outbox", "bundle", seq) as blob:
        while data := source.read(chunk):
            blob.write(data)


def insert_outbox(db: Database, **values) -> None:
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    db.execute(f"INSERT INTO sync_outbox({cols}) VALUES ({marks})", tuple(values.values()))


def mark_acknowledged(db: Database, seq: int, at: str, receipt: str) -> None:
    """The province received bundle ``seq``: its kept copy (only for a lost stick, and since format
    2 as large as the scans it carries) is dropped; its manifest and item list stay."""
    db.execute("UPDATE sync_outbox SET acknowledged_at = ?, receipt = ?, bundle = x'' WHERE seq = ?",
               (at, receipt, seq))


def upsert_acked(db: Database, items: Iterable[tuple[str, str, int]]) -> None:
    db.conn.executemany(
        "INSERT INTO sync_acked(tbl, uuid, version) VALUES (?, ?, ?) ON CONFLICT(tbl, uuid) "
        "DO UPDATE SET version = max(version, excluded.version)", items)


def mark_linked_persons(db: Database) -> None:
    """``temp.linked_persons``: the people a case or a reception names. Only they are exported; a
    person left alone (by a program killed before atomic entry existed) stays in the register."""
    db.execute("DROP TABLE IF EXISTS temp.linked_persons")
    db.execute("CREATE TEMP TABLE linked_persons (uuid TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute("INSERT OR IGNORE INTO temp.linked_persons SELECT person_uuid FROM case_people "
               "UNION SELECT person_uuid FROM reception_people UNION SELECT person_uuid FROM receptions "
               "WHERE person_uuid IS NOT NULL")


def _changed_where(db: Database, table: SyncedTable, full: bool) -> tuple[str, str]:
    only = ""
    if table.name == "persons":  # a person no case or reception names is not sent (issue #17)
        mark_linked_persons(db)
        only = " AND t.uuid IN temp.linked_persons"
    if full:
        return "", "t.unit_code = ?" + only
    newer = "a.version IS NULL OR t.version > a.version" if table.versioned else "a.uuid IS NULL"
    return "LEFT JOIN sync_acked a ON a.tbl = ? AND a.uuid = t.uuid", f"t.unit_code = ? AND ({newer}){only}"


def changed_rows(db: Database, table: SyncedTable, unit_code: str, full: bool) -> sqlite3.Cursor:
    """The rows of ``unit_code`` in a synced table not yet acknowledged by the province (or all)."""
    cols = ", ".join(f't."{c}"' for c in table.columns)
    join, where = _changed_where(db, table, full)
    params = (unit_code,) if full else (table.name, unit_code)
    return db.execute(f'SELECT {cols} FROM "{table.name}" t {join} WHERE {where} ORDER BY t.id', params)


def changed_json(db: Database, table: SyncedTable, unit_code: str, full: bool,
                 omit: tuple[str, ...] = ()) -> sqlite3.Cursor:
    """Like ``changed_rows`` but as ``(uuid, version, json)`` with the JSON object built by SQLite.

    SQLite prints REAL values with 15 digits and cannot put a BLOB into JSON, so a row holding
    either gets NULL instead of JSON and the caller encodes that row itself (``row_by_uuid``).
    ``omit``: columns left out of the JSON (a document's PDF travels as a file in format 2).
    """
    cols = [c for c in table.columns if c not in omit]
    pairs = ", ".join(f"'{c}', t.\"{c}\"" for c in sorted(cols))  # sorted: canonical JSON
    odd = " OR ".join(f"typeof(t.\"{c}\") IN ('real', 'blob')" for c in cols)
    version = "t.version" if table.versioned else "0"
    join, where = _changed_where(db, table, full)
    params = (unit_code,) if full else (table.name, unit_code)
    return db.execute(
        f'SELECT t.uuid, {version}, CASE WHEN {odd} THEN NULL ELSE json_object({pairs}) END '
        f'FROM "{table.name}" t {join} WHERE {where} ORDER BY t.id', params)


def row_by_uuid(db: Database, table: SyncedTable, uuid: str, omit: tuple[str, ...] = ()) -> dict:
    cols = ", ".join(f'"{c}"' for c in table.columns if c not in omit)
    return dict(db.one(f'SELECT {cols} FROM "{table.name}" WHERE uuid = ?', (uuid,)))


# -- inbox and conflicts (province) ----------------------------------------------------------------

def inbox_by_sha(db: Database, sha: str) -> sqlite3.Row | None:
    return db.one("SELECT * FROM sync_inbox WHERE bundle_sha256 = ?", (sha,))


def inbox_for_unit(db: Database, unit_code: str) -> list[sqlite3.Row]:
    return db.query("SELECT id, unit_code, unit_name, seq, bundle_id, bundle_sha256, previous_sha256, kind, "
                    "period_from, period_to, period_label, created_at, imported_at, sequence_status, result "
                    "FROM sync_inbox WHERE unit_code = ? ORDER BY seq, id", (unit_code,))


def list_inbox(db: Database) -> list[sqlite3.Row]:
    return db.query("SELECT id, unit_code, unit_name, seq, bundle_sha256, kind, period_from, period_to, "
                    "period_label, created_at, imported_at, sequence_status, result "
                    "FROM sync_inbox ORDER BY unit_code, seq, id")


def insert_inbox(db: Database, **values) -> int:
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    return db.execute(f"INSERT INTO sync_inbox({cols}) VALUES ({marks})", tuple(values.values())).lastrowid


def insert_conflicts(db: Database, rows: Sequence[tuple]) -> None:
    """rows: (inbox_id, tbl, uuid, unit_code, version, kind, reason, incoming, local, detected_at)."""
    db.conn.executemany(
        "INSERT INTO sync_conflicts(inbox_id, tbl, uuid, unit_code, version, kind, reason, incoming, local, "
        "detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def list_conflicts(db: Database, unit_code: str | None = None, open_only: bool = True) -> list[sqlite3.Row]:
    where = ["resolved_at IS NULL"] if open_only else []
    params: list = []
    if unit_code:
        where.append("unit_code = ?")
        params.append(unit_code)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return db.query(f"SELECT * FROM sync_conflicts {clause} ORDER BY id", params)


# -- synced tables and bulk rows ---------------------------------------------------------------------

def synced_tables(db: Database) -> list[SyncedTable]:
    """Every table with ``uuid`` and ``unit_code``, parents before children (foreign keys)."""
    names = [r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    found: dict[str, SyncedTable] = {}
    for name in names:
        if name.startswith(_OWN_PREFIXES) or name in LOCAL_TABLES or name.endswith("_fts") or "_fts_" in name:
            continue
        cols = [r["name"] for r in db.query(f'PRAGMA table_info("{name}")')]
        if "uuid" not in cols or "unit_code" not in cols:
            continue
        versioned = "version" in cols and "updated_at" in cols
        parents = tuple(sorted({r["table"] for r in db.query(f'PRAGMA foreign_key_list("{name}")')} - {name}))
        found[name] = SyncedTable(name, tuple(c for c in cols if c != "id"), versioned, parents,
                                  f"{name}_fts" in names and "search_text" in cols)
    ordered: list[SyncedTable] = []
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in done or name not in found or name in path:
            return
        for parent in found[name].parents:
            visit(parent, path + (name,))
        done.add(name)
        ordered.append(found[name])

    for name in sorted(found):
        visit(name)
    return ordered


def existing_rows(db: Database, table: SyncedTable, uuids: Sequence[str]) -> dict[str, dict]:
    """uuid → the row (with ``id``) for those of ``uuids`` already in the table."""
    out: dict[str, dict] = {}
    cols = ", ".join(f'"{c}"' for c in ("id",) + table.columns)
    for start in range(0, len(uuids), CHUNK):
        part = uuids[start:start + CHUNK]
        marks = ",".join("?" * len(part))
        for row in db.execute(f'SELECT {cols} FROM "{table.name}" WHERE uuid IN ({marks})', part):
            out[row["uuid"]] = dict(row)
    return out


def existing_json(db: Database, table: SyncedTable, uuids: Sequence[str],
                  omit: tuple[str, ...] = ()) -> dict[str, tuple[str, int, str | None]]:
    """uuid → (unit_code, version, the row as JSON built like ``changed_json``, without the
    ``omit`` columns; None for a row holding a REAL or a BLOB) for stored rows."""
    out: dict[str, tuple[str, int, str | None]] = {}
    cols = [c for c in table.columns if c not in omit]
    pairs = ", ".join(f"'{c}', \"{c}\"" for c in sorted(cols))
    odd = " OR ".join(f"typeof(\"{c}\") IN ('real', 'blob')" for c in cols)
    version = "version" if table.versioned else "0"
    for start in range(0, len(uuids), CHUNK):
        part = uuids[start:start + CHUNK]
        marks = ",".join("?" * len(part))
        for uuid, unit, ver, text in db.execute(
                f'SELECT uuid, unit_code, {version}, CASE WHEN {odd} THEN NULL ELSE json_object({pairs}) END '
                f'FROM "{table.name}" WHERE uuid IN ({marks})', part):
            out[uuid] = (unit, ver, text)
    return out


def insert_rows(db: Database, table: SyncedTable, cols: Sequence[str], rows: Sequence[tuple]) -> None:
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    db.conn.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)


def update_rows(db: Database, table: SyncedTable, cols: Sequence[str], rows: Sequence[tuple]) -> None:
    """rows: values for ``cols`` followed by the uuid."""
    sets = ", ".join(f'"{c}" = ?' for c in cols)
    db.conn.executemany(f'UPDATE "{table.name}" SET {sets} WHERE uuid = ?', rows)


def fts_remove(db: Database, table: SyncedTable, uuids: Sequence[str]) -> None:
    """Take rows out of the table's external-content index before their text changes."""
    fts = f"{table.name}_fts"
    for start in range(0, len(uuids), CHUNK):
        part = uuids[start:start + CHUNK]
        db.execute(f"INSERT INTO \"{fts}\"(\"{fts}\", rowid, search_text) SELECT 'delete', id, search_text "
                   f"FROM \"{table.name}\" WHERE search_text <> '' AND uuid IN ({','.join('?' * len(part))})", part)


def max_id(db: Database, table: SyncedTable) -> int:
    return db.scalar(f'SELECT coalesce(max(id), 0) FROM "{table.name}"')


def fts_add_after(db: Database, table: SyncedTable, last_id: int) -> None:
    """Index the rows inserted after ``last_id`` (one statement for a whole batch)."""
    search.index_rows_after(db, table.name, last_id)


def fts_add(db: Database, table: SyncedTable, uuids: Sequence[str]) -> None:
    fts = f"{table.name}_fts"
    for start in range(0, len(uuids), CHUNK):
        part = uuids[start:start + CHUNK]
        db.execute(f'INSERT INTO "{fts}"(rowid, search_text) SELECT id, search_text FROM "{table.name}" '
                   f"WHERE search_text <> '' AND uuid IN ({','.join('?' * len(part))})", part)
        search.add_terms_of_rows(db, table.name, f"uuid IN ({','.join('?' * len(part))})", part)


# -- province overview -------------------------------------------------------------------------------

def communes_known(db: Database) -> list[tuple[str, str]]:
    """(unit_code, name) of every commune the province knows: declared units, registered keys,
    units that sent bundles."""
    rows = db.query(
        "SELECT code, name FROM units WHERE level <> 'province' AND code <> coalesce("
        "(SELECT value FROM settings WHERE key = 'local_unit_code'), '') "
        "UNION SELECT unit_code, unit_name FROM sync_peer_keys WHERE role = 'commune' "
        "UNION SELECT unit_code, unit_name FROM sync_inbox")
    names: dict[str, str] = {}
    for code, name in rows:
        if name or code not in names:
            names[code] = name or names.get(code, "")
    return sorted(names.items())


def open_conflict_counts(db: Database) -> dict[str, int]:
    return {r[0]: r[1] for r in db.query(
        "SELECT unit_code, count(*) FROM sync_conflicts WHERE resolved_at IS NULL GROUP BY unit_code")}


def unit_record_counts(db: Database, unit_code: str) -> dict[str, int]:
    return {t.name: db.scalar(f'SELECT count(*) FROM "{t.name}" WHERE unit_code = ?', (unit_code,))
            for t in synced_tables(db)}
