"""Every transition allowed and refused, for every kind and every rule set in force.

The reachable states of each rule set are explored from its initial state by breadth-first
search over its own actions; in each reached state every action of the rule set is tried:
those whose ``from`` lists the state must succeed, all others must be refused with a
Vietnamese message and change nothing.
"""

from __future__ import annotations

from collections import deque
from datetime import date, timedelta

import pytest

from desktop.errors import TransitionNotAllowed, UserError
from desktop.rules.book import default_rules
from desktop.storage.cases import get_case, list_events
from desktop.workflow.engine import act, allowed_actions
from desktop.workflow.receive import CaseInput, receive_case

TODAY = date(2026, 11, 23)

RULE_SETS = default_rules().rule_sets


def _received_on(rs) -> date:
    return max(rs.effective_from, date(2026, 3, 2)) if rs.effective_to is None or rs.effective_to >= date(2026, 3, 2) \
        else rs.effective_to


def _kwargs(rs, action, day):
    kw = {"note": "Ghi chú của cán bộ"}
    if action.requires_date:  # the dialogue day, far enough ahead of its notice
        kw["data"] = {action.requires_date.field: (day + timedelta(days=action.requires_date.min_days_after)).isoformat()}
    if action.requires_ground:
        kw["ground"] = rs.grounds[action.requires_ground][0].code
    if action.requires_satisfaction:
        kw["satisfaction"] = "satisfied"
    if action.code == "complete_commitment":
        kw["data"] = {}  # filled in by _do
    return kw


def _day(action, day):
    """A transition rule opens some steps only from a date (NĐ 155/2026 Art. 22): act on it then."""
    return max(day, action.available_from) if action.available_from else day


def _do(db, rs, case, action, day):
    day = _day(action, day)
    kw = _kwargs(rs, action, day)
    if action.code == "complete_commitment":
        row = db.one("SELECT uuid FROM commitments WHERE case_uuid = ? AND status = 'open'", (case.uuid,))
        if row is None:
            act(db, case.uuid, "add_commitment", effective_on=day, note="Cam kết sửa chữa", today=TODAY)
            row = db.one("SELECT uuid FROM commitments WHERE case_uuid = ? AND status = 'open'", (case.uuid,))
        kw["data"] = {"commitment_uuid": row[0]}
    return act(db, case.uuid, action.code, effective_on=day, today=TODAY, **kw)


def _new_case(office, rs):
    return receive_case(office["db"], CaseInput(kind=rs.kind, received_on=_received_on(rs), summary=f"Vụ việc {rs.id}",
                                               requesters=[office["citizen"].uuid]), today=TODAY)


def _paths(rs):
    """Shortest action path to every reachable state (ignoring extension limits)."""
    paths = {rs.initial_state: []}
    queue = deque([rs.initial_state])
    while queue:
        state = queue.popleft()
        for a in rs.actions.values():
            if state not in a.from_states or a.to_state in (None,):
                continue
            target = state if a.to_state == "@previous" else a.to_state
            if target not in paths:
                paths[target] = [*paths[state], a.code]
                queue.append(target)
    return paths


