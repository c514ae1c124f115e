"""Nhập sổ cũ: choose the file → match its columns → see every row's problems → import.

The core does the work (``desktop.workflow.old_register``); reading the file, the preview and
the import run on the session's worker (``ui.tasks``) with progress and "Hủy". Each page lets
the clerk go back and change the previous one; nothing is written before the last page.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWizard, QWizardPage)

from desktop.errors import UserError
from desktop.rules.book import KIND_LABELS
from desktop.workflow.old_register import mapping as mapping_mod
from desktop.workflow.old_register import sheet as sheet_mod
from desktop.workflow.old_register.importer import STATUS_LABELS, import_rows, preview
from desktop.workflow.old_register.mapping import FIELDS, Mapping
from ui import file_dialogs
from ui.errors import report

log = logging.getLogger(__name__)

FILTER = "Sổ cũ (*.xlsx *.xlsm *.csv *.txt);;Mọi tệp (*)"


class _Progress:
    """The core's progress protocol (``report``/``cancelled``) over a ``ui.tasks.TaskState``."""

    def __init__(self, state, text: str) -> None:
        self.state, self.text = state, text

    @property
    def cancelled(self) -> bool:
        return self.state.cancelled

    def report(self, done: int, total: int) -> None:
        self.state.progress(done, total, self.text)


class FilePage(QWizardPage):
    def __init__(self, wizard: "OldRegisterWizard") -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Bước 1: Chọn tệp sổ cũ")
        self.setSubTitle("Tệp Excel (.xlsx) hoặc CSV xuất từ phần mềm cũ. Chưa có gì được ghi vào sổ.")
        self.path = QLineEdit(placeholderText="đường dẫn tệp .xlsx hoặc .csv")
        self.path.editingFinished.connect(self.load)
        choose = QPushButton("Chọn tệp…")
        choose.clicked.connect(self.choose)
        self.sheet = QComboBox()
        self.sheet.activated.connect(lambda _i: self.load())
        self.kind = QComboBox()
        for code, label in KIND_LABELS.items():
            self.kind.addItem(label, code)
        self.kind.setCurrentIndex(self.kind.findData("petition"))
        self.info = QLabel(wordWrap=True)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        form = QFormLayout(self)
        form.addRow("Tệp:", row)
        form.addRow("Trang tính:", self.sheet)
        form.addRow("Loại vụ việc khi tệp không ghi:", self.kind)
        form.addRow(self.info)

    def choose(self) -> None:
        name = file_dialogs.open_file(self, "Chọn tệp sổ cũ", "old_register", FILTER)
        if name:
            self.path.setText(name)
            self.load()

    def load(self) -> None:
        path = self.path.text().strip()
        if not path:
            return
        sheet = self.sheet.currentText() if self.sheet.count() and self.w.source == path else None
        if self.w.data is not None and self.w.source == path and sheet in (None, self.w.data.name):
            return  # the same file and sheet (the field lost its focus): already read
        self.w.data = None
        self.completeChanged.emit()
        self.info.setText("Đang đọc tệp…")

        def done(data) -> None:
            self.w.data, self.w.source = data, path
            self.sheet.blockSignals(True)
            self.sheet.clear()
            self.sheet.addItems(list(data.sheets))
            self.sheet.setEnabled(bool(data.sheets))
            if data.name:
                self.sheet.setCurrentText(data.name)
            self.sheet.blockSignals(False)
            extra = f", mã hóa {data.encoding}" if data.encoding else ""
            merged = f", {data.merged_ranges} vùng ô gộp" if data.merged_ranges else ""
            self.info.setText(f"Đã đọc {len(data.rows)} dòng{extra}{merged}.")
            self.completeChanged.emit()

        self.w.run("Đang đọc tệp…", lambda _state: sheet_mod.read_file(path, sheet), done, self.info)

    def isComplete(self) -> bool:  # noqa: N802 - Qt
        return self.w.data is not None


