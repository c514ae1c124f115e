"""Open deadlines against the rules and calendar as they now stand.

A corrected rule (a complaint's acceptance counted in working days, not calendar days) or an
announced day changes what a deadline should be, but a deadline already in the register is never
changed silently: ``stale_deadlines`` lists the open cases whose stored deadline differs from a
fresh count, and ``recount`` records each change as an event (``deadline_recomputed``, with the
old and new day and the reason), in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from desktop.calendar.deadlines import format_date
from desktop.storage import cases as case_repo
from desktop.storage.calendar_repo import load_calendar
from desktop.storage.db import Database
from desktop.storage.events import insert_event
from desktop.storage.units import local_unit_code, now_iso
from desktop.workflow.engine import _step_start, case_digest, compute_step_deadline, rules_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaleDeadline:
    case_uuid: str
    number: str
    step: str
    stored: date | None
    counted: date | None
    trace: str


def stale_deadlines(db: Database, since: date | None = None) -> list[StaleDeadline]:
    """Open, running (not suspended) deadlines of this unit that a fresh count would put elsewhere;
    with ``since``, only those due on or after it (the ones a calendar day can touch)."""
    out = []
    cal = load_calendar(db)
    rows = db.query("SELECT uuid FROM cases WHERE due_on IS NOT NULL AND paused_on IS NULL AND unit_code = ? "
                    "AND due_on >= ? ORDER BY due_on, id", (local_unit_code(db), (since or date.min).isoformat()))
    for (uuid,) in rows:
        case = case_repo.get_case(db, uuid)
        rs = rules_of(case)
        if case.due_step not in rs.steps:
            continue
        start, label, pauses = _step_start(case_repo.list_events(db, uuid), case.due_step, rs)
        due, trace = compute_step_deadline(db, rs, case, case.due_step, start or case.received_on,
                                           extensions=case.extensions, pauses=pauses, event_label=label, cal=cal)
        if due != case.due_on:
            out.append(StaleDeadline(uuid, case.number, case.due_step, case.due_on, due, trace))
    return out


def recount(db: Database, *, effective_on: date, reason: str, since: date | None = None) -> list[StaleDeadline]:
    """Put every stale deadline right, each with its event; returns what moved. The
    administrator's work (the rules and the calendar are theirs: ``calendar.edit``)."""
    from desktop.security import require

    require(db, "calendar.edit")
    moved = stale_deadlines(db, since)
    with db.write():
        for s in moved:
            case = case_repo.get_case(db, s.case_uuid)
            case_repo.update_case(db, s.case_uuid, {"due_on": s.counted and s.counted.isoformat(),
                                                    "due_trace": s.trace, "updated_at": now_iso()})
            updated = case_repo.get_case(db, s.case_uuid)
            insert_event(db, unit_code=case.unit_code, case_uuid=case.uuid, action="deadline_recomputed",
                         from_state=case.state, to_state=case.state, effective_on=effective_on,
                         note=f"Hạn chuyển từ {format_date(s.stored)} sang {format_date(s.counted)}: {reason}",
                         data={"old_due": s.stored and s.stored.isoformat(),
                               "due_on": s.counted and s.counted.isoformat(), "trace": s.trace, "reason": reason,
                               "digest": case_digest(updated)})
    log.info("rules recheck: %d deadline(s) recounted", len(moved))
    return moved


def confirm_and_recount(db: Database, day: date, kind: str, *, today: date) -> list[StaleDeadline]:
    """The administrator's answer for an uncertain day, and the open deadlines it moves recounted,
    each with its event (a confirmed day never changes a deadline silently)."""
    from desktop.storage.calendar_repo import confirm_day

    confirm_day(db, day, kind)
    what = "ngày nghỉ" if kind == "off" else "ngày làm việc"
    return recount(db, effective_on=today, since=day,
                   reason=f"xác nhận ngày {format_date(day)} là {what}")