@pytest.mark.parametrize("rs", RULE_SETS, ids=lambda r: r.id)
def test_every_action_in_every_reachable_state(office, rs):
    db = office["db"]
    paths = _paths(rs)
    assert {"received", "replied", "closed"} <= set(paths) or rs.kind in ("petition", "feedback")
    for state, path in paths.items():
        for action in rs.actions.values():
            case = _new_case(office, rs)
            day = case.received_on
            for code in path:
                step = rs.actions[code]
                if step.requires_complex > case.complexity:  # an extension needs the complexity decided first
                    decide = next(a for a in rs.actions.values() if a.sets_complex >= step.requires_complex)
                    case = _do(db, rs, case, decide, day)
                day = _day(step, day)
                case = _do(db, rs, case, step, day)
            assert case.state == state
            before = (get_case(db, case.uuid), len(list_events(db, case.uuid)))
            on = _day(action, day)
            if state in action.from_states and action.code not in [a.code for a in allowed_actions(before[0], on)]:
                # allowed from the state but not for this case (an extension of a case not decided
                # complex, a second complexity decision): refused, nothing changes
                with pytest.raises(TransitionNotAllowed):
                    _do(db, rs, case, action, day)
                assert (get_case(db, case.uuid), len(list_events(db, case.uuid))) == before
            elif state in action.from_states:
                after = _do(db, rs, case, action, day)
                expected = state if action.to_state is None else action.to_state
                if action.to_state == "@previous":
                    expected = "accepted"
                assert after.state == expected, (state, action.code)
                assert len(list_events(db, case.uuid)) >= before[1] + 1
                assert action.code in [a.code for a in allowed_actions(before[0], on)]
            else:
                with pytest.raises(TransitionNotAllowed) as info:
                    _do(db, rs, case, action, day)
                assert "Không thể" in info.value.message
                assert (get_case(db, case.uuid), len(list_events(db, case.uuid))) == before
                assert action.code not in [a.code for a in allowed_actions(before[0], on)]


def test_extension_only_as_often_as_the_law_allows(office):
    db = office["db"]
    case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 3, 2), summary="Giải trình",
                                      requesters=[office["citizen"].uuid]), today=TODAY)
    act(db, case.uuid, "accept", effective_on=date(2026, 3, 3), today=TODAY)
    case = act(db, case.uuid, "extend", effective_on=date(2026, 3, 10), today=TODAY)
    assert case.extensions == 1 and "extend" not in [a.code for a in allowed_actions(case)]
    with pytest.raises(UserError) as info:
        act(db, case.uuid, "extend", effective_on=date(2026, 3, 11), today=TODAY)
    assert "Không thể" in info.value.message or "chỉ cho phép" in info.value.message


def _denunciation(office, day=date(2026, 3, 2)):
    db = office["db"]
    den = receive_case(db, CaseInput(kind="denunciation", received_on=day, summary="Tố cáo",
                                     requesters=[office["citizen"].uuid]), today=TODAY)
    return act(db, den.uuid, "accept", effective_on=day + timedelta(days=1), today=TODAY)


def test_denunciation_extensions_by_complexity_decided_in_writing(office):
    """Luật Tố cáo 2018 Art. 30(1)–(4), NĐ 31/2019 Art. 3(2)–(4): 30 days from acceptance; a complex
    case may be extended once by up to 30 days, an especially complex one twice, each by decision."""
    db = office["db"]
    simple = _denunciation(office)  # accepted Tue 03/03/2026: 30 days → Thu 02/04/2026
    assert simple.due_on == date(2026, 4, 2)
    with pytest.raises(TransitionNotAllowed) as info:  # not decided complex: no extension at all
        act(db, simple.uuid, "extend", effective_on=date(2026, 3, 20), today=TODAY)
    assert info.value.code == "extension_needs_complexity"

    complex_ = act(db, simple.uuid, "mark_complex", effective_on=date(2026, 3, 10), today=TODAY,
                   ground="two_contents", note="Có 02 nội dung phải xác minh")
    assert complex_.complexity == 1 and "Điều 3 khoản 2 điểm b" in list_events(db, simple.uuid)[-1].data["ground_citation"]
    ext = act(db, simple.uuid, "extend", effective_on=date(2026, 3, 20), today=TODAY)
    assert ext.extensions == 1 and ext.due_on == date(2026, 5, 4)  # 60 days → Sat 02/05 → Mon 04/05
    assert list_events(db, simple.uuid)[-1].data["decision"] is True
    with pytest.raises(TransitionNotAllowed) as info:  # complex: once only
        act(db, simple.uuid, "extend", effective_on=date(2026, 3, 21), today=TODAY)
    assert info.value.code == "extension_limit"

    very = act(db, simple.uuid, "mark_very_complex", effective_on=date(2026, 3, 22), today=TODAY,
               ground="many_bodies", note="Từ 02 tiêu chí: nhiều nội dung, nhiều cơ quan")
    assert very.complexity == 2 and very.is_complex is True
    again = act(db, simple.uuid, "extend", effective_on=date(2026, 3, 23), today=TODAY)
    assert again.extensions == 2 and again.due_on == date(2026, 6, 1)  # 90 days → Mon 01/06/2026
    with pytest.raises(TransitionNotAllowed):  # especially complex: twice, never a third time
        act(db, simple.uuid, "extend", effective_on=date(2026, 3, 24), today=TODAY)
    assert "extend" not in [a.code for a in allowed_actions(get_case(db, simple.uuid), date(2026, 3, 24))]


