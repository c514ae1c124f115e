"""The citizen reception register page (Sổ tiếp công dân)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.labels import RECEPTION_KIND_LABELS
from ui.models import anchor_cache
from ui.models.reception_model import ReceptionFilter, ReceptionTableModel
from ui.session import Session
from ui.widgets.form import date_edit, pydate
from ui.widgets.register_table import RegisterTable, SearchBox


class ReceptionsView(QWidget):
    open_case = Signal(str)
    new_reception = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.search = SearchBox("Tìm tên, giấy tờ, điện thoại, nội dung (gõ không dấu cũng được)…")
        self.kind = QComboBox()
        self.kind.addItem("Mọi hình thức tiếp", None)
        for code, label in RECEPTION_KIND_LABELS.items():
            self.kind.addItem(label, code)
        self.use_period = QCheckBox("Từ ngày")
        today = session.today()
        self.date_from = date_edit(date(today.year, 1, 1))
        self.date_to = date_edit(today)
        self.count = QLabel()
        add = QPushButton("Tiếp công dân…")
        add.setToolTip("Ctrl+N")
        add.clicked.connect(self.new_reception)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.kind)
        top.addWidget(self.use_period)
        top.addWidget(self.date_from)
        top.addWidget(QLabel("đến"))
        top.addWidget(self.date_to)
        top.addWidget(self.count)
        top.addWidget(add)
        self.model = ReceptionTableModel(session.db, self)
        self.table = RegisterTable(sortable=True)
        self.table.setModel(self.model)
        self.table.set_widths([90, 190, 115, 330, 130, 70, 150, 85, 140, 140, 130, 120, 120])
        # Mẫu 03/TCD has 13 columns: on a 1366-pixel screen the ones most often empty give way
        # (all are printed in the register and shown in the tooltip of the line).
        self.table.fit_to_width(3, optional=[12, 11, 6, 9, 8, 7])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        self.search.search.connect(self.apply)
        self.search.down.connect(self.table.enter_from_search)
        self.correct = QPushButton("Đính chính…")
        self.correct.setToolTip("Đính chính lượt tiếp đang chọn (ghi lý do, giữ giá trị cũ)")
        self.correct.clicked.connect(self.correct_selected)
        top.addWidget(self.correct)
        self.documents = QPushButton("Văn bản…")
        self.documents.setToolTip("Giấy biên nhận, thông báo từ chối tiếp của lượt tiếp đang chọn "
                                  "(Enter trên lượt tiếp không mở vụ việc)")
        self.documents.clicked.connect(self.documents_selected)
        top.addWidget(self.documents)
        self.kind.currentIndexChanged.connect(self.apply)
        self.use_period.toggled.connect(self.apply)
        for w in (self.date_from, self.date_to):
            w.dateChanged.connect(lambda *_: self.use_period.isChecked() and self.apply())
        self.table.activated_row.connect(self._open_row)
        self.model.read_anchors_with(session.tasks, session.worker_database,
                                     anchor_cache.for_register(session.db.path))
        self._prime = QTimer(self, singleShot=True, interval=anchor_cache.PRIME_AFTER_MS)
        self._prime.timeout.connect(self.model.prime_anchors)
        self._prime.start()
        session.follow_changes(self, self.reload, today=False)
        self.apply()

    def apply(self, *_args) -> None:
        period = self.use_period.isChecked()
        self.model.set_filter(ReceptionFilter(
            date_from=pydate(self.date_from.date()) if period else None,
            date_to=pydate(self.date_to.date()) if period else None,
            kind=self.kind.currentData(), text=self.search.text().strip() or None))
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        suffix = "" if self.model.counted else ("+" if self.model.canFetchMore() else "")
        self.count.setText(f"{n:,}{suffix} lượt tiếp".replace(",", "."))

    def reload(self) -> None:
        self.model.refresh()
        self._update_count()

    def correct_dialog(self):
        from desktop.storage.receptions import get_reception
        from ui.dialogs.case_edits import CorrectReceptionDialog

        index = self.table.currentIndex()
        item = self.model.row_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        return CorrectReceptionDialog(self.session, get_reception(self.session.db, item.uuid), self)

    def correct_selected(self) -> None:
        dialog = self.correct_dialog()
        if dialog is not None:
            dialog.exec()

    def documents_dialog(self, row: int | None = None):
        """The documents of the chosen reception: a case's own when it opened one, else the
        reception's (receipt, refusal notice), drafted, issued and printed there."""
        from ui.dialogs.document_dialog import DocumentDialog

        if row is None:
            index = self.table.currentIndex()
            row = index.row() if index.isValid() else -1
        item = self.model.row_at(row) if row >= 0 else None
        if item is None:
            return None
        return DocumentDialog(self.session, item.case_uuid, self, today=self.session.today(),
                              reception_uuid=item.uuid)

    def documents_selected(self) -> None:
        dialog = self.documents_dialog()
        if dialog is not None:
            dialog.exec()
            self.reload()

    def _open_row(self, row: int) -> None:
        item = self.model.row_at(row)
        if item is not None and item.case_uuid:
            self.open_case.emit(item.case_uuid)
        elif item is not None:   # a reception that opened no case: its documents (no dead end)
            dialog = self.documents_dialog(row)
            if dialog is not None:
                dialog.exec()
                self.reload()
