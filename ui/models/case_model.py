"""The case register (Sổ vụ việc) as one table model over ``page_cases`` keyset pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import Qt

from desktop.storage.cases import CaseFilter, CaseRow, page_cases
from desktop.storage.db import Database
from desktop.storage.ui_queries import case_anchors, case_count, case_cursor_at
from ui.labels import FIELD_LABELS, kind_label, state_label, vn_date
from ui.models.paged import PagedModel, filter_key
from ui.models.rows import Column

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
HIDDEN_NAME = "(giữ bí mật)"
DUE_COLUMN = 6


class CaseSource:
    def __init__(self, db: Database, filt: CaseFilter, sort: str) -> None:
        self.db, self.filt, self.sort = db, filt, sort
        self.counted = not filt.text
        # the order and filter the anchors belong to; the requester order's cursors hold names,
        # so they are never written to the anchors file (ui.models.anchor_cache)
        self.anchor_key = f"cases|{sort}|{filter_key(filt)}" if self.counted else None
        self.anchors_kept = sort != "requester"

    def count(self) -> int:
        return case_count(self.db, self.filt, sort=self.sort)

    def fetch(self, after: Any, descending: bool, limit: int) -> tuple[list[CaseRow], Any]:
        page = page_cases(self.db, self.filt, sort=self.sort, descending=descending, after=after, limit=limit)
        return page.rows, page.next_cursor

    def cursor_of(self, row: CaseRow) -> Any:
        if self.sort == "due":
            return (row.due_on.isoformat() if row.due_on else None, row.id)
        if self.sort == "number":
            return (row.id, row.id)
        if self.sort == "requester":
            return (self.db.scalar("SELECT requester_key FROM cases WHERE id = ?", (row.id,)), row.id)
        return (row.received_on.isoformat(), row.id)

    def cursor_at(self, offset: int, descending: bool) -> Any:
        return case_cursor_at(self.db, self.filt, sort=self.sort, descending=descending, offset=offset)

    def anchors(self, db: Database, descending: bool, every: int, cancelled) -> list[Any]:
        return case_anchors(db, self.filt, sort=self.sort, descending=descending, every=every, cancelled=cancelled)


class CaseTableModel(PagedModel[CaseRow]):
    """Columns clerks use; sortable by number, receipt date, deadline and requester (Vietnamese order)."""

    def __init__(self, db: Database, today: date | None = None, parent=None) -> None:
        self.today = today or date.today()
        super().__init__(self._columns(), parent)
        self.db = db
        self.filt = CaseFilter()
        self.sort_key = "received"
        self.sortable = {0: "number", 1: "received", 4: "requester", DUE_COLUMN: "due"}

    def _columns(self) -> list[Column[CaseRow]]:
        return [
            Column("Số", lambda r: r.number, align=RIGHT),
            Column("Ngày nhận", lambda r: vn_date(r.received_on), align=CENTER),
            Column("Loại", lambda r: kind_label(r.kind)),
            Column("Tóm tắt nội dung", lambda r: r.summary, tooltip=lambda r: r.summary),
            Column("Người yêu cầu", lambda r: HIDDEN_NAME if r.confidential else r.requester_name),
            Column("Trạng thái", lambda r: state_label(r.state)),
            Column("Hạn", lambda r: vn_date(r.due_on), align=CENTER, foreground=self._due_colour,
                   tooltip=self._due_tip),
            Column("Cán bộ thụ lý", lambda r: r.assignee_name),
            Column("Lĩnh vực", lambda r: FIELD_LABELS.get(r.field, r.field)),
        ]

    def _due_colour(self, r: CaseRow) -> str | None:
        if r.due_on is None:
            return None
        if r.due_on < self.today:
            return "#b00020"
        if (r.due_on - self.today).days <= 2:
            return "#c56000"
        return None

    def _due_tip(self, r: CaseRow) -> str:
        if r.due_on and r.due_on < self.today:
            return f"Quá hạn {(self.today - r.due_on).days} ngày"
        return ""

    def set_filter(self, filt: CaseFilter) -> None:
        self.filt = filt
        self._rebuild()

    def set_text(self, text: str) -> None:
        self.filt = replace(self.filt, text=text.strip() or None)
        self._rebuild()

    def set_today(self, today: date) -> None:
        self.today = today
        if self.rowCount():
            self.dataChanged.emit(self.index(0, DUE_COLUMN), self.index(self.rowCount() - 1, DUE_COLUMN))

    def on_sort(self, key: str, descending: bool) -> None:
        self.sort_key = key
        self.set_source(CaseSource(self.db, self.filt, key), descending=descending)

    def _rebuild(self) -> None:
        self.set_source(CaseSource(self.db, self.filt, self.sort_key), descending=self.descending)

    def start(self) -> None:
        self._rebuild()
