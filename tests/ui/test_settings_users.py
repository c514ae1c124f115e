"""The administrator's users tab: add an account with a confirmed password, reset one, disable
one; the idle-lock minutes. Offered to the administrator only."""

from __future__ import annotations

from desktop.security import accounts
from tests.ui.keys import saved as came_back


def test_the_administrator_adds_resets_and_disables_accounts(qtbot, session, office, login):
    from ui.views.settings import SettingsView
    from ui.views.settings_users import AccountDialog, PasswordDialog

    leader_view = SettingsView(session)
    qtbot.addWidget(leader_view)
    assert leader_view.users is None  # the clerk's session: a leader, not an administrator
    login("admin", officer_uuid=office["clerk"].uuid)
    view = SettingsView(session)
    qtbot.addWidget(view)
    users = view.users
    assert users is not None and view.tabs.tabText(view.tabs.indexOf(users)) == "Người dùng"
    view.show()  # a view follows saves while seen
    view.tabs.setCurrentWidget(users)
    d = AccountDialog(session, users)
    qtbot.addWidget(d)
    d.officer.setCurrentIndex(d.officer.findData(office["deputy"].uuid))
    d.role.setCurrentIndex(d.role.findData("leader"))
    d.login.setText("lan.pt")
    d.password.setText("lan.pt-123456")
    d.confirm.setText("lan.pt-123456")
    d.save()
    came_back(qtbot, d)   # refused on the writer, under the field
    assert "tên đăng nhập" in d.errors.message("password")
    d.password.setText("một câu của chị Lan")
    d.confirm.setText("một câu của chị Lan")
    with qtbot.waitSignal(session.changed, timeout=3000):
        d.save()
    assert not d.errors.general.text(), d.errors.general.text()
    logins = [users.model.index(r, 0).data() for r in range(users.model.rowCount())]
    assert "lan.pt" in logins
    row = logins.index("lan.pt")
    assert users.model.index(row, 2).data() == "Lãnh đạo (Chủ tịch, Phó Chủ tịch)"
    users.table.selectRow(row)
    account = users.selected()
    p = PasswordDialog(session, account, users)
    qtbot.addWidget(p)
    p.password.setText("mật khẩu mới của chị Lan")
    p.confirm.setText("mật khẩu mới của chị Lan")
    p.save()
    came_back(qtbot, p)

    def row_of(login: str) -> int:
        return [users.model.index(r, 0).data() for r in range(users.model.rowCount())].index(login)

    users.table.selectRow(row_of("lan.pt"))
    with qtbot.waitSignal(session.changed):
        users._toggle()
    assert users.model.index(row_of("lan.pt"), 3).data() == "Đã khóa"
    saved = session.db.principal
    accounts.logout(session.db)
    import pytest
    from desktop.errors import UserError

    with pytest.raises(UserError) as exc:
        accounts.login_user(session.db, "lan.pt", "mật khẩu mới của chị Lan")
    assert exc.value.code == "account_disabled"
    session.db.principal = saved
    users.idle.setValue(5)
    job = users._save_idle()
    qtbot.waitUntil(lambda: job.finished)
    assert session.db.get_setting("idle_lock_minutes") == "5"


def test_the_users_tab_follows_a_switch_of_user(qtbot, window, session, office, answer_login):
    """Settings opened by the leader, then the administrator takes the PC (Ctrl+Shift+L): the
    "Người dùng" tab appears without restarting the program; back to the leader, it goes."""
    db = office["db"]
    window.show_page(3)
    settings = window.page(3)
    titles = lambda: [settings.tabs.tabText(i) for i in range(settings.tabs.count())  # noqa: E731
                      if settings.tabs.isTabVisible(i)]
    assert "Người dùng" not in titles()
    accounts.assume_role(db, "admin")
    accounts.create_account(db, login="quantri", password="sổ của xã, người giữ khóa", role="admin",
                            officer_uuid=office["clerk"].uuid)
    accounts.create_account(db, login="lan", password="một câu của Phó Chủ tịch", role="leader",
                            officer_uuid=office["deputy"].uuid)
    answer_login("quantri", "sổ của xã, người giữ khóa")
    with qtbot.waitSignal(session.actor_changed):
        assert window.switch_user()
    assert "Người dùng" in titles()
    answer_login("lan", "một câu của Phó Chủ tịch")
    with qtbot.waitSignal(session.actor_changed):
        assert window.switch_user()
    assert "Người dùng" not in titles()


def test_last_login_reads_as_a_vietnamese_date(qtbot, session, office, login):
    from ui.views.settings import SettingsView

    login("admin", officer_uuid=office["clerk"].uuid)
    accounts.create_account(office["db"], login="lan", password="một câu của Phó Chủ tịch", role="leader",
                            officer_uuid=office["deputy"].uuid)
    accounts.login_user(office["db"], "lan", "một câu của Phó Chủ tịch")
    login("admin", officer_uuid=office["clerk"].uuid)
    view = SettingsView(session)
    qtbot.addWidget(view)
    users = view.users
    row = [users.model.index(r, 0).data() for r in range(users.model.rowCount())].index("lan")
    import re

    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", users.model.index(row, 4).data())
