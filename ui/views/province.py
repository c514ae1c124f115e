"""Province mode: the completeness board (which commune sent which period, its last bundle, gaps)
and a read-only browse of one commune's records. The province never edits a commune's records:
nothing here writes.
"""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QSpinBox, QSplitter,
                               QTableView, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from desktop.domain.dates import format_stamp
from desktop.storage import cases as case_repo
from ui.labels import kind_label, state_label, table_label, vn_date
from ui.models.case_model import HIDDEN_NAME
from ui.models.rows import Column, RowsModel
from desktop.storage import sync_repo
from desktop.sync import board, keys

log = logging.getLogger(__name__)

DISPLAY = Qt.ItemDataRole.DisplayRole
MONTH_HEADERS = [f"T{int(m)}" for m in board.MONTHS]


class BoardModel(QAbstractTableModel):
    """One row per commune; read-only."""

    HEADERS = ["Mã", "Đơn vị", "Gói cuối", "Ngày lập gói cuối", "Ngày nhập", "Tình trạng", "Xung đột",
               *MONTH_HEADERS]

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[board.CommuneStatus] = []

    def set_rows(self, rows: list[board.CommuneStatus]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index, role=DISPLAY):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        s, col = self.rows[index.row()], index.column()
        if role == DISPLAY:
            last = s.last
            fixed = [s.unit_code, s.unit_name, str(last.seq) if last else "—",
                     format_stamp(last.period_to) if last else "—", format_stamp(last.imported_at) if last else "—",
                     s.state_label, str(s.open_conflicts) if s.open_conflicts else ""]
            if col < len(fixed):
                return fixed[col]
            return "✓" if s.months.get(board.MONTHS[col - len(fixed)]) else ""
        if role == Qt.ItemDataRole.BackgroundRole and col == 5:
            return QBrush(QColor({"ok": "#dff0d8", "gap": "#fcf8e3", "none": "#f2dede"}[s.state]))
        if role == Qt.ItemDataRole.ToolTipRole and col == 1 and s.key_fingerprint:
            return f"Khóa {s.key_fingerprint}" + ("" if s.key_active else " (đã thu hồi)")
        return None


def commune_case_columns() -> list[Column[case_repo.CaseRow]]:
    """A commune's cases, newest first; the requester is hidden for confidential cases."""
    return [
        Column("Số", lambda r: r.number),
        Column("Loại", lambda r: kind_label(r.kind)),
        Column("Ngày nhận", lambda r: vn_date(r.received_on)),
        Column("Trạng thái", lambda r: state_label(r.state)),
        Column("Người đề nghị", lambda r: HIDDEN_NAME if r.confidential else r.requester_name),
        Column("Nội dung", lambda r: r.summary, tooltip=lambda r: r.summary),
    ]


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ProvinceView(QWidget):
    """Board on top, the selected commune's records below; everything read-only."""

    commune_selected = Signal(str)
    PAGE = 500

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.year = QSpinBox(minimum=2020, maximum=2100)
        self.year.setValue(_today(session).year)
        self.title = QLabel("Chọn một xã trong bảng để xem dữ liệu (chỉ xem, không sửa).", wordWrap=True)
        self.counts = QLabel(wordWrap=True)
        self.board_model = BoardModel(self)
        self.cases_model = RowsModel(commune_case_columns(), parent=self)
        self.board = _table(self.board_model)
        self.cases = _table(self.cases_model)
        top = QHBoxLayout()
        top.addWidget(QLabel("Theo dõi gửi dữ liệu năm"))
        top.addWidget(self.year)
        top.addStretch(1)
        lower = QWidget()
        lower_lay = QVBoxLayout(lower)
        lower_lay.setContentsMargins(0, 0, 0, 0)
        self.conflicts = QTableWidget(0, 5)
        self.conflicts.setHorizontalHeaderLabels(["Loại bản ghi", "Mã", "Tình huống", "Lý do", "Phát hiện ngày"])
        self.conflicts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.conflicts.horizontalHeader().setStretchLastSection(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.cases, "Vụ việc")
        self.tabs.addTab(self.conflicts, "Xung đột, bị từ chối")
        lower_lay.addWidget(self.title)
        lower_lay.addWidget(self.counts)
        lower_lay.addWidget(self.tabs, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.board)
        split.addWidget(lower)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        self.year.valueChanged.connect(self.reload)
        self.board.selectionModel().currentRowChanged.connect(self._row_changed)
        if hasattr(session, "follow_changes"):
            session.follow_changes(self, self.reload, today=False)
        self.reload()

    def reload(self) -> None:
        current = self.selected_code()
        self.board_model.set_rows(board.completeness(self.session.db, self.year.value()))
        if current:
            self.select(current)

    def selected_code(self) -> str | None:
        index = self.board.currentIndex()
        return self.board_model.rows[index.row()].unit_code if index.isValid() else None

    def select(self, unit_code: str) -> None:
        for row, status in enumerate(self.board_model.rows):
            if status.unit_code == unit_code:
                self.board.setCurrentIndex(self.board_model.index(row, 0))
                self.show_commune(unit_code)
                return

    def _row_changed(self, current, _previous) -> None:
        if current.isValid():
            self.show_commune(self.board_model.rows[current.row()].unit_code)

    def show_commune(self, unit_code: str) -> None:
        status = next((s for s in self.board_model.rows if s.unit_code == unit_code), None)
        name = status.unit_name if status else unit_code
        self.title.setText(f"Dữ liệu của {name} (mã {unit_code}) — chỉ xem, tỉnh không sửa dữ liệu của xã.")
        counts = sync_repo.unit_record_counts(self.session.db, unit_code)
        self.counts.setText("Số bản ghi: " + (", ".join(f"{table_label(k)} {v}" for k, v in counts.items() if v)
                                               or "chưa có"))
        page = case_repo.page_cases(self.session.db, case_repo.CaseFilter(unit_code=unit_code), limit=self.PAGE)
        self.cases_model.set_rows(page.rows)
        kept = sync_repo.list_conflicts(self.session.db, unit_code)
        self.conflicts.setRowCount(len(kept))
        for row, k in enumerate(kept):
            cells = [table_label(k["tbl"]), k["uuid"], "Xung đột" if k["kind"] == "conflict" else "Bị từ chối",
                     k["reason"], format_stamp(k["detected_at"])]
            for col, text in enumerate(cells):
                self.conflicts.setItem(row, col, QTableWidgetItem(str(text)))
        self.tabs.setTabText(1, f"Xung đột, bị từ chối ({len(kept)})")
        self.commune_selected.emit(unit_code)


def _today(session) -> date:
    return session.today() if hasattr(session, "today") else date.today()


def install_menu(bar, session, window) -> None:
    """Province registers get a "Tỉnh" menu opening the board in its own window."""
    if keys.register_mode(session.db) != "province":
        return
    menu = bar.addMenu("Tỉnh")

    def open_board() -> None:
        view = ProvinceView(session)
        view.setWindowFlag(Qt.WindowType.Window, True)
        view.setWindowTitle("Bảng theo dõi dữ liệu các xã")
        view.resize(1200, 700)
        window._province_views = [v for v in getattr(window, "_province_views", []) if v.isVisible()] + [view]
        view.show()

    menu.addAction(QAction("Bảng theo dõi dữ liệu các xã…", window, triggered=open_board))

