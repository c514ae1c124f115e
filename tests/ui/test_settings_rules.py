"""Settings, "Quy định áp dụng": the rules in force with their sources and in-force dates, and the
import of a signed update from the province (issue #16 item 4)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    from desktop.rules import book

    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", "mật khẩu thử nghiệm")
    book.uninstall_all()
    yield
    book.uninstall_all()


def test_rules_listed_with_sources_and_an_update_imported(qtbot, session, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desktop.rules.updates import build_update, write_update
    from desktop.storage import units as units_repo
    from desktop.storage.db import open_database
    from desktop.sync import keys
    from desktop.security import accounts
    from ui.views.settings_rules import RulesSettings

    accounts.assume_role(session.db, "admin")   # keys and rule updates are the administrator's
    view = RulesSettings(session)
    qtbot.addWidget(view)
    view.show()
    rows = view.model.rows
    assert {r.rules_id for r in rows} >= {"explanation-2019", "complaint_1-2011", "complaint_1-2026", "reception-2026"}
    texts = [view.model.index(r, 3).data() for r in range(view.model.rowCount())]
    assert "Chỉ có nguồn thứ cấp" in texts and "Đã đối chiếu văn bản" in texts

    province = open_database(tmp_path / "tinh.sqlite")
    units_repo.save_unit(province, code="33", name="Thanh tra tỉnh", level="province", make_local=True, mode="province")
    province.set_setting("register_mode", "province")
    accounts.assume_role(province, "admin")
    keys.write_key_file(province, tmp_path / "tinh.key")
    keys.import_key_file(session.db, keys.read_key_file(tmp_path / "tinh.key"))
    days = [{"day": "2027-02-03", "kind": "off", "name": "Nghỉ thêm dịp Tết", "source": "Thông báo thử", "confidence": "S"}]
    path = write_update(tmp_path / "u.json", build_update(province, title="Lịch nghỉ 2027 của tỉnh", calendar_days=days))
    province.close()
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    with qtbot.waitSignal(session.changed):
        assert view.import_file(path)   # on the writer (issue #20)
    qtbot.waitUntil(lambda: view.pending is None)
    result = view.last_import
    assert result is not None and result.calendar_days == 1


def test_stale_deadlines_are_shown_and_recounted_on_request(qtbot, session):
    """A deadline stored under the old count (a complaint's acceptance in calendar days) is listed,
    never changed silently; the administrator recounts it, with an event."""
    from datetime import date

    from desktop.storage.cases import get_case, list_events, update_case
    from desktop.workflow.receive import CaseInput, receive_case
    from ui.views.settings_rules import RulesSettings

    db = session.db
    from desktop.storage.persons import save_person

    citizen = save_person(db, full_name="Trần Thị Đức").uuid
    case = receive_case(db, CaseInput(kind="complaint_1", received_on=date(2026, 3, 2), summary="Khiếu nại",
                                      requesters=[citizen]), today=date(2026, 3, 2))
    with db.write():  # as a register written before the fix left it: 10 calendar days
        update_case(db, case.uuid, {"due_on": "2026-03-12"})
    from desktop.security import accounts

    accounts.assume_role(db, "admin")   # recounting deadlines after a rules change is the administrator's
    view = RulesSettings(session)
    qtbot.addWidget(view)
    view.show()
    assert view.recount_button.isVisibleTo(view) and case.number in view.stale_text.text()
    with qtbot.waitSignal(session.changed):
        view.recount_button.click()
    assert get_case(db, case.uuid).due_on == date(2026, 3, 16)
    assert list_events(db, case.uuid)[-1].action == "deadline_recomputed"
    qtbot.waitUntil(lambda: not view.recount_button.isVisibleTo(view))


def test_the_head_reads_the_rules_but_does_not_import_or_recount(qtbot, session):
    """Importing a rules update and recounting deadlines are the administrator's: greyed for the head."""
    from datetime import date

    from desktop.security import accounts
    from desktop.storage.cases import update_case
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import CaseInput, receive_case
    from ui.views.settings_rules import RulesSettings

    db = session.db
    citizen = save_person(db, full_name="Trần Thị Đức").uuid
    case = receive_case(db, CaseInput(kind="complaint_1", received_on=date(2026, 3, 2), summary="Khiếu nại",
                                      requesters=[citizen]), today=date(2026, 3, 2))
    with db.write():
        update_case(db, case.uuid, {"due_on": "2026-03-12"})
    accounts.assume_role(db, "leader")
    view = RulesSettings(session)
    qtbot.addWidget(view)
    view.show()
    assert view.model.rowCount() > 0 and view.recount_button.isVisibleTo(view)
    assert not view.load_button.isEnabled() and not view.recount_button.isEnabled()
    assert "quản trị" in view.load_button.toolTip()
