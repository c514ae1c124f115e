"""The login at the shared PC and the administrator's creation, typed as a clerk types them."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.security import accounts

GOOD = "một câu dễ nhớ của Mai"


def test_login_refuses_a_wrong_password_then_logs_in(qtbot, office):
    db = office["db"]
    accounts.assume_role(db, "admin")
    accounts.create_account(db, login="mai", password=GOOD, role="handler", officer_uuid=office["clerk"].uuid)
    accounts.logout(db)
    from ui.dialogs.login import LoginDialog

    d = LoginDialog(db)
    qtbot.addWidget(d)
    d.show()
    qtbot.keyClicks(d.login, "mai")
    qtbot.keyClick(d.login, Qt.Key.Key_Tab)
    qtbot.keyClicks(d.password, "sai mat khau roi")
    qtbot.keyClick(d.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d.pending is None)   # checked on a worker (argon2 is slow on purpose)
    assert d.isVisible() and db.principal is None
    assert "không đúng" in d.errors.general.text() and d.password.text() == ""
    d.password.setText(GOOD)  # QTest types ASCII only
    with qtbot.waitSignal(d.accepted):
        qtbot.keyClick(d.password, Qt.Key.Key_Return)
    assert db.principal.login == "mai" and db.principal.officer_name == "Lê Thị Mai"


def test_the_first_administrator_is_created_with_a_confirmed_strong_password(qtbot, db):
    from desktop.storage.units import save_unit
    from ui.dialogs.login import AdminDialog

    save_unit(db, code="12345", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    d = AdminDialog(db)
    qtbot.addWidget(d)
    d.show()
    d.full_name.setText("Đỗ Văn Quản")
    d.password.setText("quantri123")
    d.confirm.setText("quantri124")
    d.submit()
    assert "không giống nhau" in d.errors.message("confirm")
    d.confirm.setText("quantri123")
    d.submit()
    qtbot.waitUntil(lambda: d.pending is None)
    assert d.isVisible() and d.errors.message("password") and accounts.in_setup(db)
    d.password.setText(GOOD)
    d.confirm.setText(GOOD)
    with qtbot.waitSignal(d.accepted):
        d.submit()
    assert db.principal.role == "admin" and db.principal.officer_name == "Đỗ Văn Quản"
