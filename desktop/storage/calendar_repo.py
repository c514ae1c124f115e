"""The administrator's calendar: extra days off and make-up working days, kept in the register.

Public holidays come from the ``holidays`` library (``desktop.calendar.workdays``); the
Prime Minister's yearly decisions and government notices that swap days (a weekday off paid
back by a working Saturday) are entered here by the administrator (DOMAIN.md §3). Each December
the program reminds the administrator to check next year (``needs_yearly_check``).

Rows live in ``calendar_days`` (m0001): one row per date, kind 'off' or 'work', synchronised
like every register record (uuid, unit_code, version, updated_at).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.calendar.deadlines import format_date, weekday_vi
from desktop.calendar.workdays import DEFAULT_OFF_NAME, DEFAULT_WORK_NAME, WorkCalendar
from desktop.errors import NotFound, UserError
from desktop.security import require
from desktop.storage.db import Database
from desktop.storage.units import head_reception_weekday, local_unit_code, new_uuid

log = logging.getLogger(__name__)

KINDS = ("off", "work")
CHECKED_KEY = "calendar_checked_{year}"
NAME_MAX = 200


@dataclass(frozen=True)
class CalendarDay:
    """A day the administrator declared off ('off') or a make-up working day ('work')."""

    day: date
    kind: str
    name: str
    uuid: str


def _row(row: sqlite3.Row) -> CalendarDay:
    return CalendarDay(day=date.fromisoformat(row["day"]), kind=row["kind"], name=row["name"], uuid=row["uuid"])


def _as_date(day: date) -> date:
    if isinstance(day, datetime):
        return day.date()
    if not isinstance(day, date):
        raise UserError("calendar_bad_day", "Ngày không hợp lệ.")
    return day


def _unit(db: Database) -> str | None:
    """The register's own unit: its calendar is the one deadlines are counted with. At the
    province, the communes' imported days stay theirs and do not change the province's.
    (None before a unit is declared: then every day is the register's.)"""
    return db.get_setting("local_unit_code") or None


def list_days(db: Database, year: int | None = None) -> list[CalendarDay]:
    """The administrator's days, sorted by date; only those of ``year`` when given."""
    if year is None:
        rows = db.query("SELECT day, kind, name, uuid FROM calendar_days WHERE (?1 IS NULL OR unit_code = ?1) ORDER BY day",
                        (_unit(db),))
    else:
        rows = db.query(
            "SELECT day, kind, name, uuid FROM calendar_days WHERE (?1 IS NULL OR unit_code = ?1) AND day BETWEEN ?2 AND ?3 "
            "ORDER BY day",
            (_unit(db), f"{year:04d}-01-01", f"{year:04d}-12-31"),
        )
    return [_row(r) for r in rows]


def get_day(db: Database, day: date) -> CalendarDay | None:
    row = db.one("SELECT day, kind, name, uuid FROM calendar_days WHERE (?1 IS NULL OR unit_code = ?1) AND day = ?2",
                 (_unit(db), _as_date(day).isoformat()))
    return None if row is None else _row(row)


def load_calendar(db: Database) -> WorkCalendar:
    """The register's working calendar: the law's holidays plus the administrator's days."""
    off: dict[date, str] = {}
    work: dict[date, str] = {}
    for d in list_days(db):
        (off if d.kind == "off" else work)[d.day] = d.name
    return WorkCalendar(extra_days_off=off, makeup_work_days=work)


def add_day(db: Database, day: date, kind: str, name: str) -> CalendarDay:
    """Add an extra day off ('off') or a make-up working day ('work') to the register's own
    unit's calendar, the one its deadlines are counted with (a province never edits a commune's:
    those days come in the commune's bundles).

    Refused, with a message for the administrator: a register with no unit declared yet, a date
    already in the list, a make-up day on a day that already is a working day, a day off on a day
    that already is off. An empty name gets "Ngày nghỉ" or "Ngày làm việc bù".
    """
    day = _as_date(day)
    if kind not in KINDS:
        raise UserError("calendar_bad_kind", "Loại ngày phải là ngày nghỉ hoặc ngày làm việc bù.")
    unit_code = local_unit_code(db)  # the unit whose days the checks below read (``_unit``)
    require(db, "calendar.edit")
    name = " ".join((name or "").split())
    if len(name) > NAME_MAX:
        raise UserError("calendar_bad_name", f"Tên ngày quá dài (tối đa {NAME_MAX} ký tự).")
    name = name or (DEFAULT_OFF_NAME if kind == "off" else DEFAULT_WORK_NAME)
    label = f"{format_date(day)} ({weekday_vi(day)})"

    with db.write():
        existing = get_day(db, day)
        if existing is not None:
            what = "ngày nghỉ" if existing.kind == "off" else "ngày làm việc bù"
            raise UserError(
                "calendar_day_exists",
                f"Ngày {label} đã có trong lịch là {what} \"{existing.name}\". "
                "Hãy xóa ngày đó trước nếu muốn đổi.",
            )
        cal = load_calendar(db)
        if kind == "work" and cal.is_working_day(day):
            raise UserError(
                "calendar_already_working",
                f"Ngày {label} đã là ngày làm việc, không cần thêm ngày làm việc bù.",
            )
        if kind == "off" and not cal.is_working_day(day):
            raise UserError(
                "calendar_already_off",
                f"Ngày {label} đã là ngày nghỉ ({cal.day_off_reason(day)}), không cần thêm.",
            )
        record = CalendarDay(day=day, kind=kind, name=name, uuid=new_uuid())
        db.execute(
            "INSERT INTO calendar_days(day, kind, name, uuid, unit_code, version, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 1, ?)",
            (day.isoformat(), kind, name, record.uuid, unit_code, datetime.now().isoformat(timespec="seconds")),
        )
    log.info("calendar day added: %s %s %s", day.isoformat(), kind, name)
    return record


def remove_day(db: Database, day: date) -> None:
    """Remove an administrator's day; the date falls back to what the law says."""
    require(db, "calendar.edit")
    day = _as_date(day)
    with db.write():
        cur = db.execute("DELETE FROM calendar_days WHERE (?1 IS NULL OR unit_code = ?1) AND day = ?2",
                         (_unit(db), day.isoformat()))
        if cur.rowcount == 0:
            raise NotFound("calendar_day_missing", f"Ngày {format_date(day)} không có trong lịch đã khai báo.")
    log.info("calendar day removed: %s", day.isoformat())


def needs_yearly_check(db: Database, today: date) -> int | None:
    """In December, the next year if the administrator has not confirmed its calendar yet.

    The Prime Minister fixes Tết and 2/9 and swaps days each year (DOMAIN.md §3): the library may
    not know them, so the administrator checks next year's days off and make-up days.
    """
    if today.month != 12:
        return None
    year = today.year + 1
    return None if db.get_setting(CHECKED_KEY.format(year=year)) else year


def confirm_year_checked(db: Database, year: int) -> None:
    """Record that the administrator checked ``year``'s calendar (the value is when)."""
    db.set_setting(CHECKED_KEY.format(year=year), datetime.now().isoformat(timespec="seconds"))
    log.info("calendar of %s confirmed", year)


def next_head_reception(db: Database, today: date) -> date | None:
    """The head's next periodic reception day, today included (None when not set): the unit's
    fixed weekday (Luật Tiếp công dân 2013, Art. 15), moved to the next working day when it is a
    day off. A session moved into this week from the last one counts (asked on Monday 04/05/2026,
    the Thursday 30/04 session moved to that day is the answer, not Thursday 07/05)."""
    weekday = head_reception_weekday(db)
    if weekday is None:
        return None
    cal = load_calendar(db)
    last = today - timedelta(days=(today.weekday() - weekday) % 7)  # the fixed day, this week or the last
    held = cal.next_working_day(last)
    return held if held >= today else cal.next_working_day(last + timedelta(days=7))
