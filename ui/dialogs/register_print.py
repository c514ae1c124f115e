"""Printed registers from the window: Sổ tiếp công dân, Sổ theo dõi giải quyết, Sổ đăng ký văn bản
đi for a chosen period — previewed, printed, saved as PDF. The core draws them
(``desktop.documents.registers``, A4 landscape, as the CLI's ``doc register``)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from desktop.documents.registers import render_register
from ui import file_dialogs
from ui.widgets.screen import fit_to_screen
from ui.errors import report
from ui.session import Session
from ui.widgets.form import date_edit, pydate, qdate

log = logging.getLogger(__name__)

BOOKS = {"reception": "Sổ tiếp công dân", "followup": "Sổ theo dõi giải quyết",
         "outgoing": "Sổ đăng ký văn bản đi"}
FILE_NAMES = {"reception": "so-tiep-cong-dan", "followup": "so-theo-doi-giai-quyet", "outgoing": "so-van-ban-di"}


def period(choice: str, today: date) -> tuple[date, date]:
    """The period a preset names: today, this month, this quarter, this year."""
    if choice == "day":
        return today, today
    if choice == "month":
        return today.replace(day=1), today
    if choice == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    return date(today.year, 1, 1), today


class RegisterPrintDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None, *, book: str = "reception") -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("In sổ")
        self.pdf_bytes = b""
        self.book = QComboBox()
        for code, label in BOOKS.items():
            self.book.addItem(label, code)
        self.book.setCurrentIndex(max(0, self.book.findData(book)))
        self.preset = QComboBox()
        for code, label in (("day", "Hôm nay"), ("month", "Tháng này"), ("quarter", "Quý này"), ("year", "Năm nay"),
                            ("custom", "Tự chọn")):
            self.preset.addItem(label, code)
        today = session.today()
        self.start = date_edit(today)
        self.end = date_edit(today)
        self.status = QLabel()
        self.buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        for label, w in (("Sổ:", self.book), ("Kỳ:", self.preset), ("Từ ngày", self.start), ("đến", self.end)):
            top.addWidget(QLabel(label))
            top.addWidget(w)
        top.addStretch(1)
        for key, text, slot in (("preview", "Xem trước", self.refresh), ("print", "In…", self.print_dialog),
                                ("pdf", "Lưu PDF…", self.save_dialog)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            b.setAutoDefault(False)
            self.buttons[key] = b
            top.addWidget(b)
        close = QPushButton("Đóng")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        top.addWidget(close)
        self.pdf = QPdfDocument(self)
        self._buffer = QBuffer(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.pdf)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.view, 1)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.book.currentIndexChanged.connect(lambda _i: self.refresh())
        for w in (self.start, self.end):
            w.dateChanged.connect(self._dates_edited)
        fit_to_screen(self, 1300, 760)
        self._preset_changed()

    # -- period ----------------------------------------------------------------------------------
    def _preset_changed(self) -> None:
        choice = self.preset.currentData()
        if choice != "custom":
            start, end = period(choice, self.session.today())
            for w, d in ((self.start, start), (self.end, end)):
                w.blockSignals(True)
                w.setDate(qdate(d))
                w.blockSignals(False)
        self.refresh()

    def _dates_edited(self) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData("custom"))
        self.preset.blockSignals(False)
        self.refresh()

    def chosen(self) -> tuple[str, date, date]:
        return self.book.currentData(), pydate(self.start.date()), pydate(self.end.date())

    # -- the sheet -------------------------------------------------------------------------------
    def refresh(self) -> None:
        book, start, end = self.chosen()
        try:
            data = render_register(self.session.db, book, start, end)
        except Exception as exc:  # noqa: BLE001 - shown, the dialog stays
            report(self, exc)
            return
        self.pdf_bytes = data
        self.pdf.close()
        self._buffer.close()
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf.load(self._buffer)
        self.status.setText(f"{BOOKS[book]} từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}: {self.pdf.pageCount()} trang "
                            "(khổ A4 ngang).")

    def save_pdf(self, path: Path) -> Path:
        path = Path(path)
        path.write_bytes(self.pdf_bytes)
        return path

    def save_dialog(self) -> None:
        book, start, end = self.chosen()
        name = f"{FILE_NAMES[book]}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
        path = file_dialogs.save_file(self, "Lưu sổ thành PDF", "documents", name, "Tệp PDF (*.pdf)")
        if path:
            try:
                saved = self.save_pdf(Path(path))
            except Exception as exc:  # noqa: BLE001
                report(self, exc)
                return
            self.status.setText(f"Đã lưu {saved}")   # the clerk sees it went somewhere, and where

    def print_to(self, printer: QPrinter, **where) -> int:
        from ui.printing import print_documents

        return print_documents(printer, self.pdf_bytes, **where)  # the sheets as they are where a PDF is taken

    def print_dialog(self) -> None:
        from ui.printing import ask_and_print

        ask_and_print(self, self.print_to)
