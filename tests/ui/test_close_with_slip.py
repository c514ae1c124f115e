"""Closing asks for the answer of the satisfaction slip; without a slip it records "no opinion"."""

from __future__ import annotations

from datetime import date

from desktop.storage.cases import get_case, list_events
from desktop.storage.persons import save_person
from desktop.workflow.engine import act, rules_of
from desktop.workflow.receive import CaseInput, receive_case
from tests.ui.keys import answer_box, saved


def _replied(db):
    p = save_person(db, full_name="Trần Thị Đức")
    c = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 2, 2), summary="Kiến nghị sửa đường",
                                   requesters=[p.uuid]), today=date(2026, 3, 2))
    act(db, c.uuid, "accept", effective_on=date(2026, 2, 3), today=date(2026, 3, 2))
    return act(db, c.uuid, "reply", effective_on=date(2026, 2, 20), today=date(2026, 3, 2))


def test_close_records_the_slips_answer_or_no_opinion(qtbot, session):
    from ui.dialogs.action_dialog import ActionDialog

    case = _replied(session.db)
    close = rules_of(case).actions["close"]
    dlg = ActionDialog(session, case, close)
    qtbot.addWidget(dlg)
    assert dlg.has_slip.isChecked() and dlg.satisfaction.isEnabled()
    dlg.satisfaction.setCurrentIndex(dlg.satisfaction.findData("partly"))
    answer_box("Ghi vào sổ")   # closing is confirmed, with what it changes
    dlg.save()
    saved(qtbot, dlg)   # on the session's writer
    closed = get_case(session.db, case.uuid)
    assert closed.state == "closed" and closed.satisfaction == "partly"
    assert list_events(session.db, case.uuid)[-1].data["satisfaction_source"] == "slip"

    other = _replied(session.db)
    dlg = ActionDialog(session, other, close)
    qtbot.addWidget(dlg)
    dlg.has_slip.setChecked(False)
    assert not dlg.satisfaction.isEnabled() and dlg.satisfaction.currentData() == "unknown"
    answer_box("Ghi vào sổ")   # closing is confirmed, with what it changes
    dlg.save()
    saved(qtbot, dlg)
    assert get_case(session.db, other.uuid).satisfaction == "unknown"
    assert list_events(session.db, other.uuid)[-1].data["satisfaction_source"] == "no_slip"
