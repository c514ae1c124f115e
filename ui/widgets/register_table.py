"""The table used by both registers, and the instant search box above it."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QWidget

SEARCH_DELAY_MS = 25  # coalesce a burst of keys; results still land well within 100 ms of the last key


class SearchBox(QLineEdit):
    """Emits ``search(text)`` shortly after the last key (accent-insensitive in the core)."""

    search = Signal(str)
    down = Signal()  # Down arrow: into the results below


    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self.timer.timeout.connect(lambda: self.search.emit(self.text()))
        self.textChanged.connect(lambda _t: self.timer.start())
        self.returnPressed.connect(self.flush)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt
        if event.key() == Qt.Key.Key_Down:
            self.flush()
            self.down.emit()
            return
        super().keyPressEvent(event)

    def flush(self) -> None:
        self.timer.stop()
        self.search.emit(self.text())


def _cap(widths: list[int], room: int) -> int:
    """The largest width ``cap`` with ``sum(min(w, cap)) <= room`` (``widths`` sorted ascending)."""
    used = 0
    for i, w in enumerate(widths):
        left = len(widths) - i
        if used + w * left > room:
            return max(24, (room - used) // left)
        used += w
    return max(widths, default=0)


class RegisterTable(QTableView):
    """Fixed-height rows (no per-row measuring of a million rows), sortable header, Enter opens."""

    activated_row = Signal(int)
    ROW_HEIGHT = 26

    def __init__(self, parent: QWidget | None = None, *, sortable: bool = False) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # rows are chosen, never cells edited: Tab leaves the table for the next field or tab bar
        # (Qt's default walks every cell, so the case view's tabs after a table were out of reach)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        vh = self.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.ROW_HEIGHT)
        vh.hide()
        hh = self.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setResizeContentsPrecision(30)  # "resize to contents" looks at 30 rows, not every row
        hh.setStretchLastSection(True)
        hh.setSortIndicatorShown(sortable)
        hh.setSectionsClickable(sortable)
        if sortable:
            hh.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
            hh.sortIndicatorChanged.connect(self._sort)
        self.doubleClicked.connect(lambda idx: self.activated_row.emit(idx.row()))
        QShortcut(QKeySequence(Qt.Key.Key_Return), self, self._enter, context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Enter), self, self._enter, context=Qt.ShortcutContext.WidgetShortcut)

    FIT_SHARE = 4   # the stretched column keeps at least a quarter of the width

    def fit_columns(self, stretch: int) -> None:
        """A small list that fits its box: each column as wide as its content, column ``stretch``
        taking the rest, never a horizontal scroll bar (the dashboard's lists). When the contents
        are wider than the box (a province's list naming the commune), the other columns shrink
        (the widest first, their text elided) so the stretched one keeps a quarter: it was squeezed to "…"."""
        self._fit_stretch = stretch
        hh = self.horizontalHeader()
        hh.setStretchLastSection(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        model = self.model()
        if model is not None:
            for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.dataChanged):
                signal.connect(lambda *_: QTimer.singleShot(0, self, self.refit))
        self.refit()

    def refit(self) -> None:
        stretch = getattr(self, "_fit_stretch", None)
        model = self.model()
        if stretch is None or model is None:
            return
        hh = self.horizontalHeader()
        others = [c for c in range(model.columnCount()) if c != stretch and not self.isColumnHidden(c)]
        natural = {c: max(self.sizeHintForColumn(c), hh.sectionSizeFromContents(c).width()) for c in others}
        room = self.viewport().width() - self.viewport().width() // self.FIT_SHARE
        cap = _cap(sorted(natural.values()), room)
        for c in others:   # short columns (number, date, days) whole; only the widest are elided
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            hh.resizeSection(c, min(natural[c], cap))
        hh.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt
        super().resizeEvent(event)
        self.refit()

    def _sort(self, column: int, order: Qt.SortOrder) -> None:
        model = self.model()
        if model is not None:
            model.sort(column, order)

    def _enter(self) -> None:
        idx = self.currentIndex()
        if idx.isValid():
            self.activated_row.emit(idx.row())

    def enter_from_search(self) -> None:
        """Focus the table on its first row (Down from the search box)."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        index = self.currentIndex() if self.currentIndex().isValid() else model.index(0, 0)
        self.setCurrentIndex(index)
        self.selectRow(index.row())

    def set_widths(self, widths: list[int]) -> None:
        self._widths = dict(enumerate(widths))
        for col, width in enumerate(widths):
            if width:
                self.setColumnWidth(col, width)

    MIN_STRETCH = 220  # the summary column never narrower than this

    def fit_to_width(self, stretch: int, optional: list[int]) -> None:
        """Readable without a horizontal scroll bar on a 1366-pixel screen: column ``stretch``
        (the summary) takes the room left; when even its minimum does not fit, the ``optional``
        columns are hidden, first listed first, and come back when the window widens. Their text
        stays in the printed register and the case view."""
        self._fit = (stretch, list(optional))
        hh = self.horizontalHeader()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self._refit()

    def _refit(self) -> None:
        fit = getattr(self, "_fit", None)
        model = self.model()
        if fit is None or model is None:
            return
        stretch, optional = fit
        widths = getattr(self, "_widths", {})
        room = self.viewport().width() or self.width()

        def width(col: int) -> int:
            return widths.get(col) or self.horizontalHeader().defaultSectionSize()

        shown = [c for c in range(model.columnCount()) if c != stretch]
        hidden: set[int] = set()
        for col in optional:
            if sum(width(c) for c in shown if c not in hidden) + self.MIN_STRETCH <= room:
                break
            hidden.add(col)
        for col in range(model.columnCount()):
            if col != stretch:
                self.setColumnHidden(col, col in hidden)
                if col not in hidden and widths.get(col):
                    self.setColumnWidth(col, widths[col])

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt
        super().resizeEvent(event)
        self._refit()
