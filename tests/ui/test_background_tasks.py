"""Long work runs off the UI thread; results, errors and cancellation come back by signal."""

from __future__ import annotations

import threading

from desktop.errors import UserError
from ui.tasks import Cancelled, TaskRunner


def test_result_arrives_on_the_gui_thread(qtbot, qapp):
    runner = TaskRunner()
    seen = {}

    def work(state):
        seen["thread"] = threading.get_ident()
        state.progress(1, 2, "nửa chừng")
        return 42

    task = runner.run(work, on_done=lambda r: seen.setdefault("result", (r, threading.get_ident())))
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert seen["result"] == (42, threading.get_ident()) and seen["thread"] != threading.get_ident()
    assert task.dialog is None  # under half a second: no progress dialog
    assert runner.wait()


def test_user_error_is_delivered_not_raised(qtbot, qapp):
    runner = TaskRunner()
    errors = []

    def work(state):
        raise UserError("disk_full", "Ổ đĩa đã đầy")

    task = runner.run(work, on_error=errors.append)
    with qtbot.waitSignal(task.error, timeout=5000):
        pass
    assert errors[0].message == "Ổ đĩa đã đầy"


def test_cancel_stops_the_worker_and_progress_dialog_appears_for_long_work(qtbot, qapp):
    runner = TaskRunner()
    started, release = threading.Event(), threading.Event()

    def work(state):
        started.set()
        while not state.cancelled:
            release.wait(0.01)
        state.check()

    task = runner.run(work, title="Đang xuất dữ liệu…", on_error=lambda e: None)
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.isVisible(), timeout=3000)
    assert task.dialog.labelText() == "Đang xuất dữ liệu…"
    from PySide6.QtWidgets import QPushButton

    cancel = task.dialog.findChild(QPushButton)
    assert cancel.text() == "Hủy"
    with qtbot.waitSignal(task.error, timeout=5000) as blocker:
        cancel.click()
    assert isinstance(blocker.args[0], Cancelled)
    assert task.dialog is None
    assert runner.wait(5000)


def test_backup_runs_in_the_background(qtbot, session, tmp_path):
    from ui.views.settings_backup import BACKUP_KEY, BackupSettings

    session.db.set_setting(BACKUP_KEY, str(tmp_path / "sao-luu"))
    view = BackupSettings(session)
    qtbot.addWidget(view)
    task = view.backup_now()
    with qtbot.waitSignal(task.done, timeout=10000):
        pass
    copies = list((tmp_path / "sao-luu").glob("*.sqlite"))
    assert len(copies) == 1 and "Đã sao lưu" in view.status.text()
