"""Every transition allowed and refused, for every kind and every rule set in force.

The reachable states of each rule set are explored from its initial state by breadth-first
search over its own actions; in each reached state every action of the rule set is tried:
those whose ``from`` lists the state must succeed, all others must be refused with a
Vietnamese message and change nothing.
"""

from __future__ import annotations

from collections import deque
from datetime import date

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


def _kwargs(rs, action):
    kw = {"note": "Ghi chú của cán bộ"}
    if action.requires_ground:
        kw["ground"] = rs.grounds[action.requires_ground][0].code
    if action.requires_satisfaction:
        kw["satisfaction"] = "satisfied"
    if action.code == "complete_commitment":
        kw["data"] = {}  # filled in by _do
    return kw


def _do(db, rs, case, action, day):
    kw = _kwargs(rs, action)
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
                case = _do(db, rs, case, rs.actions[code], day)
            assert case.state == state
            before = (get_case(db, case.uuid), len(list_events(db, case.uuid)))
            if state in action.from_states:
                if action.extends_step and case.extensions >= rs.steps[action.extends_step].max_extensions:
                    continue
                after = _do(db, rs, case, action, day)
                expected = state if action.to_state is None else action.to_state
                if action.to_state == "@previous":
                    expected = "accepted"
                assert after.state == expected, (state, action.code)
                assert len(list_events(db, case.uuid)) >= before[1] + 1
                assert action.code in [a.code for a in allowed_actions(before[0])]
            else:
                with pytest.raises(TransitionNotAllowed) as info:
                    _do(db, rs, case, action, day)
                assert "Không thể" in info.value.message
                assert (get_case(db, case.uuid), len(list_events(db, case.uuid))) == before
                assert action.code not in [a.code for a in allowed_actions(before[0])]


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

    den = receive_case(db, CaseInput(kind="denunciation", received_on=date(2026, 3, 2), summary="Tố cáo",
                                     requesters=[office["citizen"].uuid]), today=TODAY)
    act(db, den.uuid, "accept", effective_on=date(2026, 3, 3), today=TODAY)
    act(db, den.uuid, "extend", effective_on=date(2026, 3, 20), today=TODAY)
    den = act(db, den.uuid, "extend", effective_on=date(2026, 3, 21), today=TODAY)
    assert den.extensions == 2
    with pytest.raises(UserError):
        act(db, den.uuid, "extend", effective_on=date(2026, 3, 22), today=TODAY)


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
