"""0003: sync bundles — own keys, registered peer keys, outbox, inbox, acknowledgements, conflicts.

The commune keeps each bundle it made (``sync_outbox``, the encrypted file and its manifest) and
the versions the province acknowledged (``sync_acked``); the province keeps each bundle it
imported (``sync_inbox``) and every record it could not merge (``sync_conflicts``), so that a
true conflict is shown and never resolved by dropping one side (issue #5).
"""

from __future__ import annotations

NAME = "0003_sync"

STATEMENTS = [
    # This register's own key pairs; the private key is PKCS#8 encrypted with a passphrase.
    """CREATE TABLE sync_own_keys (
        purpose TEXT PRIMARY KEY CHECK (purpose IN ('signing', 'encryption')),
        public_key BLOB NOT NULL,
        private_key_pem BLOB NOT NULL,
        fingerprint TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    # Public keys of other registers: the province's (at a commune), each commune's (at the province).
    """CREATE TABLE sync_peer_keys (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('commune', 'province')),
        unit_code TEXT NOT NULL,
        unit_name TEXT NOT NULL DEFAULT '',
        signing_key BLOB NOT NULL,
        encryption_key BLOB,
        encryption_fingerprint TEXT,
        registered_at TEXT NOT NULL,
        revoked_at TEXT,
        revoked_reason TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX sync_peer_keys_unit ON sync_peer_keys(unit_code)",
    """CREATE TABLE sync_outbox (
        seq INTEGER PRIMARY KEY,
        bundle_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
        created_at TEXT NOT NULL,
        period_from TEXT,
        period_to TEXT NOT NULL,
        period_label TEXT NOT NULL DEFAULT '',
        recipient TEXT NOT NULL,
        file_name TEXT NOT NULL,
        bundle_sha256 TEXT NOT NULL UNIQUE,
        previous_sha256 TEXT,
        manifest TEXT NOT NULL,
        counts TEXT NOT NULL,
        items BLOB NOT NULL,
        bundle BLOB NOT NULL,
        acknowledged_at TEXT,
        receipt TEXT
    )""",
    """CREATE TABLE sync_acked (
        tbl TEXT NOT NULL,
        uuid TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (tbl, uuid)
    ) WITHOUT ROWID""",
    """CREATE TABLE sync_inbox (
        id INTEGER PRIMARY KEY,
        unit_code TEXT NOT NULL,
        unit_name TEXT NOT NULL DEFAULT '',
        seq INTEGER NOT NULL,
        bundle_id TEXT NOT NULL,
        bundle_sha256 TEXT NOT NULL UNIQUE,
        previous_sha256 TEXT,
        key_fingerprint TEXT NOT NULL,
        kind TEXT NOT NULL,
        period_from TEXT,
        period_to TEXT NOT NULL,
        period_label TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        sequence_status TEXT NOT NULL,
        manifest TEXT NOT NULL,
        result TEXT NOT NULL
    )""",
    "CREATE INDEX sync_inbox_unit ON sync_inbox(unit_code, seq)",
    """CREATE TABLE sync_conflicts (
        id INTEGER PRIMARY KEY,
        inbox_id INTEGER NOT NULL REFERENCES sync_inbox(id),
        tbl TEXT NOT NULL,
        uuid TEXT NOT NULL,
        unit_code TEXT NOT NULL,
        version INTEGER,
        kind TEXT NOT NULL CHECK (kind IN ('conflict', 'rejected')),
        reason TEXT NOT NULL,
        incoming TEXT NOT NULL,
        local TEXT,
        detected_at TEXT NOT NULL,
        resolved_at TEXT
    )""",
    "CREATE INDEX sync_conflicts_open ON sync_conflicts(unit_code, tbl) WHERE resolved_at IS NULL",
]


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    for statement in STATEMENTS:
        db.execute(statement)
