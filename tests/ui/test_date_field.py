"""A date field costs one Tab (issue #15's keyboard walk: Qt's QDateEdit took a Tab for each of
its day, month and year): the digits typed run on through the sections, Tab leaves the field,
Shift+Tab comes back."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout

from ui.widgets.form import date_edit, pydate


def test_one_tab_leaves_a_date_typed_as_digits(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    before, after = QLineEdit(), QLineEdit()
    when = date_edit(date(2026, 1, 1))
    lay = QVBoxLayout(dialog)
    for w in (before, when, after):
        lay.addWidget(w)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    before.setFocus()
    qtbot.waitUntil(before.hasFocus)
    qtbot.keyClick(before, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is when
    qtbot.keyClicks(when, "02032026")                 # day, month, year: the digits run on
    assert pydate(when.date()) == date(2026, 3, 2)
    qtbot.keyClick(when, Qt.Key.Key_Tab)              # one Tab leaves the field
    assert QApplication.focusWidget() is after
    qtbot.keyClick(after, Qt.Key.Key_Backtab)         # and Shift+Tab comes back
    assert QApplication.focusWidget() is when
    qtbot.keyClick(when, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is before
