"""Settings: the backup folder, "Sao lưu ngay", the list of backups and "Khôi phục".

Backups go through ``desktop.storage.backup`` (written, checked, then named; rotated by days,
weeks and months), off the UI thread. They are also made automatically: once a day while the
window is open (``schedule_daily``) and when it closes (``backup_on_close``), unless the register
has not changed since its newest backup (``backup.unchanged_since``). The backup on close runs off
the UI thread too: at a province's size (a million cases) it takes minutes, and the window stays
painted behind "Đang sao lưu sổ trước khi đóng…" instead of freezing (issue #20).

Every backup is encrypted to the register's sealing key (``desktop.security.backups``), whoever is
logged in when it is made.

Restoring replaces the register file, which the open window holds: a leader or the administrator
picks a backup and types his or her password again (``ui.dialogs.restore_dialog``); the backup is
decrypted and checked at once into a clear copy beside the register, and the restore itself is
done by the next start, before the register is opened (``apply_pending_restore``); the current
register is backed up (encrypted) first.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from desktop.errors import UserError
from desktop.storage import backup
from ui import file_dialogs
from ui.dialogs.guarded import OnWriter
from ui.locations import default_backup_dir
from ui.session import Session
from ui.tasks import TaskState

log = logging.getLogger(__name__)

BACKUP_KEY = "backup_folder"
RESTORE_SUFFIX = ".khoi-phuc"  # beside the register: the backup the next start restores


def backup_folder(session: Session) -> Path:
    return Path(session.db.get_setting(BACKUP_KEY) or default_backup_dir())


def run_backup(db_path: Path, folder: Path, state: TaskState | None = None, reason: str = "manual",
               *, if_changed: bool = False) -> Path | None:
    """Worker: copy the register with its own connection (one connection per thread), check the
    copy, rotate the folder. ``if_changed`` (the automatic backups): None, and nothing written,
    when the register has not changed since its newest backup."""
    from desktop.storage.db import connect

    if state is not None:
        state.progress(0, 0, "Đang sao lưu sổ…")
    conn = connect(db_path)
    try:
        if if_changed:
            same = backup.unchanged_since(conn, db_path, folder)
            if same is not None:
                log.info("register unchanged since backup %s: no %s backup", same.name, reason)
                return None
        target = backup.make_backup(conn, db_path, folder, reason=reason)
    finally:
        conn.close()
    backup.rotate(folder, db_path.stem)
    return target


def backup_on_close(session: Session, parent: QWidget | None = None) -> Path | None:
    """The backup made when the window closes, off the UI thread: the window stays painted and, after
    half a second, says what it waits for. A failure is logged, never blocks closing."""
    if str(session.path) == ":memory:":
        return None
    outcome: dict[str, object] = {}
    loop = QEventLoop()

    def done(result: object) -> None:
        outcome["path"] = result
        loop.quit()

    def failed(exc: BaseException) -> None:
        log.warning("backup on close failed: %s", exc)
        loop.quit()

    folder, path = backup_folder(session), session.path  # read here: the worker has its own connection
    task = session.tasks.run(lambda state: run_backup(path, folder, state, "close", if_changed=True),
                             title="Đang sao lưu sổ trước khi đóng chương trình…", on_done=done, on_error=failed,
                             parent=parent, cancellable=False)
    if not task.finished:
        loop.exec()
    if not task.finished:  # the application is already leaving its event loop: wait in place
        session.tasks.pool.waitForDone(-1)
    path = outcome.get("path")
    return path if isinstance(path, Path) else None


def schedule_daily(session: Session) -> QTimer:
    """Make the day's backup when none was made today (checked now and every hour); none when the
    register has not changed since its newest backup."""
    def check() -> None:
        folder = backup_folder(session)
        if str(session.path) == ":memory:" or not backup.due_today(folder, session.path.stem):
            return
        session.tasks.run(lambda state: run_backup(session.path, folder, state, "daily", if_changed=True),
                          title="Đang sao lưu sổ hằng ngày…", show_progress=False, cancellable=False,
                          on_error=lambda exc: log.warning("daily backup failed: %s", exc))

    timer = QTimer(session, interval=3_600_000)
    timer.timeout.connect(check)
    timer.start()
    QTimer.singleShot(0, check)
    return timer


def schedule_restore(register: Path, staged: Path, chosen: Path) -> Path:
    """Leave a note for the next start: restore the checked clear copy ``staged`` of ``chosen``."""
    marker = register.with_name(register.name + RESTORE_SUFFIX)
    marker.write_text(f"{staged}\n{chosen}\n", encoding="utf-8")
    return marker


def apply_pending_restore(register: Path) -> Path | None:
    """At start, before the register is opened: restore the backup chosen in the window (already
    decrypted and checked into a clear copy); return the backup chosen."""
    marker = register.with_name(register.name + RESTORE_SUFFIX)
    if not marker.exists():
        return None
    lines = marker.read_text(encoding="utf-8").split("\n")
    staged = Path(lines[0].strip())
    chosen = Path(lines[1].strip()) if len(lines) > 1 and lines[1].strip() else staged
    try:
        backup.restore(staged, register, folder=chosen.parent)
    finally:
        marker.unlink(missing_ok=True)
        if staged != chosen:
            staged.unlink(missing_ok=True)  # the clear copy lives only until the restore
    log.info("register restored at start from %s", chosen)
    return chosen


class BackupSettings(QWidget, OnWriter):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.folder = QLineEdit(readOnly=True)
        choose = self.choose_button = QPushButton("Chọn thư mục…")
        choose.clicked.connect(self.choose)
        self.now = QPushButton("Sao lưu ngay")
        self.now.clicked.connect(self.backup_now)
        self.status = QLabel()
        self.status.setWordWrap(True)
        box = QGroupBox("Sao lưu")
        form = QFormLayout(box)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.saving_label())   # "Đang lưu…" if noting the folder outlasts 150 ms
        row.addWidget(choose)
        form.addRow("Thư mục sao lưu:", row)
        form.addRow("", self.now)
        form.addRow("", self.status)
        self.list = QListWidget()
        self.restore_button = QPushButton("Khôi phục bản đã chọn…")
        self.restore_button.clicked.connect(self.restore_selected)
        from desktop.security.principal import may

        self._may_restore = may(session.db, "backup.restore")
        self.now.setEnabled(may(session.db, "backup.make"))
        if not self._may_restore:
            self.restore_button.setToolTip("Chỉ lãnh đạo và quản trị hệ thống được khôi phục sổ.")
        self.list.currentItemChanged.connect(lambda *_: self.restore_button.setEnabled(
            self.list.currentItem() is not None and self._may_restore))
        listed = QGroupBox("Các bản sao lưu (tự động khi đóng chương trình và mỗi ngày; giữ 7 ngày, 5 tuần, 12 tháng)")
        lay_list = QVBoxLayout(listed)
        lay_list.addWidget(self.list)
        lay_list.addWidget(self.restore_button, 0, Qt.AlignmentFlag.AlignLeft)
        hint = QLabel("Nên chọn thư mục trên ổ đĩa khác hoặc ổ USB rồi cất ổ USB đi. Bản sao lưu được mã hóa bằng "
                      "khóa của sổ: chỉ lãnh đạo và quản trị hệ thống mở được. Không mở sổ trực tiếp từ ổ USB hay "
                      "thư mục mạng.")
        hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(box)
        lay.addWidget(listed, 1)
        lay.addWidget(hint)
        self.reload()

    def reload(self) -> None:
        folder = backup_folder(self.session)
        self.folder.setText(str(folder))
        self.list.clear()
        for b in backup.list_backups(folder, self.session.path.stem):
            item = QListWidgetItem(b.label)
            item.setData(Qt.ItemDataRole.UserRole, str(b.path))
            self.list.addItem(item)
        self.restore_button.setEnabled(self.list.currentItem() is not None and self._may_restore)

    def choose(self) -> None:
        path = file_dialogs.folder(self, "Chọn thư mục sao lưu", "backups", self.folder.text())
        if path:
            self.set_folder(path)

    def set_folder(self, path: str) -> bool:
        """The backup folder noted in the register, on the session's writer; the page shows it after."""
        from ui.errors import report

        return self.save_on_writer(lambda db: db.set_setting(BACKUP_KEY, path), done=lambda _r: self.reload(),
                                   refused=lambda exc: report(self, exc), button=self.choose_button, changes=False)

    def backup_now(self):
        db_path, folder = self.session.path, backup_folder(self.session)
        self.now.setEnabled(False)
        self.status.setText("Đang sao lưu…")

        def done(target: Path) -> None:
            self.now.setEnabled(True)
            self.status.setText(f"Đã sao lưu và kiểm tra lúc {datetime.now():%H:%M %d/%m/%Y} vào {target}")
            self.reload()

        def failed(exc: BaseException) -> None:
            from ui.errors import report

            self.now.setEnabled(True)
            self.status.setText("Sao lưu không thành công.")
            report(self, exc)

        session = self.session

        def work(state: TaskState) -> Path:
            from desktop.security.backups import make_now

            state.progress(0, 0, "Đang sao lưu sổ…")
            db = session.worker_database()   # the logged-in person asks for it (backup.make)
            try:
                target = make_now(db, folder)
            finally:
                db.close()
            backup.rotate(folder, db_path.stem)
            return target

        return self.session.tasks.run(work, title="Đang sao lưu sổ…", on_done=done, on_error=failed, parent=self)

    def restore_selected(self):
        """Open the restore dialog for the chosen backup (password typed again); returns it."""
        from ui.dialogs.restore_dialog import RestoreDialog

        item = self.list.currentItem()
        if item is None:
            return None
        chosen = Path(item.data(Qt.ItemDataRole.UserRole))
        info = next((b for b in backup.list_backups(chosen.parent, self.session.path.stem) if b.path == chosen), None)
        if info is None:
            self.reload()
            return None
        dialog = RestoreDialog(self.session, info, self)
        dialog.staged.connect(lambda _p: self.status.setText(
            f"Đã kiểm tra và chọn khôi phục từ {chosen.name}. Hãy đóng chương trình rồi mở lại để khôi phục."))
        self.restore_dialog = dialog
        dialog.open()
        return dialog
