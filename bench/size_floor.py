"""How small could the register be? Each way of storing less, measured cumulatively.

    python -m bench.size_floor                    # the commune bench register (seconds)
    python -m bench.size_floor --scale province   # the 1M register (copies ~6 GB, slow)

Issue #2 asks for at most 2.5 KB per case, including events and the search index. The register
as built takes about 6 KB. This script answers, with measurements instead of estimates, what
reaching 2.5 KB would cost: it copies a generated register into ``bench/out/floor-*`` and
rewrites the copy step by step, each step keeping the earlier ones, and prints the size per case
after each (after ``VACUUM INTO``, so free pages do not count). The app never reads these
copies: they show layouts, not a migration.

Steps, and what each gives up:

1. Event data without the deadline trace text and the legal citations (of the step, of a
   refusal's ground). All can be rendered again from the rule set and the calendar, but a later
   change to the calendar would then change how an old deadline is explained.
2. Event hashes and case digests as 32-byte blobs, no ``prev_hash`` (it is the previous event's
   hash). Changes the bundle format the province already reads.
3. Integer references instead of uuid text: events and case–person links point at the local
   row id; an event is known by its case and sequence number (no uuid of its own, no unit code:
   it is the case's). Bundles must then translate every reference.
4. Uuids as 16-byte blobs, times and dates as integers.
5. No folded shadow text: a contentless case index (updating it safely needs SQLite 3.43's
   ``contentless_delete``; Python 3.11 ships 3.40 here), people found by a folded-name index
   instead of their own full-text index, and no index over receptions.
6. The case index without its 2- and 3-letter prefix indexes. Measured in migration 0005: this
   makes the 1M-case whole-word search p95 about 30 ms, over the 20 ms figure.

Not a test, and nothing here changes a register in use.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from bench.generate import OUT, SCALES, generate
from desktop.domain.text import fold

TARGET_KB = 2.5


def _data_without_texts(data: str) -> str:
    values = json.loads(data)
    for key in ("trace", "citation", "ground_label", "ground_citation"):
        values.pop(key, None)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _digest(data: str) -> bytes | None:
    value = json.loads(data).get("digest")
    return bytes.fromhex(value) if value else None


def _without_digest(data: str) -> str | None:
    values = json.loads(data)
    values.pop("digest", None)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True) if values else None


def _hex_bytes(text: str | None) -> bytes | None:
    """A uuid or a hash in hex as its bytes (16 or 32)."""
    return bytes.fromhex(text) if text else None


def _seconds(text: str | None) -> int | None:
    return int(datetime.fromisoformat(text).timestamp()) if text else None


def _day(text: str | None) -> int | None:
    return date.fromisoformat(text).toordinal() if text else None


FUNCTIONS: dict[str, Callable] = {"floor_texts": _data_without_texts, "floor_digest": _digest,
                                  "floor_no_digest": _without_digest, "floor_bytes": _hex_bytes,
                                  "floor_seconds": _seconds, "floor_day": _day, "floor_fold": fold}


def step_event_texts(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    conn.execute("UPDATE events SET data = floor_texts(data)")


def step_binary_hashes(conn: sqlite3.Connection) -> None:
    conn.executescript("""
        CREATE TABLE events_floor (
            id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, unit_code TEXT NOT NULL,
            case_uuid TEXT NOT NULL, seq INTEGER NOT NULL, action TEXT NOT NULL, from_state TEXT,
            to_state TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL, effective_on TEXT NOT NULL,
            note TEXT NOT NULL, data TEXT, digest BLOB, hash BLOB NOT NULL, UNIQUE (case_uuid, seq));
        INSERT INTO events_floor SELECT id, uuid, unit_code, case_uuid, seq, action, from_state, to_state, actor,
            at, effective_on, note, floor_no_digest(data), floor_digest(data), floor_bytes(hash) FROM events;
        DROP TABLE events;
        ALTER TABLE events_floor RENAME TO events;
        CREATE INDEX events_unit ON events(unit_code, id);
    """)


def step_integer_references(conn: sqlite3.Connection) -> None:
    conn.executescript("""
        CREATE TABLE events_floor (
            case_id INTEGER NOT NULL, seq INTEGER NOT NULL, action TEXT NOT NULL, from_state TEXT,
            to_state TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL, effective_on TEXT NOT NULL,
            note TEXT NOT NULL, data TEXT, digest BLOB, hash BLOB NOT NULL,
            PRIMARY KEY (case_id, seq)) WITHOUT ROWID;
        INSERT INTO events_floor SELECT c.id, e.seq, e.action, e.from_state, e.to_state, e.actor, e.at,
            e.effective_on, e.note, e.data, e.digest, e.hash FROM events e JOIN cases c ON c.uuid = e.case_uuid;
        DROP TABLE events;
        ALTER TABLE events_floor RENAME TO events;

        CREATE TABLE case_people_floor (
            case_id INTEGER NOT NULL, person_id INTEGER NOT NULL, role TEXT NOT NULL, uuid TEXT NOT NULL UNIQUE,
            unit_code TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL,
            PRIMARY KEY (case_id, person_id, role)) WITHOUT ROWID;
        INSERT INTO case_people_floor SELECT c.id, p.id, l.role, l.uuid, l.unit_code, l.version, l.updated_at
            FROM case_people l JOIN cases c ON c.uuid = l.case_uuid JOIN persons p ON p.uuid = l.person_uuid;
        DROP TABLE case_people;
        ALTER TABLE case_people_floor RENAME TO case_people;
        CREATE INDEX case_people_person ON case_people(person_id);

        ALTER TABLE cases ADD COLUMN assignee_id INTEGER;
        UPDATE cases SET assignee_id = (SELECT o.id FROM officers o WHERE o.uuid = cases.assignee_uuid);
        DROP INDEX IF EXISTS cases_assignee_due;
        CREATE INDEX cases_assignee_due ON cases(assignee_id, due_on) WHERE due_on IS NOT NULL;
        UPDATE cases SET assignee_uuid = NULL, reception_uuid = NULL;
    """)


CASE_COLUMNS = ("number, kind, rules_id, channel, field, summary, content, state, is_complex, is_remote, "
                "confidential, due_step, due_trace, extensions, satisfaction, requester_name, requester_key, "
                "search_text, version, assignee_id")


def step_compact_values(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS cases_fts")  # rebuilt below from the rewritten table
    conn.execute("DROP TABLE IF EXISTS persons_fts")
    conn.executescript(f"""
        CREATE TABLE cases_floor (
            id INTEGER PRIMARY KEY, uuid BLOB NOT NULL UNIQUE, unit_code TEXT NOT NULL,
            received_on INTEGER, learned_on INTEGER, due_on INTEGER, paused_on INTEGER, closed_on INTEGER,
            published_on INTEGER, created_at INTEGER, updated_at INTEGER,
            number, kind, rules_id, channel, field, summary, content, state, is_complex, is_remote, confidential,
            due_step, due_trace, extensions, satisfaction, requester_name, requester_key, search_text, version,
            assignee_id);
        INSERT INTO cases_floor SELECT id, floor_bytes(uuid), unit_code, floor_day(received_on),
            floor_day(learned_on), floor_day(due_on), floor_day(paused_on), floor_day(closed_on),
            floor_day(published_on), floor_seconds(created_at), floor_seconds(updated_at), {CASE_COLUMNS}
            FROM cases;
        DROP TABLE cases;
        ALTER TABLE cases_floor RENAME TO cases;
        CREATE INDEX cases_page ON cases(received_on DESC, id DESC);
        CREATE INDEX cases_due ON cases(due_on) WHERE due_on IS NOT NULL;
        CREATE INDEX cases_assignee_due ON cases(assignee_id, due_on) WHERE due_on IS NOT NULL;
        CREATE INDEX cases_state ON cases(state, received_on);
        CREATE INDEX cases_kind ON cases(kind, received_on);
        CREATE INDEX cases_requester ON cases(requester_key, id);
        CREATE INDEX cases_unit ON cases(unit_code, received_on);

        CREATE TABLE persons_floor (
            id INTEGER PRIMARY KEY, uuid BLOB NOT NULL UNIQUE, unit_code TEXT NOT NULL, version INTEGER,
            updated_at INTEGER, kind TEXT, full_name TEXT, id_kind TEXT, id_number TEXT, phone TEXT,
            address TEXT, representative TEXT, search_text TEXT, name_key TEXT);
        INSERT INTO persons_floor SELECT id, floor_bytes(uuid), unit_code, version, floor_seconds(updated_at),
            kind, full_name, id_kind, nullif(id_number, ''), nullif(phone, ''), address,
            nullif(representative, ''), search_text, name_key FROM persons;
        DROP TABLE persons;
        ALTER TABLE persons_floor RENAME TO persons;
        CREATE INDEX persons_name ON persons(name_key);
        CREATE INDEX persons_id_number ON persons(id_number) WHERE id_number IS NOT NULL;
        CREATE INDEX persons_phone ON persons(phone) WHERE phone IS NOT NULL;

        CREATE TABLE case_people_floor (
            case_id INTEGER NOT NULL, person_id INTEGER NOT NULL, role INTEGER NOT NULL, uuid BLOB NOT NULL UNIQUE,
            unit_code TEXT NOT NULL, version INTEGER NOT NULL, updated_at INTEGER NOT NULL,
            PRIMARY KEY (case_id, person_id, role)) WITHOUT ROWID;
        INSERT INTO case_people_floor SELECT case_id, person_id, role = 'representative', floor_bytes(uuid),
            unit_code, version, floor_seconds(updated_at) FROM case_people;
        DROP TABLE case_people;
        ALTER TABLE case_people_floor RENAME TO case_people;
        CREATE INDEX case_people_person ON case_people(person_id);

        CREATE TABLE events_floor (
            case_id INTEGER NOT NULL, seq INTEGER NOT NULL, action TEXT NOT NULL, from_state TEXT,
            to_state TEXT NOT NULL, actor TEXT NOT NULL, at INTEGER NOT NULL, effective_on INTEGER NOT NULL,
            note TEXT, data TEXT, digest BLOB, hash BLOB NOT NULL,
            PRIMARY KEY (case_id, seq)) WITHOUT ROWID;
        INSERT INTO events_floor SELECT case_id, seq, action, from_state, to_state, actor, floor_seconds(at),
            floor_day(effective_on), nullif(note, ''), data, digest, hash FROM events;
        DROP TABLE events;
        ALTER TABLE events_floor RENAME TO events;
    """)
    _case_index(conn, "prefix='2 3'", content="cases")
    conn.execute("CREATE VIRTUAL TABLE persons_fts USING fts5(search_text, content='persons', content_rowid='id', "
                 "tokenize='unicode61', prefix='2 3')")
    conn.execute("INSERT INTO persons_fts(persons_fts) VALUES ('rebuild')")


def step_no_shadow_text(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TEMP TABLE case_text AS SELECT id, search_text FROM cases")  # not in VACUUM INTO
    conn.execute("DROP TABLE cases_fts")
    conn.execute("DROP TABLE persons_fts")
    conn.execute("DROP TABLE IF EXISTS receptions_fts")
    conn.execute("UPDATE cases SET search_text = NULL")
    conn.execute("UPDATE persons SET search_text = NULL")
    conn.execute("ALTER TABLE persons ADD COLUMN folded_name TEXT")
    conn.execute("UPDATE persons SET folded_name = floor_fold(full_name)")
    conn.execute("CREATE INDEX persons_folded ON persons(folded_name)")
    _case_index(conn, "prefix='2 3'")


def step_no_prefix_index(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE cases_fts")
    _case_index(conn, "")


def _case_index(conn: sqlite3.Connection, prefix: str, *, content: str | None = None) -> None:
    """The case index: external content over ``cases``, or contentless fed from ``case_text``."""
    options = f", {prefix}" if prefix else ""
    if content:
        conn.execute(f"CREATE VIRTUAL TABLE cases_fts USING fts5(search_text, content='{content}', "
                     f"content_rowid='id', tokenize='unicode61'{options})")
        conn.execute("INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')")
    else:
        conn.execute(f"CREATE VIRTUAL TABLE cases_fts USING fts5(search_text, content='', columnsize=0, "
                     f"tokenize='unicode61'{options})")
        conn.execute("INSERT INTO cases_fts(rowid, search_text) SELECT id, search_text FROM case_text")
    conn.execute("INSERT INTO cases_fts(cases_fts) VALUES ('optimize')")


STEPS: tuple[tuple[str, Callable[[sqlite3.Connection], None]], ...] = (
    ("1. event data without the trace text and citation", step_event_texts),
    ("2. hashes and digests as 32-byte blobs, no prev_hash", step_binary_hashes),
    ("3. integer references, events known by case and number", step_integer_references),
    ("4. uuids as 16-byte blobs, dates and times as integers", step_compact_values),
    ("5. no shadow text: contentless case index, no person index", step_no_shadow_text),
    ("6. case index without 2- and 3-letter prefixes", step_no_prefix_index),
)


def size_per_case(conn: sqlite3.Connection, work: Path, label: str) -> float:
    """KB per case of a vacuumed copy of ``conn``'s database."""
    out = work / f"{label}.sqlite"
    out.unlink(missing_ok=True)
    conn.execute("VACUUM INTO ?", (str(out),))
    cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    size = out.stat().st_size
    out.unlink()
    return size / cases / 1024


