"""A register open in another window or on another computer gets a clear message, not corruption."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from ui.lock import RegisterLock, RegisterLocked


def _write(lock: RegisterLock, host: str, pid: int) -> None:
    lock.path.write_text(json.dumps({"host": host, "pid": pid, "user": "mai", "since": "2026-03-02T08:15:00"}))


def test_lock_is_taken_and_released(tmp_path):
    lock = RegisterLock(tmp_path / "so.sqlite")
    lock.acquire()
    assert lock.path.exists() and lock.read_owner().pid == os.getpid()
    lock.release()
    assert not lock.path.exists()


def test_another_window_on_this_computer(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock = RegisterLock(tmp_path / "so.sqlite")
        _write(lock, socket.gethostname(), child.pid)
        with pytest.raises(RegisterLocked) as info:
            lock.acquire()
        assert info.value.same_host
        assert "cửa sổ Sổ Giải trình khác" in info.value.message
    finally:
        child.kill()
        child.wait()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    lock = RegisterLock(tmp_path / "so.sqlite")
    _write(lock, socket.gethostname(), child.pid)
    lock.acquire()
    assert lock.read_owner().pid == os.getpid()


def test_another_computer_names_it_and_can_be_broken(tmp_path):
    lock = RegisterLock(tmp_path / "so.sqlite")
    _write(lock, "MAY-TIEP-DAN", 4242)
    with pytest.raises(RegisterLocked) as info:
        lock.acquire()
    assert not info.value.same_host
    assert "MAY-TIEP-DAN" in info.value.message and "08:15 ngày 02/03/2026" in info.value.message
    lock.break_lock()
    lock.acquire()
    assert lock.read_owner().host == socket.gethostname()


def test_opening_a_locked_register_in_the_window_shows_the_message(qapp, tmp_path, monkeypatch):
    from ui import opening

    shown = []
    monkeypatch.setattr(opening, "show_user_error", lambda parent, exc: shown.append(exc.message))
    path = tmp_path / "so.sqlite"
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        _write(RegisterLock(path), socket.gethostname(), child.pid)
        assert opening.open_register_interactive(path) is None
    finally:
        child.kill()
        child.wait()
    assert shown and "đang được mở" in shown[0]
