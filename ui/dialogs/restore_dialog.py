"""Restoring the register from a backup, in the window (issue #17, item 8).

The person logged in types his or her password again (a restore replaces the whole register: the
PC may have been left unlocked). The core decides who may (``desktop.security.backups.opener``:
leaders and the administrator; an old unencrypted backup, the administrator) and opens the backup
with the sealing key unwrapped at that login. The backup is decrypted and checked now, on a
worker, into a file beside the register (``…khoi-phuc.sqlite``, owner-only); the register itself
is replaced at the next start, before it is opened (``settings_backup.apply_pending_restore``),
after a safety copy, encrypted, of the current one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.errors import UserError
from desktop.security import accounts, backups
from desktop.security.principal import current
from desktop.storage import backup
from ui.widgets.form import FormErrors, save_cancel_buttons

log = logging.getLogger(__name__)

STAGED_SUFFIX = ".khoi-phuc.sqlite"


def staged_path(register: Path) -> Path:
    return register.with_name(register.name + STAGED_SUFFIX)


class _Refused(Exception):
    """The password or the role was refused (before the backup was opened)."""

    def __init__(self, error: UserError) -> None:
        super().__init__(error.message)
        self.error = error


class RestoreDialog(QDialog):
    """``staged`` fires with the path of the checked clear copy once the restore is scheduled."""

    staged = Signal(object)

    def __init__(self, session, info: backup.BackupInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.info = session, info
        self.setWindowTitle("Khôi phục sổ từ bản sao lưu")
        self.setMinimumWidth(560)
        kind = backup.file_kind(info.path)
        sealed = kind == "sealed"
        who = current(session.db)
        lay = QVBoxLayout(self)
        intro = QLabel(
            f"Thay sổ đang dùng bằng bản sao lưu <b>{info.label}</b>.<br><br>"
            + ("Bản sao lưu được mã hóa bằng khóa của sổ: chỉ lãnh đạo và quản trị hệ thống mở được." if sealed else
               "Đây là bản sao lưu cũ, <b>không mã hóa</b> (do phiên bản trước tạo): chỉ quản trị hệ thống được "
               "khôi phục.")
            + "<br><br>Sổ hiện tại sẽ được sao lưu (mã hóa) trước. Việc thay sổ làm ở lần mở chương trình sau: "
              "sau khi xác nhận, hãy đóng chương trình rồi mở lại.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.warning = QLabel(wordWrap=True)
        self.warning.setStyleSheet("color: #8a4b00")
        self.warning.hide()
        lay.addWidget(self.warning)
        form = QFormLayout()
        self.errors = FormErrors()
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("nhập lại mật khẩu đăng nhập để xác nhận")
        name = f"{who.officer_name} ({who.login})" if who else "người đăng nhập"
        self.errors.add(form, f"Mật khẩu của {name}:", "password", self.password)
        form.addRow(self.errors.general)
        lay.addLayout(form)
        self.buttons, self.ok = save_cancel_buttons(self, "Khôi phục", self.submit)
        lay.addWidget(self.buttons)
        self.ok.setDefault(True)
        self.password.setFocus()
        self.sealer = None
        self.ready: Path | None = None   # the checked clear copy, waiting for "Vẫn khôi phục"
        self.task = None

    def submit(self) -> None:
        """The password checked (argon2, slow on purpose, and the login's log line) and the backup
        opened and checked, all on a worker with its own connection (issue #20): the window keeps
        painting. A wrong password or a role that may not restore comes back under the field."""
        if self.ready is not None:      # the warning was read: go on
            self._schedule(self.ready)
            return
        if self.task is not None:       # Enter pressed twice: one check
            return
        who = current(self.session.db)
        if who is None:
            self.errors.show({"_": "Hãy đăng nhập trước khi khôi phục sổ."})
            return
        login, password = who.login, self.password.text()
        chosen, register, session = self.info.path, Path(self.session.path), self.session
        staged = staged_path(register)

        def work(state) -> tuple[Path, str | None, object, object]:
            state.progress(0, 0, "Đang kiểm tra mật khẩu…")
            db = session.worker_database()
            try:
                try:
                    accounts.login_user(db, login, password)
                    sealer = backups.opener(db, chosen)
                except UserError as exc:
                    raise _Refused(exc) from exc
                # A backup of an earlier register of this office (made again after a loss: another key)
                # opens with the same login and the password it had then, from the backup's own wraps.
                sealer.login, sealer.password = login, password
                principal = db.principal
            finally:
                db.close()
            state.progress(0, 0, "Đang mở và kiểm tra bản sao lưu…")
            backups.stage(sealer, chosen, staged, register)
            return staged, backup.older_than_sent(staged, register), principal, sealer

        self.ok.setEnabled(False)
        self.errors.show({})
        self.task = self.session.tasks.run(work, title="Đang mở và kiểm tra bản sao lưu…", on_done=self._opened,
                                           on_error=self._failed, parent=self, cancellable=False)

    def _opened(self, result: tuple[Path, str | None, object, object]) -> None:
        staged, warning, principal, self.sealer = result
        self.task = None
        self.session.db.principal = principal   # the login just checked, as a login at the desk
        self.ok.setEnabled(True)
        if warning:
            self.ready = staged
            self.warning.setText(f"Lưu ý: {warning}")
            self.warning.show()
            self.password.setEnabled(False)
            self.ok.setText("Vẫn khôi phục")
            self.ok.setFocus()
            return
        self._schedule(staged)

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self.ok.setEnabled(True)
        if isinstance(exc, _Refused):
            self.password.clear()
            error = exc.error
            self.errors.show({"_": "Mật khẩu không đúng." if error.code == "login_failed" else error.message})
            self.password.setFocus()
        elif isinstance(exc, UserError):
            self.errors.show({"_": exc.message})
        else:
            from ui.errors import report

            report(self, exc)

    def _schedule(self, staged: Path) -> None:
        from ui.views.settings_backup import schedule_restore

        schedule_restore(Path(self.session.path), staged, self.info.path)
        log.info("restore from %s scheduled for the next start", self.info.path)
        self.staged.emit(staged)
        self.accept()

    def reject(self) -> None:
        if self.task is not None:       # Escape while checking: its answer comes back here
            return
        if self.ready is not None:
            self.ready.unlink(missing_ok=True)
        super().reject()
