"""Declaring or removing a day off or a make-up working day, with the deadlines it moves.

The calendar row and every open deadline it moves (each with its ``deadline_recomputed`` event
and new trace, ``rules_recheck.recount``) are one transaction: the register never holds a
calendar its deadlines were not counted on (a case stayed due on a day just declared off).
"""

from __future__ import annotations

from datetime import date

from desktop.calendar.deadlines import format_date
from desktop.storage import calendar_repo
from desktop.storage.db import Database
from desktop.workflow.rules_recheck import StaleDeadline, recount

KIND_LABEL = {"off": "ngày nghỉ", "work": "ngày làm bù"}


def declare_day(db: Database, day: date, kind: str, name: str, *, today: date) -> list[StaleDeadline]:
    """Add a day off (``off``) or a make-up working day (``work``); returns the deadlines that moved."""
    with db.write():
        calendar_repo.add_day(db, day, kind, name)
        return recount(
            db, since=day, effective_on=today,
            reason=f"lịch làm việc: thêm {KIND_LABEL.get(kind, kind)} {format_date(day)}" + (f" ({name})" if name else ""))


def remove_day(db: Database, day: date, *, today: date) -> list[StaleDeadline]:
    """Remove an office day off or make-up day; returns the deadlines that moved."""
    with db.write():
        old = calendar_repo.get_day(db, day)
        calendar_repo.remove_day(db, day)
        what = KIND_LABEL.get(old.kind, "ngày") if old else "ngày"
        return recount(db, since=day, effective_on=today,
                      reason=f"lịch làm việc: bỏ {what} {format_date(day)}")
