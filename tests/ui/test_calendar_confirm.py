"""The calendar settings page asks the administrator about announced days whose status is
uncertain (DOMAIN.md §9: 24/11 "Ngày Văn hóa Việt Nam" [U]; Tết 2027 not yet announced)."""

from __future__ import annotations

from datetime import date


def test_uncertain_day_is_shown_and_confirmed(qtbot, session, office, login):
    login("admin", officer_uuid=office["clerk"].uuid)  # the calendar is the administrator's
    from desktop.storage.calendar_repo import load_calendar, pending_confirmations
    from ui.views.settings_calendar import CalendarSettings
    from ui.widgets.calendar_confirm import UncertainDayBanner
    from desktop.security import accounts

    accounts.assume_role(session.db, "admin")   # the calendar is the administrator's
    view = CalendarSettings(session)
    qtbot.addWidget(view)
    view.show()
    banner = view.findChild(UncertainDayBanner)
    assert banner is not None and banner.isVisibleTo(view)
    assert banner.day == date(2026, 11, 24) and "Ngày Văn hóa Việt Nam" in banner.text.text()
    assert "Đang tạm tính là ngày nghỉ" in banner.text.text()
    with qtbot.waitSignal(session.changed):
        banner.work.click()
    assert load_calendar(session.db).is_working_day(date(2026, 11, 24))
    qtbot.waitUntil(lambda: banner.day != date(2026, 11, 24))
    assert banner.day == pending_confirmations(session.db, session.today())[0].day
    assert banner.day.year == 2027
