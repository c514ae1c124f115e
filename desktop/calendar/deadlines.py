"""Deadlines of a case step, with a Vietnamese trace that shows how the date was reached.

Counting follows Bộ luật Dân sự 2015 (DOMAIN.md §2):

* Art. 147(2)–(3): a period counted in days starts the day after the given day; when it starts
  with an event (receipt, the acceptance notice …), the day of the event is not counted.
* Art. 148(1), (6): a period counted in days ends at 24:00 of its last day; Art. 148(5): when the
  last day is a weekly rest day or a public holiday, the period ends at the end of the next
  working day.

Two kinds of period:

* ``'calendar'`` ("ngày"): every day counts; due = event_on + days, then moved to the next
  working day when that last day is not a working day (Art. 148(5)).
* ``'working'`` ("ngày làm việc"): only working days count, from the day after the event; the
  N-th working day is the due. Make-up working Saturdays count.

Suspension (tạm đình chỉ: NĐ 59/2019 Art. 13 para. 2; Luật Tố cáo Art. 34(2); NĐ 124/2020
Art. 28b(2) as added by NĐ 155/2026): the days of a pause ``[pause_start,
resume_day)`` that fall after the event do not count. For a calendar period the due is pushed by
the paused days lying before it; for a working period the working days inside the pause do not
count. A pause that starts after the due changes nothing (the step was already late). An
extension is a longer ``days`` from the same event: the caller decides it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from desktop.calendar.workdays import WorkCalendar
from desktop.errors import UserError

log = logging.getLogger(__name__)

WORKING = "working"    # "ngày làm việc"
CALENDAR = "calendar"  # "ngày"
DAY_KINDS = (WORKING, CALENDAR)

WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

MAX_DAYS = 3660  # ten years: no period of the law comes near it
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """The due date of one step and why it is that date.

    ``start`` is the first day counted (the day after ``event_on``); ``skipped`` lists the
    non-working days passed over with their reasons (for a calendar period: the rest days the
    last day was moved across); ``paused`` the pauses ``(pause_start, resume_day)`` that moved
    the date, clipped to the days after the event.
    """

    event_on: date
    start: date
    days: int
    day_kind: str
    due: date
    trace: str
    skipped: tuple[tuple[date, str], ...] = ()
    paused: tuple[tuple[date, date], ...] = ()


def format_date(d: date) -> str:
    """"05/02/2026": day and month with a leading zero, as in official documents."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def weekday_vi(d: date) -> str:
    return WEEKDAYS_VI[d.weekday()]


def format_range(first: date, last: date) -> str:
    """"14/02/2026–22/02/2026", or a single date when first == last."""
    if first == last:
        return format_date(first)
    return f"{format_date(first)}–{format_date(last)}"


def _normalise_pauses(pauses: Sequence[tuple[date, date]], event_on: date) -> list[tuple[date, date]]:
    """Clip pauses to the days after the event, drop empty ones, merge overlaps, sort."""
    clipped: list[tuple[date, date]] = []
    for pause in pauses:
        try:
            begin, resume = pause
        except (TypeError, ValueError) as exc:
            raise UserError("pause_invalid", "Khoảng tạm đình chỉ phải có ngày tạm đình chỉ và ngày tiếp tục.") from exc
        if begin is None or resume is None:
            raise UserError("pause_invalid", "Khoảng tạm đình chỉ phải có ngày tạm đình chỉ và ngày tiếp tục.")
        if resume < begin:
            raise UserError(
                "pause_invalid",
                f"Ngày tiếp tục giải quyết ({format_date(resume)}) không được trước ngày tạm đình chỉ "
                f"({format_date(begin)}).",
            )
        begin = max(begin, event_on + ONE_DAY)
        if begin < resume:
            clipped.append((begin, resume))
    clipped.sort()
    merged: list[tuple[date, date]] = []
    for begin, resume in clipped:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], resume))
        else:
            merged.append((begin, resume))
    return merged


def _is_paused(d: date, pauses: list[tuple[date, date]]) -> bool:
    return any(begin <= d < resume for begin, resume in pauses)


def _check(event_on: date, days: int, day_kind: str) -> None:
    if not isinstance(event_on, date):
        raise UserError("deadline_invalid", "Thiếu ngày bắt đầu tính thời hạn.")
    if day_kind not in DAY_KINDS:
        raise UserError("deadline_invalid", f"Loại ngày không hợp lệ: {day_kind!r} (cần 'working' hoặc 'calendar').")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise UserError("deadline_invalid", f"Thời hạn phải là số ngày từ 1 đến {MAX_DAYS}, không phải {days!r}.")


