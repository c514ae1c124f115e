"""Settings: the register's users (issue #17), for the administrator — add an account for an
officer, set a forgotten password, disable or enable, and the idle-lock minutes. The core refuses
all of it to anyone else (``users.manage``); this tab is only offered to who may."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
    QSpinBox, QTableView, QVBoxLayout, QWidget,
)

from desktop.errors import UserError
from desktop.security import accounts, roles
from desktop.storage.accounts_repo import Account
from desktop.storage.units import own_officers
from ui.dialogs.guarded import OnWriter
from ui.errors import report
from ui.idle import SETTING, idle_minutes
from ui.models.rows import Column, RowsModel
from ui.session import Session
from ui.widgets.form import FormErrors, save_cancel_buttons

log = logging.getLogger(__name__)


def _when(stamp: str | None) -> str:
    """"06/12/2026 10:45", as every date of the window (it showed "2026-12-06 10:45")."""
    if not stamp:
        return ""
    day, _, time = stamp.replace("T", " ").partition(" ")
    y, m, d = day.split("-")
    return f"{d}/{m}/{y} {time[:5]}".strip()


def account_columns() -> list[Column[Account]]:
    return [
        Column("Tên đăng nhập", lambda a: a.login),
        Column("Cán bộ", lambda a: a.officer_name),
        Column("Vai trò", lambda a: roles.label(a.role)),
        Column("Trạng thái", lambda a: ("Đang dùng" if a.active else "Đã khóa") + ("" if a.has_password
                                                                                 else ", chưa có mật khẩu")),
        Column("Lần đăng nhập cuối", lambda a: _when(a.last_login_at)),
    ]


def _password() -> QLineEdit:
    return QLineEdit(echoMode=QLineEdit.EchoMode.Password)


class _WriterDialog(QDialog, OnWriter):
    """A password form saved on the session's writer: the password's hash (argon2, slow on purpose)
    is made there, so the window keeps working; Escape waits for the save in flight."""

    def reject(self) -> None:
        if self.pending is None:
            super().reject()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.errors.show_error(exc)
        else:
            report(self, exc)


class AccountDialog(_WriterDialog):
    """A new account for an officer of the unit, with its first password typed twice."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Thêm tài khoản")
        self.officer = QComboBox()
        for o in own_officers(session.db):
            self.officer.addItem(f"{o.full_name} — {o.title}" if o.title else o.full_name, o.uuid)
        self.role = QComboBox()
        for role in roles.Role:
            self.role.addItem(roles.label(role), role.value)
        self.role.setCurrentIndex(self.role.findData("handler"))
        self.login = QLineEdit(placeholderText="ví dụ: mai.lt")
        self.password, self.confirm = _password(), _password()
        self.errors = FormErrors()
        form = QFormLayout(self)
        self.errors.add(form, "Cán bộ:", "officer", self.officer)
        self.errors.add(form, "Vai trò:", "role", self.role)
        self.errors.add(form, "Tên đăng nhập:", "login", self.login)
        self.errors.add(form, "Mật khẩu:", "password", self.password)
        self.errors.add(form, "Nhập lại mật khẩu:", "confirm", self.confirm)
        form.addRow(self.errors.general)
        buttons, ok = save_cancel_buttons(self, "Tạo tài khoản", self.save)
        self.ok = ok
        form.addRow(self.saving_label())   # "Đang lưu…" while the password is hashed on the writer
        form.addRow(buttons)
        ok.setDefault(True)

    def save(self) -> None:
        if self.password.text() != self.confirm.text():
            self.errors.show({"confirm": "Hai lần nhập mật khẩu không giống nhau."})
            return
        typed = dict(login=self.login.text(), password=self.password.text(), role=self.role.currentData(),
                     officer_uuid=self.officer.currentData())
        self.save_on_writer(lambda db: accounts.create_account(db, **typed), done=lambda _a: self.accept(),
                            refused=self._refused, button=self.ok)


