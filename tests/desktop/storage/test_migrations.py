"""Upgrade a real register of each released schema to the latest, with a backup first."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop.storage.cases import case_people, get_case
from desktop.storage.search import case_search_text, integrity_check, search_case_ids
from desktop.storage.db import open_database
from desktop.storage.migrations import LATEST, MIGRATIONS
from desktop.workflow.verify import verify_register

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_upgrade_from_schema_0001(tmp_path):
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0001.sqlite", path)
    raw = sqlite3.connect(path)
    applied = [r[0] for r in raw.execute("SELECT name FROM _sqlite_migrations")]
    raw.close()
    assert applied == ["0001_register"]

    db = open_database(path)
    try:
        assert [m.name for m in MIGRATIONS.applied(db.utils)][-1] == LATEST
        assert not MIGRATIONS.pending(db.utils)
        case = get_case(db, "01/2026")
        assert case.state == "accepted" and case.summary == "Giải trình cấp phép"
        assert verify_register(db).ok
    finally:
        db.close()
    backups = list((tmp_path / "backups").glob("register-*-before-*.sqlite"))
    if len(MIGRATIONS._migrations) > 1:
        assert len(backups) == 1
        old = sqlite3.connect(backups[0])
        assert [r[0] for r in old.execute("SELECT name FROM _sqlite_migrations")] == ["0001_register"]
        assert old.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
        old.close()


def test_fresh_register_takes_no_backup(tmp_path):
    db = open_database(tmp_path / "new.sqlite")
    db.close()
    assert not (tmp_path / "backups").exists()


def test_reopening_an_up_to_date_register_changes_nothing(tmp_path):
    path = tmp_path / "r.sqlite"
    open_database(path).close()
    open_database(path).close()
    assert not (tmp_path / "backups").exists()


def test_calendar_days_are_unique_per_unit_after_0004(db, login):
    from desktop.storage.calendar_repo import add_day, list_days
    from desktop.storage.units import save_unit
    from datetime import date

    save_unit(db, code="01", name="UBND tỉnh A", level="province", place_name="A")
    login("admin")
    add_day(db, date(2026, 3, 9), "off", "Nghỉ bù")
    # A commune's imported day on the same date is its own, and does not change the province's.
    db.execute("INSERT INTO calendar_days(day, kind, name, uuid, unit_code, updated_at) "
               "VALUES ('2026-03-09', 'off', 'Nghỉ của xã', 'u2', '11230', 't')")
    db.execute("INSERT INTO calendar_days(day, kind, name, uuid, unit_code, updated_at) "
               "VALUES ('2026-03-10', 'off', 'Nghỉ của xã', 'u3', '11230', 't')")
    assert [d.day for d in list_days(db)] == [date(2026, 3, 9)]


def test_upgrade_from_schema_0004_makes_the_register_leaner(tmp_path):
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0004.sqlite", path)
    raw = sqlite3.connect(path)
    old_text = raw.execute("SELECT search_text FROM cases").fetchone()[0]
    old_events = raw.execute("SELECT * FROM events ORDER BY id").fetchall()
    assert "sqlite_autoindex_events_2" in {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()
    assert old_text.split().count("nghi") == 3

    db = open_database(path)
    try:
        assert [m.name for m in MIGRATIONS.applied(db.utils)][-1] == LATEST
        case = get_case(db, "01/2026")
        people = [(cp.person.full_name, cp.person.id_number, cp.person.phone) for cp in case_people(db, case.uuid)]
        text = db.scalar("SELECT search_text FROM cases WHERE uuid = ?", (case.uuid,))
        assert text == case_search_text(number=case.number, summary=case.summary, content=case.content, people=people)
        assert text.split().count("nghi") == 1 and sorted(text.split()) == sorted(set(old_text.split()))
        assert search_case_ids(db, "giay chung nhan quyen su dung dat") == [case.id]
        assert search_case_ids(db, "0912 345 678") == [case.id]
        assert integrity_check(db, "cases")
        # The events are all there, as they were, without the unique index on their hash.
        assert [tuple(r) for r in db.query("SELECT * FROM events ORDER BY id")] == [tuple(r) for r in old_events]
        indexes = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE tbl_name = 'events' "
                                              "AND name NOT LIKE 'ledger%'")}  # 0008's triggers
        assert indexes == {"events", "sqlite_autoindex_events_1", "sqlite_autoindex_events_2", "events_unit",
                           "events_no_update", "events_no_delete", "report_events_fill"}  # 0019's trigger
        assert "UNIQUE (case_uuid, seq)" in db.scalar("SELECT sql FROM sqlite_master WHERE name = 'events'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.conn.execute("UPDATE events SET note = 'x'")
        assert verify_register(db).ok
        assert db.scalar("PRAGMA freelist_count") < 0.25 * db.scalar("PRAGMA page_count")  # compacted if need be
    finally:
        db.close()
    assert len(list((tmp_path / "backups").glob("register-*-before-0005_leaner_index.sqlite"))) == 1


def test_upgrade_from_schema_0005_takes_denouncers_out_of_reception_search(tmp_path):
    """Before 0006 a reception's search text named the people received, a denouncer too: typing
    her name found the row the register shows as "(giữ bí mật)" (Luật Tố cáo 2018, Art. 9)."""
    from desktop.storage.search import integrity_check, search_reception_ids

    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0005.sqlite", path)
    raw = sqlite3.connect(path)
    ids = dict(raw.execute("SELECT case_kind, id FROM receptions"))
    assert all("tran thi duc" in t for (t,) in raw.execute("SELECT search_text FROM receptions"))
    raw.close()

    db = open_database(path)
    try:
        assert [m.name for m in MIGRATIONS.applied(db.utils)][-1] == LATEST
        for typed in ("Trần Thị Đức", "034185001234", "0912 345 678"):
            assert search_reception_ids(db, typed) == [ids["petition"]]
        assert search_reception_ids(db, "dia chinh thu tien") == [ids["denunciation"]]
        assert integrity_check(db, "receptions")
    finally:
        db.close()
    assert len(list((tmp_path / "backups").glob("register-*-before-0006_secret_receptions.sqlite"))) == 1


def test_register_of_schema_0006_opens_at_the_latest_and_verifies(tmp_path):
    """Schema 0006 is the last released one: the demo register with documents (issued, voided,
    drafts) and calendar days. Every later migration must open it with nothing lost."""
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0006.sqlite", path)
    raw = sqlite3.connect(path)
    before = {t: raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("cases", "events", "persons", "receptions", "documents", "calendar_days")}
    raw.close()
    assert before["documents"] >= 4 and before["calendar_days"] == 2

    db = open_database(path)
    try:
        assert [m.name for m in MIGRATIONS.applied(db.utils)][-1] == LATEST
        for table, count in before.items():
            assert db.query(f"SELECT COUNT(*) FROM {table}")[0][0] >= count, table
        assert verify_register(db).ok
    finally:
        db.close()
