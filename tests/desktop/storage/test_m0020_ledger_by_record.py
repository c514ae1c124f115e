"""0020 on the released 0006 register and on the register of the schema before (0019): the ledger's indexes by record and of deletions exist, the
lookups of a record's latest entry and of the deletions go through them, nothing is lost, and the
upgraded register verifies clean."""

from __future__ import annotations

from desktop.storage import ledger
from desktop.storage.db import open_database
from desktop.storage.migrations import LATEST
from desktop.storage.migrations import m0020_ledger_by_record as m0020
from desktop.workflow.verify import verify_register

from tests.desktop.storage.upgrade_0006 import FIXTURE_0019, copy_0006, counts

TABLES = ("cases", "receptions", "persons", "events", "documents", "commitments", "case_people", "ledger")


def plan(db, sql: str, params: tuple) -> str:
    return " | ".join(r[3] for r in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_upgrade_from_0006_indexes_the_ledger_by_record(tmp_path):
    path, before = copy_0006(tmp_path, TABLES[:-1])
    db = open_database(path)
    try:
        assert counts(db.conn, TABLES[:-1]) == before and before["events"] > 100
        held = {r["name"]: r["sql"] for r in db.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger'")}
        assert held["ledger_record"] == m0020.BY_RECORD and held["ledger_deletions"] == m0020.DELETIONS
        # 0008 gave every record of the 0006 register its first entry: all there, each found by the index
        entries = db.scalar("SELECT count(*) FROM ledger")
        assert entries >= sum(before.values())
        record = db.one("SELECT tbl, record_uuid, digest FROM ledger WHERE tbl = 'cases' ORDER BY id DESC LIMIT 1")
        latest = f"SELECT {ledger._latest('main.ledger', 'ledger_record', 'l.digest', '?')}"
        assert db.scalar(latest, (record["tbl"], record["record_uuid"])) == record["digest"]
        # the plain query the check asks, without INDEXED BY: SQLite picks the index and needs no sort
        shown = plan(db, "SELECT digest FROM ledger WHERE tbl = ? AND record_uuid = ? ORDER BY seq DESC, id LIMIT 1",
                     ("cases", record["record_uuid"]))
        assert "USING INDEX ledger_record" in shown and "TEMP B-TREE" not in shown, shown
        shown = plan(db, "SELECT DISTINCT record_uuid FROM ledger WHERE tbl = ? AND digest = ''", ("cases",))
        assert "ledger_deletions" in shown, shown
        assert verify_register(db).ok
    finally:
        db.close()
    db = open_database(path)   # opened again: nothing pending, nothing changed
    try:
        assert counts(db.conn, TABLES[:-1]) == before and db.scalar("SELECT count(*) FROM ledger") == entries
    finally:
        db.close()


def test_upgrade_from_0019_the_schema_before_adds_the_indexes_and_nothing_else(tmp_path):
    """The register of the build just before (0019, with its ledger and report rows): 0020 is the
    one migration applied, every row stays, both indexes are the app's, and it verifies clean."""
    path, before = copy_0006(tmp_path, TABLES, FIXTURE_0019)
    assert before["ledger"] > 500 and before["documents"] >= 6
    db = open_database(path)
    try:
        applied = [r[0] for r in db.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied[-2:] == ["0019_report_events", m0020.NAME] and LATEST == m0020.NAME
        assert counts(db.conn, TABLES) == before
        held = {r["name"]: r["sql"] for r in db.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger'")}
        assert held["ledger_record"] == m0020.BY_RECORD and held["ledger_deletions"] == m0020.DELETIONS
        assert verify_register(db).ok
    finally:
        db.close()


def test_a_deletion_through_the_app_lands_in_the_deletions_index_only(tmp_path):
    path, _before = copy_0006(tmp_path, ())
    db = open_database(path)
    try:
        uuid = db.scalar("SELECT uuid FROM case_people ORDER BY id LIMIT 1")
        with db.write():
            db.execute("DELETE FROM case_people WHERE uuid = ?", (uuid,))
        listed = db.query("SELECT tbl, record_uuid FROM ledger INDEXED BY ledger_deletions WHERE digest = ''")
        assert [tuple(r) for r in listed] == [("case_people", uuid)]
        assert verify_register(db).ok
    finally:
        db.close()
