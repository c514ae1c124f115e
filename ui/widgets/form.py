"""Form pieces shared by the entry dialogs: inline Vietnamese errors, dd/MM/yyyy dates, ID checks.

``FormErrors`` maps a field name (as the core's ``ValidationError.fields`` names it) to its widget
and shows the message right under it, in red, until the clerk edits the field again.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
    QVBoxLayout, QWidget,
)

from desktop.domain.validation import ID_KINDS, citizen_id_problem
from desktop.errors import UserError, ValidationError

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #2e7d32;"


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class DateField(QDateEdit):
    """A date typed as dd/MM/yyyy: the digits run on from day to month to year ("02032026", or
    "2/3/2026" with the slashes), and one Tab leaves the field. Qt's QDateEdit spends Tab on
    stepping through its day, month and year, so each date cost a clerk three Tabs (#15's walk)."""

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 - Qt
        return QWidget.focusNextPrevChild(self, forward)


def date_edit(value: date) -> QDateEdit:
    """A keyboard-first date field typed as dd/MM/yyyy, with a calendar on Alt+Down; one Tab
    leaves it (``DateField``)."""
    w = DateField(qdate(value))
    w.setDisplayFormat("dd/MM/yyyy")
    w.setCalendarPopup(True)
    w.setMinimumWidth(110)
    return w


def save_cancel_buttons(dialog: QDialog, save_label: str, save) -> tuple[QDialogButtonBox, QPushButton]:
    """The dialog's "<save_label>" / "Hủy" buttons: the first calls ``save``, "Hủy" closes.

    Returns the box and the save button; make the button the default (Enter saves) only after the
    box has joined the dialog's layout.
    """
    buttons = QDialogButtonBox()
    ok = buttons.addButton(save_label, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


def error_label() -> QLabel:
    lab = QLabel()
    lab.setStyleSheet(ERROR_STYLE)
    lab.setWordWrap(True)
    lab.hide()
    return lab


def _grow_to_show(widget: QWidget) -> None:
    """A dialog grows to hold the messages just shown (a small one drew them over the next field,
    cut after their first line); never past the screen, never a main window."""
    from PySide6.QtWidgets import QDialog

    window = widget.window()
    if not isinstance(window, QDialog) or window.layout() is None:
        return
    window.layout().activate()
    need = window.heightForWidth(window.width()) if window.hasHeightForWidth() else -1
    need = max(need, window.minimumSizeHint().height())
    screen = window.screen().availableGeometry().height() if window.screen() else need
    if need > window.height():
        window.resize(window.width(), min(need, screen))


class FormErrors:
    """Inline messages under fields; ``show(ValidationError.fields)``, ``clear()``."""

    def __init__(self) -> None:
        self.fields: dict[str, tuple[QWidget, QLabel]] = {}
        self.general = error_label()

    def add(self, form: QFormLayout, label: str, name: str, widget: QWidget) -> QWidget:
        """Add a row ``label: widget`` with room for its message; returns the widget."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(widget)
        msg = error_label()
        lay.addWidget(msg)
        form.addRow(label, box)
        self.bind(name, widget, msg)
        return widget

    def bind(self, name: str, widget: QWidget, msg: QLabel) -> None:
        self.fields[name] = (widget, msg)
        signal = None
        if isinstance(widget, QLineEdit):
            signal = widget.textEdited
        elif isinstance(widget, QPlainTextEdit):
            signal = widget.textChanged
        elif isinstance(widget, QComboBox):
            signal = widget.currentIndexChanged
        elif isinstance(widget, QDateEdit):
            signal = widget.dateChanged
        elif isinstance(widget, IdentityEdit):
            signal = widget.checked   # any change of kind or number: the saved message is stale
        if signal is not None:
            signal.connect(lambda *_: self.clear_field(name))

    def clear_field(self, name: str) -> None:
        widget, msg = self.fields[name]
        msg.hide()
        widget.setProperty("invalid", False)
        widget.setStyleSheet("")

    def clear(self) -> None:
        for name in self.fields:
            self.clear_field(name)
        self.general.hide()

    def show_error(self, exc: UserError) -> None:
        """A refusal from the core: a form's field messages under their fields, anything else
        (a step the law does not allow, a locked register …) on the general line."""
        self.show(exc.fields if isinstance(exc, ValidationError) else {"_": exc.message})

    def show(self, errors: dict[str, str]) -> None:
        """Show each message under its field; unknown fields go to the general line."""
        self.clear()
        first: QWidget | None = None
        rest: list[str] = []
        for name, text in errors.items():
            if name in self.fields:
                widget, msg = self.fields[name]
                msg.setText(text)
                msg.show()
                widget.setStyleSheet("border: 1px solid #b00020;")
                first = first or widget
            else:
                rest.append(text)
        if rest:
            self.general.setText("\n".join(rest))
            self.general.show()
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        _grow_to_show(first or self.general)

    def message(self, name: str) -> str:
        widget, msg = self.fields[name]
        return msg.text() if msg.isVisibleTo(msg.parentWidget()) else ""


class IdentityEdit(QWidget):
    """Kind of paper + number; a 12-digit citizen ID is checked as it is typed (DOMAIN.md §8)."""

    checked = Signal(str)  # the current problem ("" when fine)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox()
        for code, label in ID_KINDS.items():
            self.kind.addItem(label, code)
        self.number = QLineEdit(placeholderText="Số giấy tờ")
        self.number.setMaxLength(20)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        row = QWidget()
        from PySide6.QtWidgets import QHBoxLayout

        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.kind, 2)
        h.addWidget(self.number, 3)
        lay.addWidget(row)
        lay.addWidget(self.hint)
        self.kind.setCurrentIndex(0)
        self.number.textChanged.connect(self._check)
        self.kind.currentIndexChanged.connect(self._check)
        self._check()

    def id_kind(self) -> str:
        return self.kind.currentData() if self.number.text().strip() else ""

    def id_number(self) -> str:
        return self.number.text().strip()

    def problem(self) -> str:
        n = self.number.text().strip().replace(" ", "")
        if not n:
            return ""
        kind = self.kind.currentData()
        if kind == "cccd":
            if n.isdigit() and len(n) < 12:
                return ""  # still typing: judged when 12 digits are there or on save
            return citizen_id_problem(n) or ""
        if kind == "cmnd" and (not n.isdigit() or len(n) > 9):
            return "Số CMND cũ gồm đúng 9 chữ số."
        return ""

    def _check(self) -> None:
        n = self.number.text().strip().replace(" ", "")
        problem = self.problem()
        if problem:
            self.hint.setStyleSheet(ERROR_STYLE)
            self.hint.setText(problem)
        elif self.kind.currentData() == "cccd" and n.isdigit() and len(n) == 12:
            from desktop.domain.validation import birth_year_and_sex

            year, sex = birth_year_and_sex(n)
            self.hint.setStyleSheet(OK_STYLE)
            self.hint.setText(f"Số căn cước hợp lệ (sinh năm {year}, {sex}).")
        elif self.kind.currentData() == "cccd" and n:
            self.hint.setStyleSheet("")
            self.hint.setText(f"Đã nhập {len(n)}/12 chữ số.")
        else:
            self.hint.setText("")
        self.hint.setVisible(bool(self.hint.text()))
        self.checked.emit(problem)
