"""The writes left on the GUI thread after the dialogs moved (issue #20, item 1) run on the
session's writer too: the case view's reveal of sealed identities, the calendar's answers, the
settings pages (unit, officers, accounts, rules, backup folder), the public notice and the key
registration. For each: the core function runs on the writer's thread while the window keeps
processing events ("Đang lưu…" shows after 150 ms, a timer keeps ticking), a second press sends
nothing more, and the register shows the change after; a failure is shown in Vietnamese with
nothing of it written. Login checks its password on a worker, and the step dialog's preview is
rolled back on the writer, with the window working meanwhile."""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from datetime import date
from typing import Callable

import pytest

from desktop.errors import UserError
from desktop.security import accounts
from desktop.storage.persons import save_person
from desktop.workflow.receive import CaseInput, receive_case

TODAY = date(2026, 3, 2)
FULL = "Ổ đĩa đã đầy nên không ghi được. Không có dữ liệu nào bị ghi dở."
PASSWORD = "một câu của chủ tịch xã"


@dataclass
class Form:
    widget: object               # what holds ``pending`` and ``saving``
    start: Callable[[], bool]    # the clerk's press: True when a save was sent
    core: str                    # "module.name" of the core function the write calls
    written: Callable[[], bool]  # the register shows the change
    shown: Callable[[list], str] = lambda reported: " ".join(reported)   # what the clerk reads after a failure


def _sent(widget, press) -> Callable[[], bool]:
    """``press`` for a form whose save returns nothing: True when it sent a save to the writer."""
    def start() -> bool:
        before = widget.pending
        press()
        return widget.pending is not None and widget.pending is not before
    return start


def _show(qtbot, widget):
    qtbot.addWidget(widget, **({"before_close_func": lambda w: w.done(0)} if hasattr(widget, "done") else {}))
    widget.show()
    return widget


def _admin(session):
    accounts.assume_role(session.db, "admin")   # settings and the calendar are the administrator's
    session.signed_in()


def _reveal(qtbot, session, office, monkeypatch) -> Form:
    from PySide6.QtWidgets import QInputDialog

    from ui.views.case_view import CaseView

    db = office["db"]
    accounts.assume_role(db, "admin")   # a fresh register: its first administrator makes the sealing key
    db.execute("DELETE FROM accounts")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="", officer_uuid=office["clerk"].uuid)
    accounts.create_account(db, login="hung", password=PASSWORD, role="leader", officer_uuid=office["head"].uuid)
    accounts.assume_role(db, "reception", officer_uuid=office["clerk"].uuid)
    person = save_person(db, full_name="Trần Văn Tố", id_number="034185001234", protect=True)
    case = receive_case(db, CaseInput(kind="denunciation", received_on=TODAY, summary="Tố cáo",
                                      requesters=[person.uuid]), today=TODAY)
    accounts.login_user(db, "hung", PASSWORD)
    session.signed_in()
    view = _show(qtbot, CaseView(session))
    view.show_case(case.uuid)
    view.tabs.setCurrentWidget(view.reveal.parentWidget())   # the people, where the button is
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Xác minh nội dung tố cáo", True)))

    start = _sent(view, view._reveal)
    return Form(view, start, "desktop.security.sealing.reveal",
                lambda: db.scalar("SELECT count(*) FROM identity_reveals") == 1 and view.revealed)


def _uncertain_day(qtbot, session, office, monkeypatch) -> Form:
    from desktop.storage.calendar_repo import load_calendar
    from ui.widgets.calendar_confirm import UncertainDayBanner

    _admin(session)
    banner = _show(qtbot, UncertainDayBanner(session))
    assert banner.day == date(2026, 11, 24)
    return Form(banner, lambda: banner.answer("work"), "ui.widgets.calendar_confirm.confirm_and_recount",
                lambda: load_calendar(session.db).is_working_day(date(2026, 11, 24)))


