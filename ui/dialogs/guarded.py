"""Dialogs that do not lose what the clerk typed, and that fit the office PC's screen.

``GuardedDialog``: Ctrl+Enter confirms (calls ``save``), Escape or "Hủy" on a form whose fields
were changed asks before discarding them. Their size comes from ``ui.widgets.screen.fit_to_screen``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox, QCheckBox, QComboBox, QDateEdit, QDialog, QLineEdit, QMessageBox, QPlainTextEdit, QWidget,
)


def _value(w: QWidget):
    if isinstance(w, QLineEdit):
        return w.text()
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText()
    if isinstance(w, QComboBox):
        return w.currentIndex()
    if isinstance(w, QDateEdit):
        return w.date()
    if isinstance(w, QAbstractSpinBox):
        return w.text()
    if isinstance(w, QCheckBox):
        return w.isChecked()
    return None


class GuardedDialog(QDialog):
    """Subclasses define ``save()``; the first show takes the form's starting values."""

    DISCARD_TITLE = "Bỏ nội dung đang nhập?"
    HELP_PAGE = "index"   # the guide's page F1 opens

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._start: dict[int, object] | None = None
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._confirm, context=Qt.ShortcutContext.WindowShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_F1), self, self.help, context=Qt.ShortcutContext.WindowShortcut)

    def help(self) -> None:
        from ui.dialogs.help import open_help

        self.help_window = open_help(self.HELP_PAGE, self)

    def _confirm(self) -> None:
        self.save()

    def save(self) -> None:  # pragma: no cover - subclasses
        raise NotImplementedError

    def _fields(self) -> list[QWidget]:
        return [w for w in self.findChildren(QWidget) if _value(w) is not None]

    def showEvent(self, event) -> None:  # noqa: N802 - Qt
        if self._start is None:
            self._start = {id(w): _value(w) for w in self._fields()}
        super().showEvent(event)

    def is_dirty(self) -> bool:
        start = self._start or {}
        return any(id(w) in start and start[id(w)] != _value(w) for w in self._fields())

    def reject(self) -> None:
        """Escape, "Hủy" or the title bar's close button: a changed form asks first. A close asked
        by the program itself (``close()`` at shutdown) does not."""
        if not self._quiet and self.is_dirty() and not self.ask_discard():
            return
        super().reject()

    _quiet = False

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt
        self._quiet = not event.spontaneous()
        try:
            super().closeEvent(event)
        finally:
            self._quiet = False

    def ask_discard(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, self.DISCARD_TITLE,
                          "Các ô đã nhập sẽ mất nếu đóng cửa sổ này. Đóng và bỏ nội dung đang nhập?", parent=self)
        drop = box.addButton("Đóng, bỏ nội dung", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Tiếp tục nhập", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is drop
