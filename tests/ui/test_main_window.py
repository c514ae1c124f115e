"""The main window's shell: navigation, pages built on demand, menus, the desk officer, errors."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.errors import UserError
from tests.ui.keys import saved


def _menu_titles(window) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def test_navigation_builds_pages_on_demand(qtbot, window):
    # The window paints first; "Hôm nay" is built right after the first paint, nothing else.
    qtbot.waitUntil(lambda: 0 in window.pages)
    assert set(window.pages) == {0}
    assert window.stack.currentWidget() is window.pages[0]
    for i in range(window.page_count()):
        window.show_page(i)
        assert window.stack.currentWidget() is window.pages[i]
        assert window.nav.currentRow() == i
    qtbot.waitUntil(lambda: "&Trợ giúp" in _menu_titles(window))
    assert _menu_titles(window)[:2] == ["&Sổ", "&Xem"] and _menu_titles(window)[-1] == "&Trợ giúp"


def test_the_logged_in_officer_is_the_actor_and_users_switch(qtbot, window, session, office, answer_login):
    from desktop.security import accounts

    assert session.actor == "Lê Thị Mai" and "Lê Thị Mai" in window.user_label.text()
    db = office["db"]
    accounts.assume_role(db, "admin")
    accounts.create_account(db, login="lan", password="một câu của Phó Chủ tịch", role="leader",
                            officer_uuid=office["deputy"].uuid)
    answered = answer_login("lan", "một câu của Phó Chủ tịch")
    with qtbot.waitSignal(session.actor_changed):
        assert window.switch_user()
    assert answered == ["LoginDialog"] and session.actor == "Phạm Thị Lan" and db.principal.login == "lan"
    assert "Phạm Thị Lan" in window.user_label.text()


def test_the_screen_locks_and_unlocks_with_the_password(qtbot, window, session, office, answer_login):
    from desktop.security import accounts

    db = office["db"]
    accounts.assume_role(db, "admin")
    accounts.create_account(db, login="mai", password="một câu của chị Mai", role="handler",
                            officer_uuid=office["clerk"].uuid)
    accounts.login_user(db, "mai", "một câu của chị Mai")
    seen = []
    session.actor_changed.connect(lambda name: seen.append((name, db.principal and db.principal.login)))
    answered = answer_login("mai", "một câu của chị Mai")
    window.lock_screen()
    assert answered == ["LoginDialog"] and db.principal.login == "mai" and window.centralWidget().isEnabled()
    assert seen[-1] == ("Lê Thị Mai", "mai")


def test_idle_time_locks_the_window(qtbot, window, session, office, monkeypatch):
    locked = []
    monkeypatch.setattr(window.idle, "lock", lambda: locked.append(True))
    session.db.set_setting("idle_lock_minutes", "0")
    window.idle.restart()
    assert not window.idle.timer.isActive()
    session.db.set_setting("idle_lock_minutes", "1")
    window.idle.restart()
    assert window.idle.timer.interval() == 60_000
    window.idle.timer.setInterval(50)  # the test waits 50 ms instead of a minute
    window.idle.timer.start()
    qtbot.waitUntil(lambda: locked == [True], timeout=2000)


def test_a_key_or_the_mouse_in_any_window_counts_as_activity_and_nothing_else_does(qtbot, window, session,
                                                                                     monkeypatch):
    """Input reaches the main window's own window, or a dialog's once it has the focus, and the idle
    time starts again; an event sent to any other object does not count (the lock is no longer an
    application-wide filter: wrapping every object in Python crashed on a half-destroyed widget)."""
    from PySide6.QtCore import QEvent, QObject, QPoint, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout

    session.db.set_setting("idle_lock_minutes", "1")
    window.idle.restart()
    monkeypatch.setattr(window.idle, "lock", lambda: None)   # the short idle time below must not lock

    def counted_again(send) -> bool:
        window.idle.timer.start(2_000)   # a short idle time: a coarse timer's 5 % stays small
        qtbot.wait(700)
        before = window.idle.timer.remainingTime()
        send()
        return window.idle.timer.remainingTime() > before + 400

    assert counted_again(lambda: QTest.keyClick(window.windowHandle(), Qt.Key.Key_Shift))
    assert counted_again(lambda: QTest.mouseMove(window.windowHandle(), QPoint(400, 300)))
    other = QObject()
    assert not counted_again(lambda: QApplication.sendEvent(
        other, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")))

    dialog = QDialog(window)
    QVBoxLayout(dialog).addWidget(QLineEdit())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWindow() is dialog.windowHandle())
    assert counted_again(lambda: QTest.keyClick(dialog.windowHandle(), Qt.Key.Key_X))
    window.idle.timer.stop()


def test_status_bar_follows_the_clock(qtbot, window, session):
    from datetime import date

    with qtbot.waitSignal(session.today_changed):
        session.set_today(date(2026, 12, 1))
    assert window.status_today.text() == "Hôm nay: 01/12/2026"


def test_window_settings_are_typed(qapp):
    from ui.settings import WindowState

    state = WindowState()
    assert state[WindowState.last_page] == 0 and state[WindowState.last_register] == ""
    state[WindowState.last_page] = 2
    state.sync()
    assert WindowState()[WindowState.last_page] == 2
    assert isinstance(WindowState()[WindowState.last_page], int)


def test_user_error_is_shown_without_traceback(qapp, monkeypatch):
    from ui import errors

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append((self.text(), self.detailedText())))
    errors.report(None, UserError("case_not_found", "Không tìm thấy vụ việc “99/2026”."))
    assert shown == [("Không tìm thấy vụ việc “99/2026”.", "")]


def test_unexpected_error_is_logged_and_points_to_the_log(qapp, monkeypatch, tmp_path, caplog):
    from ui import errors

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()))
    errors.install_excepthook(tmp_path / "giaitrinh.log")
    try:
        raise KeyError("bug")
    except KeyError:
        with caplog.at_level(logging.CRITICAL):
            sys.excepthook(*sys.exc_info())
    assert "uncaught exception" in caplog.text and "KeyError" in caplog.text
    qapp.processEvents()
    qapp.processEvents()
    assert shown and str(tmp_path / "giaitrinh.log") in shown[0]
    sys.excepthook = sys.__excepthook__


def test_rotating_log_in_the_data_folder(tmp_path):
    from ui.app import configure_logging

    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = configure_logging(tmp_path / "logs" / "giaitrinh.log")
        logging.getLogger("ui.test").warning("ghi nhật ký tiếng Việt")
        for h in root.handlers:
            h.flush()
        assert "ghi nhật ký tiếng Việt" in path.read_text(encoding="utf-8")
        handler = next(h for h in root.handlers if getattr(h, "_giaitrinh", False))
        assert handler.maxBytes > 0 and handler.backupCount > 0
    finally:
        for h in list(root.handlers):
            if h not in before:
                root.removeHandler(h)
                h.close()


def test_failed_save_keeps_every_field(qtbot, window, session, monkeypatch):
    from ui.dialogs import reception_dialog as rd

    dialog = rd.ReceptionDialog(session, window)
    qtbot.addWidget(dialog)
    dialog.person.name.setText("Trần Văn Bình")
    dialog.content.setPlainText("Đề nghị cấp lại giấy chứng nhận")
    boom = UserError("disk_full", "Ổ đĩa đã đầy nên không ghi được.")
    monkeypatch.setattr(rd, "record_reception", lambda *a, **k: (_ for _ in ()).throw(boom))
    reported = []
    monkeypatch.setattr(rd, "report", lambda parent, exc: reported.append(exc))
    dialog.save()
    saved(qtbot, dialog)   # on the session's writer
    assert reported == [boom] and dialog.result() == 0
    assert dialog.person.name.text() == "Trần Văn Bình"
    assert dialog.content.toPlainText() == "Đề nghị cấp lại giấy chứng nhận"
    # nothing half-written: the person saved inside the failed transaction is gone too
    assert session.db.scalar("SELECT count(*) FROM persons") == 0


def test_inline_validation_and_group_rules(qtbot, window, session):
    from ui.dialogs.reception_dialog import ReceptionDialog

    d = ReceptionDialog(session, window)
    qtbot.addWidget(d)
    d.show()
    d.save()
    assert "họ tên" in d.person.errors.message("full_name")
    d.person.name.setText("Lò Văn Páo")
    d.save()
    saved(qtbot, d)
    assert "nội dung" in d.errors.message("content").lower()
    d.content.setPlainText("Phản ánh đường liên thôn bị sạt lở")
    d.people_count.setValue(7)
    assert d.group_hint.isVisible() and "01 hoặc 02" in d.group_hint.text()
    d.first_rep.setChecked(False)
    d.save()
    saved(qtbot, d)
    assert "đại diện" in d.errors.general.text()
    d.first_rep.setChecked(True)
    d.save()
    saved(qtbot, d)
    assert d.reception is not None and d.reception.people_count == 7


def test_id_number_checked_as_typed(qtbot, qapp):
    from ui.widgets.form import IdentityEdit

    w = IdentityEdit()
    qtbot.addWidget(w)
    w.kind.setCurrentIndex(w.kind.findData("cccd"))
    w.number.setText("03418")
    assert w.hint.text() == "Đã nhập 5/12 chữ số."
    w.number.setText("999185001234")
    assert "không phải mã tỉnh" in w.hint.text()
    w.number.setText("034185001234")
    assert w.hint.text() == "Số căn cước hợp lệ (sinh năm 1985, nữ)."


def test_duplicate_person_is_offered(qtbot, window, session):
    from desktop.storage.persons import save_person
    from ui.dialogs.case_dialog import CaseDialog

    known = save_person(session.db, full_name="Nguyễn Thị Hoa", id_kind="cccd", id_number="034185001234")
    d = CaseDialog(session, window)
    qtbot.addWidget(d)
    d.show()
    d.person.name.setText("Nguyen Thi Hoa")
    d.person.lookup()
    assert d.person.suggestions and d.person.suggestions[0][0].uuid == known.uuid
    d.person.pick(known)
    assert d.person.person_uuid() == known.uuid and d.person.name.isReadOnly()


def test_sample_register_opens_from_the_first_run_choice(qapp, isolated_folders, answer_login):
    from datetime import date

    from desktop.storage.units import local_unit
    from desktop.workflow.demo import DEMO_PASSWORD
    from ui import opening

    answered = answer_login("chutich", DEMO_PASSWORD)
    session = opening.open_sample(today=date(2026, 3, 2))
    try:
        assert session is not None and answered == ["LoginDialog"]
        assert session.db.principal.login == "chutich" and session.db.principal.role == "leader"
        assert session.path == isolated_folders / opening.SAMPLE_NAME
        assert session.db.scalar("SELECT count(*) FROM cases") > 100
        assert local_unit(session.db).name.startswith("Ủy ban nhân dân")
        assert session.lock is not None and session.lock.held
    finally:
        session.close()
    assert not (isolated_folders / (opening.SAMPLE_NAME + ".lock")).exists()


def test_enter_saves_a_reception(qtbot, window, session):
    from PySide6.QtCore import Qt

    from ui.dialogs.reception_dialog import ReceptionDialog

    d = ReceptionDialog(session, window)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.person.name.setText("Hà Văn Sơn")
    d.content.setPlainText("Hỏi về thủ tục chuyển nhượng đất")
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    d.request.setFocus()
    with qtbot.waitSignal(d.accepted):
        qtbot.keyClick(d.request, Qt.Key.Key_Return)
    assert d.reception is not None and d.case is None  # recorded, no case opened


def test_other_engineers_menus_are_mounted_and_compose_opens_the_document_dialog(qtbot, window, session,
                                                                                  monkeypatch):
    qtbot.waitUntil(lambda: "&Trợ giúp" in _menu_titles(window))
    assert "Đồng bộ" in _menu_titles(window)
    from ui.dialogs.case_dialog import CaseDialog

    d = CaseDialog(session, window)
    qtbot.addWidget(d)
    d.kind.setCurrentIndex(d.kind.findData("petition"))
    d.summary.setText("Kiến nghị sửa đường liên thôn")
    d.person.name.setText("Mùa A Sử")
    d.save()
    qtbot.waitUntil(lambda: d.pending is None)  # the save runs on the session's writer
    window.open_case(d.case.uuid)
    import ui.dialogs.document_dialog as dd

    opened = []
    monkeypatch.setattr(dd.DocumentDialog, "exec", lambda self: opened.append(self.case.uuid) or 0)
    window.case_page.compose.click()
    assert opened == [d.case.uuid]


def test_saving_a_new_person_with_a_known_id_number_picks_the_known_person(qtbot, window, session):
    """The clerk ignored the suggestion and typed a new name with a known ID number: nothing is
    saved, the known person is picked, the form keeps the rest, and the message says why."""
    from desktop.storage.persons import save_person
    from ui.dialogs.case_dialog import CaseDialog

    known = save_person(session.db, full_name="Nguyễn Thị Hoa", id_kind="cccd", id_number="034185001234")
    before = session.db.scalar("SELECT count(*) FROM cases")
    d = CaseDialog(session, window)
    qtbot.addWidget(d)
    d.kind.setCurrentIndex(d.kind.findData("petition"))
    d.summary.setText("Kiến nghị sửa đường")
    d.person.name.setText("Nguyễn Thị Hoà Bình")
    d.person.identity.number.setText("034185001234")
    d.save()
    qtbot.waitUntil(lambda: d.pending is None)  # the save runs on the session's writer
    assert session.db.scalar("SELECT count(*) FROM cases") == before and d.case is None
    assert d.person.person_uuid() == known.uuid
    assert "034185001234" in d.person.errors.general.text()
    assert d.summary.text() == "Kiến nghị sửa đường"


def test_the_board_reloads_after_a_save_only_when_it_is_seen(qtbot, window, session, office):
    """A save made while the clerk is in a register does not run the board's queries (tens of
    milliseconds at a province); showing the board again brings it up to date."""
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import CaseInput, receive_case

    today = session.today()
    qtbot.waitUntil(lambda: 0 in window.pages)
    dash = window.pages[0]
    qtbot.waitUntil(lambda: dash.data is not None)
    notice = dash.tiles["notice"].number
    before = int(notice.text())
    person = save_person(session.db, full_name="Trần Văn Bình")

    def new_case(summary: str) -> None:
        receive_case(session.db, CaseInput(kind="petition", received_on=today, summary=summary,
                                           requesters=[person.uuid]), today=today)
        session.notify_changed()

    window.show_page(2)
    shown = dash.data
    new_case("Kiến nghị sửa đường liên thôn")
    assert dash.data is shown and notice.text() == str(before)  # hidden: nothing ran
    window.show_page(0)
    assert dash.data is not shown
    assert notice.text() == str(before + 1)  # the new case awaits its notice
    new_case("Kiến nghị lắp đèn đường")  # seen: at once
    assert notice.text() == str(before + 2)


def test_a_register_saved_to_while_hidden_shows_the_new_case_when_opened_again(qtbot, window, session):
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import CaseInput, receive_case

    window.show_page(2)
    cases = window.pages[2]
    before = cases.model.rowCount()
    window.show_page(0)
    person = save_person(session.db, full_name="Trần Văn Bình")
    receive_case(session.db, CaseInput(kind="petition", received_on=session.today(), summary="Kiến nghị sửa cầu",
                                       requesters=[person.uuid]), today=session.today())
    session.notify_changed()
    assert cases.model.rowCount() == before  # hidden: not reloaded yet
    window.show_page(2)
    assert cases.model.rowCount() == before + 1
    assert cases.count.text() == f"{before + 1} vụ việc"


def test_pickers_and_signers_are_this_units_officers_only(qtbot, window, session):
    """A province's register also holds the communes' officers (from their bundles): none of them
    receives, handles or signs here."""
    from desktop.storage.units import list_officers, own_officers, signers
    from ui.dialogs.case_dialog import CaseDialog
    from ui.dialogs.reception_dialog import ReceptionDialog

    db = session.db
    columns = [r[1] for r in db.query("PRAGMA table_info(officers)") if r[1] not in ("id", "uuid", "unit_code")]
    with db.write():  # a commune's head as a bundle's merge writes it: the commune's uuid and unit
        db.execute(f"INSERT INTO officers({', '.join(columns)}, uuid, unit_code) "
                   f"SELECT {', '.join(columns)}, 'c0ffee00c0ffee00c0ffee00c0ffee00', '99999' FROM officers "
                   f"WHERE role = 'head'")
    foreign = "c0ffee00c0ffee00c0ffee00c0ffee00"
    assert foreign in {o.uuid for o in list_officers(db)}
    assert foreign not in {o.uuid for o in own_officers(db)} and own_officers(db)
    assert foreign not in {o.uuid for o in signers(db)} and signers(db)
    case_dialog = CaseDialog(session, window)
    qtbot.addWidget(case_dialog)
    assert case_dialog.assignee.findData(foreign) == -1 and case_dialog.assignee.count() > 1
    reception = ReceptionDialog(session, window)
    qtbot.addWidget(reception)
    assert reception.host.findData(foreign) == -1 and reception.host.count() >= 1
    assert reception.assignee.findData(foreign) == -1
    assert session.actor_uuid != foreign


def test_reception_dialog_fits_a_1366_by_768_screen_with_its_taskbar(qtbot, window, session, monkeypatch):
    """860×720 and a title bar did not fit the 728 pixels a 1366×768 screen leaves above the taskbar."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QScreen

    from ui.dialogs.reception_dialog import ReceptionDialog

    monkeypatch.setattr(QScreen, "availableGeometry", lambda self: QRect(0, 0, 1366, 728))
    d = ReceptionDialog(session, window)
    qtbot.addWidget(d)
    assert d.height() <= 728 - 40 and d.width() == 860


def test_the_administrator_is_not_offered_to_receive(qtbot, session, office):
    """The administrator keeps the register, does not receive citizens: 'Tiếp công dân' and
    'Vụ việc mới' are greyed (the form would be refused only after it was filled)."""
    from desktop.security import accounts
    from ui.main_window import MainWindow

    accounts.assume_role(office["db"], "admin")
    w = MainWindow(session)
    qtbot.addWidget(w)
    assert not w.act_reception.isEnabled() and not w.act_case.isEnabled()
    accounts.assume_role(office["db"], "reception", officer_uuid=office["clerk"].uuid)
    w._signed_in()   # the clerk takes the PC (Đổi người dùng)
    assert w.act_reception.isEnabled() and w.act_case.isEnabled()


def test_the_administrator_is_told_the_way_to_receive(qtbot, window, session, office):
    """The first run's only account is the administrator's, who may not receive: the greyed
    "Tiếp công dân" says how a clerk gets an account, not only that this one may not."""
    from desktop.security import accounts

    accounts.assume_role(office["db"], "admin", officer_uuid=office["clerk"].uuid)
    session.signed_in()
    window._show_user()
    assert not window.act_reception.isEnabled()
    assert "Cài đặt › Người dùng" in window.act_reception.toolTip()
