"""A case's running deadline counted afresh from its standing steps (after an undo).

A deadline is never typed (DOMAIN.md §2–3): it is counted from the event that started the running
step, over the office's calendar, less the time the case was suspended, plus its extensions.
Steps that were undone do not count (``engine.standing_steps``). Calendar edits recount every
open deadline through ``rules_recheck.recount``.
"""

from __future__ import annotations

import logging
from datetime import date

from desktop.domain.records import Case
from desktop.storage import cases as case_repo
from desktop.storage.db import Database
from desktop.workflow.engine import _step_start, compute_step_deadline, rules_of

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
