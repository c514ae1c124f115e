"""What one step of a procedure does to a case: the one function the engine and bulk import share.

``engine.act`` carries out a step on a case in the register; ``bulk_rows.CaseRows`` replays the
later steps of a settled case from an old register while it builds its rows. Both ask
``step_effects`` what the step means — the checks of its ground, note and satisfaction (in the
engine's Vietnamese), the state it leads to, the deadline it starts, what it settles (closing
day, satisfaction, publication) and the data its event records — so a change of the rules of a
step is made here once. The engine adds the effects that need the case's past events
(extension, suspension and resumption, complexity); bulk import refuses those steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from desktop.calendar.workdays import WorkCalendar
from desktop.errors import ValidationError
from desktop.rules.book import Action, RuleSet
from desktop.workflow.step_data import step_data

SATISFACTION = {"satisfied": "Hài lòng", "partly": "Hài lòng một phần", "unsatisfied": "Không hài lòng",
                "unknown": "Không có ý kiến"}

# deadline(step_code, start_on, event_label) -> (due day or None, Vietnamese trace)
Deadline = Callable[[str, date, str], tuple[date | None, str]]


@dataclass
class Effects:
    to_state: str
    changes: dict[str, Any] = field(default_factory=dict)   # columns of the case (dates as ISO text)
    data: dict[str, Any] = field(default_factory=dict)      # the event's data (before its digest)
    settled: dict[str, Any] = field(default_factory=dict)   # applied last: ``settling_changes``


# What a step that needs a note asks for (a partial withdrawal was asked for the guidance's words).
NOTE_ASKED = {
    "guide": "Hãy ghi rõ cơ quan có thẩm quyền / nội dung hướng dẫn.",
    "forward": "Hãy ghi rõ cơ quan có thẩm quyền nhận đơn chuyển đến.",
    "withdraw_part": "Hãy ghi rõ phần nội dung được rút.",
    "mark_complex": "Hãy ghi rõ lý do, tiêu chí xác định vụ việc phức tạp.",
    "mark_very_complex": "Hãy ghi rõ các tiêu chí xác định vụ việc đặc biệt phức tạp.",
}


def check_step_input(rs: RuleSet, action: Action, *, note: str, ground: str | None,
                     satisfaction: str | None) -> dict[str, Any]:
    """The checks of a step's own input; returns the event data they give (ground, satisfaction).

    Raises ``ValidationError`` with the field at fault.
    """
    data: dict[str, Any] = {}
    if action.requires_ground:
        if not ground:
            raise ValidationError({"ground": "Chưa chọn lý do theo quy định."})
        g = rs.ground(action.requires_ground, ground)
        if g.code == "other" and not note:
            raise ValidationError({"note": "Lý do khác: hãy ghi rõ lý do."})
        data.update(ground=g.code, ground_label=g.label, ground_citation=g.citation)
    if action.requires_note and not note:
        raise ValidationError({"note": NOTE_ASKED.get(action.code, f"Hãy ghi nội dung bước “{action.label}”.")})
    if action.requires_satisfaction:
        if satisfaction not in SATISFACTION:
            raise ValidationError({"satisfaction": "Hãy ghi mức độ hài lòng của người yêu cầu."})
        data["satisfaction"] = satisfaction
    return data


def settling_changes(rs: RuleSet, action: Action, from_state: str, to_state: str, effective_on: date,
                     satisfaction: str | None) -> dict[str, Any]:
    """What a step changes besides its state and a new deadline: ending the deadline or reaching a
    final state clears the deadline, reaching a final state sets the closing day, and the
    requester's satisfaction and the publication day are kept."""
    changes: dict[str, Any] = {}
    if action.ends_deadline or to_state in rs.final_states:
        changes.update(due_on=None, due_step=None, due_trace=None, paused_on=None)
    if to_state in rs.final_states and from_state not in rs.final_states:
        changes["closed_on"] = effective_on.isoformat()
    if action.requires_satisfaction:
        changes["satisfaction"] = satisfaction
    if action.publishes:
        changes["published_on"] = effective_on.isoformat()
    return changes


def before_values(case: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """What a step overwrites, as its event keeps it (``data.before``) so that ``undo`` can put it
    back without deleting the event; ``engine.act`` and bulk import share it. ``case`` maps the
    case's fields to their values before the step."""
    return {k: (case[k].isoformat() if isinstance(case[k], date) else case[k])
            for k in changes if k in case and k not in ("updated_at", "version")}


def step_effects(rs: RuleSet, action: Action, from_state: str, effective_on: date, *, deadline: Deadline,
                 cal: WorkCalendar, received_on: date, level: int = 0, remote: bool = False,
                 data: dict[str, Any] | None = None, note: str = "", ground: str | None = None,
                 satisfaction: str | None = None, previous_state: str | None = None) -> Effects:
    """The effects of ``action`` taken on a case in ``from_state`` on ``effective_on``.

    ``deadline`` computes a step's due day and trace from a start day (the engine's calendar, or
    bulk import's memo of it); ``cal``, ``received_on``, ``level``, ``remote`` and the caller's
    ``data`` feed ``step_data`` (a decision, a required date, a sending period, a period from
    receipt). ``previous_state``: for a return to the state before a suspension.
    Validation comes first: on a ``ValidationError`` nothing was computed. The caller applies
    ``changes``, then its own effects, then ``settled`` (a final state clears any deadline).
    """
    out: dict[str, Any] = {"citation": action.citation}
    out.update(step_data(cal, rs, action, received_on=received_on, effective_on=effective_on, level=level,
                         remote=remote, data=data))
    out.update(check_step_input(rs, action, note=note, ground=ground, satisfaction=satisfaction))
    if action.to_state == "@previous":
        to_state = previous_state or "accepted"
    else:
        to_state = from_state if action.to_state is None else action.to_state
    effects = Effects(to_state=to_state, data=out, changes={"state": to_state})
    if action.starts_step:
        due, trace = deadline(action.starts_step, effective_on, action.label)
        iso = due and due.isoformat()
        effects.changes.update(due_on=iso, due_step=action.starts_step, due_trace=trace, extensions=0)
        out.update(starts_step=action.starts_step, due_on=iso, trace=trace)
    effects.settled = settling_changes(rs, action, from_state, to_state, effective_on, satisfaction)
    return effects
