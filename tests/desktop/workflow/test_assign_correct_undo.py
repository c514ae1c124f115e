"""Assign, correct and undo: each an event in the hash chain, nothing deleted."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.errors import UserError
from desktop.storage.cases import dashboard, get_case, list_events, page_cases, CaseFilter
from desktop.storage.persons import get_person
from desktop.storage.units import save_officer
from desktop.workflow.assign import assign
from desktop.workflow.correct import correct_case, correct_person, correct_reception
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception
from desktop.workflow.undo import undo_last_step, undo_refusal
from desktop.workflow.verify import verify_register

TODAY = date(2026, 11, 23)


def _case(office, received=date(2026, 11, 2), kind="explanation"):
    return receive_case(office["db"], CaseInput(kind=kind, received_on=received, summary="Giải trình cấp phép",
                                               requesters=[office["citizen"].uuid]), today=TODAY)


def _verified(db):
    report = verify_register(db)
    assert report.ok, report


def test_assign_many_cases_each_an_event_and_the_board_follows(office):
    db = office["db"]
    a, b = _case(office), _case(office)
    from desktop.security import accounts

    accounts.assume_role(db, "admin")            # officers are the administrator's to add
    other = save_officer(db, full_name="Đỗ Văn Bình", title="Công chức Tư pháp")
    accounts.assume_role(db, "leader", officer_uuid=office["head"].uuid)   # the head assigns
    assert all(x.assignee_name == "" for x in page_cases(db).rows)
    changed = assign(db, [a.uuid, b.uuid], office["clerk"].uuid, effective_on=TODAY)
    assert {c.uuid for c in changed} == {a.uuid, b.uuid}
    board = {load.assignee_name: load.open_cases for load in dashboard(db, TODAY).per_assignee}
    assert board == {"Lê Thị Mai": 2}
    assign(db, [a.uuid], other.uuid, effective_on=TODAY)
    ev = list_events(db, a.uuid)[-1]
    assert ev.action == "assign" and ev.data["old"]["name"] == "Lê Thị Mai" and ev.data["new"]["name"] == "Đỗ Văn Bình"
    assert {load.assignee_name: load.open_cases for load in dashboard(db, TODAY).per_assignee} == \
        {"Lê Thị Mai": 1, "Đỗ Văn Bình": 1}
    # already with that officer: nothing written
    assert assign(db, [a.uuid], other.uuid, effective_on=TODAY) == []
    _verified(db)


def test_correct_case_keeps_old_and_new_with_reason_and_rejects_blank_reason(office):
    db = office["db"]
    case = _case(office)
    with pytest.raises(UserError):
        correct_case(db, case.uuid, {"summary": "Giải trình cấp phép xây dựng"}, reason=" ", today=TODAY)
    correct_case(db, case.uuid, {"summary": "Giải trình cấp phép xây dựng nhà ở", "field": "construction"},
                 reason="Ghi nhầm khi tiếp nhận", today=TODAY)
    fixed = get_case(db, case.uuid)
    assert fixed.summary == "Giải trình cấp phép xây dựng nhà ở" and fixed.field == "construction"
    ev = list_events(db, case.uuid)[-1]
    assert ev.action == "correct" and ev.data["reason"] == "Ghi nhầm khi tiếp nhận"
    assert ev.data["changes"]["summary"] == ["Giải trình cấp phép", "Giải trình cấp phép xây dựng nhà ở"]
    assert ev.data["changes"]["field"] == ["other", "construction"]
    assert page_cases(db, CaseFilter(text="nha o")).rows[0].uuid == case.uuid  # search follows
    _verified(db)


def test_received_day_corrected_only_before_any_step_and_the_deadline_follows(office):
    db = office["db"]
    case = _case(office, received=date(2026, 11, 2))
    correct_case(db, case.uuid, {"received_on": date(2026, 11, 3)}, reason="Sai ngày", today=TODAY)
    moved = get_case(db, case.uuid)
    assert moved.received_on == date(2026, 11, 3) and moved.due_on > case.due_on
    assert "03/11/2026" in moved.due_trace
    act(db, case.uuid, "accept", effective_on=date(2026, 11, 5), today=TODAY)
    with pytest.raises(UserError) as err:
        correct_case(db, case.uuid, {"received_on": date(2026, 11, 4)}, reason="Sai ngày", today=TODAY)
    assert "hoàn tác" in str(err.value)


def test_correct_person_writes_an_event_on_each_of_their_cases(office):
    db = office["db"]
    a, b = _case(office), _case(office)
    correct_person(db, office["citizen"].uuid, {"full_name": "Trần Thị Đức Anh", "id_number": "034185001235"},
                   reason="Sai chính tả", today=TODAY)
    assert get_person(db, office["citizen"].uuid).full_name == "Trần Thị Đức Anh"
    for c in (a, b):
        ev = list_events(db, c.uuid)[-1]
        assert ev.action == "correct" and ev.data["target"] == "person"
        assert ev.data["changes"]["full_name"] == ["Trần Thị Đức", "Trần Thị Đức Anh"]
    assert page_cases(db).rows[0].requester_name == "Trần Thị Đức Anh"
    _verified(db)


def test_correct_reception_goes_on_its_case(office):
    db = office["db"]
    rec, case = record_reception(db, ReceptionInput(
        received_on=TODAY, person_uuid=office["citizen"].uuid, content="Đề nghị giải trình", outcome="accepted",
        case_kind="explanation", summary="Giải trình"), today=TODAY)
    correct_reception(db, rec.uuid, {"content": "Đề nghị giải trình việc thu phí"}, reason="Ghi thiếu", today=TODAY)
    ev = list_events(db, case.uuid)[-1]
    assert ev.data["target"] == "reception" and ev.data["changes"]["content"][1] == "Đề nghị giải trình việc thu phí"
    _verified(db)


def test_undo_reverses_the_last_step_by_an_event_and_restores_the_deadline(office):
    db = office["db"]
    case = _case(office)
    accepted = act(db, case.uuid, "accept", effective_on=date(2026, 11, 5), today=TODAY)
    extended = act(db, case.uuid, "extend", effective_on=date(2026, 11, 10), today=TODAY)
    assert extended.due_on > accepted.due_on
    with pytest.raises(UserError):
        undo_last_step(db, case.uuid, reason="", today=TODAY)
    back = undo_last_step(db, case.uuid, reason="Bấm nhầm gia hạn", today=TODAY)
    assert back.state == "accepted" and back.extensions == 0 and back.due_on == accepted.due_on
    events = list_events(db, case.uuid)
    assert [e.action for e in events] == ["receive", "accept", "extend", "undo"]  # nothing deleted
    assert events[-1].data["undoes"] == events[2].uuid
    # the next undo reverses the acceptance, then nothing is left
    again = undo_last_step(db, case.uuid, reason="Chưa đủ điều kiện", today=TODAY)
    assert again.state == "received" and again.due_on == case.due_on
    assert undo_refusal(db, again) is not None
    # the step can be recorded again on its own date
    act(db, case.uuid, "accept", effective_on=date(2026, 11, 5), today=TODAY)
    _verified(db)


def test_undo_refused_once_its_document_was_issued_unless_voided(office):
    from desktop.documents import outgoing
    from desktop.workflow.documents_flow import issue_document

    db = office["db"]
    case = _case(office)
    assign(db, [case.uuid], office["clerk"].uuid, effective_on=TODAY)   # the notice names the handler
    draft = outgoing.draft(db, case.uuid, "explanation_accept")
    record, performed = issue_document(db, draft.uuid, today=TODAY)
    assert performed == "accept"
    accepted = get_case(db, case.uuid)
    assert accepted.state == "accepted"
    accept_event = [e for e in list_events(db, case.uuid) if e.action == "accept"][0]
    assert accept_event.effective_on == TODAY and accept_event.data["document_uuid"] == record.uuid
    with pytest.raises(UserError) as err:
        undo_last_step(db, case.uuid, reason="Nhầm", today=TODAY)
    assert record.symbol in str(err.value)
    outgoing.void(db, record.uuid, "Ký nhầm", on=TODAY)
    assert undo_last_step(db, case.uuid, reason="Nhầm", today=TODAY).state == "received"
    _verified(db)


def test_issuing_a_notice_for_an_accepted_case_does_not_accept_again(office):
    from desktop.documents import outgoing
    from desktop.workflow.documents_flow import issue_document

    db = office["db"]
    case = _case(office)
    act(db, case.uuid, "accept", effective_on=date(2026, 11, 5), today=TODAY)
    assign(db, [case.uuid], office["clerk"].uuid, effective_on=TODAY)   # the notice names the handler
    draft = outgoing.draft(db, case.uuid, "explanation_accept")
    _, performed = issue_document(db, draft.uuid, today=TODAY)
    assert performed is None
    assert [e.action for e in list_events(db, case.uuid)].count("accept") == 1


def test_group_reception_stores_every_representative_once_as_representative(office):
    from desktop.storage.cases import case_people
    from desktop.storage.persons import save_person

    db = office["db"]
    people = [save_person(db, full_name=n) for n in ("Nguyễn Văn An", "Lê Văn Bình", "Phạm Thị Cúc", "Hoàng Văn Dũng",
                                                      "Vũ Thị Én")]
    _, case = record_reception(db, ReceptionInput(
        received_on=TODAY, person_uuid=None, content="Đoàn đề nghị giải trình việc thu hồi đất", people_count=6,
        people=[(people[0].uuid, True), (people[1].uuid, True)] + [(p.uuid, False) for p in people[2:]],
        outcome="accepted", case_kind="explanation", summary="Thu hồi đất"), today=TODAY)
    roles = [(cp.person.full_name, cp.role) for cp in case_people(db, case.uuid)]
    assert sorted(r for r in roles if r[1] == "representative") == [("Lê Văn Bình", "representative"),
                                                                     ("Nguyễn Văn An", "representative")]
    assert len(roles) == 5 and len({n for n, _ in roles}) == 5   # nobody listed twice


def test_preview_shows_the_new_deadline_and_writes_nothing(office):
    from desktop.workflow.preview import preview_act

    db = office["db"]
    case = _case(office)
    act(db, case.uuid, "accept", effective_on=date(2026, 11, 5), today=TODAY)
    before = list_events(db, case.uuid)
    shown = preview_act(db, case.uuid, "extend", effective_on=date(2026, 11, 10), today=TODAY,
                        note="Phức tạp")
    assert shown.state == "extended" and shown.due_on > get_case(db, case.uuid).due_on
    assert list_events(db, case.uuid) == before and get_case(db, case.uuid).state == "accepted"
    _verified(db)


@pytest.mark.parametrize("kind, template, type_code", [
    ("complaint_1", "complaint_decision", "QĐ"),            # Luật Khiếu nại 2011 Art. 31
    ("complaint_2", "complaint_second_decision", "QĐ"),     # Art. 40
    ("denunciation", "denunciation_conclusion", "KL"),      # Luật Tố cáo 2018 Art. 35
    ("explanation", "explanation_reply", ""),               # NĐ 59/2019 Art. 12
])
def test_the_decision_step_offers_its_own_document(office, kind, template, type_code):
    """The step that ends a complaint or a denunciation offers its decision / conclusion, drafted
    with the blanks the law's content list leaves to the officer (it cannot be issued blank)."""
    from desktop.documents import outgoing
    from desktop.workflow.documents_flow import document_for_step

    db = office["db"]
    case = _case(office, kind=kind)
    assert document_for_step(db, case.uuid, "reply") == template
    draft = outgoing.draft(db, case.uuid, template)
    assert f"/{type_code}-" in draft.document.number_line if type_code else "/UBND" in draft.document.number_line
    if kind != "explanation":
        assert "conclusion" in draft.document.meta["blanks"]
