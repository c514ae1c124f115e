"""0008: the record ledger — every record with legal weight chained, with signed heads.

``ledger`` holds one hash-chained entry per change of a record of the register's own unit
(``desktop/storage/ledger.py``: formulas, triggers, verification); it is append-only like
``events`` and travels in bundles as a record type, so the province holds each commune's chain.
``ledger`` keys its rows with AUTOINCREMENT: ``sqlite_sequence`` keeps the highest id ever used,
so deleting the newest entries leaves a visible gap. ``ledger_columns`` records which columns
each table's digests cover (fixed here, so that a column a later migration adds does not change
the digests already written). ``ledger_heads`` keeps signed heads of chains: this register's own
(made at each export and checkpoint) and, at the province, each commune's (from its bundles).

Every existing row of the register's own unit gets a first entry (a register upgraded from 0006
verifies clean); at the province, the communes' rows wait for their chains, which their next
bundle brings.
"""

from __future__ import annotations

NAME = "0008_record_ledger"

STATEMENTS = [
    """CREATE TABLE ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE,
        unit_code TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        tbl TEXT NOT NULL,
        record_uuid TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 0,
        digest TEXT NOT NULL,                   -- '' when the record was deleted
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (unit_code, seq)
    )""",
    """CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END""",
    """CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END""",
    """CREATE TABLE ledger_columns (
        tbl TEXT PRIMARY KEY,
        columns TEXT NOT NULL                   -- JSON list, sorted
    )""",
    """CREATE TABLE ledger_heads (
        id INTEGER PRIMARY KEY,
        unit_code TEXT NOT NULL,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        signed_at TEXT NOT NULL,
        key_fingerprint TEXT NOT NULL,
        signature TEXT NOT NULL,                -- base64 Ed25519 over the head's canonical JSON
        source TEXT NOT NULL CHECK (source IN ('export', 'checkpoint', 'import')),
        recorded_at TEXT NOT NULL
    )""",
    "CREATE INDEX ledger_heads_unit ON ledger_heads(unit_code, seq)",
]


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    from desktop.storage import ledger

    for statement in STATEMENTS:
        db.execute(statement)
    ledger.install(db.conn)
