"""Working days of a commune office: weekends, public holidays, days off and make-up days.

A working day (ngày làm việc) is Monday to Friday, less the public holidays of Bộ luật Lao động
2019 Art. 112 and the days the Prime Minister or the administrator declares off, plus any
make-up working day (ngày làm việc bù, usually a Saturday that pays back a bridging day off).

The public holidays come from the maintained ``holidays`` package (``holidays.Vietnam``,
Vietnamese names, lunar Tết and Giỗ Tổ included). The package also knows some government swaps:
for 2026 it has Monday 31/08 off "thay cho ngày 22/08/2026", and then counts Saturday 22/08/2026
as a working day (its ``weekend_workdays``). This calendar follows it.

Between the two sit the Government's yearly announcements shipped as data with their source
(``desktop.calendar.official``, ``resources/calendar/official-days.json``): they win over the
library (the 2026 New Year swap the library lacks) and lose to the administrator.

On top of the law, the administrator keeps two lists per register (``calendar_days`` table,
see ``desktop.storage.calendar_repo``): extra days off and make-up working days. They win over
the library: a make-up day is a working day even on a Saturday or on a day the library calls a
holiday; an extra day off is off even when the library says it is a working day.

The ``holidays`` object fills itself lazily year by year; one object serves every calendar of the
process (``_shared_law``), and a lock keeps its filling safe between the UI thread and a worker.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

log = logging.getLogger(__name__)

SATURDAY = "Thứ Bảy"
SUNDAY = "Chủ nhật"
DEFAULT_OFF_NAME = "Ngày nghỉ"
DEFAULT_WORK_NAME = "Ngày làm việc bù"

# The library names a swapped day off "Ngày nghỉ (thay cho ngày 22/08/2026)".
_SWAP = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")

SOURCE_LAW = "law"    # from the holidays library (public holidays and its own swaps)
SOURCE_OFFICIAL = "official"  # the Government's announced days, shipped as data (or a signed update)
SOURCE_OFF = "off"    # an extra day off added by the administrator
SOURCE_WORK = "work"  # a make-up working day added by the administrator


@dataclass(frozen=True)
class CalendarEntry:
    """One special day of a year, for the settings year view.

    ``kind`` says what the day is ('off' or 'work'); ``source`` says where it comes from:
    'law' (the holidays library), 'off' or 'work' (added by the administrator).
    """

    day: date
    kind: str
    name: str
    source: str


def _plain_date(d: date) -> date:
    """Accept a ``datetime`` too (a subclass of ``date``) but always work on the date part."""
    if hasattr(d, "date") and callable(getattr(d, "date")):
        return d.date()  # type: ignore[union-attr]
    return d


_LAW: tuple[holidays.HolidayBase, set[int], threading.Lock] | None = None
_LAW_MAKING = threading.Lock()


def _shared_law() -> tuple[holidays.HolidayBase, set[int], threading.Lock]:
    """The library's holidays, the years it has filled and the lock that guards filling, one for
    the whole process: its tables are a function of the year alone, and filling the years around
    a date cost each save about a millisecond when every ``WorkCalendar`` (built from the
    register's own days at each deadline) had its own."""
    global _LAW
    if _LAW is None:
        with _LAW_MAKING:
            if _LAW is None:
                _LAW = (holidays.Vietnam(language="vi"), set(), threading.Lock())
    return _LAW


class WorkCalendar:
    """Which days count as working days for a register.

    >>> cal = WorkCalendar()
    >>> cal.is_working_day(date(2026, 2, 17))      # Tết
    False
    >>> cal.day_off_reason(date(2026, 2, 14))
    'Thứ Bảy'
    """

    def __init__(
        self,
        extra_days_off: Mapping[date, str] | None = None,
        makeup_work_days: Mapping[date, str] | None = None,
        official: Mapping[date, tuple[str, str]] | None = None,
    ) -> None:
        if official is None:  # the shipped announcements, uncertain days as listed
            from desktop.calendar.official import merge, resolve, shipped_days

            official = resolve(merge(shipped_days()), {})
        self._official = {_plain_date(d): (kind, (name or "").strip()) for d, (kind, name) in official.items()}
        self._off = {_plain_date(d): (name or "").strip() for d, name in (extra_days_off or {}).items()}
        self._work = {_plain_date(d): (name or "").strip() for d, name in (makeup_work_days or {}).items()}
        both = sorted(set(self._off) & set(self._work))
        if both:
            raise ValueError(f"days both off and working: {both}")
        self._law, self._loaded, self._lock = _shared_law()  # years the library has filled, its lock
        self._ready: set[int] = set()   # years whose neighbours are filled too
        self._working: dict[date, bool] = {}  # answers so far: the calendar never changes once built

    # -- the library, loaded lazily ----------------------------------------------------------
    def _ensure(self, year: int) -> None:
        """Load the library's holidays for ``year`` and its neighbours.

        A swap may cross a year boundary (the library lists 02/01/2015 off for 27/12/2014),
        so the neighbouring years are loaded too: their make-up Saturdays land in the set.
        """
        if year in self._ready:
            return
        with self._lock:
            for y in (year - 1, year, year + 1):
                if y not in self._loaded and 1 <= y <= 9998:
                    _ = date(y, 1, 1) in self._law  # the library fills a year on first look-up
                    self._loaded.add(y)
            self._ready.add(year)

    def _law_is_working(self, d: date) -> bool:
        """What the library alone says of ``d``."""
        return self._law_workday(d) if d.weekday() >= 5 else self._law_holiday(d) is None

    def _law_holiday(self, d: date) -> str | None:
        self._ensure(d.year)
        names = self._law.get_list(d)
        return ", ".join(names) if names else None

    def _law_workday(self, d: date) -> bool:
        self._ensure(d.year)
        return d in self._law.weekend_workdays

    # -- questions ---------------------------------------------------------------------------
    @property
    def extra_days_off(self) -> Mapping[date, str]:
        return dict(self._off)

    @property
    def makeup_work_days(self) -> Mapping[date, str]:
        return dict(self._work)

    def is_working_day(self, d: date) -> bool:
        """Mon–Fri and not a holiday nor an extra day off; or a make-up working day."""
        known = self._working.get(d)
        if known is None:
            known = self._working[d] = self._is_working_day(_plain_date(d))
        return known

    def _is_working_day(self, d: date) -> bool:
        if d in self._work:
            return True
        if d in self._off:
            return False
        if d in self._official:
            return self._official[d][0] == "work"
        if d.weekday() >= 5:
            return self._law_workday(d)
        return self._law_holiday(d) is None

    def day_off_reason(self, d: date) -> str | None:
        """Why ``d`` is not a working day, in Vietnamese; ``None`` on a working day.

        An administrator's day off gives its own name, a public holiday its name from the
        library (even when it falls on a weekend: "Ngày Giỗ Tổ Hùng Vương" says more than
        "Chủ nhật"), else "Thứ Bảy" or "Chủ nhật".
        """
        d = _plain_date(d)
        if self.is_working_day(d):
            return None
        if d in self._off:
            return self._off[d] or DEFAULT_OFF_NAME
        holiday = self._law_holiday(d)
        if d in self._official and not holiday:  # the library's name when it agrees (traces stay the same)
            return self._official[d][1] or DEFAULT_OFF_NAME
        if holiday:
            return holiday
        return SATURDAY if d.weekday() == 5 else SUNDAY

    def makeup_reason(self, d: date) -> str | None:
        """The name of a make-up working day that falls on a weekend or a holiday, else None.

        Used by the deadline trace to say that such a day was counted.
        """
        d = _plain_date(d)
        if not self.is_working_day(d):
            return None
        if d in self._work:
            if d.weekday() < 5 and self._law_holiday(d) is None:
                return None  # an ordinary weekday: nothing worth saying
            return self._work[d] or DEFAULT_WORK_NAME
        if d.weekday() >= 5 and self._law_workday(d):
            return self._law_workday_name(d)
        if d in self._official and (d.weekday() >= 5 or self._law_holiday(d) is not None):
            return self._official[d][1] or DEFAULT_WORK_NAME
        return None

    def _law_workday_name(self, d: date) -> str:
        """"Ngày làm việc bù (cho ngày nghỉ 31/08/2026)" for a library make-up Saturday."""
        for y in (d.year, d.year + 1, d.year - 1):
            self._ensure(y)
        with self._lock:  # another thread may be filling a year: iterate over a copy
            law = list(self._law.items())
        for off_day, name in law:
            for m in _SWAP.finditer(name):
                if date(int(m[3]), int(m[2]), int(m[1])) == d:
                    return f"{DEFAULT_WORK_NAME} (cho ngày nghỉ {off_day:%d/%m/%Y})"
        return DEFAULT_WORK_NAME

    def next_working_day(self, d: date) -> date:
        """``d`` itself if it is a working day, else the first working day after it."""
        d = _plain_date(d)
        for _ in range(3660):
            if self.is_working_day(d):
                return d
            d += timedelta(days=1)
        raise ValueError(f"no working day within ten years after {d}")  # pragma: no cover

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (``d`` itself is not counted); n >= 1."""
        if n < 1:
            raise ValueError("n must be at least 1")
        d = _plain_date(d)
        counted = 0
        while counted < n:
            d += timedelta(days=1)
            if self.is_working_day(d):
                counted += 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]: 0 when end <= start."""
        start, end = _plain_date(start), _plain_date(end)
        count = 0
        d = start + timedelta(days=1)
        while d <= end:
            count += self.is_working_day(d)
            d += timedelta(days=1)
        return count

    # -- the settings year view --------------------------------------------------------------
    def year_days(self, year: int, *, include_weekend_holidays: bool = False) -> list[CalendarEntry]:
        """Every special day of ``year``, sorted by date.

        Public holidays on a weekday (source 'law', kind 'off'), the library's own make-up
        Saturdays (source 'law', kind 'work'), the administrator's days off (source 'off') and
        make-up working days (source 'work'). A library holiday that the administrator turned
        into a working day, or the reverse, appears once, as the administrator's day.
        Holidays that fall on a weekend are left out unless ``include_weekend_holidays``.
        """
        self._ensure(year)
        with self._lock:  # another thread may be filling a year: iterate over copies
            law = sorted(d for d in self._law.keys() if d.year == year)
            law_workdays = sorted(d for d in self._law.weekend_workdays if d.year == year)
        entries: dict[date, CalendarEntry] = {}
        for d in law:
            if d.weekday() >= 5 and not include_weekend_holidays:
                continue
            entries[d] = CalendarEntry(d, "off", ", ".join(self._law.get_list(d)), SOURCE_LAW)
        for d in law_workdays:
            if d.year == year:
                entries[d] = CalendarEntry(d, "work", self._law_workday_name(d), SOURCE_LAW)
        for d, (kind, name) in self._official.items():
            if d.year != year or (kind == "work") == self._law_is_working(d):
                continue  # where the announcement and the library agree, the library's entry stays
            if kind == "off" and d.weekday() >= 5:
                continue
            if kind == "work" and d.weekday() < 5 and self._law_holiday(d) is None:
                entries.pop(d, None)
                continue
            entries[d] = CalendarEntry(d, kind, name, SOURCE_OFFICIAL)
        for d, name in self._off.items():
            if d.year == year:
                entries[d] = CalendarEntry(d, "off", name or DEFAULT_OFF_NAME, SOURCE_OFF)
        for d, name in self._work.items():
            if d.year == year:
                entries[d] = CalendarEntry(d, "work", name or DEFAULT_WORK_NAME, SOURCE_WORK)
        return [entries[d] for d in sorted(entries)]

    def __repr__(self) -> str:
        return (f"WorkCalendar(extra_days_off={len(self._off)}, makeup_work_days={len(self._work)}, "
                f"official={len(self._official)})")