def _add_day(qtbot, session, office, monkeypatch) -> Form:
    from desktop.storage.calendar_repo import load_calendar
    from ui.views.settings_calendar import AddDayDialog
    from ui.widgets.form import qdate

    _admin(session)
    d = _show(qtbot, AddDayDialog(session, 2026))
    d.day.setDate(qdate(date(2026, 4, 29)))
    d.name.setText("Nghỉ bù theo Thông báo số 01/TB-VPCP")

    start = _sent(d, d.save)
    return Form(d, start, "desktop.workflow.calendar_change.declare_day",
                lambda: not load_calendar(session.db).is_working_day(date(2026, 4, 29)) and d.result() == 1,
                lambda _reported: d.errors.message("day"))


def _year_checked(qtbot, session, office, monkeypatch) -> Form:
    from desktop.storage.calendar_repo import needs_yearly_check
    from ui.views.settings_calendar import CalendarSettings

    _admin(session)
    session.set_today(date(2026, 12, 3))
    view = _show(qtbot, CalendarSettings(session))
    assert view.confirm.isEnabled()
    return Form(view, view.confirm_year, "ui.views.settings_calendar.confirm_year_checked",
                lambda: needs_yearly_check(session.db, session.today()) is None)


def _officer(qtbot, session, office, monkeypatch) -> Form:
    from desktop.storage.units import list_officers
    from ui.views.settings_unit import OfficerDialog

    _admin(session)
    d = _show(qtbot, OfficerDialog(session))
    d.name.setText("Vũ Đức Thắng")
    d.title.setText("Công chức Tư pháp - Hộ tịch")

    start = _sent(d, d.save)
    return Form(d, start, "ui.views.settings_unit.save_officer",
                lambda: "Vũ Đức Thắng" in [o.full_name for o in list_officers(session.db)],
                lambda _reported: d.errors.general.text())


def _unit(qtbot, session, office, monkeypatch) -> Form:
    from desktop.storage.units import local_unit
    from ui.views.settings_unit import UnitSettings

    _admin(session)
    view = _show(qtbot, UnitSettings(session))
    view.place.setText("Thụy Hùng mới")
    return Form(view, view.save_unit, "ui.views.settings_unit.save_unit",
                lambda: local_unit(session.db).place_name == "Thụy Hùng mới")


def _account(qtbot, session, office, monkeypatch) -> Form:
    from ui.views.settings_users import AccountDialog

    _admin(session)
    d = _show(qtbot, AccountDialog(session))
    d.officer.setCurrentIndex(d.officer.findData(office["deputy"].uuid))
    d.login.setText("lan.pt")
    d.password.setText("một câu của chị Lan")
    d.confirm.setText("một câu của chị Lan")

    start = _sent(d, d.save)
    return Form(d, start, "desktop.security.accounts.create_account",
                lambda: session.db.scalar("SELECT count(*) FROM accounts WHERE login = 'lan.pt'") == 1,
                lambda _reported: d.errors.general.text())


def _password(qtbot, session, office, monkeypatch) -> Form:
    from desktop.storage.accounts_repo import by_login
    from ui.views.settings_users import PasswordDialog

    _admin(session)
    accounts.create_account(session.db, login="lan.pt", password="một câu của chị Lan", role="handler",
                            officer_uuid=office["deputy"].uuid)
    stored = session.db.scalar("SELECT password_hash FROM accounts WHERE login = 'lan.pt'")
    d = _show(qtbot, PasswordDialog(session, by_login(session.db, "lan.pt")))
    d.password.setText("mật khẩu mới của chị Lan")
    d.confirm.setText("mật khẩu mới của chị Lan")

    start = _sent(d, d.save)
    return Form(d, start, "desktop.security.accounts.set_password",
                lambda: session.db.scalar("SELECT password_hash FROM accounts WHERE login = 'lan.pt'") != stored,
                lambda _reported: d.errors.general.text())


