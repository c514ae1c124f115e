"""A day off declared or removed moves every open deadline it touches, each with an event."""

from __future__ import annotations

from datetime import date

from desktop.storage.cases import get_case, list_events
from desktop.workflow.calendar_change import declare_day, remove_day
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, receive_case
from desktop.workflow.verify import verify_register

TODAY = date(2026, 11, 23)


def _case(office, received):
    return receive_case(office["db"], CaseInput(kind="explanation", received_on=received, summary="Giải trình",
                                               requesters=[office["citizen"].uuid]), today=TODAY)


def test_day_off_on_a_deadline_moves_it_and_removing_it_moves_it_back(office):
    db = office["db"]
    open_case = _case(office, date(2026, 10, 5))          # Mon; notice due 05 working days later
    closed = _case(office, date(2026, 10, 5))
    act(db, closed.uuid, "guide", effective_on=date(2026, 10, 6), today=TODAY, note="UBND huyện")
    early = _case(office, date(2026, 9, 21))
    due = open_case.due_on
    assert due == date(2026, 10, 12)
    from desktop.security import accounts

    accounts.assume_role(db, "admin")   # the calendar is the administrator's (calendar.edit)
    moved = declare_day(db, due, "off", "Nghỉ bù", today=TODAY)
    assert [m.number for m in moved] == [open_case.number]
    now = get_case(db, open_case.uuid)
    assert now.due_on == date(2026, 10, 13) and "Nghỉ bù" in now.due_trace
    ev = list_events(db, open_case.uuid)[-1]
    assert ev.action == "deadline_recomputed" and ev.data["old_due"] == "2026-10-12"
    assert get_case(db, early.uuid).due_on == early.due_on          # due before the day: untouched
    assert len(list_events(db, closed.uuid)) == 2                     # closed: no deadline to move
    back = remove_day(db, due, today=TODAY)
    assert [m.counted for m in back] == [due]
    assert verify_register(db).ok


def test_make_up_working_day_brings_a_deadline_earlier(office):
    db = office["db"]
    case = _case(office, date(2026, 10, 8))    # Thu; 05 working days: Fri, Mon–Thu → 15/10
    assert case.due_on == date(2026, 10, 15)
    from desktop.security import accounts

    accounts.assume_role(db, "admin")   # the calendar is the administrator's (calendar.edit)
    moved = declare_day(db, date(2026, 10, 10), "work", "Làm bù", today=TODAY)
    assert moved and get_case(db, case.uuid).due_on == date(2026, 10, 14)
