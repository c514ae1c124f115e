"""Deadlines through the workflow, receptions, confidentiality, verify, ownership."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.errors import UserError
from desktop.storage.calendar_repo import add_day
from desktop.storage.cases import CaseFilter, case_people, dashboard, get_case, list_events, page_cases
from desktop.storage.persons import save_person
from desktop.storage import search
from desktop.storage.search import search_case_ids, search_reception_ids
from desktop.workflow.engine import act, complaint_is_late
from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception
from desktop.workflow.verify import verify_register

TODAY = date(2026, 11, 23)


def _explanation(office, received=date(2026, 2, 13)):
    return receive_case(office["db"], CaseInput(kind="explanation", received_on=received,
                                               summary="Giải trình việc cấp giấy phép xây dựng",
                                               requesters=[office["citizen"].uuid],
                                               assignee_uuid=office["clerk"].uuid), today=TODAY)


def test_notice_deadline_skips_tet_and_has_a_trace(office):
    case = _explanation(office)
    assert case.number == "01/2026" and case.state == "received"
    assert case.due_on == date(2026, 2, 27)  # 05 working days over Tết 2026
    assert "Nghị định 59/2019/NĐ-CP, Điều 11" in case.due_trace
    assert "Nhận ngày 13/02/2026" in case.due_trace and "Tết Nguyên Đán" in case.due_trace


def test_accept_extend_suspend_resume_recompute_the_deadline(office):
    db = office["db"]
    case = _explanation(office)
    case = act(db, case.uuid, "accept", effective_on=date(2026, 2, 25), today=TODAY)
    assert case.due_on == date(2026, 3, 12) and case.due_step == "explain"  # 15 days (Art. 13)
    case = act(db, case.uuid, "extend", effective_on=date(2026, 3, 5), today=TODAY)
    assert case.due_on == date(2026, 3, 27)  # 30 days from the acceptance notice
    case = act(db, case.uuid, "suspend", effective_on=date(2026, 3, 10), ground="illness_obstacle",
               today=TODAY)
    assert case.state == "suspended" and case.due_on is None and case.paused_on == date(2026, 3, 10)
    case = act(db, case.uuid, "resume", effective_on=date(2026, 3, 16), today=TODAY)
    assert case.state == "extended" and case.paused_on is None
    assert case.due_on == date(2026, 4, 2)  # six paused days do not count
    assert "tạm đình chỉ 10/03/2026" in case.due_trace
    case = act(db, case.uuid, "reply", effective_on=date(2026, 3, 30), today=TODAY)
    case = act(db, case.uuid, "close", effective_on=date(2026, 3, 31), satisfaction="partly", today=TODAY)
    assert case.state == "closed" and case.due_on is None and case.satisfaction == "partly"
    assert [e.action for e in list_events(db, case.uuid)] == ["receive", "accept", "extend", "suspend", "resume",
                                                                "reply", "close"]


def test_a_make_up_saturday_counts_as_a_working_day(office, login):
    db = office["db"]
    login("admin")  # the calendar is the administrator's
    add_day(db, date(2026, 3, 7), "work", "Làm bù")
    login("leader", officer_uuid=office["head"].uuid)
    case = _explanation(office, received=date(2026, 3, 2))  # Monday
    assert case.due_on == date(2026, 3, 7)  # 03–06/03 (4) and the make-up Saturday 07/03 (5)
    case2 = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Kiến nghị",
                                       requesters=[office["citizen"].uuid]), today=TODAY)
    # 10 working days from 03/03 with Saturday 07/03 worked: 03–06 (4), 07 (5), 09–13 (10)
    assert case2.due_on == date(2026, 3, 13)


def test_complex_complaint_gets_the_longer_period_and_late_complaints_are_flagged(office):
    db = office["db"]
    case = receive_case(db, CaseInput(kind="complaint_1", received_on=date(2026, 3, 2), summary="Khiếu nại quyết định",
                                      requesters=[office["citizen"].uuid], learned_on=date(2025, 11, 1)), today=TODAY)
    assert complaint_is_late(case)
    # 10 working days (Luật Khiếu nại 2011 Art. 27 as counted by TT 07/2013 Art. 5(1)): Mon 02/03 → Mon 16/03
    assert case.due_on == date(2026, 3, 16)
    case = act(db, case.uuid, "accept", effective_on=date(2026, 3, 9), today=TODAY)
    assert case.due_on == date(2026, 4, 8)  # 30 days
    case = act(db, case.uuid, "mark_complex", effective_on=date(2026, 3, 10), today=TODAY,
               note="Phải xác minh tại 02 địa điểm")
    assert case.due_on == date(2026, 4, 23)  # 45 days
    later = receive_case(db, CaseInput(kind="complaint_1", received_on=date(2026, 7, 1), summary="Khiếu nại",
                                       requesters=[office["citizen"].uuid]), today=TODAY)
    assert later.rules_id == "complaint_1-2026" and later.due_on == date(2026, 7, 10)  # 07 working days


def test_reception_becomes_a_case_atomically(office):
    db = office["db"]
    reception, case = record_reception(db, ReceptionInput(
        received_on=date(2026, 11, 20), person_uuid=office["citizen"].uuid, content="Đề nghị giải trình việc thu phí",
        outcome="accepted", case_kind="explanation"), today=TODAY)
    assert case is not None and reception.case_uuid == case.uuid and case.reception_uuid == reception.uuid
    assert reception.first_time
    again, _ = record_reception(db, ReceptionInput(received_on=date(2026, 11, 21), person_uuid=office["citizen"].uuid,
                                                   content="Hỏi lại kết quả"), today=TODAY)
    assert not again.first_time
    # A failing case leaves no reception behind.
    n = db.scalar("SELECT count(*) FROM receptions")
    with pytest.raises(UserError):
        record_reception(db, ReceptionInput(received_on=date(2026, 11, 21), person_uuid=office["citizen"].uuid,
                                            content="x", outcome="accepted", case_kind="nonsense"), today=TODAY)
    assert db.scalar("SELECT count(*) FROM receptions") == n


def test_group_visit_needs_representatives(office):
    db = office["db"]
    people = [save_person(db, full_name=f"Công dân {i}").uuid for i in range(6)]
    with pytest.raises(UserError) as info:
        record_reception(db, ReceptionInput(received_on=date(2026, 11, 20), person_uuid=None, content="Đoàn đông người",
                                            people=[(u, False) for u in people], people_count=6), today=TODAY)
    assert "đại diện" in info.value.message
    reception, _ = record_reception(db, ReceptionInput(
        received_on=date(2026, 11, 20), person_uuid=None, content="Đoàn đông người",
        people=[(u, i == 0) for i, u in enumerate(people)], people_count=12), today=TODAY)
    assert reception.is_group and reception.people_count == 12 and reception.person_uuid == people[0]


def test_denouncer_is_hidden_from_register_and_search(office):
    db = office["db"]
    case = receive_case(db, CaseInput(kind="denunciation", received_on=date(2026, 3, 2), summary="Tố cáo cán bộ địa chính",
                                      requesters=[office["citizen"].uuid]), today=TODAY)
    assert case.confidential
    row = page_cases(db, CaseFilter()).rows[0]
    assert row.requester_name == "" and row.confidential
    assert search_case_ids(db, "Trần Thị Đức") == []
    assert search_case_ids(db, "dia chinh") == [case.id]
    assert case_people(db, case.uuid)[0].person.full_name == "Trần Thị Đức"  # the case itself keeps it


def test_a_denouncers_reception_is_not_found_by_their_name(office):
    """The reception register shows a denouncer as "(giữ bí mật)": their name, ID number and phone
    must not find the row either (Luật Tố cáo 2018, Art. 9); its content still does."""
    db = office["db"]
    citizen = office["citizen"]
    secret, _ = record_reception(db, ReceptionInput(received_on=date(2026, 3, 2), person_uuid=citizen.uuid,
                                                    content="Tố cáo cán bộ địa chính thu tiền trái quy định",
                                                    case_kind="denunciation"), today=TODAY)
    plain, _ = record_reception(db, ReceptionInput(received_on=date(2026, 3, 3), person_uuid=citizen.uuid,
                                                   content="Kiến nghị sửa đường thôn Đông", case_kind="petition"), today=TODAY)
    ids = {r: db.scalar("SELECT id FROM receptions WHERE uuid = ?", (r.uuid,)) for r in (secret, plain)}
    for typed in ("Trần Thị Đức", "034185001234", "0912 345 678"):
        assert search_reception_ids(db, typed) == [ids[plain]]
    assert search_reception_ids(db, "dia chinh thu tien") == [ids[secret]]
    # Recomputing the texts (after a person is corrected) keeps the rule.
    assert search.refresh_reception_texts(db) == 0
    assert search_reception_ids(db, "tran thi duc") == [ids[plain]]


def test_verify_detects_edits_behind_the_apps_back(office):
    db = office["db"]
    case = _explanation(office)
    act(db, case.uuid, "accept", effective_on=date(2026, 2, 25), today=TODAY)
    assert verify_register(db).ok
    db.conn.execute("UPDATE cases SET due_on = '2026-12-31' WHERE uuid = ?", (case.uuid,))
    report = verify_register(db)
    assert not report.ok and any("01/2026" in p for p in report.problems)
    db.conn.execute("UPDATE cases SET due_on = '2026-03-12' WHERE uuid = ?", (case.uuid,))
    assert verify_register(db).ok
    db.conn.execute("DROP TRIGGER events_no_update")
    db.conn.execute("UPDATE events SET note = 'sửa lén' WHERE seq = 1")
    report = verify_register(db)
    assert any("mã băm" in p for p in report.problems)


def test_dashboard_shows_overdue_when_the_clock_passes(office):
    db = office["db"]
    case = _explanation(office)
    assert dashboard(db, date(2026, 2, 27)).due_today[0].uuid == case.uuid
    board = dashboard(db, date(2026, 3, 4))
    assert board.overdue_count == 1 and board.overdue[0].days_late == 5
    assert board.per_assignee[0].assignee_name == "Lê Thị Mai" and board.per_assignee[0].overdue == 1
    plan = " ".join(r[3] for r in db.query("EXPLAIN QUERY PLAN SELECT count(*) FROM cases WHERE due_on < ?", ("x",)))
    assert "cases_due" in plan


def test_province_cannot_edit_a_communes_case(office):
    db = office["db"]
    case = _explanation(office)
    db.conn.execute("UPDATE settings SET value = '99999' WHERE key = 'local_unit_code'")
    with pytest.raises(UserError) as info:
        act(db, case.uuid, "accept", effective_on=date(2026, 2, 25), today=TODAY)
    assert info.value.code == "foreign_record"
    assert get_case(db, case.uuid).state == "received"


def test_correcting_a_persons_name_follows_into_cases_and_search(office):
    db = office["db"]
    case = _explanation(office)
    record_reception(db, ReceptionInput(received_on=date(2026, 3, 2), person_uuid=office["citizen"].uuid,
                                        content="Hỏi tiến độ"), today=TODAY)
    p = office["citizen"]
    save_person(db, uuid=p.uuid, full_name="Trần Thị Đào", id_kind="cccd", id_number=p.id_number, phone=p.phone)
    assert page_cases(db, CaseFilter()).rows[0].requester_name == "Trần Thị Đào"
    assert search_case_ids(db, "tran thi dao") == [case.id]
    assert search_case_ids(db, "tran thi duc", prefix=False) == []
    from desktop.storage.receptions import page_receptions

    assert len(page_receptions(db, text="tran thi dao").rows) == 1
    assert verify_register(db).ok


def test_next_periodic_reception_day_of_the_head(office, login):
    from desktop.storage.calendar_repo import next_head_reception
    from desktop.storage.units import set_head_reception_weekday

    db = office["db"]
    login("admin")  # a setting of the register
    assert next_head_reception(db, date(2026, 4, 27)) is None
    set_head_reception_weekday(db, 3)  # Thursday
    assert next_head_reception(db, date(2026, 11, 23)) == date(2026, 11, 26)
    assert next_head_reception(db, date(2026, 11, 26)) == date(2026, 11, 26)
    set_head_reception_weekday(db, 3)
    # Luật Tiếp công dân 2013 Art. 15(2)(d): at least one day in every week, so a session on a day
    # off moves within its own week. Thursday 30/04/2026 and Friday 01/05 are holidays, Monday 27/04
    # too (Giỗ Tổ observed): the session of that week is held on Wednesday 29/04, never in the next week.
    assert next_head_reception(db, date(2026, 4, 28)) == date(2026, 4, 29)
    assert next_head_reception(db, date(2026, 4, 30)) == date(2026, 5, 7)  # that week's session is past
    assert next_head_reception(db, date(2026, 5, 4)) == date(2026, 5, 7)
    # A Monday session on a day off moves forward within the same week (to Thursday 03/09/2026).
    set_head_reception_weekday(db, 0)  # Monday; 31/08, 01/09 and 02/09/2026 are off
    assert next_head_reception(db, date(2026, 8, 31)) == date(2026, 9, 3)
    # The whole week of Tết 2026 (16–20/02) is off: no session that week, the next is Monday 23/02.
    assert next_head_reception(db, date(2026, 2, 16)) == date(2026, 2, 23)
    with pytest.raises(UserError):
        set_head_reception_weekday(db, 6)


def test_extended_deadline_trace_names_the_event_it_counts_from(office):
    db = office["db"]
    case = _explanation(office)
    act(db, case.uuid, "accept", effective_on=date(2026, 2, 25), today=TODAY)
    case = act(db, case.uuid, "extend", effective_on=date(2026, 3, 5), today=TODAY)
    assert "Tiếp nhận yêu cầu giải trình ngày 25/02/2026" in case.due_trace
