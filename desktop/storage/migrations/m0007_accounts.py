"""0007: accounts, the officers who log in, and the storage of sealed identities.

Each officer who uses the register logs in with an account (issue #17): a login name, an
argon2id hash of the password, one role of ``desktop.security.roles`` and the counters that pause
and lock after failed tries. An account belongs to one officer of the register's own unit; the
actor of every event is the logged-in officer.

A denouncer's identity is secret (Luật Tố cáo 2018, Art. 9; DOMAIN.md §7): ``persons.sealed``
marks a person whose identifying fields are held only in ``persons.seal`` (authenticated
encryption under the register's sealing key, whose private half is wrapped per account in
``accounts.key_wrap``); their clear columns keep a placeholder. ``identity_reveals`` records who
saw a sealed identity, when, why and until when. ``audit_log`` gains the officer and the person a
line is about, for the personal-data processing log (Luật 91/2025/QH15, NĐ 356/2025).

A register upgraded from 0006 has no account: opening it leads the administrator to create one.
"""

from __future__ import annotations

NAME = "0007_accounts"

STATEMENTS = [
    """CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        unit_code TEXT NOT NULL,
        login TEXT NOT NULL UNIQUE COLLATE NOCASE,
        officer_uuid TEXT NOT NULL REFERENCES officers(uuid),
        role TEXT NOT NULL CHECK (role IN ('reception', 'handler', 'leader', 'admin', 'viewer')),
        password_hash TEXT NOT NULL,
        key_wrap TEXT NOT NULL DEFAULT '',        -- the sealing key's private half, wrapped by the password
        active INTEGER NOT NULL DEFAULT 1,
        failed_count INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        last_login_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE INDEX accounts_officer ON accounts(officer_uuid)",
    "ALTER TABLE persons ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE persons ADD COLUMN seal TEXT NOT NULL DEFAULT ''",
    """CREATE TABLE identity_reveals (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        unit_code TEXT NOT NULL,
        person_uuid TEXT NOT NULL,
        case_uuid TEXT,
        officer_uuid TEXT NOT NULL,
        officer_name TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        until TEXT NOT NULL
    )""",
    "CREATE INDEX identity_reveals_person ON identity_reveals(person_uuid, at)",
    "CREATE INDEX identity_reveals_case ON identity_reveals(case_uuid, at)",
    "ALTER TABLE audit_log ADD COLUMN officer_uuid TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE audit_log ADD COLUMN person_uuid TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX audit_log_person ON audit_log(person_uuid, at) WHERE person_uuid <> ''",
]


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    for statement in STATEMENTS:
        db.execute(statement)
