"""Công khai kết quả: choose the period, see the list and what is hidden, make the files.

Nothing of it runs on the GUI thread (issue #20): the preview reads the register on a worker with
its own connection; making the notice (its files, the publication and each case's publish step,
one transaction) runs on the session's writer, with "Đang lưu…" after 150 ms."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QVBoxLayout)

from desktop.errors import UserError
from desktop.publication import notice as notice_mod
from desktop.publication.publish import make, parse_period
from ui import file_dialogs
from ui.dialogs.guarded import OnWriter

log = logging.getLogger(__name__)


class PublishDialog(QDialog, OnWriter):
    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Công khai kết quả giải quyết")
        self.resize(820, 560)
        today = session.today()
        quarter = (today.month - 1) // 3
        default = f"Q{quarter}/{today.year}" if quarter else f"Q4/{today.year - 1}"
        self.period = QLineEdit(default, placeholderText="03/2026, Q1/2026, 6T/2026, 2026 hoặc 01/01/2026-31/03/2026")
        self.folder = QLineEdit(str(Path.home() / "cong-khai"))
        choose = QPushButton("Chọn…")
        choose.clicked.connect(self.choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        form = QFormLayout()
        form.addRow("Kỳ công khai:", self.period)
        form.addRow("Thư mục ghi tệp:", row)
        self.preview_button = QPushButton("Xem trước")
        self.preview_button.clicked.connect(self.preview)
        self.make_button = QPushButton("Lập thông báo (PDF, CSV, HTML)")
        self.make_button.clicked.connect(self.make)
        self.text = QPlainTextEdit(readOnly=True)
        self.message = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.make_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.saving_label())   # "Đang lưu…" while the notice is made on the writer
        lay.addWidget(close)
        self.made = None
        self.previewing = None   # the preview's task on the worker, while it runs

    def reject(self) -> None:
        if self.pending is None:   # "Đóng" while the notice is being made: its result comes back here
            super().reject()

    def choose(self) -> None:
        folder = file_dialogs.folder(self, "Chọn thư mục ghi thông báo công khai", "publication", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _show_error(self, exc: UserError) -> None:
        self.message.setStyleSheet("color: #b00020")
        self.message.setText(exc.message)

    def preview(self) -> bool:
        """The notice as it would be, read on a worker (its own connection); False if not started."""
        try:
            start, end = parse_period(self.period.text())
        except UserError as exc:
            self._show_error(exc)
            return False
        if self.previewing is not None:
            return False
        session = self.session

        def read(_state):
            db = session.worker_database()
            try:
                return notice_mod.collect(db, start, end)
            finally:
                db.close()

        focused = self.preview_button.hasFocus()   # greyed, it passes the focus to "Lập thông báo"

        def settle() -> None:
            self.previewing = None
            self.preview_button.setEnabled(True)
            if focused:
                self.preview_button.setFocus()   # a second Space previews again, it does not publish

        def failed(exc: BaseException) -> None:
            settle()
            if isinstance(exc, UserError):
                self._show_error(exc)
            else:
                from ui.errors import report

                report(self, exc)

        self.preview_button.setEnabled(False)
        self.previewing = session.tasks.run(read, title="Đang đọc sổ…", on_done=lambda n: (settle(), self._shown(n)),
                                            on_error=failed, parent=self, show_progress=False)
        return True

    def _shown(self, n) -> None:
        lines = [f"{len(n.rows)} vụ việc {n.period_text}:"]
        lines += [f"{i}. {r.number} — {r.requester} — {r.summary} — {r.result}" for i, r in enumerate(n.rows, 1)]
        if n.redactor.removals:
            lines += ["", "Đã ẩn (không xuất hiện trong thông báo):"]
            lines += [f"  {r.where}: “{r.removed}” — {r.reason}" for r in n.redactor.removals]
        self.text.setPlainText("\n".join(lines))
        self.message.setStyleSheet("")
        self.message.setText("Xem trước: chưa ghi gì.")

    def make(self) -> bool:
        """The files and the publication, on the session's writer; False if not started."""
        try:
            start, end = parse_period(self.period.text())
        except UserError as exc:
            self._show_error(exc)
            return False
        folder, today = Path(self.folder.text()), self.session.today()
        return self.save_on_writer(lambda db: make(db, start, end, folder, today=today), done=self._made,
                                   refused=self._refused, button=self.make_button)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self._show_error(exc)
        else:
            from ui.errors import report

            report(self, exc)

    def _made(self, made) -> None:
        self.made = made
        self.message.setStyleSheet("")
        self.message.setText(f"Đã lập thông báo công khai {self.made.listed} vụ việc "
                             f"({self.made.newly_published} lần đầu): " + ", ".join(p.name for p in self.made.files))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.made.files[0].parent)))
