"""0004: a calendar day is unique per owning unit, not per register.

At the province, several communes may each declare the same extra day off; the 0001 schema
made ``day`` unique across the register, so the second commune's day was refused on import.
"""

from __future__ import annotations

NAME = "0004_calendar_per_unit"

COLUMNS = "id, day, kind, name, uuid, unit_code, version, updated_at"


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    db.execute("""CREATE TABLE calendar_days_new (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),
        name TEXT NOT NULL DEFAULT '',
        uuid TEXT NOT NULL UNIQUE,
        unit_code TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL,
        UNIQUE (unit_code, day)
    )""")
    db.execute(f"INSERT INTO calendar_days_new({COLUMNS}) SELECT {COLUMNS} FROM calendar_days")
    db.execute("DROP TABLE calendar_days")
    db.execute("ALTER TABLE calendar_days_new RENAME TO calendar_days")