def test_denunciation_acceptance_decision_notice_and_forwarding_periods(office):
    """Luật Tố cáo 2018 Art. 29(3), NĐ 31/2019 Art. 9(2): the acceptance is notified within 05
    working days of the decision; Art. 24(2): a denunciation outside competence is forwarded within
    05 working days of receipt (a late forwarding is recorded as late)."""
    db = office["db"]
    den = _denunciation(office, date(2026, 4, 27))  # accepted Tue 28/04/2026
    ev = list_events(db, den.uuid)[-1]
    assert ev.data["decision"] is True
    # 29/04 (1), 30/04 and 01/05 holidays, 04/05 (2) … 07/05 (5)
    assert ev.data["notify_by"] == "2026-05-07" and "Điều 29 khoản 3" in ev.data["notify_trace"]
    late = receive_case(db, CaseInput(kind="denunciation", received_on=date(2026, 3, 2), summary="Tố cáo",
                                      requesters=[office["citizen"].uuid]), today=TODAY)
    late = act(db, late.uuid, "forward", effective_on=date(2026, 3, 10), today=TODAY,
               note="Thanh tra tỉnh")
    ev = list_events(db, late.uuid)[-1]
    assert ev.data["step_due_on"] == "2026-03-09" and ev.data["late"] is True  # Mon 02/03 + 5 wd = Mon 09/03
    assert "Điều 24 khoản 2" in ev.data["step_trace"]


def test_refusal_needs_a_ground_from_the_fixed_list(office):
    db = office["db"]
    case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 3, 2), summary="Giải trình",
                                      requesters=[office["citizen"].uuid]), today=TODAY)
    with pytest.raises(UserError) as info:
        act(db, case.uuid, "refuse", effective_on=date(2026, 3, 3), today=TODAY)
    assert info.value.code == "invalid_input"
    with pytest.raises(UserError) as info:
        act(db, case.uuid, "refuse", effective_on=date(2026, 3, 3), ground="nonsense", today=TODAY)
    assert info.value.code == "unknown_ground"
    with pytest.raises(UserError):  # "other" needs the reason written out
        act(db, case.uuid, "refuse", effective_on=date(2026, 3, 3), ground="other", today=TODAY)
    case = act(db, case.uuid, "refuse", effective_on=date(2026, 3, 3), ground="already_explained",
               today=TODAY)
    assert case.state == "refused" and case.due_on is None and case.closed_on == date(2026, 3, 3)
    ev = list_events(db, case.uuid)[-1]
    assert ev.data["ground"] == "already_explained" and "Điều 5" in ev.data["ground_citation"]


def test_dates_in_the_future_or_out_of_order_are_refused(office):
    db = office["db"]
    with pytest.raises(UserError) as info:
        receive_case(db, CaseInput(kind="petition", received_on=date(2026, 12, 1), summary="Kiến nghị",
                                   requesters=[office["citizen"].uuid]), today=TODAY)
    assert "tương lai" in info.value.message
    case = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Kiến nghị",
                                      requesters=[office["citizen"].uuid]), today=TODAY)
    with pytest.raises(UserError) as info:
        act(db, case.uuid, "accept", effective_on=date(2026, 3, 1), today=TODAY)
    assert "trước ngày tiếp nhận" in info.value.message
    with pytest.raises(UserError):
        act(db, case.uuid, "accept", effective_on=date(2026, 11, 24), today=TODAY)
    assert get_case(db, case.uuid).state == "received"
