"""Working days: weekends, the holidays library's Vietnamese holidays, admin days off and make-up days.

Dates checked against ``holidays.Vietnam(years=..., language='vi')``: Tết 2026 is 16–20/02,
Giỗ Tổ 2026 falls on Sunday 26/04 and is observed Monday 27/04, 2/9 in 2026 is 31/08 (a swap
paid back by Saturday 22/08), 01/09 and 02/09.
"""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest

from desktop.calendar.workdays import CalendarEntry, WorkCalendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.mark.parametrize(
    "day",
    [date(2026, 1, 1), date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 20), date(2026, 4, 27),
     date(2026, 4, 30), date(2026, 5, 1), date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2),
     date(2027, 2, 5), date(2027, 2, 10), date(2027, 4, 16), date(2027, 5, 3), date(2027, 9, 3)],
)
def test_public_holidays_on_weekdays_are_not_working_days(cal, day):
    assert day.weekday() < 5
    assert not cal.is_working_day(day)
    assert cal.day_off_reason(day)


@pytest.mark.parametrize(
    "day", [date(2026, 2, 13), date(2026, 2, 23), date(2026, 4, 28), date(2026, 5, 4), date(2026, 9, 3),
            date(2026, 12, 31), date(2027, 2, 11)],
)
def test_ordinary_weekdays_are_working_days(cal, day):
    assert cal.is_working_day(day)
    assert cal.day_off_reason(day) is None


def test_weekend_reasons(cal):
    assert cal.day_off_reason(date(2026, 2, 14)) == "Thứ Bảy"
    assert cal.day_off_reason(date(2026, 2, 15)) == "Chủ nhật"


def test_holiday_names_are_vietnamese_from_the_library(cal):
    assert "Tết Nguyên Đán" in cal.day_off_reason(date(2026, 2, 17))
    assert "Giỗ Tổ Hùng Vương" in cal.day_off_reason(date(2026, 4, 27))
    assert cal.day_off_reason(date(2026, 4, 30)) == "Ngày Chiến thắng"
    assert "Lao động" in cal.day_off_reason(date(2026, 5, 1))
    assert cal.day_off_reason(date(2026, 9, 2)) == "Quốc khánh"


def test_a_holiday_on_a_weekend_is_named_after_the_holiday(cal):
    assert cal.day_off_reason(date(2026, 4, 26)) == "Ngày Giỗ Tổ Hùng Vương"  # a Sunday
    assert "Tết" in cal.day_off_reason(date(2027, 2, 6))  # a Saturday


def test_library_swap_2026_makes_saturday_22_08_a_working_day(cal):
    assert not cal.is_working_day(date(2026, 8, 31))
    assert "22/08/2026" in cal.day_off_reason(date(2026, 8, 31))
    assert cal.is_working_day(date(2026, 8, 22))
    assert cal.makeup_reason(date(2026, 8, 22)) == "Ngày làm việc bù (cho ngày nghỉ 31/08/2026)"
    assert not cal.is_working_day(date(2026, 8, 29))


def test_admin_makeup_saturday_and_extra_day_off():
    cal = WorkCalendar(
        extra_days_off={date(2026, 1, 2): "Nghỉ bù Tết Dương lịch"},
        makeup_work_days={date(2026, 1, 10): "Làm bù cho ngày 02/01/2026"},
        official={},  # the administrator's days alone, without the shipped announcements
    )
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.day_off_reason(date(2026, 1, 2)) == "Nghỉ bù Tết Dương lịch"
    assert cal.is_working_day(date(2026, 1, 10))
    assert cal.day_off_reason(date(2026, 1, 10)) is None
    assert cal.makeup_reason(date(2026, 1, 10)) == "Làm bù cho ngày 02/01/2026"
    assert WorkCalendar(official={}).is_working_day(date(2026, 1, 2))
    # the shipped announcement has the swap (VPCP 12729/VPCP-KGVX, 25/12/2025) [S]
    assert not WorkCalendar().is_working_day(date(2026, 1, 2)) and WorkCalendar().is_working_day(date(2026, 1, 10))


def test_admin_days_override_the_library():
    cal = WorkCalendar(extra_days_off={date(2026, 8, 22): ""}, makeup_work_days={date(2026, 5, 1): ""})
    assert not cal.is_working_day(date(2026, 8, 22))
    assert cal.day_off_reason(date(2026, 8, 22)) == "Ngày nghỉ"
    assert cal.is_working_day(date(2026, 5, 1))
    assert cal.makeup_reason(date(2026, 5, 1)) == "Ngày làm việc bù"


def test_a_day_cannot_be_both_off_and_working():
    with pytest.raises(ValueError):
        WorkCalendar(extra_days_off={date(2026, 3, 2): "x"}, makeup_work_days={date(2026, 3, 2): "y"})


def test_datetimes_are_taken_as_their_date(cal):
    assert not cal.is_working_day(datetime(2026, 2, 17, 9, 30))
    assert cal.is_working_day(datetime(2026, 2, 23, 23, 59))


