"""The case's papers in the case view: attached scans, photos and PDFs (drag and drop, a file,
or a scanner's whole folder), opened with the system's viewer; the printed case file and the
satisfaction slip. Attaching runs on the session's worker; the core checks and chains each file."""

from __future__ import annotations

import logging
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from desktop.errors import UserError
from desktop.storage import attachments as att_repo
from desktop.storage.lookup import case_code, display
from desktop.workflow import attach
from ui import file_dialogs
from ui.errors import report, show_user_error
from ui.labels import vn_date

log = logging.getLogger(__name__)


class AttachmentsPanel(QWidget):
    attached = Signal(int)   # how many files the last attach added

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case = None
        self.rows: list[att_repo.Attachment] = []
        self.setAcceptDrops(True)
        self.hint = QLabel("Kéo thả bản quét, ảnh, tệp PDF vào đây (tối đa "
                           f"{attach.size_text(attach.MAX_BYTES)} mỗi tệp), hoặc chọn tệp.")
        self.code = QLabel()
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Tên tệp", "Loại", "Dung lượng", "Ngày thêm", "Người thêm"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.add_files = QPushButton("Đính kèm tệp…")
        self.add_files.clicked.connect(self.choose_files)
        self.add_folder = QPushButton("Cả thư mục máy quét…")
        self.add_folder.clicked.connect(self.choose_folder)
        self.open_button = QPushButton("Mở tệp")
        self.open_button.clicked.connect(self.open_selected)
        self.print_file = QPushButton("In hồ sơ vụ việc…")
        self.print_file.clicked.connect(lambda: self.save_pdf("case_file"))
        self.print_slip = QPushButton("In phiếu lấy ý kiến…")
        self.print_slip.setToolTip("Gửi kèm văn bản trả lời; khi kết thúc, ghi mức độ hài lòng theo phiếu gửi lại.")
        self.print_slip.clicked.connect(lambda: self.save_pdf("slip"))
        buttons = QHBoxLayout()
        for b in (self.add_files, self.add_folder, self.open_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.print_slip)
        buttons.addWidget(self.print_file)
        self.table.setMinimumHeight(40)
        top = QHBoxLayout()
        top.addWidget(self.hint, 1)
        top.addWidget(self.code)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)

    # -- content -------------------------------------------------------------------------------
    def show_case(self, case, *, owned: bool = True) -> None:
        self.case = case
        db = self.session.db
        self.rows = att_repo.of_case(db, case.uuid)
        self.table.setRowCount(len(self.rows))
        for i, a in enumerate(self.rows):
            for col, text in enumerate((a.file_name, a.media_type, attach.size_text(a.size),
                                        vn_date(date.fromisoformat(a.added_on)), a.added_by)):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setToolTip(f"SHA-256: {a.sha256}")
                self.table.setItem(i, col, item)
        code = case_code(db, case.uuid)
        self.code.setText(f"Mã tra cứu trên giấy biên nhận: <b>{display(code)}</b>" if code else "")
        for b in (self.add_files, self.add_folder):
            b.setEnabled(owned)
        self.setAcceptDrops(owned)
        self.open_button.setEnabled(bool(self.rows))
        self.print_slip.setEnabled(case.state in ("replied", "closed"))

    # -- attaching -----------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls()]
        event.acceptProposedAction()
        self.attach_paths(paths)

    def choose_files(self) -> None:
        names = file_dialogs.open_files(self, "Chọn tệp đính kèm", "attachments",
                                        "Bản quét, ảnh, PDF (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;Mọi tệp (*)")
        if names:
            self.attach_paths([Path(n) for n in names])

    def choose_folder(self) -> None:
        folder = file_dialogs.folder(self, "Chọn thư mục của máy quét", "attachments")
        if folder:
            self.attach_paths(sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith(".")))

    def attach_paths(self, paths: list[Path]) -> None:
        if self.case is None or not paths:
            return
        session, case_uuid = self.session, self.case.uuid
        today = session.today()

        def work(state):
            db = session.worker_database()
            done, refused = 0, []
            try:
                for i, p in enumerate(paths):
                    state.progress(i, len(paths), f"Đang đính kèm {p.name}…")
                    if state.cancelled:
                        break
                    try:
                        attach.attach_file(db, p, case_uuid=case_uuid, today=today)
                        done += 1
                    except UserError as exc:
                        refused.append(exc.message)
            finally:
                db.close()
            return done, refused

        def finished(result) -> None:
            done, refused = result
            session.notify_changed()
            if self.case is not None:
                self.show_case(self.case)
            if refused:
                show_user_error(self, UserError("attach_refused", "\n".join(refused)))
            self.attached.emit(done)

        session.tasks.run(work, title="Đang đính kèm tệp…", on_done=finished, parent=self)

    # -- reading and printing ------------------------------------------------------------------
    def open_selected(self) -> None:
        row = self.table.currentRow()
        if not (0 <= row < len(self.rows)):
            return
        a = self.rows[row]
        try:
            folder = Path(tempfile.mkdtemp(prefix="giaitrinh-"))
            path = attach.save_copy(self.session.db, a.uuid, folder / a.file_name)
        except UserError as exc:
            show_user_error(self, exc)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def save_pdf(self, which: str):
        from desktop.documents.case_file import case_file_pdf
        from desktop.documents.satisfaction_slip import slip_pdf

        if self.case is None:
            return
        stem = "ho-so" if which == "case_file" else "phieu-lay-y-kien"
        default = f"{stem}-{self.case.number}.pdf"   # file_dialogs turns its "/" into "-"
        name = file_dialogs.save_file(self, "Lưu tệp PDF để in", "documents", default, "PDF (*.pdf)")
        if not name:
            return None
        make = case_file_pdf if which == "case_file" else slip_pdf
        case_uuid, today, target = self.case.uuid, self.session.today(), Path(name)
        # on the session's writer (issue #20): the slip gives the case its lookup code the first time
        return self.session.writer.save(lambda db: target.write_bytes(make(db, case_uuid, today=today)),
                                        on_done=lambda _n: QDesktopServices.openUrl(QUrl.fromLocalFile(name)),
                                        on_error=lambda exc: report(self, exc))
