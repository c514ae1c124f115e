"""An older register is upgraded on a worker, with a progress dialog, before the window opens."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from desktop.storage.migrations import NAMES
from desktop.storage.db import open_database, pending_upgrade

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_pending_upgrade_reads_without_changing(tmp_path):
    assert pending_upgrade(tmp_path / "none.sqlite") == []
    fresh = tmp_path / "fresh.sqlite"
    open_database(fresh).close()
    assert pending_upgrade(fresh) == []
    old = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "register-0004.sqlite", old)
    before = old.read_bytes()
    from desktop.storage.migrations import NAMES

    assert pending_upgrade(old) == list(NAMES[NAMES.index("0005_leaner_index"):])  # every one after 0004
    assert old.read_bytes() == before and not Path(f"{old}-wal").exists()


def test_an_older_register_is_upgraded_on_a_worker_then_opened(qapp, tmp_path, monkeypatch, answer_login):
    from ui import opening

    path = tmp_path / "so.sqlite"
    shutil.copy(FIXTURES / "register-0004.sqlite", path)
    seen: list[tuple[str, bool]] = []
    wait_for_worker = opening._wait_for_worker

    def spy(work, title, parent):
        def on_worker():
            seen.append((title, threading.current_thread() is not threading.main_thread()))
            work()
        wait_for_worker(on_worker, title, parent)

    monkeypatch.setattr(opening, "_wait_for_worker", spy)
    answered = answer_login("quantri", "sổ của xã đã nâng cấp")  # the upgraded register has no account yet
    session = opening.open_register_interactive(path)
    try:
        assert session is not None and answered == ["AdminDialog"] and session.db.principal.role == "admin"
        assert seen == [("Đang nâng cấp sổ lên phiên bản mới (đã sao lưu bản cũ; sổ lớn có thể mất vài phút)…", True)]
        assert pending_upgrade(path) == []
        assert session.db.scalar("SELECT number FROM cases") == "01/2026"
        assert len(list((tmp_path / "backups").glob("so-*-before-0005_leaner_index.sqlite"))) == 1
    finally:
        session.close()
    seen.clear()
    answer_login("quantri", "sổ của xã đã nâng cấp")
    session = opening.open_register_interactive(path)  # up to date: opened directly, then the login
    session.close()
    assert seen == []
