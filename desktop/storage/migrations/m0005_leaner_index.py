"""0005: a leaner register — no unique index on event hashes, each word of a case indexed once.

* ``events.hash`` was UNIQUE: an index nothing looks up (the chain is walked in order by
  ``verify``, events are found by uuid or by case), costing about 80 bytes per event. The table
  is rebuilt without it; the append-only triggers come back as they were.
* A case's ``search_text`` keeps each word once from now on (``search.compose_words(unique=True)``):
  case searches match word by word, never as a phrase. Existing texts are rewritten the same way,
  which gives exactly what the new code composes (the folded words first seen, then the numbers
  not among them); the case index is rebuilt from them.

Measured and left as they are: the FTS5 prefix indexes (two and three letters, about 300 bytes
per case) and positions (``detail=full``). Without the three-letter index, or without positions,
the 1M-case search p95 went from 6–11 ms to about 30 ms (a last word such as "lan" then merges
every term that starts with it, "lang" of Lạng Sơn in every address among them).
"""

from __future__ import annotations

NAME = "0005_leaner_index"

EVENT_COLUMNS = ("id, uuid, unit_code, case_uuid, seq, action, from_state, to_state, actor, at, effective_on, "
                 "note, data, prev_hash, hash")


def unique_words(text: str | None) -> str | None:
    """Each word of a space-separated text once, in first-seen order."""
    if not text:
        return text
    return " ".join(dict.fromkeys(text.split()))


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    db.execute("DROP TRIGGER events_no_update")
    db.execute("DROP TRIGGER events_no_delete")
    db.execute("""CREATE TABLE events_new (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        unit_code TEXT NOT NULL,
        case_uuid TEXT NOT NULL REFERENCES cases(uuid),
        seq INTEGER NOT NULL,
        action TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        actor TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,                       -- when it was recorded (ISO, local time)
        effective_on TEXT NOT NULL,             -- the legal date of the step
        note TEXT NOT NULL DEFAULT '',
        data TEXT NOT NULL DEFAULT '{}',        -- JSON: ground, deadline and its trace, meeting …
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (case_uuid, seq)
    )""")
    db.execute(f"INSERT INTO events_new({EVENT_COLUMNS}) SELECT {EVENT_COLUMNS} FROM events ORDER BY id")
    db.execute("DROP TABLE events")
    db.execute("ALTER TABLE events_new RENAME TO events")
    db.execute("CREATE INDEX events_unit ON events(unit_code, id)")
    db.execute("""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""")
    db.execute("""CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""")

    db.conn.create_function("giaitrinh_unique_words", 1, unique_words, deterministic=True)
    db.execute("UPDATE cases SET search_text = giaitrinh_unique_words(search_text) "
               "WHERE search_text <> giaitrinh_unique_words(search_text)")
    db.execute("INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')")
