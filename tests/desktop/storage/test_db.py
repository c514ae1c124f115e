from __future__ import annotations

import sqlite3

import pytest

from desktop.errors import UserError
from desktop.storage.db import open_database
from desktop.storage.migrations import LATEST, MIGRATIONS


def test_pragmas_of_a_register_of_record(db):
    assert db.scalar("PRAGMA journal_mode") == "wal"
    assert db.scalar("PRAGMA foreign_keys") == 1
    assert db.scalar("PRAGMA synchronous") == 2  # FULL
    assert db.scalar("PRAGMA busy_timeout") >= 1000


def test_all_migrations_applied(db):
    assert not MIGRATIONS.pending(db.utils)
    assert MIGRATIONS.applied(db.utils)[-1].name == LATEST


def test_write_is_all_or_nothing(db):
    with pytest.raises(RuntimeError):
        with db.write():
            db.execute("INSERT INTO settings(key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert db.get_setting("a") is None


def test_nested_write_rolls_back_inner_only(db):
    with db.write():
        db.execute("INSERT INTO settings(key, value) VALUES ('outer', '1')")
        with pytest.raises(ValueError):
            with db.write():
                db.execute("INSERT INTO settings(key, value) VALUES ('inner', '1')")
                raise ValueError
    assert db.get_setting("outer") == "1"
    assert db.get_setting("inner") is None


def test_events_are_append_only(db):
    db.execute(
        "INSERT INTO cases(uuid, unit_code, updated_at, kind, rules_id, received_on, state, created_at) "
        "VALUES ('c1', 'X', 't', 'petition', 'r', '2026-01-05', 'received', 't')"
    )
    db.execute(
        "INSERT INTO events(uuid, unit_code, case_uuid, seq, action, to_state, at, effective_on, prev_hash, hash) "
        "VALUES ('e1', 'X', 'c1', 1, 'receive', 'received', 't', '2026-01-05', '0', 'h')"
    )
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute("UPDATE events SET note = 'x'")
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute("DELETE FROM events")


def test_missing_file_without_create_is_a_user_error(tmp_path):
    with pytest.raises(UserError) as info:
        open_database(tmp_path / "nope.sqlite", create=False)
    assert info.value.code == "database_missing"
    assert "Không tìm thấy" in info.value.message


def test_not_a_database_gets_a_vietnamese_message(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError) as info:
        open_database(bad)
    assert info.value.code == "database_damaged"


def test_compact_if_sparse_gives_free_pages_back(tmp_path):
    from desktop.storage.db import compact_if_sparse

    path = tmp_path / "r.sqlite"
    db = open_database(path)
    try:
        with db.write():
            db.conn.executemany("INSERT INTO audit_log(at, action, detail) VALUES ('2026-11-23', 'x', ?)",
                                [("x" * 2000,) for _ in range(2000)])
        assert not compact_if_sparse(db)  # nothing free yet
        with db.write():
            db.execute("DELETE FROM audit_log")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = path.stat().st_size
        assert db.scalar("PRAGMA freelist_count") > 1000
        assert compact_if_sparse(db)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert db.scalar("PRAGMA freelist_count") == 0 and path.stat().st_size < before / 4
        assert not compact_if_sparse(db)
    finally:
        db.close()


def test_compact_if_sparse_skips_when_vacuum_fails(tmp_path, caplog):
    from desktop.storage.db import compact_if_sparse

    db = open_database(tmp_path / "r.sqlite")
    try:
        with db.write():
            db.conn.executemany("INSERT INTO audit_log(at, action, detail) VALUES ('2026-11-23', 'x', ?)",
                                [("x" * 2000,) for _ in range(2000)])
        with db.write():
            db.execute("DELETE FROM audit_log")
        free = db.scalar("PRAGMA freelist_count")
        busy = db.conn.execute("SELECT 1 UNION ALL SELECT 2")
        busy.fetchone()  # a statement still running: SQLite refuses to VACUUM (as it would on a full disk)
        with caplog.at_level("WARNING"):
            assert not compact_if_sparse(db)
        busy.close()
        assert "VACUUM skipped" in caplog.text and db.scalar("PRAGMA freelist_count") == free
    finally:
        db.close()
