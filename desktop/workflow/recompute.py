"""Deadlines recomputed from a case's standing steps: after an undo, and when the calendar changes.

A deadline is never typed (DOMAIN.md §2–3): it is counted from the event that started the running
step, over the office's calendar, less the time the case was suspended, plus its extensions. When
the administrator declares or removes a day off or a make-up working day, every open deadline the
day can touch (due on or after it) is counted again; each one that moves gets an event
``deadline_recomputed`` with the old and new day and the new trace, in the same transaction as
the calendar change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from desktop.calendar.deadlines import format_date
from desktop.domain.records import Case
from desktop.storage import cases as case_repo
from desktop.storage.db import Database
from desktop.storage.events import insert_event
from desktop.storage.units import local_unit_code, now_iso
from desktop.workflow.engine import _step_start, case_digest, compute_step_deadline, rules_of

log = logging.getLogger(__name__)


def count_deadline(db: Database, case: Case, events: list | None = None) -> tuple[date | None, str] | None:
    """The running step's deadline counted afresh, or None when nothing runs (closed, suspended)."""
    if not case.due_step or case.paused_on:
        return None
    rs = rules_of(case)
    if case.due_step not in rs.steps:
        return None
    events = case_repo.list_events(db, case.uuid) if events is None else events
    start, label, pauses = _step_start(events, case.due_step, rs)
    return compute_step_deadline(db, rs, case, case.due_step, start or case.received_on,
                                 extensions=case.extensions, pauses=pauses, event_label=label)


@dataclass(frozen=True)
class MovedDeadline:
    case_uuid: str
    number: str
    summary: str
    old_due: date | None
    new_due: date | None


def recompute_open_deadlines(db: Database, *, since: date, actor: str, effective_on: date,
                             reason: str) -> list[MovedDeadline]:
    """Count again every open deadline of this unit due on or after ``since``; record those that move."""
    unit = local_unit_code(db)
    moved: list[MovedDeadline] = []
    with db.write():
        rows = db.query("SELECT uuid FROM cases WHERE due_on IS NOT NULL AND due_on >= ? AND unit_code = ? "
                        "ORDER BY due_on, id", (since.isoformat(), unit))
        for (uuid,) in rows:
            case = case_repo.get_case(db, uuid)
            counted = count_deadline(db, case)
            if counted is None:
                continue
            due, trace = counted
            if due == case.due_on:
                continue
            case_repo.update_case(db, case.uuid, {"due_on": due and due.isoformat(), "due_trace": trace,
                                                  "updated_at": now_iso()})
            updated = case_repo.get_case(db, case.uuid)
            insert_event(db, unit_code=case.unit_code, case_uuid=case.uuid, action="deadline_recomputed",
                         from_state=case.state, to_state=case.state, actor=actor, effective_on=effective_on,
                         note=f"Hạn chuyển từ {format_date(case.due_on)} sang {format_date(due)}: {reason}",
                         data={"old_due": case.due_on and case.due_on.isoformat(), "due_on": due and due.isoformat(),
                               "trace": trace, "reason": reason, "digest": case_digest(updated)})
            moved.append(MovedDeadline(case.uuid, case.number, case.summary, case.due_on, due))
    log.info("calendar change (%s): %d deadline(s) moved", reason, len(moved))
    return moved
