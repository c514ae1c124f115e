"""Printed registers from the window: chosen book and period, preview, save PDF, print."""

from __future__ import annotations

from datetime import date

import pdfplumber
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from desktop.storage.persons import save_person
from desktop.workflow.receive import ReceptionInput, record_reception

TODAY = date(2026, 3, 2)


def test_reception_register_previewed_saved_and_printed(qtbot, window, session, tmp_path):
    person = save_person(session.db, full_name="Trần Thị Đức", address="Thôn Đông")
    record_reception(session.db, ReceptionInput(received_on=TODAY, person_uuid=person.uuid,
                                                content="Phản ánh đường liên thôn sạt lở"), today=TODAY)
    d = window.register_print_dialog()
    qtbot.addWidget(d)
    assert d.book.currentText() == "Sổ tiếp công dân" and d.preset.currentText() == "Hôm nay"
    assert d.pdf.status() == QPdfDocument.Status.Ready and d.pdf.pageCount() >= 1
    with pdfplumber.open(d.save_pdf(tmp_path / "so.pdf")) as pdf:
        text = pdf.pages[0].extract_text()
    assert "Trần Thị Đức" in text and "Phản ánh đường liên" in text and "SỔ TIẾP CÔNG DÂN" in text
    d.preset.setCurrentIndex(d.preset.findData("year"))
    assert d.start.date().toString("dd/MM/yyyy") == "01/01/2026" and "01/01/2026" in d.status.text()
    d.book.setCurrentIndex(d.book.findData("outgoing"))
    assert "văn bản đi" in d.status.text()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert d.print_to(printer) == d.pdf.pageCount()
    assert (tmp_path / "printed.pdf").stat().st_size > 1000
    assert window.act_print_register.shortcut().toString() == "Ctrl+Shift+P"


def test_save_pdf_offers_the_documents_folder_and_says_where_it_went(qtbot, window, session, tmp_path, monkeypatch):
    """"Lưu PDF…" opens in the Documents folder (it opened in the program's own folder: on
    Windows the install folder), and after saving the dialog says where the file went."""
    from PySide6.QtCore import QStandardPaths, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    from pathlib import Path

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    documents = documents if documents and Path(documents).is_dir() else str(Path.home())
    monkeypatch.chdir(tmp_path)
    d = window.register_print_dialog()
    qtbot.addWidget(d)
    seen = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.directory().absolutePath())
        box.selectFile(str(tmp_path / "so.pdf"))
        box.accept()

    QTimer.singleShot(20, answer)
    qtbot.mouseClick(d.buttons["pdf"], Qt.MouseButton.LeftButton)
    assert seen and seen[0].rstrip("/") == str(documents).rstrip("/")
    assert (tmp_path / "so.pdf").stat().st_size > 1000
    assert "Đã lưu" in d.status.text() and "so.pdf" in d.status.text()
