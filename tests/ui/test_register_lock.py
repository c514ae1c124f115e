"""A register open in another window or on another computer gets a clear message, not corruption.

The lock is an operating-system lock held for the session by a real second process: it holds
while that process runs, is free the moment it dies (however it dies), and a process id written
in the file — reused by another program after a restart — never locks the clerk out.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ui.lock import RegisterLock, RegisterLocked, process_started

ROOT = Path(__file__).resolve().parents[2]

HOLDER = (
    "import sys\n"
    "from ui.lock import RegisterLock\n"
    "lock = RegisterLock(sys.argv[1]); lock.acquire()\n"
    "print('held', flush=True)\n"
    "sys.stdin.read()\n"          # holds until the test closes stdin or kills it
    "lock.release()\n"
)


class Holder:
    """Another window: a separate process holding the register's lock."""

    def __init__(self, register: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(register)], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        assert self.proc.stdout.readline().strip() == "held"

    def crash(self) -> None:
        self.proc.kill()   # no clean-up: the lock file keeps its holder's name
        self.proc.wait()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _write(lock: RegisterLock, host: str, pid: int) -> None:
    lock.path.write_text(json.dumps({"host": host, "pid": pid, "user": "mai", "since": "2026-03-02T08:15:00"}))


def test_lock_is_taken_and_released(tmp_path):
    lock = RegisterLock(tmp_path / "so.sqlite")
    lock.acquire()
    owner = lock.read_owner()
    assert lock.path.exists() and owner.pid == os.getpid() and owner.host == socket.gethostname()
    assert owner.started and owner.started == process_started()
    lock.release()
    assert not lock.path.exists()


def test_a_second_process_cannot_take_the_lock_while_the_first_holds_it(tmp_path):
    register = tmp_path / "so.sqlite"
    holder = Holder(register)
    try:
        with pytest.raises(RegisterLocked) as info:
            RegisterLock(register).acquire()
        assert info.value.same_host and not info.value.breakable
        assert info.value.owner.pid == holder.proc.pid
        assert "cửa sổ Sổ Giải trình khác" in info.value.message
        with pytest.raises(RegisterLocked):
            RegisterLock(register).acquire(take_over=True)   # a running holder's lock is never broken
    finally:
        holder.close()
    lock = RegisterLock(register)
    lock.acquire()   # released cleanly: free again
    lock.release()


def test_a_crashed_holders_lock_is_taken_over(tmp_path):
    register = tmp_path / "so.sqlite"
    holder = Holder(register)
    pid = holder.proc.pid
    holder.crash()
    lock = RegisterLock(register)
    assert lock.read_owner().pid == pid   # the dead window's name is still on the file
    lock.acquire()
    assert lock.read_owner().pid == os.getpid()
    lock.release()


def test_a_reused_pid_does_not_lock_the_clerk_out(tmp_path):
    # After a power cut the file names a process id that now belongs to another running program.
    other_program = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock = RegisterLock(tmp_path / "so.sqlite")
        _write(lock, socket.gethostname(), other_program.pid)
        lock.acquire()
        assert lock.read_owner().pid == os.getpid()
        lock.release()
    finally:
        other_program.kill()
        other_program.wait()


def test_another_computers_lock_names_it_and_can_be_broken(tmp_path):
    lock = RegisterLock(tmp_path / "so.sqlite")
    _write(lock, "MAY-TIEP-DAN", 4242)
    with pytest.raises(RegisterLocked) as info:
        lock.acquire()
    assert not info.value.same_host and info.value.breakable
    assert "MAY-TIEP-DAN" in info.value.message and "08:15 ngày 02/03/2026" in info.value.message
    lock.break_lock()
    assert lock.read_owner().host == socket.gethostname()
    lock.release()


def test_a_lock_file_another_program_holds_open_is_left_empty_not_an_error(tmp_path):
    lock = RegisterLock(tmp_path / "so.sqlite")
    lock.acquire()
    with open(lock.path, "rb"):   # on Windows this makes the removal fail; it must not reach the clerk
        lock.release()
    assert not lock.path.exists() or lock.path.read_bytes() == b""
    again = RegisterLock(tmp_path / "so.sqlite")
    again.acquire()
    again.release()


def test_opening_a_register_open_in_another_window_shows_the_message(qapp, tmp_path, monkeypatch):
    from ui import opening

    shown = []
    monkeypatch.setattr(opening, "show_user_error", lambda parent, exc: shown.append(exc.message))
    path = tmp_path / "so.sqlite"
    holder = Holder(path)
    try:
        assert opening.open_register_interactive(path) is None
    finally:
        holder.close()
    assert shown and "đang được mở" in shown[0]


def test_the_window_asks_before_breaking_another_computers_lock(qapp, tmp_path, answer_login):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.storage.db import open_database
    from desktop.storage.units import save_unit
    from ui import opening

    path = tmp_path / "so.sqlite"
    db = open_database(path)
    save_unit(db, code="12345", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    db.close()
    _write(RegisterLock(path), "MAY-TIEP-DAN", 4242)
    asked: list[str] = []

    def answer(label: str) -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, lambda: answer(label))
            return
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == label).click()

    QTimer.singleShot(0, lambda: answer("Thoát"))
    assert opening.open_register_interactive(path) is None
    assert "MAY-TIEP-DAN" in asked[0] and RegisterLock(path).read_owner().host == "MAY-TIEP-DAN"   # untouched
    QTimer.singleShot(0, lambda: answer("Gỡ khóa và mở sổ"))
    answer_login("quantri", "sổ của xã Thụy Hùng")  # then the first administrator is made
    session = opening.open_register_interactive(path)
    try:
        assert session is not None and RegisterLock(path).read_owner().host == socket.gethostname()
    finally:
        session.close()
    assert len(asked) == 2