class PasswordDialog(_WriterDialog):
    """The administrator sets an account's password (forgotten, or a new key holder's)."""

    def __init__(self, session: Session, account: Account, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.account = session, account
        self.setWindowTitle(f"Đặt lại mật khẩu — {account.login}")
        self.password, self.confirm = _password(), _password()
        self.errors = FormErrors()
        form = QFormLayout(self)
        self.errors.add(form, "Mật khẩu mới:", "new_password", self.password)
        self.errors.add(form, "Nhập lại:", "confirm", self.confirm)
        form.addRow(self.errors.general)
        buttons, self.ok = save_cancel_buttons(self, "Lưu", self.save)
        form.addRow(self.saving_label())   # "Đang lưu…" while the password is hashed on the writer
        form.addRow(buttons)

    def save(self) -> None:
        if self.password.text() != self.confirm.text():
            self.errors.show({"confirm": "Hai lần nhập mật khẩu không giống nhau."})
            return
        login, password = self.account.login, self.password.text()
        self.save_on_writer(lambda db: accounts.set_password(db, login, password), done=lambda _r: self.accept(),
                            refused=self._refused, button=self.ok)


class UsersSettings(QWidget, OnWriter):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = RowsModel(account_columns(), parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add = QPushButton("Thêm tài khoản…", clicked=self._add)
        self.reset = QPushButton("Đặt lại mật khẩu…", clicked=self._reset)
        self.toggle = QPushButton("Khóa / mở tài khoản", clicked=self._toggle)
        self.idle = QSpinBox(minimum=0, maximum=240, suffix=" phút")
        self.idle.setSpecialValueText("không tự khóa")
        self.idle.setValue(idle_minutes(session))
        self.idle.editingFinished.connect(self._save_idle)
        buttons = QHBoxLayout()
        for b in (self.add, self.reset, self.toggle):
            buttons.addWidget(b)
        buttons.addWidget(self.saving_label())   # "Đang lưu…" when a change outlasts 150 ms
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Tự khóa màn hình khi không dùng sau:"))
        buttons.addWidget(self.idle)
        lay = QVBoxLayout(self)
        note = QLabel("Mỗi cán bộ một tài khoản riêng; sổ ghi tên người đăng nhập vào mọi việc. Lãnh đạo và quản trị "
                      "giữ khóa niêm phong danh tính người tố cáo: tài khoản lãnh đạo mới nhận khóa khi quản trị "
                      "tạo hoặc đặt lại mật khẩu.")
        note.setWordWrap(True)
        lay.addWidget(note)
        lay.addLayout(buttons)
        lay.addWidget(self.table)
        session.follow_changes(self, self.reload, today=False)
        self.reload()

    def reload(self) -> None:
        try:
            self.model.set_rows(accounts.list_accounts(self.session.db))
        except UserError as exc:  # the login changed to someone who may not manage users
            self.model.set_rows([])
            log.info("users tab: %s", exc.message)

    def selected(self) -> Account | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _add(self) -> None:
        AccountDialog(self.session, self).exec()

    def _reset(self) -> None:
        account = self.selected()
        if account:
            PasswordDialog(self.session, account, self).exec()

    def _toggle(self) -> bool:
        account = self.selected()
        if account is None:
            return False
        login, active = account.login, not account.active
        return self.save_on_writer(lambda db: accounts.set_active(db, login, active), done=lambda _r: None,
                                   refused=lambda exc: report(self, exc), button=self.toggle)

    def _save_idle(self):
        """The idle-lock minutes, on the session's writer; the administrator's (settings.edit)."""
        from desktop.security import require

        minutes = str(self.idle.value() if self.idle.value() else 0)

        def write(db) -> None:
            require(db, "settings.edit")
            db.set_setting(SETTING, minutes)

        return self.session.writer.save(write, changes=False, parent=self)   # a refusal is shown over the page

