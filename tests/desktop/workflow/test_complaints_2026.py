"""Complaints and reception under the 2026 texts: NĐ 124/2020 as amended by NĐ 155/2026 [S],
NĐ 154/2026 [S]; the transition of NĐ 155/2026 Art. 22 for complaints accepted before 01/07/2026."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.errors import TransitionNotAllowed, UserError, ValidationError
from desktop.storage.cases import list_events
from desktop.workflow.engine import act, allowed_actions
from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception
from desktop.workflow.verify import verify_register

TODAY = date(2026, 11, 23)


def _complaint(office, received_on, accepted_on):
    db = office["db"]
    case = receive_case(db, CaseInput(kind="complaint_1", received_on=received_on, summary="Khiếu nại quyết định",
                                      requesters=[office["citizen"].uuid]), today=TODAY)
    return act(db, case.uuid, "accept", effective_on=accepted_on, today=TODAY)


def test_dialogue_notice_at_least_five_days_before(office):
    """NĐ 124/2020 Art. 28(1) as amended by NĐ 155/2026 Art. 11: the notice of a dialogue goes out
    at least 05 days before it."""
    db = office["db"]
    case = _complaint(office, date(2026, 7, 6), date(2026, 7, 8))
    with pytest.raises(ValidationError) as info:
        act(db, case.uuid, "notify_dialogue", effective_on=date(2026, 7, 10), today=TODAY,
            data={"dialogue_on": "2026-07-14"})
    assert "ít nhất 05 ngày" in info.value.fields["dialogue_on"]
    with pytest.raises(ValidationError):
        act(db, case.uuid, "notify_dialogue", effective_on=date(2026, 7, 10), today=TODAY)
    act(db, case.uuid, "notify_dialogue", effective_on=date(2026, 7, 10), today=TODAY,
        data={"dialogue_on": "2026-07-15"})
    assert list_events(db, case.uuid)[-1].data["dialogue_on"] == "2026-07-15"


def test_suspension_and_termination_decisions_sent_within_three_working_days(office):
    """Luật Khiếu nại Art. 11a (Luật 136/2025), NĐ 124/2020 Arts. 28a–28b (NĐ 155/2026 Art. 12):
    suspension and termination by decision, sent within 03 working days; the period runs again
    from the decision to continue, the suspended days not counted."""
    db = office["db"]
    case = _complaint(office, date(2026, 7, 6), date(2026, 7, 8))  # Wed 08/07 + 30 days → Fri 07/08
    assert case.due_on == date(2026, 8, 7)
    case = act(db, case.uuid, "suspend", effective_on=date(2026, 7, 17), today=TODAY,
               ground="objective_obstacle", note="Người khiếu nại nằm viện")
    ev = list_events(db, case.uuid)[-1]
    assert case.state == "suspended" and case.due_on is None and ev.data["decision"] is True
    assert ev.data["notify_by"] == "2026-07-22"  # Fri 17/07: 20, 21, 22/07
    assert "Điều 28b khoản 1" in ev.data["notify_trace"]
    case = act(db, case.uuid, "resume", effective_on=date(2026, 7, 27), today=TODAY)
    assert case.state == "accepted" and case.due_on == date(2026, 8, 17)  # 10 days paused: 07/08 → 17/08
    case = act(db, case.uuid, "terminate", effective_on=date(2026, 7, 30), today=TODAY,
               ground="died_or_dissolved")
    assert case.state == "terminated" and list_events(db, case.uuid)[-1].data["notify_by"] == "2026-08-04"
    assert verify_register(db).ok


def test_complexity_decided_in_writing_from_the_criteria(office):
    """NĐ 124/2020 Art. 3a (NĐ 155/2026 Art. 2): complexity is one of seven criteria, decided in
    writing; the decision period becomes 45 days (Luật Khiếu nại Art. 28)."""
    db = office["db"]
    case = _complaint(office, date(2026, 7, 6), date(2026, 7, 8))
    with pytest.raises(ValidationError):
        act(db, case.uuid, "mark_complex", effective_on=date(2026, 7, 9), today=TODAY,
            note="Văn bản xác định")
    case = act(db, case.uuid, "mark_complex", effective_on=date(2026, 7, 9), today=TODAY,
               ground="two_places", note="Văn bản số 12/UBND xác định vụ việc phức tạp")
    # 08/07 + 45 days = Sat 22/08/2026, a make-up working day that year: the period ends that day
    assert case.due_on == date(2026, 8, 22)
    ev = list_events(db, case.uuid)[-1]
    assert ev.data["ground_citation"] == "Nghị định 124/2020/NĐ-CP, Điều 3a khoản 1 điểm a"


def test_transition_for_complaints_accepted_before_july_2026(office):
    """NĐ 155/2026 Art. 22(1): complaints accepted before 01/07/2026 and not yet decided follow
    the new rules on withdrawal, suspension, termination and dialogue — from that day only."""
    db = office["db"]
    case = _complaint(office, date(2026, 6, 1), date(2026, 6, 8))
    assert case.rules_id == "complaint_1-2011"
    assert "suspend" not in [a.code for a in allowed_actions(case, date(2026, 6, 30))]
    with pytest.raises(TransitionNotAllowed) as info:
        act(db, case.uuid, "suspend", effective_on=date(2026, 6, 30), today=TODAY,
            ground="force_majeure", note="Bão")
    assert "01/07/2026" in info.value.message
    assert "suspend" in [a.code for a in allowed_actions(case, date(2026, 7, 1))]
    case = act(db, case.uuid, "suspend", effective_on=date(2026, 7, 1), today=TODAY,
               ground="force_majeure", note="Bão")
    ev = list_events(db, case.uuid)[-1]
    assert "Nghị định 155/2026/NĐ-CP, Điều 22 khoản 1" in ev.data["citation"]
    assert ev.data["notify_by"] == "2026-07-06"  # Wed 01/07: 02, 03, 06/07
    assert case.rules_id == "complaint_1-2011"  # the case keeps the rules of its receipt day


def test_reception_refused_with_its_written_notice(office):
    """NĐ 154/2026 Art. 4(1)(h), (3): a petition already answered, with nothing new: reception
    refused and the written notice (Mẫu 01/TCD) due within 03 working days [S]."""
    db = office["db"]
    reception, case = record_reception(db, ReceptionInput(
        received_on=date(2026, 7, 29), person_uuid=office["citizen"].uuid, content="Kiến nghị lại việc làm đường",
        outcome="refused", refusal_ground="answered_petition"), today=TODAY)
    assert case is None and reception.notes.startswith("Từ chối tiếp:")  # kept as a recorded visit
    assert "Điều 4 khoản 1 điểm h" in reception.notes
    assert "hạn 03/08/2026" in reception.follow_up and "Mẫu số 01/TCD" in reception.follow_up
    # a ground explained on the spot needs no written notice
    spot, _ = record_reception(db, ReceptionInput(
        received_on=date(2026, 7, 29), person_uuid=office["citizen"].uuid, content="Gây rối",
        outcome="refused", refusal_ground="incitement"), today=TODAY)
    assert spot.follow_up == ""
    with pytest.raises(UserError) as info:  # before 01/07/2026 the decree's grounds did not exist
        record_reception(db, ReceptionInput(
            received_on=date(2026, 6, 29), person_uuid=office["citizen"].uuid, content="Kiến nghị",
            outcome="refused", refusal_ground="answered_petition"), today=TODAY)
    assert "refusal_ground" in info.value.fields
    assert db.scalar("SELECT count(*) FROM cases") == 0  # a refused reception opens no case


def test_cli_records_a_refused_reception(tmp_path, capsys, monkeypatch):
    from desktop.cli import main

    path = tmp_path / "xa.sqlite"
    monkeypatch.setenv("GIAITRINH_NEW_PASSWORD", "mật khẩu thử dòng lệnh")
    monkeypatch.setenv("GIAITRINH_PASSWORD", "mật khẩu thử dòng lệnh")
    assert main(["init", "--db", str(path), "--code", "11230", "--name", "Ủy ban nhân dân xã Thụy Hùng",
                 "--head", "Nguyễn Văn Hùng"]) == 0
    assert main(["user", "add", "--db", str(path), "--user", "quantri", "--login", "vanthu", "--role", "reception",
                 "--officer", "Nguyễn Văn Hùng"]) == 0
    monkeypatch.setenv("GIAITRINH_USER", "vanthu")
    assert main(["reception", "add", "--db", str(path), "--received", "29/07/2026", "--content", "Kiến nghị lại",
                 "--requester", "Trần Thị Đức", "--outcome", "refused", "--refusal-ground", "answered_petition"]) == 0
    out = capsys.readouterr().out
    assert "Từ chối tiếp" in out and "hạn 03/08/2026" in out


def test_the_late_warning_speaks_the_rule_of_each_complaint(office):
    """First complaint: 90 days (Luật Khiếu nại Art. 9); second: 30 days from the first decision
    or the end of the first period (Art. 33(1))."""
    from desktop.workflow.engine import late_complaint_note

    db = office["db"]
    first = receive_case(db, CaseInput(kind="complaint_1", received_on=date(2026, 3, 2), summary="Lần đầu",
                                       requesters=[office["citizen"].uuid], learned_on=date(2025, 11, 1)), today=TODAY)
    second = receive_case(db, CaseInput(kind="complaint_2", received_on=date(2026, 3, 2), summary="Lần hai",
                                        requesters=[office["citizen"].uuid], learned_on=date(2026, 1, 20)), today=TODAY)
    assert late_complaint_note(first) == ("Khiếu nại gửi quá 90 ngày kể từ ngày nhận được hoặc biết được quyết "
                                          "định, hành vi hành chính (Luật Khiếu nại 2011, Điều 9).")
    assert "quá 30 ngày" in late_complaint_note(second) and "Điều 33 khoản 1" in late_complaint_note(second)
    assert list_events(db, second.uuid)[0].data["late_complaint"] is True
