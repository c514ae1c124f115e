"""The sync keys' passphrase in the window (issue #17 item 10, #15 item 11): asked, never read from
an environment variable.

A register made by this version keeps a random passphrase sealed to the register key: a leader or
the administrator logged in with a password unlocks the keys without typing anything
(``desktop.security.keyring``). Otherwise ``sync_passphrase`` asks:

* keys made earlier with a typed passphrase: the passphrase, checked against the keys at once;
  then, if the login may, an offer to move the register to the sealed passphrase;
* no keys yet, and the login cannot make the sealed passphrase (it holds no sealing key): a new
  passphrase typed twice, a weak one refused with its reason.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QMessageBox, QVBoxLayout, QWidget

from desktop.errors import UserError, ValidationError
from desktop.security import keyring, passwords
from ui.widgets.form import FormErrors, save_cancel_buttons

log = logging.getLogger(__name__)


class PassphraseDialog(QDialog):
    """``new=False``: unlock keys made with a typed passphrase; ``new=True``: set the first one."""

    def __init__(self, db, *, new: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.new = db, new
        self.setWindowTitle("Đặt cụm mật khẩu bảo vệ khóa" if new else "Mở khóa đồng bộ của sổ")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        intro = QLabel(
            "Sổ sắp tạo khóa ký để gửi dữ liệu lên tỉnh. Hãy đặt một cụm mật khẩu bảo vệ khóa: ít nhất "
            f"{passwords.MIN_LENGTH} ký tự, nên là một câu dễ nhớ với bạn nhưng người khác khó đoán. Cất cụm mật khẩu ở nơi an toàn: mất nó thì "
            "phải tạo khóa mới và đăng ký lại với tỉnh." if new else
            "Khóa ký và khóa đồng bộ của sổ này được tạo bằng phiên bản trước, với một cụm mật khẩu riêng. "
            "Hãy nhập cụm mật khẩu đó để mở khóa.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.errors = FormErrors()
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.errors.add(form, "Cụm mật khẩu:", "passphrase", self.passphrase)
        self.confirm = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        if new:
            self.errors.add(form, "Nhập lại cụm mật khẩu:", "confirm", self.confirm)
        form.addRow(self.errors.general)
        lay.addLayout(form)
        buttons, self.ok = save_cancel_buttons(self, "Đặt cụm mật khẩu" if new else "Mở khóa", self.submit)
        lay.addWidget(buttons)
        self.ok.setDefault(True)
        self.passphrase.setFocus()

    def value(self) -> str:
        return self.passphrase.text()

    pending = None   # the passphrase being checked on a worker (a ``ui.tasks.Task``), else None

    def submit(self) -> bool:
        """A new passphrase is checked here; a typed one against the keys (scrypt, slow on
        purpose) on a worker with its own connection, so the window keeps painting (issue #20).
        False when nothing was sent."""
        if self.pending is not None:
            return False   # Enter pressed twice: one check
        text = self.passphrase.text()
        try:
            if not text:
                raise ValidationError({"passphrase": "Chưa nhập cụm mật khẩu."})
            if self.new:
                passwords.check_strength(text, field="passphrase")
                if self.confirm.text() != text:
                    raise ValidationError({"confirm": "Hai lần nhập cụm mật khẩu không giống nhau."})
        except ValidationError as exc:
            self.errors.show(exc.fields)
            return False
        if self.new:
            self.accept()
            return True
        from desktop.storage.db import open_database
        from ui.tasks import TaskRunner

        path, principal = self.db.path, self.db.principal

        def check(_state) -> None:
            db = open_database(path, create=False, migrate=False)
            db.principal = principal
            try:
                keyring.check_typed(db, text)
            finally:
                db.close()

        def settle() -> None:
            self.pending = None
            self.ok.setEnabled(True)

        def refused(exc: BaseException) -> None:
            settle()
            if not isinstance(exc, UserError):
                from ui.errors import report

                report(self, exc)
                return
            self.passphrase.clear()
            self.errors.show({"passphrase": exc.message})
            self.passphrase.setFocus()

        self.ok.setEnabled(False)
        self.runner = getattr(self, "runner", None) or TaskRunner(self)
        self.pending = self.runner.run(check, on_done=lambda _r: (settle(), self.accept()), on_error=refused,
                                       parent=self, show_progress=False)
        return True

    def reject(self) -> None:
        if self.pending is None:   # Escape while the passphrase is checked: its answer comes back here
            super().reject()


def offer_sealing(session, typed: str, parent: QWidget | None) -> str:
    """Once typed right: offer to protect the keys by the logins from now on; returns the passphrase
    to use (the new sealed one if accepted). The keys are re-wrapped on the session's writer (scrypt,
    slow on purpose), the window painting meanwhile (issue #20, item 1)."""
    if not keyring.may_adopt(session.db):
        return typed
    answer = QMessageBox.question(
        parent, "Bảo vệ khóa bằng đăng nhập",
        "Từ nay không cần gõ cụm mật khẩu nữa?\n\nSổ sẽ thay cụm mật khẩu này bằng một cụm ngẫu nhiên, chỉ mở được "
        "khi lãnh đạo hoặc quản trị hệ thống đăng nhập bằng mật khẩu của mình. Khóa ký vẫn giữ nguyên (tỉnh không "
        "phải đăng ký lại); cụm mật khẩu cũ sẽ không còn dùng được.")
    if answer != QMessageBox.StandardButton.Yes:
        return typed
    try:
        value = session.writer.wait(lambda db: keyring.adopt_sealed(db, typed),
                                    title="Đang chuyển khóa đồng bộ sang bảo vệ bằng đăng nhập…", parent=parent)
    except UserError as exc:
        QMessageBox.warning(parent, "Sổ Giải trình", exc.message)
        return typed
    log.info("sync keys moved to the sealed passphrase")
    return value


def sync_passphrase(session, parent: QWidget | None = None) -> str | None:
    """The passphrase the sync keys need, for the logged-in person; None when he or she cancelled
    (or may not: the reason has been shown)."""
    from ui.errors import report

    db = session.db
    try:
        value = keyring.passphrase(db)
        if value:
            return value
        kind = keyring.state(db)
        if kind == "sealed":
            return keyring.ensure_passphrase(db)   # raises the reason: this login holds no key
        if kind == "none":
            try:
                if keyring.can_seal(db):   # the first sealed passphrase is written on the writer (issue #20, item 1)
                    return session.writer.wait(keyring.ensure_passphrase, parent=parent,
                                               title="Đang tạo cụm mật khẩu của khóa đồng bộ…")
                return keyring.ensure_passphrase(db)   # reads only: raises why this login cannot
            except UserError as exc:
                if exc.code != "no_seal_key":
                    raise
            dialog = PassphraseDialog(db, new=True, parent=parent)
            return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
    except UserError as exc:
        report(parent, exc)
        return None
    dialog = PassphraseDialog(db, new=False, parent=parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return offer_sealing(session, dialog.value(), parent)
