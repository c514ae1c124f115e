"""A leader reveals a denouncer's sealed identity from the case: a typed reason, the identity shown,
who saw it listed under the people; a clerk is never offered the button."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QInputDialog

from desktop.security import accounts
from desktop.storage.persons import save_person
from desktop.workflow.receive import CaseInput, receive_case

PASSWORD = "một câu của chủ tịch xã"


def test_a_leader_reveals_with_a_reason_and_the_case_shows_who_saw(qtbot, session, office, monkeypatch):
    from ui.views.case_view import CaseView

    db = office["db"]
    accounts.assume_role(db, "admin")  # a fresh register: its first administrator makes the key
    db.execute("DELETE FROM accounts")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="", officer_uuid=office["clerk"].uuid)
    accounts.create_account(db, login="hung", password=PASSWORD, role="leader", officer_uuid=office["head"].uuid)
    accounts.assume_role(db, "reception", officer_uuid=office["clerk"].uuid)
    person = save_person(db, full_name="Trần Văn Tố", id_number="034185001234", protect=True)
    case = receive_case(db, CaseInput(kind="denunciation", received_on=date(2026, 3, 2), summary="Tố cáo",
                                      requesters=[person.uuid]), today=date(2026, 3, 2))
    session.signed_in()
    view = CaseView(session)
    qtbot.addWidget(view)
    view.show()
    view.show_case(case.uuid)
    assert view.reveal.isHidden() and view.people.rowCount() == 0  # the clerk may not

    accounts.login_user(db, "hung", PASSWORD)
    session.signed_in()
    view.show_case(case.uuid)
    assert not view.reveal.isHidden()
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Xác minh nội dung tố cáo", True)))
    with qtbot.waitSignal(session.changed):
        view.reveal.click()
    names = [view.people.index(r, 0).data() for r in range(view.people.rowCount())]
    assert names == ["Trần Văn Tố"]
    assert "Nguyễn Văn Hùng" in view.seen.text() and "Xác minh nội dung tố cáo" in view.seen.text()
    assert db.scalar("SELECT full_name FROM persons WHERE uuid = ?", (person.uuid,)) == "(giữ bí mật)"