def test_helpers(cal):
    assert cal.next_working_day(date(2026, 2, 14)) == date(2026, 2, 23)
    assert cal.next_working_day(date(2026, 2, 23)) == date(2026, 2, 23)
    assert cal.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert cal.working_days_between(date(2026, 2, 27), date(2026, 2, 13)) == 0
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 2, 13), 0)


def test_year_days_2026(cal):
    entries = cal.year_days(2026)
    days = [e.day for e in entries]
    assert days == sorted(days)
    assert all(isinstance(e, CalendarEntry) for e in entries)
    assert date(2026, 4, 26) not in days  # Giỗ Tổ on a Sunday: a weekend holiday
    assert date(2026, 4, 27) in days
    law_off = {e.day for e in entries if e.source == "law" and e.kind == "off"}
    assert {date(2026, 2, d) for d in range(16, 21)} <= law_off
    assert {date(2026, 4, 30), date(2026, 5, 1), date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)} <= law_off
    assert CalendarEntry(date(2026, 8, 22), "work", "Ngày làm việc bù (cho ngày nghỉ 31/08/2026)", "law") in entries
    assert all(e.day.year == 2026 for e in entries)
    with_weekends = cal.year_days(2026, include_weekend_holidays=True)
    assert date(2026, 4, 26) in [e.day for e in with_weekends]


def test_year_days_with_admin_days():
    cal = WorkCalendar(
        extra_days_off={date(2027, 2, 3): "Nghỉ thêm dịp Tết", date(2026, 2, 3): "năm khác"},
        makeup_work_days={date(2027, 1, 30): "Làm bù", date(2027, 5, 3): "Đi làm"},
    )
    entries = {e.day: e for e in cal.year_days(2027)}
    assert entries[date(2027, 2, 3)] == CalendarEntry(date(2027, 2, 3), "off", "Nghỉ thêm dịp Tết", "off")
    assert entries[date(2027, 1, 30)] == CalendarEntry(date(2027, 1, 30), "work", "Làm bù", "work")
    assert entries[date(2027, 5, 3)].source == "work"  # the admin's day replaces the library's
    assert date(2026, 2, 3) not in entries
    assert entries[date(2027, 1, 1)].source == "law"


def test_shared_between_threads():
    cal = WorkCalendar()
    results: list[bool] = []

    def work(year: int) -> None:
        results.append(cal.is_working_day(date(year, 9, 2)))

    threads = [threading.Thread(target=work, args=(y,)) for y in range(2030, 2040)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [False] * 10  # 2/9 is a holiday every year


def test_a_swap_across_the_year_boundary_is_found_from_either_year():
    """The library lists 02/01/2015 off, paid back by Saturday 27/12/2014."""
    cal = WorkCalendar()
    assert cal.is_working_day(date(2015, 6, 1))  # 2015 loaded first
    assert cal.is_working_day(date(2014, 12, 27))
    assert not cal.is_working_day(date(2015, 1, 2))
    entries = {e.day: e for e in WorkCalendar().year_days(2014)}
    assert entries[date(2014, 12, 27)] == CalendarEntry(
        date(2014, 12, 27), "work", "Ngày làm việc bù (cho ngày nghỉ 02/01/2015)", "law")


def test_remembered_answers_are_the_answers():
    """Answers are memoised per day: asked twice, as a datetime, or in another order, they agree."""
    off, work = {date(2026, 1, 2): "Nghỉ bù"}, {date(2026, 1, 10): "Làm bù"}
    forward, backward = WorkCalendar(off, work), WorkCalendar(off, work)
    days = [date(2025, 12, 1).fromordinal(date(2025, 12, 1).toordinal() + i) for i in range(120)]
    first = [forward.is_working_day(d) for d in days]
    assert first == [forward.is_working_day(d) for d in days]
    assert first == [forward.is_working_day(datetime(d.year, d.month, d.day, 9)) for d in days]
    assert first[::-1] == [backward.is_working_day(d) for d in reversed(days)]
    assert forward.is_working_day(date(2026, 1, 10)) and not forward.is_working_day(date(2026, 1, 2))


def test_calendars_share_the_law_but_keep_their_own_days():
    """One library object serves every calendar of the process (a calendar is built per save);
    each calendar still answers with its own register's days off and make-up days."""
    tet_eve = date(2026, 2, 13)  # a Friday the law leaves working
    saturday = date(2026, 3, 7)
    plain = WorkCalendar(official={})
    own = WorkCalendar(extra_days_off={tet_eve: "Nghỉ thêm"}, makeup_work_days={saturday: "Làm bù"}, official={})
    assert plain._law is own._law
    assert not plain.is_working_day(date(2026, 2, 17)) and not own.is_working_day(date(2026, 2, 17))
    assert plain.is_working_day(tet_eve) and not own.is_working_day(tet_eve)
    assert not plain.is_working_day(saturday) and own.is_working_day(saturday)
    assert WorkCalendar(official={}).is_working_day(tet_eve)  # a later calendar does not inherit them
