"""The Government's announced days shipped as data (resources/calendar/official-days.json) and the
administrator's confirmation of the uncertain ones (DOMAIN.md §9 "Calendar")."""

from __future__ import annotations

import json
from datetime import date

import pytest

from desktop.calendar.deadlines import compute_deadline
from desktop.calendar.official import load_official_days, shipped_days
from desktop.calendar.workdays import WorkCalendar
from desktop.cli import main
from desktop.errors import UserError
from desktop.storage import calendar_repo as repo
from desktop.storage.units import save_unit

CAL = WorkCalendar()


def test_every_announced_day_has_a_source_and_a_confidence():
    days = load_official_days()
    assert {d.day.year for d in days} == {2025, 2026, 2027}
    assert all(d.source and d.confidence in ("V", "S", "U") for d in days)
    assert len({d.day for d in days}) == len(days)


@pytest.mark.parametrize(("day", "working", "why"), [
    # 2026 New Year: Fri 02/01 off, Sat 10/01 worked (VPCP 12729/VPCP-KGVX of 25/12/2025, press) [S]
    (date(2026, 1, 2), False, "thay cho ngày 10/01/2026"),
    (date(2026, 1, 10), True, None),
    # 2026 National Day: holiday 29/08–02/09, Sat 22/08 worked, Mon 31/08 off [S]
    (date(2026, 8, 22), True, None), (date(2026, 8, 31), False, None), (date(2026, 9, 1), False, None),
    (date(2026, 9, 2), False, None), (date(2026, 9, 3), True, None),
    # 2025: Sat 26/04 worked for Fri 02/05 [S]
    (date(2025, 4, 26), True, None), (date(2025, 5, 2), False, None),
    # Tết Bính Ngọ 2026: 14/02–22/02, weekdays 16–20/02 off [S]
    (date(2026, 2, 16), False, None), (date(2026, 2, 20), False, None), (date(2026, 2, 23), True, None),
])
def test_announced_swaps(day, working, why):
    assert CAL.is_working_day(day) is working
    if why:
        assert why in CAL.day_off_reason(day)


def test_new_year_2026_swap_moves_a_deadline_the_library_alone_got_wrong():
    """Received Wed 31/12/2025, 05 working days: 01/01 holiday, 02/01 off by the swap, 03–04/01
    weekend, then 05–09/01 → Fri 09/01/2026 (the library alone counted 02/01: Thu 08/01)."""
    dl = compute_deadline(CAL, date(2025, 12, 31), 5, "working")
    assert dl.due == date(2026, 1, 9)  # 05, 06, 07, 08, 09/01
    assert compute_deadline(WorkCalendar(official={}), date(2025, 12, 31), 5, "working").due == date(2026, 1, 8)
    assert compute_deadline(CAL, date(2026, 1, 8), 2, "working").due == date(2026, 1, 10)
    assert "Ngày làm việc bù (cho ngày nghỉ 02/01/2026)" in compute_deadline(CAL, date(2026, 1, 8), 2, "working").trace


@pytest.fixture
def unit_db(db, login):
    """The commune's register with its administrator logged in (the calendar is theirs)."""
    save_unit(db, code="11230", name="UBND xã Thử", place_name="Thử")
    login("admin")
    return db


def test_uncertain_days_wait_for_the_administrator(unit_db):
    db = unit_db
    pending = repo.pending_confirmations(db, date(2026, 11, 1))
    assert date(2026, 11, 24) in [d.day for d in pending]  # 24/11 "Ngày Văn hóa Việt Nam" [U]
    assert date(2027, 2, 4) in [d.day for d in pending]    # Tết 2027 not announced yet [U]
    assert not repo.load_calendar(db).is_working_day(date(2026, 11, 24))  # counted as listed meanwhile
    confirmed = repo.confirm_day(db, date(2026, 11, 24), "work")
    assert confirmed.confirmed and confirmed.kind == "work" and confirmed.listed_kind == "off"
    assert repo.load_calendar(db).is_working_day(date(2026, 11, 24))
    assert date(2026, 11, 24) not in [d.day for d in repo.pending_confirmations(db, date(2026, 11, 1))]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'calendar_day_confirmed'") == 1
    with pytest.raises(UserError) as info:  # a day that is not uncertain is not the administrator's to flip
        repo.confirm_day(db, date(2026, 1, 2), "work")
    assert info.value.code == "calendar_not_uncertain"
    with pytest.raises(UserError):
        repo.confirm_day(db, date(2026, 11, 24), "maybe")


def test_cli_pending_and_confirm(unit_db, capsys, cli_user):
    cli_user(unit_db, "admin")
    path = unit_db.path
    unit_db.close()
    assert main(["calendar", "pending", "--db", str(path), "--today", "01/11/2026"]) == 0
    out = capsys.readouterr().out
    assert "24/11/2026" in out and "cần quản trị viên xác nhận" in out
    assert main(["calendar", "confirm", "--db", str(path), "24/11/2026", "off"]) == 0
    assert main(["calendar", "pending", "--db", str(path), "--today", "01/11/2026", "--json"]) == 0
    assert "2026-11-24" not in capsys.readouterr().out.split("Đã xác nhận")[-1]
    assert main(["calendar", "official", "--db", str(path), "--year", "2026", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    day = next(r for r in rows if r["day"] == "2026-11-24")
    assert day["confirmed"] and day["kind"] == "off"
    assert main(["calendar", "confirm", "--db", str(path), "02/01/2026", "work"]) == 1


def test_shipped_days_are_loaded_once():
    assert shipped_days() is shipped_days()


def test_confirming_a_day_recounts_the_deadlines_it_touches_with_an_event(unit_db, login):
    """A complaint received Mon 23/11/2026 under the 2026 rules: 07 working days, 24/11 counted as
    off → Thu 03/12; confirmed a working day → Wed 02/12, recorded by an event."""
    from desktop.storage.cases import get_case, list_events
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import CaseInput, receive_case
    from desktop.workflow.rules_recheck import confirm_and_recount
    from desktop.workflow.verify import verify_register

    db = unit_db
    login("leader")
    citizen = save_person(db, full_name="Trần Thị Đức")
    case = receive_case(db, CaseInput(kind="complaint_1", received_on=date(2026, 11, 23), summary="Khiếu nại",
                                      requesters=[citizen.uuid]), today=date(2026, 11, 23))
    assert case.due_on == date(2026, 12, 3)
    login("admin")
    moved = confirm_and_recount(db, date(2026, 11, 24), "work", today=date(2026, 11, 25))
    assert [m.counted for m in moved] == [date(2026, 12, 2)]
    assert get_case(db, case.uuid).due_on == date(2026, 12, 2)
    ev = list_events(db, case.uuid)[-1]
    assert ev.action == "deadline_recomputed" and "24/11/2026" in ev.note
    assert verify_register(db).ok
