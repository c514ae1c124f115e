"""Opening a register from the window: lock, open, first-run wizard or the sample register."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.errors import UserError
from desktop.storage.db import Database, open_database, pending_upgrade
from desktop.storage.units import has_local_unit
from ui.errors import TITLE, show_user_error
from ui.lock import RegisterLock, RegisterLocked
from ui.locations import data_dir, default_register_path
from ui.session import Session
from ui.settings import WindowState

log = logging.getLogger(__name__)

SAMPLE_NAME = "so-mau.sqlite"


def lock_register(path: Path, parent: QWidget | None = None) -> RegisterLock | None:
    """Take the register's lock, asking before breaking one left by another computer."""
    lock = RegisterLock(path)
    try:
        lock.acquire()
        return lock
    except RegisterLocked as exc:
        if exc.same_host:
            show_user_error(parent, exc)
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, TITLE, exc.message, QMessageBox.StandardButton.NoButton, parent)
        unlock = box.addButton("Gỡ khóa và mở sổ", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Thoát", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is not unlock:
            return None
        lock.break_lock()
        try:
            lock.acquire()
        except UserError as again:
            show_user_error(parent, again)
            return None
        return lock


def build_sample(db: Database, today: date | None = None) -> None:
    """Fill a fresh register with the sample data (the core's demo builder)."""
    try:
        from desktop.workflow.demo import build_demo
    except ImportError as exc:  # the demo module has not landed in this build
        raise UserError("no_sample", "Bản cài đặt này chưa có sổ mẫu.") from exc
    build_demo(db, today=today)


def _wait_for_worker(work, title: str, parent: QWidget | None) -> None:
    """Run ``work`` on a worker while a progress dialog shows and the window's thread keeps
    painting; return when it is done. Raises what the worker raised."""
    from PySide6.QtCore import QEventLoop

    from ui.tasks import TaskRunner

    runner = TaskRunner()
    loop = QEventLoop()
    outcome: dict[str, BaseException | bool] = {}

    def finish(key: str, value) -> None:
        outcome[key] = value
        loop.quit()

    runner.run(lambda _state: work(), title=title, parent=parent, cancellable=False,
               on_done=lambda _r: finish("ok", True), on_error=lambda e: finish("error", e))
    if not outcome:
        loop.exec()
    runner.pool.waitForDone()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]


def build_sample_in_background(path: Path, today: date | None, parent: QWidget | None = None) -> None:
    """Build the sample on a worker (its own connection) while a progress dialog shows."""

    def work() -> None:
        db = open_database(path)
        try:
            if not has_local_unit(db):
                build_sample(db, today)
        finally:
            db.close()

    _wait_for_worker(work, "Đang tạo sổ mẫu (khoảng vài giây)…", parent)


def upgrade_in_background(path: Path, parent: QWidget | None = None) -> None:
    """Bring an older register up to this version on a worker (backup, migrations, compaction)
    while a progress dialog says so: a province's register of a million cases takes minutes."""
    _wait_for_worker(lambda: open_database(path).close(),
                     "Đang nâng cấp sổ lên phiên bản mới (đã sao lưu bản cũ; sổ lớn có thể mất vài phút)…", parent)


def open_sample(today: date | None = None, parent: QWidget | None = None) -> Session | None:
    path = data_dir() / SAMPLE_NAME
    lock = lock_register(path, parent)
    if lock is None:
        return None
    try:
        build_sample_in_background(path, today, parent)
        db = open_database(path)
    except UserError as exc:
        lock.release()
        show_user_error(parent, exc)
        return None
    from desktop.workflow.demo import DEMO_LOGINS, DEMO_PASSWORD

    if not sign_in(db, parent, hint=f"Sổ mẫu: đăng nhập bằng {', '.join(DEMO_LOGINS)} — mật khẩu {DEMO_PASSWORD}."):
        db.close()
        lock.release()
        return None
    return Session(db, lock=lock, today=today)


def sign_in(db: Database, parent: QWidget | None = None, *, hint: str = "") -> bool:
    """The login (or, for a register without any account, the administrator's creation)."""
    from ui.dialogs.login import sign_in as dialog_sign_in

    return dialog_sign_in(db, parent, hint=hint)


def open_register_interactive(path: Path | None, *, today: date | None = None,
                              parent: QWidget | None = None) -> Session | None:
    """Open ``path`` (default: the last register, else the default one); None if the clerk gave up."""
    state = WindowState()
    if path is None:
        last = state[WindowState.last_register]
        path = Path(last) if last and Path(last).exists() else default_register_path()
    lock = lock_register(path, parent)
    if lock is None:
        return None
    try:
        if pending_upgrade(path):
            upgrade_in_background(path, parent)
        db = open_database(path)
    except UserError as exc:
        lock.release()
        show_user_error(parent, exc)
        return None
    if not has_local_unit(db):
        from ui.dialogs.wizard import SetupWizard

        wizard = SetupWizard(db, parent)
        accepted = wizard.exec()
        if not accepted:
            db.close()
            lock.release()
            return None
        if wizard.sample_requested:
            db.close()
            lock.release()
            return open_sample(today, parent)
    if not sign_in(db, parent):
        db.close()
        lock.release()
        return None
    state[WindowState.last_register] = str(path)
    log.info("register opened: %s", path)
    return Session(db, lock=lock, today=today)
