"""The write-ahead log's checkpoints stay off interactive saves (issue #20, item 1): a deferring
connection's commits leave the log alone, a ``Checkpointer`` copies it back when the register is
quiet (or saves keep coming too long), restarts a long log, empties it on close, and the log
stays bounded by SQLite's own checkpoint as a backstop."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from desktop.storage import wal
from desktop.storage.db import open_database

PAGE_ROW = "x" * 3000  # about one 4 KiB page per row


@pytest.fixture
def register(tmp_path: Path):
    db = open_database(tmp_path / "so.sqlite")
    db.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, payload TEXT)")
    yield db
    db.close()


def save(db, rows: int = 1) -> None:
    with db.write():
        db.conn.executemany("INSERT INTO filler(payload) VALUES (?)", [(PAGE_ROW,)] * rows)


def log_frames(path: Path) -> int:
    """Frames in the log, read by a PASSIVE checkpoint on another connection (which copies them
    back but leaves the log as long as it is until the next writer restarts it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return wal.checkpoint(conn)[1]
    finally:
        conn.close()


def test_default_connection_checkpoints_inside_a_save(register):
    for _ in range(30):
        save(register, 50)  # 1,500 pages: SQLite's automatic checkpoint ran in one of these saves
    assert log_frames(register.path) < 1000


def test_deferring_connection_leaves_the_log_to_the_checkpointer(register):
    wal.defer(register.conn)
    for _ in range(30):
        save(register, 50)
    assert log_frames(register.path) >= 1500  # no save copied the log back


def test_backstop_bounds_the_log(register):
    wal.defer(register.conn, backstop_pages=200)
    for _ in range(30):
        save(register, 50)
    assert log_frames(register.path) < 400


def test_checkpointer_waits_for_quiet_then_copies_back(register):
    wal.defer(register.conn)
    cp = wal.Checkpointer(register.path, idle_seconds=1.0, busy_seconds=10.0)
    try:
        assert cp.run_once(0.0) is False          # first look: nothing new
        save(register, 20)
        assert cp.run_once(10.0) is False         # a commit just now: the clerk may save again
        assert cp.run_once(10.5) is False
        assert cp.run_once(11.2) is True          # quiet for a second: copied back
        busy, frames, copied = cp.last_result
        assert busy == 0 and frames == copied >= 20
        assert cp.run_once(20.0) is False         # nothing new since
        save(register, 1)
        frames_after = log_frames(register.path)
        assert frames_after < 10                  # the next save found the log copied and started it over
    finally:
        cp.close()


def test_checkpointer_copies_back_while_saves_keep_coming(register):
    wal.defer(register.conn)
    cp = wal.Checkpointer(register.path, idle_seconds=1.0, busy_seconds=2.0)
    try:
        cp.run_once(0.0)
        ran = []
        for step in range(12):                    # a save every half second for six seconds
            save(register, 5)
            ran.append(cp.run_once(0.5 * (step + 1)))
        assert sum(ran) >= 2                      # never quiet, yet copied back every two seconds
        assert cp.frames_copied >= 30
    finally:
        cp.close()


def test_long_log_is_restarted(register):
    wal.defer(register.conn)
    cp = wal.Checkpointer(register.path, idle_seconds=0.0, restart_frames=100)
    try:
        cp.run_once(0.0)
        save(register, 300)
        assert cp.run_once(1.0) is True
        assert cp.restarts == 1
        save(register, 1)
        assert log_frames(register.path) < 10
    finally:
        cp.close()


def test_slow_passes_catch_up_before_the_restart_takes_the_lock(register, monkeypatch):
    """A RESTART copies under the writer's lock what came in while the PASSIVE ran: passes run
    first while they are slow, at most CATCH_UP_PASSES more, and a log never caught up is left
    for the next look rather than copied under the lock (here: every pass counts as slow)."""
    wal.defer(register.conn)
    cp = wal.Checkpointer(register.path, idle_seconds=0.0, restart_frames=100, merges=False)
    try:
        cp.run_once(0.0)
        save(register, 300)
        monkeypatch.setattr(wal, "CATCH_UP_SECONDS", -1.0)
        assert cp.run_once(1.0) is True
        kinds = [what.split()[1] for _, _, what in cp.recent]
        assert kinds == ["PASSIVE"] * (1 + wal.CATCH_UP_PASSES) and cp.restarts == 0
        monkeypatch.setattr(wal, "CATCH_UP_SECONDS", 60.0)   # a quick pass: straight to the restart
        cp.recent.clear()
        assert cp.run_once(2.0) is True
        assert [what.split()[1] for _, _, what in cp.recent] == ["PASSIVE", "RESTART"] and cp.restarts == 1
        save(register, 1)
        assert log_frames(register.path) < 10
    finally:
        cp.close()


def test_a_save_never_cuts_the_log_file_the_quiet_checkpointer_does(register, monkeypatch):
    """Cutting a long log file back inside the first save after a restart cost that save
    57-88 ms: saves reuse the file from its start, the checkpointer empties it once quiet."""
    monkeypatch.setattr(wal, "SIZE_LIMIT", 64 << 10)
    wal.defer(register.conn)
    cp = wal.Checkpointer(register.path, idle_seconds=1.0, busy_seconds=0.0, restart_frames=100, merges=False)
    wal_file = Path(f"{register.path}-wal")
    try:
        cp.run_once(0.0)
        save(register, 300)
        assert cp.run_once(0.5) is True and cp.restarts == 1     # saves keep coming: restarted, not cut
        big = wal_file.stat().st_size
        save(register, 1)                                        # the first save after the restart
        assert wal_file.stat().st_size == big > wal.SIZE_LIMIT and cp.truncations == 0
        assert cp.run_once(5.0) is True and cp.truncations == 0  # copied back; the save was just seen
        assert cp.run_once(10.0) is True                         # quiet: cut to nothing
        assert cp.truncations == 1 and wal_file.stat().st_size == 0
        assert cp.run_once(15.0) is False                        # and left alone
        assert register.scalar("SELECT count(*) FROM filler") == 301   # nothing lost
    finally:
        cp.close()


def test_close_empties_the_log(register):
    wal.defer(register.conn)
    cp = wal.Checkpointer(register.path)
    cp.start()
    save(register, 100)
    cp.close()
    wal_file = Path(f"{register.path}-wal")
    assert not wal_file.exists() or wal_file.stat().st_size == 0
    assert register.scalar("SELECT count(*) FROM filler") == 100  # nothing lost


def test_thread_ends_with_its_register(tmp_path: Path):
    db = open_database(tmp_path / "so.sqlite")
    cp = wal.Checkpointer(db.path, owner=db, poll_seconds=0.01).start()
    thread = cp._thread
    db.close()
    thread.join(timeout=5)
    assert not thread.is_alive()
    cp.close()


def started_over(db) -> None:
    """The log copied back and started over by a save (creating the register left frames)."""
    log_frames(db.path)
    save(db, 1)


def test_log_frames_reads_the_log_length_without_a_checkpoint(tmp_path: Path, register):
    assert wal.log_frames(tmp_path / "none.sqlite") == 0
    wal.defer(register.conn)
    frames = wal.log_frames(register.path)
    assert frames > 0 and log_frames(register.path) == frames   # what a checkpoint reports
    save(register, 1)                            # all copied: the next save started the log over
    start = wal.log_frames(register.path)
    assert start < 10
    save(register, 40)
    assert wal.log_frames(register.path) >= start + 40


def test_a_long_log_is_copied_back_at_once_while_saves_keep_coming(register):
    """The log's length is read at every look: past restart_frames the checkpointer copies it
    back and restarts it without waiting ``busy_seconds`` (at 1M a burst writes about 9,000
    frames a second; two seconds of it is half the way to the backstop)."""
    wal.defer(register.conn)
    started_over(register)
    cp = wal.Checkpointer(register.path, idle_seconds=1.0, busy_seconds=60.0, restart_frames=100, merges=False)
    try:
        cp.run_once(0.0)
        save(register, 50)
        assert cp.run_once(0.1) is False          # short log, saves coming: not yet
        save(register, 100)
        assert cp.run_once(0.2) is True           # past restart_frames: now, though not quiet
        assert cp.restarts == 1
        save(register, 1)
        assert wal.log_frames(register.path) < 10
    finally:
        cp.close()


def test_no_save_pays_the_backstop_during_a_burst_on_a_slow_disk(register, monkeypatch):
    """SQLite's own checkpoint at the backstop would run inside the save whose commit took the log
    there. A burst of saves with every catch-up pass slow (a disk busy with another program's
    copy): the checkpointer restarts the log past ``force_frames`` anyway, so no commit ever
    leaves the log at the backstop (a commit that does runs SQLite's checkpoint)."""
    backstop = 600
    monkeypatch.setattr(wal, "CATCH_UP_SECONDS", -1.0)   # no pass is ever quick enough
    wal.defer(register.conn, backstop_pages=backstop)
    started_over(register)
    cp = wal.Checkpointer(register.path, idle_seconds=5.0, busy_seconds=60.0, poll_seconds=0.005,
                          restart_frames=100, force_frames=backstop // 2, merges=False).start()
    longest = 0
    try:
        for _ in range(600):                      # about 3,000 frames: five times the backstop
            save(register, 5)
            longest = max(longest, wal.log_frames(register.path))
            time.sleep(0.002)                     # the pace of a burst: a save, the next form's work
    finally:
        cp.close()
    assert longest < backstop, (longest, cp.restarts, cp.checkpoints)
    assert register.scalar("SELECT count(*) FROM filler") == 3001


def test_only_the_checkpointers_own_index_merges_commit_without_an_fsync(register):
    """Saves stay FULL (a save is durable once committed); the checkpointer's connection, whose
    commits are index merge steps only, is NORMAL: a step holds the write lock for its CPU time,
    not for an fsync on a busy disk. Its checkpoints sync as before (SQLite's walSyncFlags)."""
    wal.defer(register.conn)
    cp = wal.Checkpointer(register.path)
    try:
        cp.run_once(0.0)
        assert cp._conn.execute("PRAGMA synchronous").fetchone()[0] == 1
        assert register.scalar("PRAGMA synchronous") == 2
    finally:
        cp.close()


def test_a_saving_connection_keeps_its_statement_journal_in_memory(register):
    """A statement that may fail half-way inside a transaction journals the pages it changes;
    past 64 KiB SQLite moves that journal to a temporary file (at 1M cases: one created, written
    and deleted in every save). A deferring connection keeps it in memory."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("reads the open files from /proc")

    def temporary_files() -> list[str]:
        found = []
        for fd in fds.iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if "etilqs_" in target:   # SQLite's temporary files
                found.append(target)
        return found

    register.execute("CREATE TABLE checked (id INTEGER PRIMARY KEY, payload TEXT CHECK (length(payload) > 0))")
    with register.write():
        register.conn.executemany("INSERT INTO checked(payload) VALUES (?)", [(PAGE_ROW,)] * 100)
    with register.write():   # 100 pages changed by one statement that may fail: 400 KiB journalled
        register.execute("UPDATE checked SET payload = payload || 'y'")
        assert temporary_files()
    wal.defer(register.conn)
    with register.write():
        register.execute("UPDATE checked SET payload = payload || 'z'")
        assert temporary_files() == []
    assert register.scalar("SELECT count(*) FROM checked WHERE payload LIKE '%yz'") == 100
