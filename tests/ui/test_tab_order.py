"""Tab follows the visual order in every entry form: top to bottom, left to right within a row,
wrapping to the top once at the end."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

TODAY = date(2026, 3, 2)


def _walk(qtbot, dialog, steps: int = 40) -> list:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    for _ in range(5):
        QApplication.processEvents()   # widgets added last (group members) laid out
    if QApplication.focusWidget() is None or QApplication.focusWidget().window() is not dialog:
        dialog.focusNextChild()
    seen = []
    for _ in range(steps * 3):
        w = QApplication.focusWidget()
        if len(seen) > 1 and w is seen[0][0] and w is not seen[-1][0]:
            break   # round the whole form once
        if not seen or w is not seen[-1][0]:   # a date field takes Tab for its day, month, year
            y, x = _place(dialog, w)
            seen.append((w, y, x))
        qtbot.keyClick(w, Qt.Key.Key_Tab)
    return seen


def _place(dialog, w) -> tuple[int, int]:
    """Where ``w`` sits on the form: inside a scrolling form, on its content (which scrolls as
    the focus moves); the dialog's buttons below it."""
    from PySide6.QtWidgets import QScrollArea

    area = next((a for a in dialog.findChildren(QScrollArea) if a.widget() is not None
                 and a.widget().isAncestorOf(w)), None)
    if area is not None:
        pos = w.mapTo(area.widget(), QPoint(0, 0))
        top = area.mapTo(dialog, QPoint(0, 0)).y()
        return top + pos.y(), pos.x()
    pos = w.mapTo(dialog, QPoint(0, 0))
    below = max((a.widget().height() - a.viewport().height() for a in dialog.findChildren(QScrollArea)
                 if a.widget() is not None), default=0)
    return pos.y() + below, pos.x()


def _backwards(seen) -> list[str]:
    """Places where Tab went up the form (or left within a row), but for the one wrap to the top."""
    jumps = []
    for (a, ay, ax), (b, by, bx) in zip(seen, seen[1:]):
        same_row = abs(by - ay) <= 12
        if (by < ay - 12) or (same_row and bx < ax - 4):
            jumps.append(f"{type(a).__name__}@{ay},{ax} → {type(b).__name__}@{by},{bx}")
    return jumps


def _dialogs(session, window):
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import CaseInput, receive_case
    from ui.dialogs.case_dialog import CaseDialog
    from ui.dialogs.case_edits import CorrectCaseDialog, CorrectPersonDialog
    from ui.dialogs.reception_dialog import ReceptionDialog

    person = save_person(session.db, full_name="Trần Thị Đức")
    case = receive_case(session.db, CaseInput(kind="complaint_1", received_on=TODAY, summary="Khiếu nại",
                                              requesters=[person.uuid]), today=TODAY)
    group = ReceptionDialog(session, window)
    group.people_count.setValue(6)
    group._add_member()
    group._add_member()
    return {"tiếp công dân (đoàn)": group, "vụ việc mới": CaseDialog(session, window),
            "đính chính vụ việc": CorrectCaseDialog(session, case, window),
            "đính chính người": CorrectPersonDialog(session, person, window)}


@pytest.mark.parametrize("name", ["tiếp công dân (đoàn)", "vụ việc mới", "đính chính vụ việc", "đính chính người"])
def test_tab_follows_the_visual_order(qtbot, window, session, name):
    dialog = _dialogs(session, window)[name]
    qtbot.addWidget(dialog, before_close_func=lambda w: w.done(0))
    seen = _walk(qtbot, dialog)
    jumps = _backwards(seen)
    assert len(seen) >= 5 and len(jumps) <= 1, f"{name}: Tab goes back up: {jumps}"   # one wrap to the top
