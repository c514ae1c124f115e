"""Settings: the unit and officers, the calendar year (holidays, days off, make-up days, the
December reminder)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.ui.keys import saved


@pytest.fixture(autouse=True)
def administrator(session, office, login):
    """Settings are the administrator's (unit, officers, calendar): the clerk's second account."""
    return login("admin", officer_uuid=office["clerk"].uuid)


def test_calendar_year_lists_holidays_and_adds_a_day_off(qtbot, session):
    from ui.views.settings_calendar import AddDayDialog, CalendarSettings
    from ui.widgets.form import qdate

    view = CalendarSettings(session)
    qtbot.addWidget(view)
    view.show()  # on screen, as the clerk edits it: a view follows saves while seen
    texts = [view.model.index(r, 3).data() for r in range(view.model.rowCount())]
    assert any("Tết" in t for t in texts) and any("Quốc khánh" in t for t in texts)
    assert not view.banner.isVisibleTo(view)  # March: no reminder
    d = AddDayDialog(session, 2026, view)
    qtbot.addWidget(d)
    d.day.setDate(qdate(date(2026, 4, 29)))
    d.name.setText("Nghỉ bù theo Thông báo số 01/TB-VPCP")
    with qtbot.waitSignal(session.changed):
        d.save()
    dates = [view.model.index(r, 0).data() for r in range(view.model.rowCount())]
    assert "29/04/2026" in dates
    # the same day again is refused, with the message under the field
    again = AddDayDialog(session, 2026, view)
    qtbot.addWidget(again)
    again.day.setDate(qdate(date(2026, 4, 29)))
    again.save()
    saved(qtbot, again)   # refused on the writer; the message comes back under the field
    assert "đã có trong lịch" in again.errors.message("day")


def test_december_reminder_until_confirmed(qtbot, session):
    from ui.views.settings_calendar import CalendarSettings

    view = CalendarSettings(session)
    qtbot.addWidget(view)
    view.show()  # on screen, as the clerk edits it: a view follows saves while seen
    with qtbot.waitSignal(session.today_changed):
        session.set_today(date(2026, 12, 3))
    assert view.banner.isVisibleTo(view) and "2027" in view.banner_text.text()
    view.confirm.click()
    saved(qtbot, view)
    assert not view.banner.isVisibleTo(view)


def test_officer_added_and_unit_edited(qtbot, session, monkeypatch):
    from desktop.storage.units import list_officers, local_unit
    from ui.views.settings_unit import OfficerDialog, UnitSettings

    view = UnitSettings(session)
    qtbot.addWidget(view)
    view.show()  # on screen, as the clerk edits it: a view follows saves while seen
    assert view.model.rowCount() == 3
    d = OfficerDialog(session, None, view)
    qtbot.addWidget(d)
    d.name.setText("Vũ Đức Thắng")
    d.title.setText("Công chức Tư pháp - Hộ tịch")
    d.save()
    saved(qtbot, d)
    assert "Vũ Đức Thắng" in [o.full_name for o in list_officers(session.db)]
    assert view.model.rowCount() == 4
    view.place.setText("Thụy Hùng mới")
    view.save_unit()
    saved(qtbot, view)
    assert local_unit(session.db).place_name == "Thụy Hùng mới"
    view.abbreviation.setText("UB/ND")
    view.save_unit()
    saved(qtbot, view)
    assert "gạch chéo" in view.errors.message("abbreviation")


def test_head_reception_day_set_in_settings_shows_on_the_dashboard(qtbot, session):
    from ui.views.dashboard import DashboardView
    from ui.views.settings_unit import UnitSettings

    view = UnitSettings(session)
    qtbot.addWidget(view)
    view.head_day.setCurrentIndex(view.head_day.findData(3))  # Thursday
    view.save_unit()
    saved(qtbot, view)
    with qtbot.waitSignal(session.today_changed):
        session.set_today(date(2026, 11, 23))
    dash = DashboardView(session)
    qtbot.addWidget(dash)
    assert "Tiếp công dân định kỳ của người đứng đầu: thứ năm 26/11/2026" in dash.subheading.text()


def test_the_head_reads_the_unit_and_officers_but_does_not_edit_them(qtbot, session, office, login, monkeypatch):
    """Settings are the administrator's: the head sees them greyed, not a refusal after typing."""
    from ui.views import settings_unit

    login("leader", officer_uuid=office["head"].uuid)
    view = settings_unit.UnitSettings(session)
    qtbot.addWidget(view)
    view.show()
    assert view.name.text() == "Ủy ban nhân dân xã Thụy Hùng" and view.model.rowCount() == 3
    for widget in (view.name, view.save_button, view.add_button, view.edit_button):
        assert not widget.isEnabled()
    assert "quản trị" in view.save_button.toolTip()
    opened = []
    monkeypatch.setattr(settings_unit.OfficerDialog, "exec", lambda self: opened.append(self) or 0)
    view.table.setCurrentIndex(view.model.index(0, 0))
    view.edit_officer()
    assert opened == []


def test_the_december_reminder_text_has_no_box_of_its_own(qtbot, session):
    """The banner's orange border framed its label a second time (a QLabel is a QFrame)."""
    from PySide6.QtGui import QColor

    from ui.views.settings_calendar import CalendarSettings

    session.set_today(date(2026, 12, 3))
    view = CalendarSettings(session)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.banner.isVisibleTo(view))
    image = view.banner_text.grab().toImage()
    edge = {image.pixelColor(x, 0).name() for x in range(image.width())}
    assert QColor("#f0a020").name() not in edge


def test_a_refused_day_is_said_in_full(qtbot, session):
    """A Sunday typed as a day off: the message under the date is read whole, the dialog grows
    to hold it (it was cut after its first line, over the next field)."""
    from PySide6.QtCore import Qt

    from ui.views.settings_calendar import AddDayDialog
    from ui.widgets.form import qdate

    d = AddDayDialog(session, 2026, None)
    qtbot.addWidget(d, before_close_func=lambda w: w.done(0))
    d.show()
    qtbot.waitExposed(d)
    d.day.setDate(qdate(date(2026, 3, 8)))   # a Sunday
    qtbot.keyClick(d.name, Qt.Key.Key_Return)
    saved(qtbot, d)
    message = d.errors.fields["day"][1]
    assert "không cần thêm" in message.text()
    qtbot.waitUntil(lambda: message.height() >= message.heightForWidth(message.width()))
    below = d.kind.mapTo(d, d.kind.rect().topLeft()).y()
    assert message.mapTo(d, message.rect().bottomLeft()).y() <= below
