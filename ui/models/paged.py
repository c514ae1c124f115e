"""A table model over a register of any size, fed by keyset pages from SQL (never all rows).

Two modes:

- **counted** (no text search): ``rowCount`` is the SQL count, and rows are fetched page by page
  as the view paints them. A page is found from a neighbour already cached (keyset forward from
  the page before, or backward from the page after), from either end of the register (the last
  page is the first page of the reverse order), or — for a jump to the middle of the scroll bar —
  from the page anchors read in the background. Until they arrive a jump uses the anchors of the
  previous scan of the same order and filter — kept across a reset (a save) and in the anchors
  file beside the register (``ui.models.anchor_cache``) — which are real cursors, at most a few
  rows off after cases were added; the pages are fetched again when the fresh anchors arrive.
  With no anchors at all the page stays blank until they arrive (and is repainted then), never
  an OFFSET on the GUI thread (the source's ``cursor_at`` serves only a model without a
  background reader or a small register). A bounded cache keeps memory flat whatever the
  register's size.
- **incremental** (text search, where a count could cost more than the search): rows grow by
  ``fetchMore`` as the clerk scrolls down.

The source (``PageSource``) owns the SQL; the model owns paging and display only.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from ui.models.rows import ROW_ROLE, Column

log = logging.getLogger(__name__)

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex

PAGE = 100  # rows per fetch: about four screens; a fetch stays a few milliseconds
MAX_PAGES = 80


def filter_key(filt: Any) -> str:
    """A filter dataclass as text, for the key of the anchors of its rows."""
    return "|".join(f"{k}={v}" for k, v in sorted(vars(filt).items()) if v not in (None, False))


class PageSource(Protocol[T]):
    counted: bool  # False: incremental mode (text search)

    def count(self) -> int: ...
    def fetch(self, after: Any, descending: bool, limit: int) -> tuple[list[T], Any]: ...
    def cursor_of(self, row: T) -> Any: ...
    def cursor_at(self, offset: int, descending: bool) -> Any: ...
    def anchors(self, db: Any, descending: bool, every: int, cancelled: Callable[[], bool]) -> list[Any]: ...
    # optional: ``anchor_key`` (str | None), the order and filter the anchors belong to, and
    # ``anchors_kept`` (bool), whether they may be written to the anchors file (no personal data)


_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.ToolTipRole, ROW_ROLE})


class PagedModel(QAbstractTableModel, Generic[T]):
    page_fetched = Signal(int, float)  # page number, milliseconds (for the benchmark and the log)

    def __init__(self, columns: Sequence[Column[T]], parent=None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.source: PageSource[T] | None = None
        self.descending = True
        self.total = 0
        self.pages: OrderedDict[int, list[T]] = OrderedDict()
        self.loaded: list[T] = []     # incremental mode
        self.next_cursor: Any = None  # incremental mode
        self.sortable: dict[int, str] = {}
        self.anchors: list[Any] = []
        self._anchors_failed = False
        self._anchor_task = None
        self._anchor_reader: tuple[Any, Callable[[], Any]] | None = None
        self._anchor_cache = None          # ui.models.anchor_cache.AnchorCache of the register
        self._view: str | None = None      # the order, filter and direction of ``anchors``/``_stale``
        self._stale: list[Any] = []        # anchors of an earlier scan of the same view
        self._stale_read = False           # the anchors file was looked at for this view
        self._stale_used = False           # a page was fetched from ``_stale``
        self._generation = 0  # bumped by each reset: a scan of an older one is dropped
        self.sort_column, self.sort_order = -1, Qt.SortOrder.DescendingOrder

    # -- feeding -----------------------------------------------------------------------------------
    def set_source(self, source: PageSource[T] | None, *, descending: bool = True) -> None:
        self.beginResetModel()
        view = _view_of(source, descending)
        if view is not None and view == self._view:  # a reset of the same view (a save): keep its anchors
            self._stale = self.anchors or self._stale
        else:
            self._stale, self._stale_read = [], False
        self._view, self._stale_used = view, False
        self.source, self.descending = source, descending
        self.pages.clear()
        self._generation += 1
        if self._anchor_task is not None:
            self._anchor_task.cancel()
            self._anchor_task = None
        self.anchors = []
        self._anchors_failed = False
        self.loaded, self.next_cursor, self.total = [], None, 0
        if source is not None:
            if source.counted:
                self.total = source.count()
            else:
                self.loaded, self.next_cursor = self._timed(0, lambda: source.fetch(None, descending, PAGE))
        self.endResetModel()

    def refresh(self) -> None:
        """Reload after a write, keeping the source (filters, sort)."""
        self.set_source(self.source, descending=self.descending)

    @property
    def counted(self) -> bool:
        return self.source is not None and self.source.counted

    def _timed(self, page: int, fn):
        t0 = time.perf_counter()
        result = fn()
        ms = (time.perf_counter() - t0) * 1000
        if ms > 16:
            log.info("slow page %s: %.1f ms", page, ms)
        self.page_fetched.emit(page, ms)
        return result

    def _page(self, p: int) -> list[T]:
        cached = self.pages.get(p)
        if cached is not None:
            self.pages.move_to_end(p)
            return cached
        rows = self._timed(p, lambda: self._load(p))
        if rows is None:  # waits for the page anchors
            return []
        self.pages[p] = rows
        while len(self.pages) > MAX_PAGES:
            far = max(self.pages, key=lambda k: abs(k - p))
            del self.pages[far]
        return rows

    def _load(self, p: int) -> list[T] | None:
        src, desc = self.source, self.descending
        assert src is not None
        last = (self.total - 1) // PAGE
        size = min(PAGE, self.total - p * PAGE)
        if p == 0:
            return src.fetch(None, desc, PAGE)[0]
        before = self.pages.get(p - 1)
        if before:
            return src.fetch(src.cursor_of(before[-1]), desc, PAGE)[0]
        after = self.pages.get(p + 1)
        if after:
            rows, _ = src.fetch(src.cursor_of(after[0]), not desc, PAGE)
            return rows[::-1]
        if p == last:
            rows, _ = src.fetch(None, not desc, size)
            return rows[::-1]
        if p - 1 < len(self.anchors):
            return src.fetch(self.anchors[p - 1], desc, PAGE)[0]
        stale = self._stale_anchors()
        if p - 1 < len(stale):  # an earlier scan's cursor: real rows, fetched again when the fresh scan ends
            self._stale_used = True
            self.load_anchors()
            return src.fetch(stale[p - 1], desc, PAGE)[0]
        # A jump before the anchors are read: start reading them, and leave this page blank until
        # they arrive (``dataChanged`` then repaints it) instead of counting rows off with an
        # OFFSET on the GUI thread (25–29 ms at 1,000,000 cases). Only a model that cannot read
        # them in the background (no runner, a small register, a failed scan) pays the OFFSET.
        self.load_anchors()
        if self._anchor_task is not None:
            return None
        cursor = src.cursor_at(p * PAGE - 1, desc)
        return src.fetch(cursor, desc, PAGE)[0] if cursor is not None else []

    # -- anchors: a cursor per page, read off the UI thread, for scroll-bar jumps -----------------
    def read_anchors_with(self, runner, open_db: Callable[[], Any], cache=None) -> None:
        """Where page anchors are read: a task runner and an opener of the register for its thread;
        ``cache`` (``ui.models.anchor_cache``) keeps each scan's anchors for the next start.

        They are read the first time the clerk jumps past the pages around those cached (the
        scroll bar dragged, Ctrl+End), not at each reset: a save resets the model, and scanning a
        province's million rows after every save would be work nobody asked for. Meanwhile jumps
        use the previous scan's anchors of the same view (``_stale_anchors``).
        """
        self._anchor_reader = (runner, open_db)
        self._anchor_cache = cache

    def prime_anchors(self) -> None:
        """Read the anchors now when no earlier scan of this view was kept (a register's first
        use on this PC): called a moment after the window shows, so that even the first jump of
        the first day finds them. Otherwise they wait for the first jump, as above."""
        if not self.anchors and not self._stale_anchors():
            self.load_anchors()

    def _stale_anchors(self) -> list[Any]:
        """The previous scan's anchors of this view: kept across resets, else from the anchors file
        (read once per view, on the first jump that needs them)."""
        if not self._stale and not self._stale_read and self._anchor_cache is not None and self._view is not None \
                and getattr(self.source, "anchors_kept", False):
            self._stale_read = True
            self._stale = self._anchor_cache.get(self._view, PAGE)
        return self._stale

    def load_anchors(self) -> None:
        """Read every page's cursor in a background task (once per reset); until then a jump
        costs an OFFSET. A scan started before the latest reset is dropped when it ends."""
        src, desc, generation = self.source, self.descending, self._generation
        if self._anchor_reader is None or self._anchor_task is not None or self.anchors or src is None \
                or not src.counted or self.total <= 4 * PAGE or self._anchors_failed:
            return
        runner, open_db = self._anchor_reader
        cache, view = self._anchor_cache, self._view
        kept = cache is not None and view is not None and getattr(src, "anchors_kept", False)

        def work(state):
            db = open_db()
            try:
                anchors = src.anchors(db, desc, PAGE, lambda: state.cancelled)
            finally:
                db.close()
            if kept and anchors and not state.cancelled:
                cache.put(view, PAGE, anchors)
            return anchors

        def done(anchors) -> None:
            if generation != self._generation:  # the register changed meanwhile: another scan is due
                return
            self._anchor_task = None
            if anchors:
                self.anchors, self._stale = anchors, []
                if self._stale_used:  # pages placed by the earlier scan's cursors: placed again
                    self._stale_used = False
                    self.pages.clear()
                log.info("register anchors ready: %s pages", len(anchors))
            else:  # cancelled or empty: jumps go by OFFSET rather than wait for nothing
                self._anchors_failed = True
            self._repaint()

        def failed(_exc) -> None:
            if generation == self._generation:
                self._anchor_task = None
                self._anchors_failed = True
                self._repaint()

        self._anchor_task = runner.run(work, title="", on_done=done, on_error=failed, cancellable=True,
                                       show_progress=False)

    def _repaint(self) -> None:
        """Pages left blank while the anchors were read are fetched again when the view repaints."""
        if self.total and self.columns:
            self.dataChanged.emit(self.index(0, 0), self.index(self.total - 1, len(self.columns) - 1))

    def row_at(self, row: int) -> T | None:
        if not self.counted:
            return self.loaded[row] if 0 <= row < len(self.loaded) else None
        if not 0 <= row < self.total:
            return None
        page = self._page(row // PAGE)
        i = row % PAGE
        return page[i] if i < len(page) else None

    # -- incremental mode --------------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self.counted and self.next_cursor is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent):
            return
        src = self.source
        rows, cursor = self._timed(len(self.loaded) // PAGE, lambda: src.fetch(self.next_cursor, self.descending, PAGE))
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.loaded), len(self.loaded) + len(rows) - 1)
            self.loaded.extend(rows)
            self.next_cursor = cursor
            self.endInsertRows()
        else:
            self.next_cursor = None

    # -- Qt ------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid():
            return 0
        return self.total if self.counted else len(self.loaded)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].header
            if role == Qt.ItemDataRole.ToolTipRole and section in self.sortable:
                return "Bấm để sắp xếp theo cột này"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid() or not 0 <= index.column() < len(self.columns):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(col.align.value)
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = col.foreground(row) if col.foreground else None
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return (col.tooltip(row) or None) if col.tooltip else None
        return row

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Only the columns the SQL can page by (``sortable``: column → the source's sort name)."""
        if column not in self.sortable or self.source is None:
            return
        self.sort_column, self.sort_order = column, order
        self.on_sort(self.sortable[column], order == Qt.SortOrder.DescendingOrder)

    def on_sort(self, key: str, descending: bool) -> None:
        """Subclasses rebuild their source with the new sort."""


def _view_of(source: Any, descending: bool) -> str | None:
    """The key of the anchors of ``source``'s rows in this direction (None: no anchors kept)."""
    key = getattr(source, "anchor_key", None) if source is not None and source.counted else None
    return f"{key}|{'desc' if descending else 'asc'}" if key else None
