"""Fixtures for the desktop window: an isolated data folder and QSettings, a declared office,
a session whose clock the test sets (never sleep: move the clock and wait for signals)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

TODAY = date(2026, 3, 2)  # a Monday


@pytest.fixture(autouse=True)
def isolated_folders(tmp_path: Path, monkeypatch):
    """No test touches the user's data folder or QSettings."""
    from PySide6.QtCore import QSettings

    import ui.locations
    from ui import file_dialogs

    file_dialogs.forget()   # no folder chosen in an earlier test is where this test's dialogs open
    data = tmp_path / "data"
    monkeypatch.setattr(ui.locations, "data_dir", lambda: data)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield data


@pytest.fixture
def office(db):
    from desktop.storage.units import save_officer, save_unit

    save_unit(db, code="12345", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    deputy = save_officer(db, full_name="Phạm Thị Lan", title="Phó Chủ tịch", role="deputy")
    clerk = save_officer(db, full_name="Lê Thị Mai", title="Công chức Văn phòng - Thống kê")
    from desktop.security import accounts

    accounts.assume_role(db, "leader", officer_uuid=clerk.uuid)  # the window's user, acting on any case
    return {"db": db, "head": head, "deputy": deputy, "clerk": clerk}


@pytest.fixture
def session(qapp, office):
    from ui.app import create_application
    from ui.session import Session

    create_application()
    s = Session(office["db"], today=TODAY)
    assert s.actor_uuid == office["clerk"].uuid  # the logged-in officer (office logs the clerk in)
    yield s
    s.tasks.wait()
    s.writer.close()   # no save of this test still running into the next one
    s._midnight.stop()
    # The Qt side is freed here, on the GUI thread. Left to the garbage collector it could be freed
    # on the writer's thread, leaving the session's running timer registered with the GUI thread's
    # event loop, which then crashed a later test (QTimerInfoList::activateTimers).
    from shiboken6 import Shiboken

    if Shiboken.isValid(s):
        Shiboken.delete(s)


@pytest.fixture
def window(qtbot, session):
    from ui.main_window import MainWindow

    w = MainWindow(session)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    return w


UI_ADMIN = ("quantri", "sổ của xã Thụy Hùng")  # the administrator a test's new register gets


@pytest.fixture(autouse=True)
def answer_login(request):
    """The login (or the administrator's creation) dialog that opening a register shows, filled as
    a clerk types it. Without a call, a register that has no account yet gets ``UI_ADMIN``;
    ``answer_login(login, password, full_name=None)`` answers the next dialog (a login too).
    Returns the list of dialogs answered (and any refusal shown)."""
    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        yield lambda *a, **k: []
        return
    request.getfixturevalue("qapp")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    answered: list = []
    pending: dict = {}

    def poll() -> None:
        from ui.dialogs.login import AdminDialog, LoginDialog

        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, (AdminDialog, LoginDialog)) or dialog.pending is not None:
            return   # none, or its password is being checked on a worker
        if getattr(dialog, "answered", False):   # it came back refused: say why and give up rather than hang
            answered.append(dialog.errors.general.text() or str(
                {name: dialog.errors.message(name) for name in dialog.errors.fields}))
            dialog.answered = False
            dialog.reject()
            return
        if not pending and isinstance(dialog, AdminDialog):
            pending.update(login=UI_ADMIN[0], password=UI_ADMIN[1], full_name=None)
        if not pending:
            return
        if isinstance(dialog, AdminDialog):
            dialog.full_name.setText(pending["full_name"] or "Người Quản Trị")
            dialog.confirm.setText(pending["password"])
        dialog.login.setText(pending["login"])
        dialog.password.setText(pending["password"])
        answered.append(type(dialog).__name__)
        pending.clear()
        dialog.answered = True
        dialog.submit()   # checked on a worker (ui/dialogs/login.py): the next polls see how it ended

    timer = QTimer(interval=20)
    timer.timeout.connect(poll)
    timer.start()

    def arm(login: str, password: str, full_name: str | None = None) -> list:
        pending.update(login=login, password=password, full_name=full_name)
        return answered

    yield arm
    timer.stop()


@pytest.fixture
def ticks():
    """A timer of the window's own: it ticks only while the GUI thread processes events. Stopped
    and freed here, on the GUI thread (a timer freed by the garbage collector on a worker thread
    stays registered with the GUI thread's event loop and crashes it later)."""
    from PySide6.QtCore import QTimer

    counted: list = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: counted.append(1))
    timer.start()
    yield counted
    timer.stop()
    del timer
