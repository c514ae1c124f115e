"""The record comparison through the ledger's index by record (migration 0020, issue #20): each
record's latest entry is the one of the highest seq (of two, the first written); records deleted
through the app are counted, not looked up, and a record gone behind the app is still named; a
register whose index was dropped or replaced behind the app gives the same findings."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.storage import ledger
from desktop.storage.db import open_database
from tests.desktop.demo_register import LEDGER_GUARDS, demo_register
from tests.desktop.demo_register import shell as demo_shell

@pytest.fixture
def register(tmp_path):
    return demo_register(tmp_path)


def shell(path) -> sqlite3.Connection:
    """The sqlite3 shell with the ledger's guards dropped (as someone with the file would)."""
    return demo_shell(path, *LEDGER_GUARDS)


def compared(path, *, spy=None) -> tuple[int, list[tuple]]:
    conn = sqlite3.connect(path)
    ledger.register_functions(conn)
    if spy is not None:
        conn.set_trace_callback(spy.append)
    try:
        records, findings = ledger._compare_records(conn, limit=200, tick=None)
    finally:
        conn.close()
    return records, [(f.kind, f.table, f.record_uuid, f.message) for f in findings]


def looked_up_one_by_one(statements: list[str]) -> bool:
    """The comparison looked each record the ledger names up in its table (the slow way to deletions)."""
    return any("NOT EXISTS" in s for s in statements)


def test_the_latest_entry_is_the_highest_seq_and_of_two_the_first_written(register):
    c = shell(register)
    for kind in ("au", "ai", "ad"):
        c.execute(f"DROP TRIGGER ledger_{kind}_persons")
    uuid = c.execute("SELECT uuid FROM persons ORDER BY id LIMIT 1").fetchone()[0]
    seq, digest = c.execute("SELECT seq, digest FROM ledger WHERE record_uuid = ? ORDER BY seq DESC LIMIT 1",
                            (uuid,)).fetchone()
    # a forged chain of another unit holds the same record at the same seq, written later, with another digest
    c.execute("INSERT INTO ledger(uuid, unit_code, seq, tbl, record_uuid, version, digest, prev_hash, hash) "
              "VALUES ('khac-1', 'ZZ', ?, 'persons', ?, 1, ?, '', '')", (seq, uuid, "f" * 64))
    c.close()
    conn = sqlite3.connect(register)
    try:
        got = conn.execute(f"SELECT {ledger._latest('main.ledger', 'ledger_record', 'l.digest', '?')}",
                           ("persons", uuid)).fetchone()[0]
        plan = " ".join(r[3] for r in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT {ledger._latest('main.ledger', 'ledger_record', 'l.digest', '?')}",
            ("persons", uuid)))
    finally:
        conn.close()
    assert got == digest            # the first written of the two at the highest seq
    assert "ledger_record" in plan and "TEMP B-TREE" not in plan, plan
    assert compared(register)[1] == []  # the record still matches the entry the app wrote


def test_deletions_through_the_app_are_counted_and_one_behind_the_app_is_named(register):
    db = open_database(register)
    try:
        by_app, behind = [r[0] for r in db.query("SELECT uuid FROM case_people ORDER BY id LIMIT 2")]
        with db.write():   # through the app: the delete trigger appends an entry with digest ''
            db.execute("DELETE FROM case_people WHERE uuid = ?", (by_app,))
    finally:
        db.close()
    spy: list[str] = []
    records, findings = compared(register, spy=spy)
    assert findings == [] and not looked_up_one_by_one(spy)    # counted: nothing gone behind the app
    c = shell(register)
    c.execute("DROP TRIGGER ledger_ad_case_people")
    c.execute("DELETE FROM case_people WHERE uuid = ?", (behind,))
    c.close()
    spy.clear()
    records_after, findings = compared(register, spy=spy)
    assert records_after == records - 1 and looked_up_one_by_one(spy)
    assert [(kind, table, uuid) for kind, table, uuid, _m in findings] == [("deleted", "case_people", behind)]


