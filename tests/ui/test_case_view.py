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
