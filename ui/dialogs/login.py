"""Logging in to the register at the shared PC, and creating its administrator (issue #17).

``LoginDialog`` asks a login name and a password and calls the core's ``login_user``; a wrong
password, a pause after failed tries or a disabled account show their Vietnamese message under
the form. ``AdminDialog`` creates the first administrator of a register that has no account yet
(a new register after the wizard, or one upgraded from schema 0006), with the password typed
twice and weak ones refused by the core.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.errors import UserError, ValidationError
from desktop.security import accounts
from desktop.storage.db import Database
from ui.widgets.form import FormErrors, save_cancel_buttons

log = logging.getLogger(__name__)


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class LoginDialog(QDialog):
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
        layout.addLayout(form)
        buttons, ok = save_cancel_buttons(self, "Đăng nhập", self.submit)
        layout.addWidget(buttons)
        ok.setDefault(True)
        (self.password if login else self.login).setFocus()

    def submit(self) -> None:
        if not self.login.text().strip():
            self.errors.show({"login": "Chưa nhập tên đăng nhập."})
            return
        try:
            accounts.login_user(self.db, self.login.text(), self.password.text())
        except UserError as exc:
            self.password.clear()
            self.errors.show({"_": exc.message})
            self.password.setFocus()
            return
        log.info("logged in: %s", self.db.principal.login)
        self.accept()


class AdminDialog(QDialog):
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
        layout.addLayout(form)
        buttons, ok = save_cancel_buttons(self, "Tạo tài khoản", self.submit)
        layout.addWidget(buttons)
        ok.setDefault(True)
        self.full_name.setFocus()

    def submit(self) -> None:
        if self.password.text() != self.confirm.text():
            self.errors.show({"confirm": "Hai lần nhập mật khẩu không giống nhau."})
            return
        try:
            accounts.create_first_admin(self.db, login=self.login.text(), password=self.password.text(),
                                        full_name=self.full_name.text())
        except ValidationError as exc:
            self.errors.show(exc.fields)
            return
        except UserError as exc:
            self.errors.show({"_": exc.message})
            return
        self.accept()


def sign_in(db: Database, parent: QWidget | None = None, *, hint: str = "") -> bool:
    """Log someone in to ``db`` (creating its administrator first when it has no account);
    False when the clerk gave up."""
    if accounts.in_setup(db):
        if AdminDialog(db, parent).exec() != QDialog.DialogCode.Accepted:
            return False
        return db.principal is not None
    return LoginDialog(db, parent, hint=hint).exec() == QDialog.DialogCode.Accepted
