"""Settings: the rules in force, with their sources, confidence and in-force dates, and the import
of a signed rules update from the province (``desktop.rules.updates``)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from desktop.calendar.deadlines import format_date
from desktop.rules.updates import InForce, ImportResult, import_update, rules_in_force
from desktop.workflow.rules_recheck import recount, stale_deadlines
from ui import file_dialogs
from ui.dialogs.guarded import OnWriter
from ui.errors import report
from ui.models.rows import Column, RowsModel
from ui.session import Session

log = logging.getLogger(__name__)


def rules_columns() -> list[Column[InForce]]:
    return [
        Column("Loại việc", lambda r: r.kind_label),
        Column("Hiệu lực", lambda r: f"{format_date(r.effective_from)} – "
                                     f"{format_date(r.effective_to) if r.effective_to else 'nay'}",
               sort_key=lambda r: r.effective_from),
        Column("Căn cứ", lambda r: r.basis, tooltip=lambda r: r.basis),
        Column("Độ tin cậy", lambda r: r.confidence_label,
               foreground=lambda r: None if r.confidence == "V" else "#b26a00"),
        Column("Nguồn", lambda r: r.source, tooltip=lambda r: r.source),
        Column("Xuất xứ", lambda r: r.origin),
    ]


class RulesSettings(QWidget, OnWriter):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = RowsModel(rules_columns(), parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for col in (0, 1, 3, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        load = self.load_button = QPushButton("Nhập bản cập nhật quy tắc…")
        load.clicked.connect(self.choose_file)
        top = QHBoxLayout()
        intro = QLabel("Quy định áp dụng theo ngày tiếp nhận vụ việc. Vụ việc đã tiếp nhận giữ quy định cũ.")
        intro.setWordWrap(True)
        top.addWidget(intro, 1)
        top.addWidget(self.saving_label())   # "Đang lưu…" when an import or a recount outlasts 150 ms
        top.addWidget(load)
        note = QLabel("Độ tin cậy: “Đã đối chiếu văn bản” — đọc trong văn bản; “Chỉ có nguồn thứ cấp” — bản chép, "
                      "báo chí, cần đối chiếu Công báo khi có. Chỉ hiện ở đây, không in ra văn bản.")
        note.setWordWrap(True)
        self.stale_text = QLabel()
        self.stale_text.setWordWrap(True)
        self.recount_button = QPushButton("Tính lại các hạn này")
        self.recount_button.clicked.connect(self.recount)
        stale = QHBoxLayout()
        stale.addWidget(self.stale_text, 1)
        stale.addWidget(self.recount_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(stale)
        lay.addWidget(self.table, 1)
        lay.addWidget(note)
        session.follow_changes(self, self.reload, today=False)
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(rules_in_force(self.session.db))
        self.stale = stale_deadlines(self.session.db)
        self.stale_text.setVisible(bool(self.stale))
        self.recount_button.setVisible(bool(self.stale))
        from desktop.security.principal import may

        # the administrator's (settings.edit, calendar.edit): others read, and are told who acts
        for button, permission in ((self.load_button, "settings.edit"), (self.recount_button, "calendar.edit")):
            allowed = may(self.session.db, permission)
            button.setEnabled(allowed)
            button.setToolTip("" if allowed else "Việc của người quản trị hệ thống.")
        if self.stale:
            numbers = ", ".join(s.number for s in self.stale[:8]) + (" …" if len(self.stale) > 8 else "")
            self.stale_text.setText(
                f"{len(self.stale)} hạn đang chạy khác với quy định và lịch hiện hành ({numbers}). Hạn trong sổ "
                "không tự đổi; bấm “Tính lại” để sửa, mỗi vụ việc ghi một sự kiện.")

    def recount(self) -> bool:
        """The stale deadlines recounted on the session's writer; the page reloads after it."""
        today = self.session.today()
        return self.save_on_writer(
            lambda db: recount(db, effective_on=today, reason="tính lại theo quy định và lịch hiện hành"),
            done=lambda _moved: None, refused=lambda exc: report(self, exc), button=self.recount_button)

    def choose_file(self) -> None:
        path = file_dialogs.open_file(self, "Chọn tệp cập nhật quy tắc", "rules", "Tệp cập nhật (*.json)")
        if path:
            self.import_file(Path(path))

    last_import: ImportResult | None = None

    def import_file(self, path: Path) -> bool:
        """The signed update checked and imported on the session's writer; ``last_import`` once done."""
        return self.save_on_writer(lambda db: import_update(db, path), done=self._imported,
                                   refused=lambda exc: report(self, exc), button=self.load_button)

    def _imported(self, result: ImportResult) -> None:
        self.last_import = result
        if not result.already:
            QMessageBox.information(self, "Cập nhật quy tắc", f"Đã nhập “{result.title}” ({result.signer}). "
                                    "Vụ việc tiếp nhận từ ngày hiệu lực áp dụng quy định mới.")
