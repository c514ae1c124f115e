"""Opening a register from the window: lock, open, first-run wizard or the sample register."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop.errors import UserError
from desktop.storage import folders
from desktop.storage.db import Database, open_database, pending_upgrade
from desktop.storage.units import has_local_unit
from ui.errors import TITLE, show_user_error
from ui.lock import RegisterLock, RegisterLocked
from ui import locations
from ui.session import Session
from ui.settings import WindowState

log = logging.getLogger(__name__)

SAMPLE_NAME = "so-mau.sqlite"


def lock_register(path: Path, parent: QWidget | None = None) -> RegisterLock | None:
    """Take the register's lock, asking before breaking one another computer left (no process holds it)."""
    lock = RegisterLock(path)
    try:
        lock.acquire()
        return lock
    except RegisterLocked as exc:
        if not exc.breakable:  # a running window (here or elsewhere) holds it: never broken
            show_user_error(parent, exc)
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, TITLE, exc.message, QMessageBox.StandardButton.NoButton, parent)
        unlock = box.addButton("Gỡ khóa và mở sổ", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Thoát", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is not unlock:
            return None
        try:
            lock.break_lock()
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
    path = locations.data_dir() / SAMPLE_NAME
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


# -- which register: the last one, asked about when it is gone; the shared folder; a temporary profile --
RETRY, CHOOSE, DEFAULT = "retry", "choose", "default"


def ask_missing_register(last: Path, default: Path, parent: QWidget | None = None) -> str | None:
    """The last register is not where it was (a USB stick back under another letter, a mapped
    drive offline): ask, never silently open or create another. RETRY, CHOOSE, DEFAULT or None."""
    box = QMessageBox(QMessageBox.Icon.Warning, TITLE,
                      f"Không tìm thấy sổ đã mở lần trước:\n{last}\n\n"
                      "Nếu sổ nằm trên ổ USB hoặc ổ mạng, hãy cắm lại ổ hoặc kết nối lại mạng rồi bấm "
                      "“Thử lại” (ổ USB cắm lại có thể mang chữ ổ đĩa khác: khi đó chọn tệp sổ).",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    buttons = {
        box.addButton("Thử lại", QMessageBox.ButtonRole.AcceptRole): RETRY,
        box.addButton("Chọn tệp sổ…", QMessageBox.ButtonRole.ActionRole): CHOOSE,
        box.addButton("Mở sổ mặc định" if default.exists() else "Tạo sổ mới", QMessageBox.ButtonRole.ActionRole): DEFAULT,
    }
    box.addButton("Thoát", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return buttons.get(box.clickedButton())


def offer_shared_folder(parent: QWidget | None = None, env=None, platform=None, shared: Path | None = None) -> bool:
    """First run on a Windows PC with the user's own folder: offer the computer's shared folder,
    so every Windows account of the office finds the same register (the app's own accounts
    decide who acts). True when the machine setting now names the shared folder."""
    shared = shared or folders.shared_data_dir(env, platform)
    box = QMessageBox(QMessageBox.Icon.Question, TITLE,
                      "Máy tính này có thể có nhiều tài khoản Windows. Nên đặt sổ của đơn vị trong thư mục "
                      f"dùng chung của máy:\n{shared}\n"
                      "để mọi người dùng máy cùng mở một sổ; ai được làm gì do tài khoản của Sổ Giải trình "
                      "quyết định.\n\n"
                      "Nếu đặt trong thư mục riêng của tài khoản này, người dùng khác sẽ không thấy sổ.",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    shared_button = box.addButton("Dùng thư mục chung (nên chọn)", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Chỉ cho tài khoản này", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not shared_button:
        return False
    try:
        folders.choose_machine_data_dir(shared, env, platform)
    except UserError as exc:
        show_user_error(parent, exc)
        return False
    return True


def warn_temporary_profile(path: Path, parent: QWidget | None = None, env=None, platform=None) -> bool:
    """Windows signed the user in with a temporary profile and the register sits in it: say so
    (all of it is deleted at sign-out). True when warned."""
    if not (folders.temporary_profile(env, platform) and folders.inside_profile(path, env, platform)):
        return False
    box = QMessageBox(QMessageBox.Icon.Warning, TITLE,
                      "Windows đang cho tài khoản này dùng hồ sơ tạm thời: mọi thứ lưu trong hồ sơ sẽ bị xóa "
                      f"khi đăng xuất, kể cả sổ tại\n{path}\n\n"
                      "Không nên ghi sổ lúc này. Hãy đăng xuất rồi đăng nhập lại, hoặc nhờ người quản trị máy "
                      "sửa hồ sơ người dùng và đặt sổ trong thư mục dùng chung của máy.",
                      QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
    return True


def start_register(state: WindowState, parent: QWidget | None = None) -> Path | None:
    """The register to open when none is named: the last one (asked about when it is gone),
    else the default one (on a first run on Windows, after offering the shared folder)."""
    last = state[WindowState.last_register]
    default = locations.default_register_path()
    while last and not Path(last).exists():
        choice = ask_missing_register(Path(last), default, parent)
        if choice == RETRY:
            continue
        if choice == CHOOSE:
            name, _ = QFileDialog.getOpenFileName(parent, "Chọn tệp sổ", str(Path(last).parent),
                                                  "Sổ Giải trình (*.sqlite);;Mọi tệp (*)")
            if name:
                return Path(name)
            continue
        if choice == DEFAULT:
            return default
        return None
    if last:
        return Path(last)
    if sys.platform == "win32" and not default.exists() and not folders.uses_shared_folder():
        if offer_shared_folder(parent):  # pragma: no cover - Windows only
            return locations.default_register_path()
    return default


def sign_in(db: Database, parent: QWidget | None = None, *, hint: str = "") -> bool:
    """The login (or, for a register without any account, the administrator's creation)."""
    from ui.dialogs.login import sign_in as dialog_sign_in

    return dialog_sign_in(db, parent, hint=hint)


def open_register_interactive(path: Path | None, *, today: date | None = None,
                              parent: QWidget | None = None) -> Session | None:
    """Open ``path`` (default: the last register, else the default one); None if the clerk gave up."""
    state = WindowState()
    if path is None:
        path = start_register(state, parent)
        if path is None:
            return None
    warn_temporary_profile(path, parent)
    lock = lock_register(path, parent)
    if lock is None:
        return None
    try:
        from ui.views.settings_backup import apply_pending_restore

        restored = apply_pending_restore(path)  # a restore chosen in the settings, done before opening
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
    if db.principal is None and not sign_in(db, parent):  # the wizard logged its administrator in
        db.close()
        lock.release()
        return None
    state[WindowState.last_register] = str(path)
    log.info("register opened: %s", path)
    if restored is not None:
        tell_restored(restored, parent)
    return Session(db, lock=lock, today=today)


def tell_restored(chosen: Path, parent: QWidget | None = None) -> None:
    """Say, once, that the register just opened is the backup chosen before the restart (it was
    written only to the log, so the clerk could not tell the restore had happened)."""
    QMessageBox.information(
        parent, "Đã khôi phục sổ",
        f"Sổ đã được khôi phục từ bản sao lưu “{chosen.name}”.\n"
        "Những gì ghi vào sổ sau thời điểm sao lưu đó không còn trong sổ; bản sao của sổ ngay trước "
        "khi khôi phục được giữ trong thư mục sao lưu.")