def text_per_case(conn: sqlite3.Connection) -> float:
    """Bytes per case of what the clerk typed: the summary and the content, nothing derived."""
    return conn.execute("SELECT avg(length(CAST(summary AS BLOB)) + length(CAST(content AS BLOB))) "
                        "FROM cases").fetchone()[0]


def run(source: Path, work: Path) -> list[tuple[str, float]]:
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "floor.sqlite"
    src = sqlite3.connect(source)
    src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    src.close()
    shutil.copyfile(source, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA foreign_keys = OFF")
    for name, fn in FUNCTIONS.items():
        conn.create_function(name, 1, fn, deterministic=True)
    text = text_per_case(conn)
    print(f"typed text (summary and content): {text:,.0f} bytes per case", flush=True)
    results = [("0. as built", size_per_case(conn, work, "step-0"))]
    print(f"  {results[0][0]:58s} {results[0][1]:5.2f} KB per case", flush=True)
    for label, step in STEPS:
        step(conn)  # a scratch copy: autocommit (``executescript`` would commit anyway)
        results.append((label, size_per_case(conn, work, label.split(".")[0])))
        mark = "" if results[-1][1] > TARGET_KB else "  <= 2.5 KB"
        print(f"  {label:58s} {results[-1][1]:5.2f} KB per case{mark}", flush=True)
    conn.close()
    copy.unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure how small the register could be, step by step.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="commune")
    args = parser.parse_args()
    source = generate(args.scale)
    run(source, OUT / f"floor-{args.scale}")


if __name__ == "__main__":
    main()
