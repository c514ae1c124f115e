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


def test_the_head_reads_the_calendar_reminders_but_the_administrator_answers(qtbot, session):
    """The head (or a clerk) sees what needs confirming, but the buttons that change the calendar
    are the administrator's: greyed, with who answers, instead of a refusal after the click."""
    from desktop.security import accounts
    from ui.views.settings_calendar import CalendarSettings
    from ui.widgets.calendar_confirm import UncertainDayBanner

    accounts.assume_role(session.db, "leader")
    session.set_today(date(2026, 12, 3))
    view = CalendarSettings(session)
    qtbot.addWidget(view)
    view.show()
    banner = view.findChild(UncertainDayBanner)
    assert banner.isVisibleTo(view) and view.banner.isVisibleTo(view)
    for button in (banner.off, banner.work, view.confirm, view.add_button, view.remove_button):
        assert not button.isEnabled(), button.text()
    assert "quản trị" in banner.work.toolTip() and "quản trị" in view.confirm.toolTip()
    accounts.assume_role(session.db, "admin")
    session.notify_changed()
    qtbot.waitUntil(view.confirm.isEnabled)
    assert banner.work.isEnabled() and view.add_button.isEnabled()