def _recount(qtbot, session, office, monkeypatch) -> Form:
    from desktop.storage.cases import get_case, update_case
    from ui.views.settings_rules import RulesSettings

    db = session.db
    citizen = save_person(db, full_name="Trần Thị Đức").uuid
    case = receive_case(db, CaseInput(kind="complaint_1", received_on=TODAY, summary="Khiếu nại",
                                      requesters=[citizen]), today=TODAY)
    with db.write():  # as a register written before the fix left it: 10 calendar days
        update_case(db, case.uuid, {"due_on": "2026-03-12"})
    _admin(session)
    view = _show(qtbot, RulesSettings(session))
    assert view.recount_button.isEnabled()
    return Form(view, view.recount, "ui.views.settings_rules.recount",
                lambda: get_case(db, case.uuid).due_on == date(2026, 3, 16))


def _backup_folder(qtbot, session, office, monkeypatch) -> Form:
    from ui.views.settings_backup import BACKUP_KEY, BackupSettings

    view = _show(qtbot, BackupSettings(session))
    folder = str(session.path.parent / "usb")
    return Form(view, lambda: view.set_folder(folder), "desktop.storage.db.Database.set_setting",
                lambda: session.db.get_setting(BACKUP_KEY) == folder and view.folder.text() == folder)


def _publish(qtbot, session, office, monkeypatch) -> Form:
    from PySide6.QtGui import QDesktopServices

    from desktop.workflow.engine import act
    from ui.dialogs.publish_dialog import PublishDialog

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    db = session.db
    p = save_person(db, full_name="Nguyễn Văn An")
    c = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 1, 5), requesters=[p.uuid],
                                   summary="Kiến nghị sửa đường"), today=TODAY)
    act(db, c.uuid, "accept", effective_on=date(2026, 1, 6), today=TODAY)
    act(db, c.uuid, "reply", effective_on=date(2026, 2, 2), today=TODAY)
    d = _show(qtbot, PublishDialog(session))
    d.period.setText("02/2026")
    d.folder.setText(str(session.path.parent / "cong-khai"))
    return Form(d, d.make, "ui.dialogs.publish_dialog.make",
                lambda: db.scalar("SELECT published_on FROM cases WHERE uuid = ?", (c.uuid,)) == "2026-03-02",
                lambda _reported: d.message.text())


def _key(qtbot, session, office, monkeypatch) -> Form:
    from desktop.storage import sync_repo
    from desktop.sync import keys
    from ui.dialogs.sync_dialogs import KeyDialog

    from desktop.storage.db import open_database
    from desktop.storage.units import save_unit

    _admin(session)   # keys are the administrator's
    province = open_database(session.path.parent / "tinh.sqlite")
    save_unit(province, code="33", name="Thanh tra tỉnh", level="province", make_local=True, mode="province")
    province.set_setting("register_mode", "province")
    accounts.assume_role(province, "admin")
    key_file = keys.write_key_file(province, session.path.parent / "tinh.key", "cụm mật khẩu của tỉnh")
    fp = keys.own_key(province, "signing").fingerprint
    province.close()
    d = _show(qtbot, KeyDialog(session))
    d.file.setText(str(key_file))
    d.load()
    d.typed.setText(fp)
    assert d.register_button.isEnabled()
    return Form(d, d.register, "desktop.sync.keys.import_key_file",
                lambda: sync_repo.get_peer_key(session.db, fp) is not None and d.peer is not None,
                lambda _reported: d.message.text())


def _report(qtbot, session, office, monkeypatch) -> Form:
    from PySide6.QtWidgets import QMessageBox

    from desktop.reports import submit
    from desktop.storage.units import local_unit_code
    from ui.views.reports import ReportsView

    session.set_today(date(2026, 7, 15))
    view = _show(qtbot, ReportsView(session))
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    assert view.issue_button.isEnabled(), view.issue_button.toolTip()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: None))
    return Form(view, _sent(view, view._issue), "desktop.reports.submit.issue_report",
                lambda: submit.latest(session.db, local_unit_code(session.db), "2026-H1") is not None
                and not view.issue_button.isEnabled())


FORMS = {"reveal": _reveal, "uncertain day": _uncertain_day, "add day": _add_day, "year checked": _year_checked,
         "officer": _officer, "unit": _unit, "account": _account, "password": _password, "recount": _recount,
         "backup folder": _backup_folder, "publish": _publish, "key": _key,
         "report": _report}
