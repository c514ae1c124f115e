"""The window's session defers the write-ahead log's checkpoints to its background checkpointer
(issue #20, item 1): a save on the session's connection or a worker's never copies the log back,
and closing the session leaves no log behind."""

from __future__ import annotations

from pathlib import Path

from desktop.storage import wal


def test_session_saves_leave_the_log_to_the_checkpointer(session):
    assert session.checkpointer is not None
    assert session.db.scalar("PRAGMA wal_autocheckpoint") == wal.BACKSTOP_PAGES
    worker = session.worker_database()
    try:
        assert worker.scalar("PRAGMA wal_autocheckpoint") == wal.BACKSTOP_PAGES
    finally:
        worker.close()


def test_closing_the_session_empties_the_log(qapp, db_path, office):
    from ui.session import Session

    s = Session(office["db"])
    with s.db.write():
        s.db.execute("INSERT INTO settings(key, value) VALUES ('probe', ?)", ("x" * 5000,))
    s.close()
    log = Path(f"{db_path}-wal")
    assert not log.exists() or log.stat().st_size == 0