def compute_deadline(
    cal: WorkCalendar,
    event_on: date,
    days: int,
    day_kind: str,
    *,
    pauses: Sequence[tuple[date, date]] = (),
    event_label: str = "Nhận",
) -> Deadline:
    """The due date of a period of ``days`` ("working" or "calendar") after ``event_on``.

    Bộ luật Dân sự 2015 Art. 147(3): the event day is not counted, counting starts the next day.
    Art. 148(5): a period whose last day is a weekly rest day or a holiday ends on the next working
    day. Working-day periods count only working days (make-up Saturdays included). Days inside
    a pause ``[pause_start, resume_day)`` never count.

    >>> compute_deadline(WorkCalendar(), date(2026, 2, 13), 5, "working").due
    datetime.date(2026, 2, 27)
    """
    if hasattr(event_on, "date") and callable(getattr(event_on, "date")):
        event_on = event_on.date()
    _check(event_on, days, day_kind)
    windows = _normalise_pauses(pauses, event_on)
    start = event_on + ONE_DAY
    skipped: list[tuple[date, str]] = []
    makeup: list[tuple[date, str]] = []
    last_day: date | None = None

    d = event_on
    counted = 0
    limit = event_on + timedelta(days=MAX_DAYS * 3)
    while counted < days:
        d += ONE_DAY
        if d > limit:  # pragma: no cover - a calendar with no working day at all
            raise UserError("deadline_invalid", "Không tìm được ngày làm việc để tính thời hạn.")
        if _is_paused(d, windows):
            continue
        if day_kind == CALENDAR:
            counted += 1
        elif cal.is_working_day(d):
            counted += 1
            reason = cal.makeup_reason(d)
            if reason:
                makeup.append((d, reason))
        else:
            skipped.append((d, cal.day_off_reason(d) or ""))

    if day_kind == CALENDAR:
        last_day = d
        while _is_paused(d, windows) or not cal.is_working_day(d):
            if not _is_paused(d, windows):
                skipped.append((d, cal.day_off_reason(d) or ""))
            d += ONE_DAY
    due = d
    used = tuple(w for w in windows if w[0] <= due)

    trace = _trace(
        cal, event_on, start, days, day_kind, due, event_label, skipped, used, makeup, last_day
    )
    deadline = Deadline(event_on, start, days, day_kind, due, trace, tuple(skipped), used)
    log.debug("deadline %s", deadline)
    return deadline


def _group(skipped: list[tuple[date, str]]) -> list[tuple[date, date, list[str]]]:
    """Consecutive skipped days as ranges, each with its distinct reasons in order."""
    groups: list[tuple[date, date, list[str]]] = []
    for d, reason in skipped:
        if groups and groups[-1][1] + ONE_DAY == d:
            first, _, reasons = groups[-1]
            if reason not in reasons:
                reasons.append(reason)
            groups[-1] = (first, d, reasons)
        else:
            groups.append((d, d, [reason]))
    return groups


def describe_skipped(skipped: Sequence[tuple[date, str]]) -> str:
    """"14/02/2026–22/02/2026 (Thứ Bảy, Chủ nhật, Tết Nguyên Đán …), 28/02/2026 (Thứ Bảy)"."""
    return ", ".join(
        f"{format_range(first, last)} ({', '.join(reasons)})" for first, last, reasons in _group(list(skipped))
    )


def _trace(
    cal: WorkCalendar,
    event_on: date,
    start: date,
    days: int,
    day_kind: str,
    due: date,
    event_label: str,
    skipped: list[tuple[date, str]],
    paused: tuple[tuple[date, date], ...],
    makeup: list[tuple[date, str]],
    last_day: date | None,
) -> str:
    unit = "ngày làm việc" if day_kind == WORKING else "ngày"
    parts = [
        f"{event_label} ngày {format_date(event_on)} ({weekday_vi(event_on)})",
        f"tính từ ngày {format_date(start)}",
        f"thời hạn {days:02d} {unit}",
    ]
    for begin, resume in paused:
        span = (resume - begin).days
        parts.append(
            f"tạm đình chỉ {format_range(begin, resume - ONE_DAY)} ({span:02d} ngày), không tính"
        )
    if day_kind == WORKING:
        if skipped:
            parts.append(f"bỏ qua {describe_skipped(skipped)}")
        for d, reason in makeup:
            parts.append(f"tính cả ngày {format_date(d)} ({weekday_vi(d)}): {reason}")
    elif last_day is not None and last_day != due:
        reason = cal.day_off_reason(last_day) or ""
        parts.append(f"ngày cuối {format_date(last_day)} là {reason}, chuyển sang ngày làm việc tiếp theo")
        if len(skipped) > 1:
            parts.append(f"bỏ qua {describe_skipped(skipped)}")
    parts.append(f"hạn: {format_date(due)} ({weekday_vi(due)})")
    return "; ".join(parts)