def test_a_record_restored_after_its_deletion_is_named_and_nothing_else(register):
    db = open_database(register)
    try:
        row = db.one("SELECT * FROM case_people ORDER BY id LIMIT 1")
        with db.write():
            db.execute("DELETE FROM case_people WHERE uuid = ?", (row["uuid"],))
    finally:
        db.close()
    c = shell(register)
    c.execute("DROP TRIGGER ledger_ai_case_people")
    names = ", ".join(row.keys())
    c.execute(f"INSERT INTO case_people({names}) VALUES ({', '.join('?' * len(row.keys()))})", tuple(row))
    c.close()
    findings = compared(register)[1]
    assert [(kind, uuid) for kind, _t, uuid, _m in findings] == [("added", row["uuid"])]
    assert "khôi phục ngoài ứng dụng" in findings[0][3]


def test_a_table_that_could_hold_a_uuid_twice_is_looked_up_record_by_record(register):
    """Two rows of one uuid would each count as a record held: the count could hide a deletion."""
    c = shell(register)
    victim, twin = [r[0] for r in c.execute("SELECT uuid FROM case_people ORDER BY id LIMIT 2")]
    sql = c.execute("SELECT sql FROM sqlite_master WHERE name = 'case_people'").fetchone()[0]
    assert "uuid TEXT NOT NULL UNIQUE" in sql
    c.execute("PRAGMA foreign_keys = OFF")
    c.execute("PRAGMA legacy_alter_table = ON")
    for kind in ("ai", "au", "ad"):
        c.execute(f"DROP TRIGGER ledger_{kind}_case_people")
    c.execute("ALTER TABLE case_people RENAME TO old_case_people")
    c.execute(sql.replace("uuid TEXT NOT NULL UNIQUE", "uuid TEXT NOT NULL"))
    c.execute("INSERT INTO case_people SELECT * FROM old_case_people")
    c.execute("DROP TABLE old_case_people")
    c.execute("DELETE FROM case_people WHERE uuid = ?", (victim,))            # gone behind the app …
    c.execute("INSERT INTO case_people(case_uuid, person_uuid, role, uuid, unit_code, version, updated_at) "
              "SELECT case_uuid, person_uuid, CASE role WHEN 'requester' THEN 'representative' ELSE 'requester' END, "
              "uuid, unit_code, version, updated_at FROM case_people WHERE uuid = ?", (twin,))  # … its place taken
    c.close()
    spy: list[str] = []
    findings = compared(register, spy=spy)[1]
    assert looked_up_one_by_one(spy)
    assert ("deleted", "case_people", victim) in [(k, t, u) for k, t, u, _m in findings], findings


@pytest.mark.parametrize("behind_the_app", [
    "DROP INDEX ledger_record",
    "DROP INDEX ledger_deletions",
    "DROP INDEX ledger_record; CREATE INDEX ledger_record ON ledger(tbl, record_uuid, seq DESC) WHERE tbl <> 'case_people'",
])
def test_an_index_dropped_or_replaced_behind_the_app_gives_the_same_findings(register, behind_the_app):
    db = open_database(register)
    try:
        with db.write():   # a deletion through the app, counted when the deletions index is there
            db.execute("DELETE FROM case_people WHERE id = (SELECT max(id) FROM case_people)")
    finally:
        db.close()
    c = shell(register)
    for kind in ("au", "ad"):
        c.execute(f"DROP TRIGGER ledger_{kind}_case_people")
    edited, gone = [r[0] for r in c.execute("SELECT uuid FROM case_people ORDER BY id LIMIT 2")]
    c.execute("UPDATE case_people SET updated_at = '2026-03-03T00:00:00' WHERE uuid = ?", (edited,))
    c.execute("DELETE FROM case_people WHERE uuid = ?", (gone,))
    c.close()
    before = compared(register)
    assert sorted((k, u) for k, _t, u, _m in before[1]) == sorted([("edited", edited), ("deleted", gone)])
    c = sqlite3.connect(register, isolation_level=None)
    c.executescript(behind_the_app)
    c.close()
    assert compared(register) == before
