"""The case register page (Sổ vụ việc): filters, instant search, the paged table."""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.rules.book import KIND_LABELS
from desktop.storage.cases import CaseFilter
from desktop.storage.units import list_officers
from ui.labels import FIELD_LABELS, state_labels
from ui.models import anchor_cache
from ui.models.case_model import CaseTableModel
from ui.session import Session
from ui.widgets.form import date_edit, pydate
from ui.widgets.lookup_hook import attach_lookup
from ui.widgets.register_table import RegisterTable, SearchBox

log = logging.getLogger(__name__)


def _combo(first: str, items: dict[str, str]) -> QComboBox:
    box = QComboBox()
    box.addItem(first, None)
    for code, label in items.items():
        box.addItem(label, code)
    return box


class CasesView(QWidget):
    open_case = Signal(str)
    new_case = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.search = SearchBox("Tìm theo số, tên người yêu cầu, số giấy tờ, nội dung (gõ không dấu cũng được)…")
        self.kind = _combo("Mọi loại", KIND_LABELS)
        self.state = _combo("Mọi trạng thái", state_labels())
        self.field = _combo("Mọi lĩnh vực", FIELD_LABELS)
        self.assignee = QComboBox()
        self.use_period = QCheckBox("Từ ngày")
        today = session.today()
        self.date_from = date_edit(date(today.year, 1, 1))
        self.date_to = date_edit(today)
        self.open_only = QCheckBox("Chưa kết thúc")
        self.count = QLabel()
        add = QPushButton("Vụ việc mới…")
        add.clicked.connect(self.new_case)
        self.assign = QPushButton("Giao cán bộ…")
        self.assign.setToolTip("Giao các vụ việc đang chọn (Ctrl+bấm, Shift+↓ để chọn nhiều) cho một cán bộ")
        self.assign.clicked.connect(self.assign_selected)
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence, QShortcut

        QShortcut(QKeySequence("Ctrl+G"), self, self.assign_selected,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.assign.setText("Giao cán bộ… (Ctrl+G)")
        filters = QHBoxLayout()
        for w in (self.kind, self.state, self.field, self.assignee, self.use_period, self.date_from, QLabel("đến"),
                  self.date_to, self.open_only):
            filters.addWidget(w)
        filters.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        top.addWidget(self.assign)
        top.addWidget(add)
        self.model = CaseTableModel(session.db, session.today(), self)
        self.table = RegisterTable(sortable=True)
        self.table.setModel(self.model)
        self.table.setSelectionMode(RegisterTable.SelectionMode.ExtendedSelection)
        self.table.set_widths([65, 90, 125, 300, 175, 125, 90, 150, 110])
        # the register number whole, year included, up to four digits a year ("2290/2025")
        self.table.setColumnWidth(0, max(65, self.table.fontMetrics().horizontalAdvance("9999/2026") + 14))
        self.table._widths[0] = self.table.columnWidth(0)
        self.table.fit_to_width(3, optional=[8, 2])   # field, then kind, give way to the summary
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(filters)
        lay.addWidget(self.table, 1)
        self.search.search.connect(self.apply)
        attach_lookup(self.search, lambda: session.db, self.open_case.emit)  # a receipt's code opens its case
        self.search.down.connect(self.table.enter_from_search)
        for box in (self.kind, self.state, self.field, self.assignee):
            box.currentIndexChanged.connect(self.apply)
        for w in (self.date_from, self.date_to):
            w.dateChanged.connect(lambda *_: self.use_period.isChecked() and self.apply())
        self.use_period.toggled.connect(self.apply)
        self.open_only.toggled.connect(self.apply)
        self.table.activated_row.connect(self._open_row)
        self.model.read_anchors_with(session.tasks, session.worker_database,
                                     anchor_cache.for_register(session.db.path))
        self._prime = QTimer(self, singleShot=True, interval=anchor_cache.PRIME_AFTER_MS)
        self._prime.timeout.connect(self.model.prime_anchors)
        self._prime.start()
        session.follow_changes(self, self.reload, today=False)
        session.today_changed.connect(self.model.set_today)
        self.fill_assignees()
        self._offer_assign()
        self.apply()

    def _offer_assign(self) -> None:
        """'Giao cán bộ' is the leader's (case.assign): greyed, with the reason, for other roles."""
        from ui.views.case_view import refused

        refusal = refused(self.session.db, "case.assign")
        self.assign.setEnabled(refusal is None)
        self.assign.setToolTip(refusal or "Giao các vụ việc đang chọn (Ctrl+bấm, Shift+↓ để chọn nhiều) cho một cán bộ")

    def fill_assignees(self) -> None:
        current = self.assignee.currentData()
        self.assignee.blockSignals(True)
        self.assignee.clear()
        self.assignee.addItem("Mọi cán bộ", None)
        for o in list_officers(self.session.db):
            self.assignee.addItem(o.full_name, o.uuid)
        self.assignee.setCurrentIndex(max(0, self.assignee.findData(current)))
        self.assignee.blockSignals(False)

    def current_filter(self) -> CaseFilter:
        period = self.use_period.isChecked()
        return CaseFilter(kind=self.kind.currentData(), state=self.state.currentData(), field=self.field.currentData(),
                          assignee_uuid=self.assignee.currentData(),
                          date_from=pydate(self.date_from.date()) if period else None,
                          date_to=pydate(self.date_to.date()) if period else None,
                          text=self.search.text().strip() or None, open_only=self.open_only.isChecked())

    def apply(self, *_args) -> None:
        self.model.set_filter(self.current_filter())
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        if self.model.counted:
            self.count.setText(f"{n:,} vụ việc".replace(",", "."))
        else:
            self.count.setText(f"{n}{'+' if self.model.canFetchMore() else ''} kết quả")

    def reload(self) -> None:
        self.fill_assignees()
        self._offer_assign()
        self.model.refresh()
        self._update_count()

    def selected_rows(self) -> list:
        model = self.table.selectionModel()
        rows = sorted({i.row() for i in model.selectedRows()}) if model else []
        return [r for r in (self.model.row_at(i) for i in rows) if r is not None]

    def assign_dialog(self):
        from desktop.storage.units import local_unit_code
        from ui.dialogs.case_edits import AssignDialog

        own = local_unit_code(self.session.db)
        rows = [r for r in self.selected_rows() if r.unit_code == own]
        if not rows:
            return None
        return AssignDialog(self.session, [r.uuid for r in rows], self, numbers=[r.number for r in rows])

    def assign_selected(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        if not self.assign.isEnabled():   # Ctrl+G by a role that does not assign: say why at once
            QMessageBox.information(self, "Giao cán bộ", self.assign.toolTip())
            return
        dialog = self.assign_dialog()
        if dialog is None:
            QMessageBox.information(self, "Giao cán bộ", "Hãy chọn một hoặc nhiều vụ việc của đơn vị trong sổ.")
            return
        dialog.exec()

    def _open_row(self, row: int) -> None:
        item = self.model.row_at(row)
        if item is not None:
            self.open_case.emit(item.uuid)
