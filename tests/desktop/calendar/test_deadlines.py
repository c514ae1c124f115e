"""Deadlines counted as Bộ luật Dân sự 2015 Arts. 147–148 say, with their Vietnamese trace.

Golden dates were checked by hand against ``holidays.Vietnam(years=2026/2027, language='vi')``:
2026: 01/01; Tết 16–20/02; Giỗ Tổ Sun 26/04 observed Mon 27/04; 30/04; 01/05; 31/08 off for
Saturday 22/08 (a working day); 01/09; 02/09; 24/11 (Ngày Văn hóa Việt Nam).
2027: 01/01; Tết 04–10/02; Giỗ Tổ 16/04; 30/04; 01/05 observed 03/05; 02–03/09.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.calendar.deadlines import WEEKDAYS_VI, Deadline, compute_deadline, format_date
from desktop.calendar.workdays import WorkCalendar
from desktop.errors import UserError

D = date


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_format_date_and_weekdays():
    assert format_date(D(2026, 2, 5)) == "05/02/2026"
    assert format_date(D(2026, 12, 31)) == "31/12/2026"
    assert WEEKDAYS_VI == ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def test_golden_tet_2026_five_working_days(cal):
    dl = compute_deadline(cal, D(2026, 2, 13), 5, "working")
    assert isinstance(dl, Deadline)
    assert (dl.event_on, dl.start, dl.days, dl.day_kind, dl.due) == (
        D(2026, 2, 13), D(2026, 2, 14), 5, "working", D(2026, 2, 27))
    assert [d for d, _ in dl.skipped] == [D(2026, 2, 14) + timedelta(days=i) for i in range(9)]
    assert dict(dl.skipped)[D(2026, 2, 17)] == "Tết Nguyên Đán"
    assert dl.paused == ()
    assert dl.trace == (
        "Nhận ngày 13/02/2026 (thứ Sáu); tính từ ngày 14/02/2026; thời hạn 05 ngày làm việc; "
        "bỏ qua 14/02/2026–22/02/2026 (Thứ Bảy, Chủ nhật, Giao thừa Tết Nguyên Đán, Tết Nguyên Đán, "
        "Mùng hai Tết Nguyên Đán, Mùng ba Tết Nguyên Đán, Mùng bốn Tết Nguyên Đán); "
        "hạn: 27/02/2026 (thứ Sáu)"
    )


def test_event_on_a_weekend_counts_from_the_next_day(cal):
    dl = compute_deadline(cal, D(2026, 2, 14), 5, "working")
    assert dl.start == D(2026, 2, 15)
    assert dl.due == D(2026, 2, 27)


def test_tet_2027_ten_working_days(cal):
    dl = compute_deadline(cal, D(2027, 1, 29), 10, "working")
    assert dl.due == D(2027, 2, 19)
    assert "04/02/2027–10/02/2027 (29 Tết, Giao thừa Tết Nguyên Đán" in dl.trace
    assert "30/01/2027–31/01/2027 (Thứ Bảy, Chủ nhật)" in dl.trace
    assert "thời hạn 10 ngày làm việc" in dl.trace


@pytest.mark.parametrize(
    ("event_on", "days", "kind", "due"),
    [
        # 30/4–1/5 with Giỗ Tổ's observed Monday just before
        (D(2026, 4, 24), 5, "working", D(2026, 5, 6)),
        (D(2026, 4, 29), 1, "working", D(2026, 5, 4)),
        (D(2027, 4, 29), 2, "working", D(2027, 5, 5)),  # 30/04 Fri; 01/05 Sat observed Mon 03/05
        # 2/9: 2026 has 31/08, 01/09, 02/09 off
        (D(2026, 8, 28), 3, "working", D(2026, 9, 7)),
        (D(2027, 9, 1), 1, "working", D(2027, 9, 6)),
        # Ngày Văn hóa Việt Nam, Tuesday 24/11/2026
        (D(2026, 11, 23), 1, "working", D(2026, 11, 25)),
        # Giỗ Tổ 2027 on Friday 16/04
        (D(2027, 4, 15), 1, "working", D(2027, 4, 19)),
        # year boundaries
        (D(2026, 12, 28), 5, "working", D(2027, 1, 5)),
        # 2026 New Year swap: Fri 02/01/2026 off, Sat 10/01 worked (VPCP 12729/VPCP-KGVX, 25/12/2025) [S]
        (D(2025, 12, 31), 1, "working", D(2026, 1, 5)),
        (D(2026, 12, 17), 15, "calendar", D(2027, 1, 4)),
        (D(2026, 12, 2), 30, "calendar", D(2027, 1, 4)),
        # calendar periods ending on a working day stay put
        (D(2026, 3, 2), 15, "calendar", D(2026, 3, 17)),
        (D(2026, 3, 2), 30, "calendar", D(2026, 4, 1)),
    ],
)
def test_golden_deadlines(cal, event_on, days, kind, due):
    assert compute_deadline(cal, event_on, days, kind).due == due


def test_calendar_period_ending_on_saturday_moves_to_monday(cal):
    dl = compute_deadline(cal, D(2026, 3, 20), 15, "calendar")
    assert dl.due == D(2026, 4, 6)
    assert dl.skipped == ((D(2026, 4, 4), "Thứ Bảy"), (D(2026, 4, 5), "Chủ nhật"))
    assert "thời hạn 15 ngày;" in dl.trace
    assert "ngày cuối 04/04/2026 là Thứ Bảy, chuyển sang ngày làm việc tiếp theo" in dl.trace
    assert dl.trace.endswith("hạn: 06/04/2026 (thứ Hai)")


def test_calendar_period_ending_on_gio_to_weekend(cal):
    dl = compute_deadline(cal, D(2026, 4, 10), 15, "calendar")
    assert dl.due == D(2026, 4, 28)
    assert [d for d, _ in dl.skipped] == [D(2026, 4, 25), D(2026, 4, 26), D(2026, 4, 27)]
    assert "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)" in dl.trace


def test_calendar_period_ending_on_a_holiday(cal):
    dl = compute_deadline(cal, D(2026, 4, 16), 15, "calendar")
    assert dl.due == D(2026, 5, 4)
    assert "ngày cuối 01/05/2026 là Ngày Quốc tế Lao động" in dl.trace
    dl = compute_deadline(cal, D(2026, 8, 17), 15, "calendar")
    assert dl.due == D(2026, 9, 3)
    assert "ngày cuối 01/09/2026 là Quốc khánh" in dl.trace


def test_calendar_period_ending_on_a_makeup_saturday_stays(cal):
    dl = compute_deadline(cal, D(2026, 8, 7), 15, "calendar")
    assert dl.due == D(2026, 8, 22)
    assert dl.skipped == ()
    assert "chuyển sang" not in dl.trace


def test_library_makeup_saturday_counts_in_working_periods(cal):
    dl = compute_deadline(cal, D(2026, 8, 20), 5, "working")
    assert dl.due == D(2026, 8, 26)
    assert dl.skipped == ((D(2026, 8, 23), "Chủ nhật"),)
    assert "tính cả ngày 22/08/2026 (thứ Bảy): Ngày làm việc bù (cho ngày nghỉ 31/08/2026)" in dl.trace


def test_admin_makeup_saturday_counts():
    plain = WorkCalendar(official={})  # the administrator's days alone, without the shipped announcements
    cal = WorkCalendar(makeup_work_days={D(2026, 1, 10): "Làm bù cho ngày 02/01/2026"}, official={})
    assert compute_deadline(plain, D(2026, 1, 8), 2, "working").due == D(2026, 1, 12)
    dl = compute_deadline(cal, D(2026, 1, 8), 2, "working")
    assert dl.due == D(2026, 1, 10)
    assert "tính cả ngày 10/01/2026 (thứ Bảy): Làm bù cho ngày 02/01/2026" in dl.trace
    # a calendar period ending on that Saturday is not moved
    assert compute_deadline(cal, D(2025, 12, 26), 15, "calendar").due == D(2026, 1, 10)
    assert compute_deadline(plain, D(2025, 12, 26), 15, "calendar").due == D(2026, 1, 12)


def test_extra_day_off_is_skipped_across_the_year_boundary():
    cal = WorkCalendar(extra_days_off={D(2026, 1, 2): "Nghỉ bù Tết Dương lịch"}, official={})
    dl = compute_deadline(cal, D(2025, 12, 31), 1, "working")
    assert dl.due == D(2026, 1, 5)
    assert "bỏ qua 01/01/2026–04/01/2026 (Tết Dương lịch, Nghỉ bù Tết Dương lịch, Thứ Bảy, Chủ nhật)" in dl.trace
    dl = compute_deadline(cal, D(2025, 12, 18), 15, "calendar")
    assert dl.due == D(2026, 1, 5)
    assert "ngày cuối 02/01/2026 là Nghỉ bù Tết Dương lịch" in dl.trace


def test_extension_is_a_longer_period_from_the_same_event(cal):
    first = compute_deadline(cal, D(2026, 3, 2), 15, "calendar", event_label="Thông báo thụ lý")
    extended = compute_deadline(cal, D(2026, 3, 2), 30, "calendar", event_label="Thông báo thụ lý")
    assert (first.due, extended.due) == (D(2026, 3, 17), D(2026, 4, 1))
    assert extended.trace.startswith("Thông báo thụ lý ngày 02/03/2026 (thứ Hai); tính từ ngày 03/03/2026; thời hạn 30 ngày")


def test_suspension_pushes_a_calendar_period(cal):
    dl = compute_deadline(cal, D(2026, 2, 25), 15, "calendar", pauses=[(D(2026, 3, 1), D(2026, 3, 11))])
    assert compute_deadline(cal, D(2026, 2, 25), 15, "calendar").due == D(2026, 3, 12)
    assert dl.due == D(2026, 3, 23)  # 12/03 + 10 paused days = Sunday 22/03 → Monday
    assert dl.paused == ((D(2026, 3, 1), D(2026, 3, 11)),)
    assert "tạm đình chỉ 01/03/2026–10/03/2026 (10 ngày), không tính" in dl.trace
    assert "ngày cuối 22/03/2026 là Chủ nhật" in dl.trace


def test_suspension_in_a_working_period(cal):
    dl = compute_deadline(cal, D(2026, 2, 25), 5, "working", pauses=[(D(2026, 3, 1), D(2026, 3, 11))])
    assert dl.due == D(2026, 3, 13)
    assert dl.skipped == ((D(2026, 2, 28), "Thứ Bảy"),)  # days inside the pause are not "skipped"


def test_pause_before_the_event_counts_only_after_it(cal):
    dl = compute_deadline(cal, D(2026, 2, 25), 15, "calendar", pauses=[(D(2026, 2, 20), D(2026, 3, 1))])
    assert dl.paused == ((D(2026, 2, 26), D(2026, 3, 1)),)
    assert dl.due == D(2026, 3, 16)  # 12/03 + 3 = Sunday 15/03 → Monday


def test_pause_after_the_due_changes_nothing(cal):
    dl = compute_deadline(cal, D(2026, 2, 25), 15, "calendar", pauses=[(D(2026, 4, 1), D(2026, 4, 10))])
    assert dl.due == D(2026, 3, 12)
    assert dl.paused == ()
    assert "tạm đình chỉ" not in dl.trace


def test_overlapping_and_empty_pauses(cal):
    pauses = [(D(2026, 3, 5), D(2026, 3, 11)), (D(2026, 3, 1), D(2026, 3, 6)), (D(2026, 3, 20), D(2026, 3, 20))]
    dl = compute_deadline(cal, D(2026, 2, 25), 15, "calendar", pauses=pauses)
    assert dl.paused == ((D(2026, 3, 1), D(2026, 3, 11)),)
    assert dl.due == D(2026, 3, 23)


def test_two_pauses_in_the_trace(cal):
    pauses = [(D(2026, 3, 2), D(2026, 3, 3)), (D(2026, 3, 9), D(2026, 3, 12))]
    dl = compute_deadline(cal, D(2026, 2, 25), 15, "calendar", pauses=pauses)
    assert dl.due == D(2026, 3, 16)  # 12/03 + 4 = 16/03
    assert "tạm đình chỉ 02/03/2026 (01 ngày), không tính" in dl.trace
    assert "tạm đình chỉ 09/03/2026–11/03/2026 (03 ngày), không tính" in dl.trace


@pytest.mark.parametrize(
    ("days", "kind", "pauses"),
    [(0, "working", ()), (-3, "calendar", ()), (5, "weeks", ()), (True, "working", ()),
     (5, "working", [(D(2026, 3, 10), D(2026, 3, 1))]), (5, "working", [(D(2026, 3, 10), None)])],
)
def test_refusals(cal, days, kind, pauses):
    with pytest.raises(UserError):
        compute_deadline(cal, D(2026, 2, 25), days, kind, pauses=pauses)


dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2028, 12, 31))


@settings(max_examples=150, deadline=None)
@given(event_on=dates, days=st.integers(1, 45), kind=st.sampled_from(["working", "calendar"]),
       pause_at=st.integers(1, 40), pause_len=st.integers(0, 20))
def test_properties(event_on, days, kind, pause_at, pause_len):
    cal = WorkCalendar()
    pause = (event_on + timedelta(days=pause_at), event_on + timedelta(days=pause_at + pause_len))
    dl = compute_deadline(cal, event_on, days, kind, pauses=[pause])
    assert cal.is_working_day(dl.due)
    assert not any(a <= dl.due < b for a, b in dl.paused)
    assert dl.start == event_on + timedelta(days=1)
    paused_days = sum((b - a).days for a, b in dl.paused)
    if kind == "working":
        counted = cal.working_days_between(event_on, dl.due) - sum(
            cal.working_days_between(a - timedelta(days=1), b - timedelta(days=1)) for a, b in dl.paused)
        assert counted == days
    else:
        last = event_on + timedelta(days=days + paused_days)
        assert dl.due >= last
        assert all(not cal.is_working_day(d) for d, _ in dl.skipped)
        assert dl.due - last == timedelta(days=len(dl.skipped))
    assert dl.trace.endswith(f"hạn: {format_date(dl.due)} ({WEEKDAYS_VI[dl.due.weekday()]})")