REPORTED_BY = ("ui.errors", "ui.views.case_view", "ui.widgets.calendar_confirm", "ui.views.settings_calendar",
               "ui.views.settings_unit", "ui.views.settings_users", "ui.views.settings_rules",
               "ui.dialogs.sync_dialogs")


def _patch(monkeypatch, target: str, fn) -> Callable:
    """Replace ``target`` ("module.name" or "module.Class.method") by ``fn``; returns the real one."""
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:-1]:
            owner = getattr(owner, attr)
        real = getattr(owner, parts[-1])
        monkeypatch.setattr(owner, parts[-1], fn)
        return real
    raise AssertionError(target)


@pytest.mark.parametrize("what", FORMS)
def test_it_runs_on_the_writer_while_the_window_works(qtbot, session, office, monkeypatch, ticks, what):
    form = FORMS[what](qtbot, session, office, monkeypatch)
    threads: list[int] = []
    real = None

    def on_its_thread(*args, **kwargs):   # the real core function, noting the thread it runs on
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    real = _patch(monkeypatch, form.core, on_its_thread)
    release = threading.Event()
    session.writer.save(lambda db: release.wait(10))   # a save before it holds the writer
    try:
        _held(qtbot, form, ticks, threads)
    finally:
        release.set()
    qtbot.waitUntil(lambda: form.widget.pending is None, timeout=10000)
    assert form.written() and not form.widget.saving.isVisible()
    assert threads and threading.get_ident() not in threads


def _held(qtbot, form, ticks, threads) -> None:
    assert form.start()
    qtbot.waitUntil(form.widget.saving.isVisible, timeout=5000)   # "Đang lưu…" after 150 ms
    count = len(ticks)
    qtbot.waitUntil(lambda: len(ticks) > count + 2)                # and the window keeps working
    assert form.widget.saving.text() == "Đang lưu…" and not form.written() and not threads
    assert not form.start()                                        # pressed again: nothing more


@pytest.mark.parametrize("what", FORMS)
def test_a_failure_is_shown_in_vietnamese_and_nothing_is_written(qtbot, session, office, monkeypatch, what):
    form = FORMS[what](qtbot, session, office, monkeypatch)
    reported: list[str] = []
    for name in [f"{module}.report" for module in REPORTED_BY] + ["ui.views.reports.report_error"]:
        monkeypatch.setattr(name, lambda parent, exc: reported.append(getattr(exc, "message", str(exc))))

    def full_disk(db, *args, **kwargs):   # writes half, then the disk is full
        with db.write():
            db.execute("INSERT INTO settings(key, value) VALUES ('half', 'written')")
            raise UserError("disk_full", FULL)

    _patch(monkeypatch, form.core, full_disk)
    assert form.start()
    qtbot.waitUntil(lambda: form.widget.pending is None, timeout=10000)
    assert FULL in form.shown(reported)
    assert session.db.get_setting("half") is None and not form.written()   # nothing half-written
    assert not form.widget.saving.isVisible()


# -- login: the password's hash is checked on a worker ---------------------------------------------

def _login_dialog(qtbot, office):
    from ui.dialogs.login import LoginDialog

    db = office["db"]
    accounts.assume_role(db, "admin")
    accounts.create_account(db, login="mai", password=PASSWORD, role="handler", officer_uuid=office["clerk"].uuid)
    accounts.logout(db)
    d = LoginDialog(db)
    qtbot.addWidget(d, before_close_func=lambda w: w.done(0))
    d.show()
    d.login.setText("mai")
    return db, d


