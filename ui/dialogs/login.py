"""Logging in to the register at the shared PC, and creating its administrator (issue #17).

``LoginDialog`` asks a login name and a password and calls the core's ``login_user``; a wrong
password, a pause after failed tries or a disabled account show their Vietnamese message under
the form. ``AdminDialog`` creates the first administrator of a register that has no account yet
(a new register after the wizard, or one upgraded from schema 0006), with the password typed
twice and weak ones refused by the core.

Neither waits on the GUI thread (issue #20): the password's hash (argon2, slow on purpose) is
checked or made on a worker with its own connection to the register, which writes the login's
line in the access log there; the window keeps painting, the button is greyed, and "Đang kiểm
tra…" shows after 150 ms. The officer who logged in becomes ``db.principal`` back on the GUI
thread, and a refusal comes back under the form.
"""

from __future__ import annotations

import logging

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.errors import UserError, ValidationError
from desktop.security import accounts
from desktop.storage.db import Database, open_database
from ui.widgets.form import FormErrors, save_cancel_buttons

log = logging.getLogger(__name__)

CHECKING_TEXT = "Đang kiểm tra…"
SHOW_AFTER_MS = 150


class _OffThread(QDialog):
    """A sign-in form whose check runs on a worker (see the module)."""

    pending = None   # the check in flight (a ``ui.tasks.Task``), else None

    def _checking_label(self) -> QLabel:
        self.checking = QLabel(CHECKING_TEXT)
        self.checking.hide()
        self._show_checking = QTimer(self, singleShot=True, interval=SHOW_AFTER_MS)
        self._show_checking.timeout.connect(lambda: self.pending is not None and self.checking.show())
        return self.checking

    def check_off_thread(self, work: Callable[[Database], object], *, done, refused) -> bool:
        """``work(db)`` on a worker with its own connection to the register, then ``db.principal``
        copied to the window's ``self.db`` and ``done()``; ``refused(exc)`` on a failure. The
        values typed must be read before. False when a check is already in flight."""
        from ui.tasks import TaskRunner

        if self.pending is not None:
            return False   # Enter pressed twice: one check
        path = self.db.path

        def run(_state):
            db = open_database(path, create=False, migrate=False)
            try:
                work(db)
                return db.principal
            finally:
                db.close()

        def settle() -> None:
            self.pending = None
            self._show_checking.stop()
            self.checking.hide()
            self.ok.setEnabled(True)

        def signed(principal) -> None:
            settle()
            self.db.principal = principal
            done()

        self.ok.setEnabled(False)
        self._show_checking.start()
        self.runner = getattr(self, "runner", None) or TaskRunner(self)
        self.pending = self.runner.run(run, on_done=signed, on_error=lambda exc: (settle(), refused(exc)),
                                       parent=self, show_progress=False)
        return True

    def reject(self) -> None:
        if self.pending is None:   # Escape while the password is checked: its answer comes back here
            super().reject()


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class LoginDialog(_OffThread):
    """``exec()``: accepted once ``db.principal`` is the officer who logged in."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, hint: str = "", login: str = "") -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Sổ Giải trình — Đăng nhập")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        intro = QLabel("Mỗi cán bộ đăng nhập bằng tài khoản của mình: sổ ghi tên người thực hiện mọi việc.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            layout.addWidget(note)
        form = QFormLayout()
        self.errors = FormErrors()
        self.login = QLineEdit(login)
        self.login.setPlaceholderText("ví dụ: mai.lt")
        self.password = _password_edit()
        self.errors.add(form, "Tên đăng nhập:", "login", self.login)
        self.errors.add(form, "Mật khẩu:", "password", self.password)
        form.addRow(self.errors.general)
        form.addRow(self._checking_label())
        layout.addLayout(form)
        buttons, ok = save_cancel_buttons(self, "Đăng nhập", self.submit)
        self.ok = ok
        layout.addWidget(buttons)
        ok.setDefault(True)
        (self.password if login else self.login).setFocus()

    def submit(self) -> bool:
        """The password checked on a worker (see the module); False when nothing was sent."""
        if self.pending is not None:
            return False
        if not self.login.text().strip():
            self.errors.show({"login": "Chưa nhập tên đăng nhập."})
            return False
        login, password = self.login.text(), self.password.text()
        return self.check_off_thread(lambda db: accounts.login_user(db, login, password),
                                     done=self._signed_in, refused=self._refused)

    def _signed_in(self) -> None:
        log.info("logged in: %s", self.db.principal.login)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        if not isinstance(exc, UserError):
            from ui.errors import report

            report(self, exc)
            return
        self.password.clear()
        self.errors.show({"_": exc.message})
        self.password.setFocus()


class AdminDialog(_OffThread):
    """Create the register's first administrator, then log in as him or her."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Sổ Giải trình — Tạo tài khoản quản trị")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel("Sổ chưa có tài khoản nào. Hãy tạo tài khoản quản trị hệ thống: người này thêm tài khoản "
                       "cho từng cán bộ, quản lý khóa, lịch ngày nghỉ và cài đặt.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.errors = FormErrors()
        self.full_name = QLineEdit()
        self.full_name.setPlaceholderText("Họ và tên người quản trị")
        self.login = QLineEdit("quantri")
        self.password = _password_edit()
        self.confirm = _password_edit()
        self.errors.add(form, "Họ và tên:", "officer", self.full_name)
        self.errors.add(form, "Tên đăng nhập:", "login", self.login)
        self.errors.add(form, "Mật khẩu:", "password", self.password)
        self.errors.add(form, "Nhập lại mật khẩu:", "confirm", self.confirm)
        rule = QLabel("Mật khẩu từ 10 ký tự, không phải mật khẩu phổ biến, không chứa tên đăng nhập "
                      "(nên dùng một câu ngắn dễ nhớ).")
        rule.setWordWrap(True)
        form.addRow(rule)
        form.addRow(self.errors.general)
        form.addRow(self._checking_label())
        layout.addLayout(form)
        buttons, ok = save_cancel_buttons(self, "Tạo tài khoản", self.submit)
        self.ok = ok
        layout.addWidget(buttons)
        ok.setDefault(True)
        self.full_name.setFocus()

    def submit(self) -> bool:
        """The administrator created (and logged in) on a worker; False when nothing was sent."""
        if self.pending is not None:
            return False
        if self.password.text() != self.confirm.text():
            self.errors.show({"confirm": "Hai lần nhập mật khẩu không giống nhau."})
            return False
        typed = dict(login=self.login.text(), password=self.password.text(), full_name=self.full_name.text())
        return self.check_off_thread(lambda db: accounts.create_first_admin(db, **typed),
                                     done=self.accept, refused=self._refused)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.fields)
        elif isinstance(exc, UserError):
            self.errors.show({"_": exc.message})
        else:
            from ui.errors import report

            report(self, exc)


def sign_in(db: Database, parent: QWidget | None = None, *, hint: str = "") -> bool:
    """Log someone in to ``db`` (creating its administrator first when it has no account);
    False when the clerk gave up."""
    if accounts.in_setup(db):
        if AdminDialog(db, parent).exec() != QDialog.DialogCode.Accepted:
            return False
        return db.principal is not None
    return LoginDialog(db, parent, hint=hint).exec() == QDialog.DialogCode.Accepted
