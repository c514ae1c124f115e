"""Dialogs that do not lose what the clerk typed, and that fit the office PC's screen.

``GuardedDialog``: Ctrl+Enter confirms (calls ``save``), Escape or "Hủy" on a form whose fields
were changed asks before discarding them. Their size comes from ``ui.widgets.screen.fit_to_screen``.
``save_on_writer`` runs the form's write on the session's writer thread (``ui/writer.py``, issue
#20): the window keeps working, "Đang lưu…" shows after 150 ms, a second Enter does nothing while
the save is in flight, and a refusal comes back onto the form as it was typed. It lives in the
``OnWriter`` mixin, so pages that write (settings, the case view, reports) save the same way.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox, QCheckBox, QComboBox, QDateEdit, QDialog, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
    QWidget,
)

from ui.writer import SAVING_TEXT


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


def at_once(work):
    """``work(db)`` as one transaction (the core's own writes join it): all of it, or nothing."""
    def run(db):
        with db.write():
            return work(db)
    return run


class OnWriter:
    """A form or a page with a ``session`` that writes the register on the session's writer
    (``ui/writer.py``, issue #20): its saves run off the GUI thread, one at a time. A mixin of
    plain methods (no ``__init__``), beside a Qt widget class: ``class Page(QWidget, OnWriter)``."""

    pending = None     # the save in flight on the writer (a ``ui.writer.Save``), else None
    saving: QLabel | None = None

    def saving_label(self) -> QLabel:
        """The "Đang lưu…" line the writer shows when a save outlasts 150 ms (hidden until then)."""
        if self.saving is None:
            self.saving = QLabel(SAVING_TEXT)
            self.saving.hide()
        return self.saving

    def save_on_writer(self, write, *, done, refused, button: QWidget | tuple | None = None,
                       changes: bool = True) -> bool:
        """Run ``write(db)`` on the session's writer (its own thread and connection, logged in as
        the window's officer): the values typed must be read before, here on the GUI thread.
        ``done(result)`` or ``refused(exc)`` runs on the GUI thread after it; ``button`` (the
        form's save button, or a tuple of them) is greyed meanwhile. ``changes=False`` for work
        that writes nothing that stays (a preview rolled back). False when a save is already in
        flight."""
        if self.pending is not None:
            return False   # Enter pressed twice: one save
        buttons = button if isinstance(button, tuple) else (button,) if button is not None else ()
        enabled = [b for b in buttons if b.isEnabled()]
        focused = next((b for b in buttons if b.hasFocus()), None)   # greyed, it loses the keyboard focus
        for b in buttons:
            b.setEnabled(False)

        def settle() -> None:
            self.pending = None
            for b in enabled:
                b.setEnabled(True)
            if focused is not None and focused.isEnabled() and focused.isVisible():
                focused.setFocus()   # the clerk's keyboard goes on where it was

        self.pending = self.session.writer.save(
            write, on_done=lambda result: (settle(), done(result)), on_error=lambda exc: (settle(), refused(exc)),
            indicator=self.saving_label(), parent=self, changes=changes)
        return True


class GuardedDialog(QDialog, OnWriter):
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
        by the program itself (``close()`` at shutdown) does not. While a save is in flight the
        dialog stays: its result comes back to this form."""
        if not self._quiet and self.pending is not None:
            return
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
