"""The case view for a role that may not act: the steps are greyed and the reason is on screen."""

from __future__ import annotations

from tests.ui.test_case_edits import _case


def test_a_role_that_may_not_act_reads_why_without_hovering(qtbot, window, session, office):
    """A handler opening a case given to someone else: every step button is greyed, and why is
    written under them (a greyed button takes no focus, so its tooltip never shows to the keyboard)."""
    from desktop.security import accounts

    case = _case(session, assignee=office["deputy"].uuid)
    accounts.assume_role(session.db, "handler", officer_uuid=office["clerk"].uuid)
    window.open_case(case.uuid)
    view = window.case_page
    assert view.action_buttons and not any(b.isEnabled() for b in view.action_buttons.values())
    assert view.no_action.isVisibleTo(view)
    assert "không giao cho Lê Thị Mai" in view.no_action.text()
    accounts.assume_role(session.db, "leader", officer_uuid=office["clerk"].uuid)
    window.open_case(case.uuid)
    assert all(b.isEnabled() for b in view.action_buttons.values()) and not view.no_action.isVisibleTo(view)


def test_tab_leaves_a_table_so_the_case_tabs_are_reached_by_keyboard(qtbot, window, session, office):
    """Tab in the events table goes on to the next control instead of walking its cells, so a
    clerk reaches the tab bar and opens "Người yêu cầu" with the arrow keys (found walking: the
    tab could only be clicked)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QTabBar

    case = _case(session)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.open_case(case.uuid)
    view = window.case_page
    table = view.tabs.widget(0)
    table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)
    bar = view.tabs.tabBar()
    for _ in range(12):  # the controls after the table, then back round to the tab bar
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if isinstance(QApplication.focusWidget(), QTabBar):
            break
        assert QApplication.focusWidget() is not table
    assert QApplication.focusWidget() is bar
    people = next(i for i in range(view.tabs.count()) if view.tabs.tabText(i).startswith("Người"))
    while view.tabs.currentIndex() != people:
        qtbot.keyClick(bar, Qt.Key.Key_Right)
    assert view.tabs.currentIndex() == people
