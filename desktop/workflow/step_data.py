"""What a step records beside its state and deadline, shared by ``engine.act`` and the bulk path.

A decision (quyết định) is marked as one; a step that needs a date (the dialogue day) checks it;
a step whose decision must be sent within a period records by when (NĐ 124/2020 Art. 28b(1) as
added by NĐ 155/2026: 03 working days; Luật Tố cáo Art. 29(3), Art. 34(4): 05 working days); a
step that has its own period from receipt (Luật Tố cáo Art. 24(2): forwarding within 05 working
days) records whether it came in time. Nothing here refuses a late step: lateness is recorded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from desktop.calendar.deadlines import compute_deadline, format_date
from desktop.calendar.workdays import WorkCalendar
from desktop.errors import ValidationError
from desktop.rules.book import Action, RuleSet


def required_date(action: Action, effective_on: date, value: Any) -> dict[str, Any]:
    """The date an action must carry, at least ``min_days_after`` days after the action."""
    req = action.requires_date
    if isinstance(value, str) and value:
        try:
            value = date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise ValidationError({req.field: f"Chưa nhập {req.label.lower()}."})
    if (value - effective_on).days < req.min_days_after:
        raise ValidationError({req.field: (
            f"{req.label} {format_date(value)} phải cách ngày thông báo {format_date(effective_on)} ít nhất "
            f"{req.min_days_after:02d} ngày ({action.citation}).")})
    return {req.field: value.isoformat()}


def step_data(cal: WorkCalendar, rs: RuleSet, action: Action, *, received_on: date, effective_on: date,
              level: int, remote: bool, data: dict[str, Any] | None) -> dict[str, Any]:
    """The event data a step adds for its decision, its required date, its sending period and its
    own period from receipt."""
    out: dict[str, Any] = {}
    if action.decision:
        out["decision"] = True
    if action.requires_date:
        out.update(required_date(action, effective_on, (data or {}).get(action.requires_date.field)))
    if action.notify_within:
        n = action.notify_within
        d = compute_deadline(cal, effective_on, n.days, n.day_kind, event_label="Ban hành")
        out.update(notify_by=d.due.isoformat(), notify_trace=f"{n.label} — {n.citation}. {d.trace}")
    if action.deadline_step:
        step = rs.steps[action.deadline_step]
        days = step.period(level=level, remote=remote)
        if days is not None:
            d = compute_deadline(cal, received_on, days, step.day_kind, event_label="Nhận")
            out.update(step_due_on=d.due.isoformat(), step_trace=f"{step.heading(bool(level))}. {d.trace}",
                       late=effective_on > d.due)
    return out