class MappingPage(QWizardPage):
    def __init__(self, wizard: "OldRegisterWizard") -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Bước 2: Ghép cột của tệp với các trường của sổ")
        self.setSubTitle("Đã ghép theo tiêu đề cột; sửa nếu chưa đúng. Trường có dấu * là bắt buộc. "
                         "Cách ghép được lưu lại cho các tệp cùng mẫu.")
        self.note = QLabel(wordWrap=True)
        self.table = QTableWidget(len(FIELDS), 2)
        self.table.setHorizontalHeaderLabels(["Trường của sổ", "Cột trong tệp"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.boxes: list[QComboBox] = []
        for i, f in enumerate(FIELDS):
            item = QTableWidgetItem(f.label + (" *" if f.required else ""))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(i, 0, item)
            box = QComboBox()
            box.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())
            self.table.setCellWidget(i, 1, box)
            self.boxes.append(box)
        lay = QVBoxLayout(self)
        lay.addWidget(self.note)
        lay.addWidget(self.table)

    def initializePage(self) -> None:  # noqa: N802 - Qt
        try:
            m = mapping_mod.resolve(self.w.data, self.w.session.db)
        except UserError as exc:
            m = Mapping(1, {}, mapping_mod.headers_at(self.w.data, 1))
            self.note.setText(exc.message)
        else:
            self.note.setText(f"Dòng tiêu đề: dòng {m.header_row}."
                              + (" Cách ghép cột đã lưu cho mẫu sổ này." if m.remembered else ""))
        self.w.mapping = m
        for f, box in zip(FIELDS, self.boxes):
            box.blockSignals(True)
            box.clear()
            box.addItem("(không dùng)", -1)
            for c, header in enumerate(m.headers):
                if header:
                    box.addItem(f"{sheet_mod.column_letter(c)} — {header}", c)
            box.setCurrentIndex(max(0, box.findData(m.columns.get(f.code, -1))))
            box.blockSignals(False)
        self.completeChanged.emit()

    def chosen(self) -> dict[str, int]:
        return {f.code: box.currentData() for f, box in zip(FIELDS, self.boxes) if box.currentData() not in (None, -1)}

    def isComplete(self) -> bool:  # noqa: N802 - Qt
        have = self.chosen()
        return all(f.code in have for f in FIELDS if f.required)

    def validatePage(self) -> bool:  # noqa: N802 - Qt
        m = self.w.mapping
        self.w.mapping = Mapping(m.header_row, self.chosen(), m.headers, m.remembered)
        return True


class PreviewPage(QWizardPage):
    def __init__(self, wizard: "OldRegisterWizard") -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Bước 3: Xem trước từng dòng")
        self.setSubTitle("Các dòng có lỗi không được nhập; các chỗ đã tự sửa được ghi rõ. Chạy thử để biết "
                         "số vụ việc sẽ được đánh số thế nào mà chưa ghi gì vào sổ.")
        self.counts = QLabel(wordWrap=True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Dòng", "Cột", "Vấn đề", "Dòng này"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        hh = self.table.horizontalHeader()
        for c in (0, 1, 3):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.dry = QPushButton("Chạy thử")
        self.dry.clicked.connect(self.dry_run)
        self.dry_result = QLabel(wordWrap=True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.counts)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.dry)
        row.addWidget(self.dry_result, 1)
        lay.addLayout(row)

    def initializePage(self) -> None:  # noqa: N802 - Qt
        self.w.preview = None
        self.table.setRowCount(0)
        self.dry_result.clear()
        self.counts.setText("Đang kiểm tra từng dòng…")
        w = self.w
        data, m, kind, source = w.data, w.mapping, w.file_page.kind.currentData(), w.source

        def work(state, db):
            return preview(db, data, m, default_kind=kind, today=w.session.today(), source=source,
                           progress=_Progress(state, "Đang kiểm tra từng dòng…"))

        w.run("Đang kiểm tra từng dòng…", work, self.show_preview, self.counts, with_db=True)

    def show_preview(self, pv) -> None:
        self.w.preview = pv
        c = pv.counts()
        self.counts.setText("; ".join(f"{STATUS_LABELS[k]}: {v}" for k, v in c.items() if v) + ".")
        problems = [(p, r.status) for r in pv.rows for p in r.parsed.problems]
        self.table.setRowCount(len(problems))
        for i, (p, status) in enumerate(problems):
            for col, text in enumerate((str(p.row), p.column, p.message, STATUS_LABELS[status])):
                item = QTableWidgetItem(text)
                if p.fatal:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(i, col, item)
        self.completeChanged.emit()

    def dry_run(self) -> None:
        pv, w = self.w.preview, self.w

        def work(state, db):
            return import_rows(db, pv, dry_run=True, today=w.session.today(),
                               progress=_Progress(state, "Đang chạy thử…"))

        w.run("Đang chạy thử…", work, lambda s: self.dry_result.setText(s.text()), self.dry_result, with_db=True)

    def isComplete(self) -> bool:  # noqa: N802 - Qt
        return self.w.preview is not None


class ImportPage(QWizardPage):
    def __init__(self, wizard: "OldRegisterWizard") -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Bước 4: Nhập vào sổ")
        self.setSubTitle("Mỗi vụ việc được đánh số, tính hạn và ghi vào chuỗi sự kiện như khi tiếp nhận. "
                         "Nhập lại cùng tệp sẽ không thêm gì.")
        self.start = QPushButton("Nhập vào sổ")
        self.start.clicked.connect(self.go)
        self.result = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = None
        lay = QVBoxLayout(self)
        lay.addWidget(self.start)
        lay.addWidget(self.result)
        lay.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt
        self.summary = None
        self.start.setEnabled(True)
        n = self.w.preview.counts()["new"]
        self.result.setText(f"Sẵn sàng nhập {n} dòng.")

    def go(self) -> None:
        pv, w = self.w.preview, self.w
        self.start.setEnabled(False)

        def work(state, db):
            return import_rows(db, pv, today=w.session.today(),
                               progress=_Progress(state, "Đang nhập vào sổ…"))

        def done(summary) -> None:
            self.summary = summary
            self.result.setText(summary.text())
            w.session.notify_changed()
            self.completeChanged.emit()

        def failed(exc) -> None:
            w.session.notify_changed()  # a cancelled import keeps its finished batches
            self.start.setEnabled(True)

        w.run("Đang nhập vào sổ…", work, done, self.result, with_db=True, after_error=failed)

    def isComplete(self) -> bool:  # noqa: N802 - Qt
        return self.summary is not None


class OldRegisterWizard(QWizard):
    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Nhập sổ cũ từ Excel / CSV")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, "Tiếp >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< Quay lại")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Xong")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Đóng")
        self.resize(900, 600)
        self.data = None
        self.source = ""
        self.mapping: Mapping | None = None
        self.preview = None
        self.task = None
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.import_page = ImportPage(self)
        for page in (self.file_page, self.mapping_page, self.preview_page, self.import_page):
            self.addPage(page)

    def run(self, title: str, fn, on_done, label: QLabel, *, with_db: bool = False, after_error=None) -> None:
        """``fn(state)`` or ``fn(state, db)`` on the worker, with its own connection to the register."""
        session = self.session

        def work(state):
            if not with_db:
                return fn(state)
            db = session.worker_database()
            try:
                return fn(state, db)
            finally:
                db.close()

        def error(exc) -> None:
            if isinstance(exc, UserError):
                label.setText(exc.message)
            elif exc.__class__.__name__ != "Cancelled":
                report(self, exc)
            if after_error:
                after_error(exc)

        self.task = session.tasks.run(work, title=title, on_done=on_done, on_error=error, parent=self)


def open_wizard(session, window) -> OldRegisterWizard:
    wizard = OldRegisterWizard(session, window)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.show()
    return wizard