def test_login_checks_the_password_on_a_worker_while_the_window_works(qtbot, office, monkeypatch, ticks):
    from desktop.security import passwords

    db, d = _login_dialog(qtbot, office)
    real, threads, release = passwords.verify_password, [], threading.Event()

    def slow_verify(stored, typed):   # argon2 is slow on purpose: here it waits for the test
        threads.append(threading.get_ident())
        release.wait(10)
        return real(stored, typed)

    monkeypatch.setattr(passwords, "verify_password", slow_verify)
    d.password.setText(PASSWORD)
    assert d.submit()
    qtbot.waitUntil(d.checking.isVisible, timeout=5000)            # "Đang kiểm tra…" after 150 ms
    count = len(ticks)
    qtbot.waitUntil(lambda: len(ticks) > count + 2)                 # the window keeps working
    assert d.checking.text() == "Đang kiểm tra…" and not d.ok.isEnabled() and db.principal is None
    assert not d.submit()                                           # Enter again: one check
    d.reject()                                                      # Escape while checking: the form waits
    assert d.isVisible()
    with qtbot.waitSignal(d.accepted, timeout=10000):
        release.set()
    assert db.principal.login == "mai" and threads and threading.get_ident() not in threads
    assert not d.checking.isVisible()
    assert db.scalar("SELECT last_login_at FROM accounts WHERE login = 'mai'")   # written by the worker


def test_a_login_that_cannot_be_noted_is_refused_with_nothing_written(qtbot, office, monkeypatch):
    """The login's line in the access log fails (a full disk): no one is logged in, the tries are
    not reset, the message is shown under the form."""
    import desktop.security.accounts as accounts_mod

    db, d = _login_dialog(qtbot, office)
    with db.write():
        db.execute("UPDATE accounts SET failed_count = 2 WHERE login = 'mai'")

    def full_disk(db, *args, **kwargs):
        raise UserError("disk_full", FULL)

    monkeypatch.setattr(accounts_mod, "log_access", full_disk)
    d.password.setText(PASSWORD)
    assert d.submit()
    qtbot.waitUntil(lambda: d.pending is None, timeout=10000)
    assert d.isVisible() and db.principal is None and d.errors.general.text() == FULL
    row = db.one("SELECT failed_count, last_login_at FROM accounts WHERE login = 'mai'")
    assert row["failed_count"] == 2 and row["last_login_at"] is None
    assert d.ok.isEnabled() and d.password.text() == ""


# -- the step dialog's preview: rolled back on the writer -------------------------------------------

def _extend_dialog(qtbot, session):
    from desktop.workflow.engine import act, rules_of
    from ui.dialogs.action_dialog import ActionDialog

    person = save_person(session.db, full_name="Trần Thị Đức")
    case = receive_case(session.db, CaseInput(kind="explanation", received_on=TODAY, summary="Giải trình",
                                              requesters=[person.uuid]), today=TODAY)
    case = act(session.db, case.uuid, "accept", effective_on=TODAY, today=TODAY)
    d = ActionDialog(session, case, rules_of(case).actions["extend"])
    qtbot.addWidget(d, before_close_func=lambda w: w.done(0))
    d.show()
    qtbot.waitUntil(lambda: d.previewing is None)   # the preview of the form as opened
    return case, d


def test_the_step_preview_is_rolled_back_on_the_writer_while_the_window_works(qtbot, session, monkeypatch, ticks):
    import desktop.workflow.preview as preview_mod
    from desktop.storage.cases import get_case, list_events

    case, d = _extend_dialog(qtbot, session)
    assert "hạn mới" in d.preview.text()
    real, threads = preview_mod.preview_act, []

    def on_its_thread(*args, **kwargs):
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(preview_mod, "preview_act", on_its_thread)
    changed: list = []
    session.changed.connect(lambda: changed.append(1))
    events = len(list_events(session.db, case.uuid))
    release = threading.Event()
    session.writer.save(lambda db: release.wait(10), changes=False)   # the writer is busy
    d.preview.setText("")
    d.note.setPlainText("Vụ việc phức tạp")
    d.update_preview()
    d.update_preview()                                   # typed on meanwhile: previewed once more after
    count = len(ticks)
    qtbot.waitUntil(lambda: len(ticks) > count + 5)      # the window keeps working while it waits
    assert d.previewing is not None and d.preview.text() == "" and not threads
    release.set()
    qtbot.waitUntil(lambda: d.previewing is None and "hạn mới" in d.preview.text(), timeout=10000)
    assert len(threads) == 2 and threading.get_ident() not in threads
    assert get_case(session.db, case.uuid) == case and len(list_events(session.db, case.uuid)) == events
    assert not changed                                   # nothing kept: the views do not reload


