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
from desktop.calendar.official import OfficialDay, merge, resolve, shipped_days
from desktop.calendar.workdays import DEFAULT_OFF_NAME, DEFAULT_WORK_NAME, WorkCalendar
from desktop.errors import NotFound, UserError
from desktop.security import require
from desktop.storage.db import Database
from desktop.storage.units import head_reception_weekday, local_unit_code, new_uuid
from desktop.storage.units import log_access as units_log_access

log = logging.getLogger(__name__)

KINDS = ("off", "work")
CHECKED_KEY = "calendar_checked_{year}"
CONFIRM_PREFIX = "calendar_confirm:"
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


def official_days(db: Database) -> dict[date, OfficialDay]:
    """The Government's announced days: those shipped with the app, then those of each imported
    signed update in import order (later ones win day by day)."""
    from desktop.rules.updates import update_calendar_days

    return merge(shipped_days(), *update_calendar_days(db))


def decisions(db: Database) -> dict[date, str]:
    """The administrator's answers for days whose status was uncertain ('off' or 'work')."""
    rows = db.query("SELECT key, value FROM settings WHERE key LIKE ?", (CONFIRM_PREFIX + "%",))
    out = {}
    for key, value in rows:
        try:
            out[date.fromisoformat(key[len(CONFIRM_PREFIX):])] = value
        except ValueError:
            continue
    return out


def load_calendar(db: Database) -> WorkCalendar:
    """The register's working calendar: the law's holidays, the Government's announced days (an
    uncertain one as the administrator confirmed it), then the administrator's own days."""
    off: dict[date, str] = {}
    work: dict[date, str] = {}
    for d in list_days(db):
        (off if d.kind == "off" else work)[d.day] = d.name
    return WorkCalendar(extra_days_off=off, makeup_work_days=work,
                        official=resolve(official_days(db), decisions(db)))


@dataclass(frozen=True)
class AnnouncedDay:
    """An announced day as the settings page shows it."""

    day: date
    kind: str            # as the calendar counts it now
    listed_kind: str     # as the data lists it
    name: str
    source: str
    confidence: str
    uncertain: bool
    confirmed: bool      # the administrator answered (only for uncertain days)


def announced_days(db: Database, year: int | None = None) -> list[AnnouncedDay]:
    answers = decisions(db)
    out = []
    for day, d in sorted(official_days(db).items()):
        if year is not None and day.year != year:
            continue
        decided = answers.get(day) if d.uncertain else None
        out.append(AnnouncedDay(day, decided or d.kind, d.kind, d.name, d.source, d.confidence, d.uncertain,
                                decided is not None))
    return out


def pending_confirmations(db: Database, today: date | None = None) -> list[AnnouncedDay]:
    """Uncertain days the administrator has not answered yet, from this year on: the settings page
    and ``calendar pending`` show them, so a doubtful day never silently decides a deadline."""
    year = (today or date.today()).year
    return [d for d in announced_days(db) if d.uncertain and not d.confirmed and d.day.year >= year]


def confirm_day(db: Database, day: date, kind: str) -> AnnouncedDay:
    """The administrator's answer for an uncertain day: a day off ('off') or a working day ('work').

    Deadlines already computed are not moved here; the caller recounts the open ones that the day
    can touch (the calendar recount of ``desktop.workflow``), each with its event.
    """
    from desktop.security import require

    require(db, "calendar.edit")
    day = _as_date(day)
    if kind not in KINDS:
        raise UserError("calendar_bad_kind", "Hãy chọn: ngày nghỉ (off) hoặc ngày làm việc (work).")
    listed = official_days(db).get(day)
    if listed is None or not listed.uncertain:
        raise UserError("calendar_not_uncertain",
                        f"Ngày {format_date(day)} không nằm trong danh sách ngày cần xác nhận.")
    db.set_setting(CONFIRM_PREFIX + day.isoformat(), kind)
    units_log_access(db, "calendar_day_confirmed", target=day.isoformat(), detail=kind)
    log.info("calendar day %s confirmed as %s", day.isoformat(), kind)
    return next(d for d in announced_days(db, day.year) if d.day == day)


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
    """Record that the administrator checked ``year``'s calendar (the value is when); like any
    edit of the calendar it is the administrator's (calendar.edit)."""
    require(db, "calendar.edit")
    db.set_setting(CHECKED_KEY.format(year=year), datetime.now().isoformat(timespec="seconds"))
    log.info("calendar of %s confirmed", year)


def reception_day_in_week(cal: WorkCalendar, fixed: date) -> date | None:
    """The day the head's weekly session of ``fixed``'s week is held: the fixed day, or when it is a
    day off the next working day of the same week, else the nearest working day before it in that
    week; None when the whole week is off. The law asks for at least one day in every week (Luật
    Tiếp công dân 2013, Art. 15(2)(d)), so a session never moves into another week."""
    monday = fixed - timedelta(days=fixed.weekday())
    week = [monday + timedelta(days=i) for i in range(7)]
    if cal.is_working_day(fixed):
        return fixed
    after = [d for d in week if d > fixed and d.weekday() < 5 and cal.is_working_day(d)]
    before = [d for d in week if d < fixed and d.weekday() < 5 and cal.is_working_day(d)]
    if after:
        return after[0]
    if before:
        return before[-1]
    return None


def next_head_reception(db: Database, today: date) -> date | None:
    """The head's next periodic reception day, today included (None when not set): the unit's
    fixed weekday, moved within its own week when it is a day off (``reception_day_in_week``)."""
    weekday = head_reception_weekday(db)
    if weekday is None:
        return None
    cal = load_calendar(db)
    fixed = today - timedelta(days=today.weekday()) + timedelta(days=weekday)  # this week's fixed day
    for _ in range(60):  # look ahead week by week (a week of Tết has no session)
        held = reception_day_in_week(cal, fixed)
        if held is not None and held >= today:
            return held
        fixed += timedelta(days=7)
    return None