def test_a_refused_preview_leaves_the_line_empty_and_writes_nothing(qtbot, session, monkeypatch):
    import desktop.workflow.preview as preview_mod
    from desktop.storage.cases import get_case

    case, d = _extend_dialog(qtbot, session)

    def refused(db, *args, **kwargs):
        with db.write():
            db.execute("INSERT INTO settings(key, value) VALUES ('half', 'written')")
            raise UserError("disk_full", FULL)

    monkeypatch.setattr(preview_mod, "preview_act", refused)
    d.update_preview()
    qtbot.waitUntil(lambda: d.previewing is None, timeout=10000)
    assert d.preview.text() == "" and d.isVisible()
    assert session.db.get_setting("half") is None and get_case(session.db, case.uuid) == case


def test_the_keyboard_stays_on_the_button_it_pressed(qtbot, session, office, monkeypatch):
    """A page's button greyed while it saves loses the keyboard focus; it gets it back after, so
    the clerk's next Tab or Space goes on from there (found walking the unit page by keyboard)."""
    form = _unit(qtbot, session, office, monkeypatch)
    view = form.widget
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.save_button.setFocus()
    qtbot.waitUntil(view.save_button.hasFocus)
    assert form.start()
    assert not view.save_button.hasFocus()   # greyed: Qt moved the focus on
    qtbot.waitUntil(lambda: view.pending is None, timeout=10000)
    assert form.written() and view.save_button.hasFocus()


def test_space_pressed_twice_on_the_preview_does_not_publish(qtbot, session, office, monkeypatch):
    """The notice's preview greys its button while it reads on a worker: Qt then gives the focus
    to "Lập thông báo", and a second Space would have published. The focus comes back (walk)."""
    from PySide6.QtCore import Qt

    form = _publish(qtbot, session, office, monkeypatch)
    d = form.widget
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    d.preview_button.setFocus()
    qtbot.waitUntil(d.preview_button.hasFocus)
    qtbot.keyClick(d.preview_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: d.previewing is None and "1 vụ việc" in d.text.toPlainText(), timeout=10000)
    assert d.preview_button.hasFocus() and not d.make_button.hasFocus()
    assert not form.written()


def test_the_satisfaction_slip_is_made_on_the_writer(qtbot, session, office, monkeypatch, tmp_path, ticks):
    """Printing the slip gives the case its lookup code the first time (a write): it is made on
    the writer, the window working meanwhile, and the code is kept once the file is written."""
    import desktop.documents.satisfaction_slip as slip_mod
    from desktop.storage.lookup import case_code
    from ui.widgets import attachments_panel
    from ui.widgets.attachments_panel import AttachmentsPanel

    monkeypatch.setenv("GIAITRINH_DOCUMENT_FONT", "bundled")
    person = save_person(session.db, full_name="Trần Thị Đức")
    case = receive_case(session.db, CaseInput(kind="explanation", received_on=TODAY, summary="Giải trình",
                                              requesters=[person.uuid]), today=TODAY)
    panel = _show(qtbot, AttachmentsPanel(session))
    panel.show_case(case)
    target = tmp_path / "phieu.pdf"
    from ui import file_dialogs

    monkeypatch.setattr(file_dialogs.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    monkeypatch.setattr(attachments_panel.QDesktopServices, "openUrl", staticmethod(lambda url: True))
    real, threads = slip_mod.slip_pdf, []

    def on_its_thread(*args, **kwargs):
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(slip_mod, "slip_pdf", on_its_thread)
    release = threading.Event()
    session.writer.save(lambda db: release.wait(10))
    try:
        job = panel.save_pdf("slip")
        count = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) > count + 3)   # the window keeps working meanwhile
        assert not job.finished and not threads and case_code(session.db, case.uuid) is None
    finally:
        release.set()
    qtbot.waitUntil(lambda: job.finished, timeout=20000)
    assert target.read_bytes().startswith(b"%PDF") and case_code(session.db, case.uuid)
    assert threads and threading.get_ident() not in threads
