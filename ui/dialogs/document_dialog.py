""""Soạn văn bản": the documents a case's state calls for, previewed, edited, issued, printed.

Self-contained: give it the window's session and a case uuid. On the left, the documents the case's
state calls for and those already drafted or issued; on the right, the free text the clerk may
edit (summary, body — one paragraph per line — and "Nơi nhận"), the signer, and the preview drawn
by the core (``QPdfView``). Issuing gives the number from the outgoing register and links the
file's hash into the case's timeline; an issued document prints and saves exactly as stored.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut, QTransform
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFormLayout, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
    QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout,
    QWidget,
)

from desktop.documents import outgoing
from desktop.documents.model import text_from_paragraphs
from desktop.documents.templates import field_label
from desktop.errors import UserError
from desktop.storage import documents_repo as repo
from ui import file_dialogs
from ui.errors import report
from ui.tasks import Cancelled
from ui.widgets.screen import fit_to_screen
from ui.writer import SAVING_TEXT

log = logging.getLogger(__name__)

STATUS = {"draft": "dự thảo", "issued": "đã ban hành", "void": "đã hủy số"}
KIND_ROLE = Qt.ItemDataRole.UserRole
DOC_ROLE = Qt.ItemDataRole.UserRole + 1


def _load(data: bytes) -> tuple[QPdfDocument, QBuffer]:
    pdf, buffer = QPdfDocument(), QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    pdf.load(buffer)
    if pdf.pageCount() == 0:
        raise UserError("print_failed", "Tệp văn bản không đọc được để in.")
    return pdf, buffer


# Pages are painted as images at most this fine: sharp text on an office printer, about 35 MB
# for an A4 page. A printer reporting 1,200 dpi would otherwise need about 550 MB a page.
PRINT_DPI = 300


def print_pdf(printer: QPrinter, *files: bytes, state=None) -> int:
    """Paint every page of one or more PDFs as one print job; returns the pages printed.

    The job takes the first page's orientation: a printer cannot change it in the middle of a
    job, so a page of the other orientation (a landscape register sheet among portrait replies)
    is turned a quarter left onto the paper, as printers do. ``state`` (a ``ui.tasks.TaskState``)
    reports progress per page and stops on cancel, asking the printer to drop the job (the
    Windows spooler does; a PDF file or CUPS keeps the pages already painted). Painting on a
    QPrinter is allowed off the GUI thread, so a batch runs in the background helper.
    """
    loaded = [_load(data) for data in files]   # keep buffers alive while painting
    total = sum(pdf.pageCount() for pdf, _ in loaded)
    landscape = _is_landscape(loaded[0][0].pagePointSize(0))
    ask_for_a4(printer)
    printer.setFullPage(True)   # the PDF already holds the decree's margins
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("print_failed", "Không mở được máy in.")
    dpi = min(printer.resolution(), PRINT_DPI)
    pages = 0
    try:
        for pdf, _ in loaded:
            for index in range(pdf.pageCount()):
                if state is not None:
                    state.check()
                    state.progress(pages, total, f"Đang in trang {pages + 1}/{total}")
                if pages:
                    printer.newPage()
                image = page_image(pdf, index, dpi, landscape=landscape)
                painter.drawImage(fit_evenly(image.size(), painter.viewport()), image)
                pages += 1
    except Cancelled:
        printer.abort()
        raise
    finally:
        if painter.isActive():
            painter.end()
    return pages


def ask_for_a4(printer: QPrinter) -> bool:
    """Tell the printer the paper is A4 (NĐ 30/2020/NĐ-CP, Phụ lục I; DOMAIN.md §5); True
    when it took it. Windows printers often default to Letter; one that has no A4 keeps its own
    paper and the page is scaled evenly onto it (``fit_evenly``)."""
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    taken = printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
    if not taken:
        log.warning("printer %r has no A4 paper; scaling the A4 pages evenly onto %s",
                    printer.printerName(), printer.pageLayout().pageSize().name())
    return taken


def fit_evenly(page: QSize, area: QRect) -> QRect:
    """The largest rectangle of ``page``'s proportions centred in ``area``: an A4 page on Letter
    paper shrinks a little and keeps its shape (stretching it to fill the sheet distorted text and
    the national emblem's layout by 8.7 %)."""
    if page.isEmpty():
        return QRect(area)
    scale = min(area.width() / page.width(), area.height() / page.height())
    w, h = round(page.width() * scale), round(page.height() * scale)
    return QRect(area.x() + (area.width() - w) // 2, area.y() + (area.height() - h) // 2, w, h)


def _is_landscape(size) -> bool:
    return size.width() > size.height()


def page_image(pdf: QPdfDocument, index: int, dpi: int, *, landscape: bool) -> QImage:
    """Page ``index`` rendered at ``dpi``, turned a quarter left when its orientation is not the job's."""
    size = pdf.pagePointSize(index)
    image = pdf.render(index, QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72)))
    if _is_landscape(size) != landscape:
        image = image.transformed(QTransform().rotate(-90))
    return image


def print_day_in_background(parent: QWidget | None, session, day: date, printer: QPrinter | None = None):
    """Batch from the main window: every document issued on ``day``, one print job, painted by
    the window's background helper (progress, cancel) so the window never freezes. Returns the
    task, or None when there is nothing to print or the clerk cancelled the print dialog."""
    records = outgoing.issued_on_day(session.db, day)
    if not records:
        QMessageBox.information(parent, "In văn bản", f"Không có văn bản nào ban hành ngày {day:%d/%m/%Y}.")
        return None
    files = [outgoing.render(session.db, r.uuid, "pdf") for r in records]  # issued: the stored PDFs
    from ui.printing import ask_file_name, print_documents

    if printer is None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, parent).exec() != QDialog.DialogCode.Accepted:
            return None
    where = ask_file_name(printer, parent)
    if where is None:
        return None
    # The stored PDFs' pages as they are where the printer takes a PDF; painted only where it must.
    return session.tasks.run(lambda state: print_documents(printer, *files, state=state, **where),
                             title=f"Đang in {len(files)} văn bản ban hành ngày {day:%d/%m/%Y}…", parent=parent)


class DocumentDialog(QDialog):
    """Reads on the window's connection; every write — draft, edit, issue, void, discard — runs on
    the session's writer (``ui/writer.py``, issue #20): "Đang lưu…" after 150 ms, the buttons
    greyed meanwhile, a refusal shown over the form as typed. ``pending`` is the write in flight.

    The documents of a case, or (``case_uuid=None, reception_uuid=…``) of a reception that opened
    no case: the receipt of the papers handed in and the written notice of a refusal to receive
    (NĐ 154/2026 Art. 4(3))."""

    def __init__(self, session, case_uuid: str | None, parent: QWidget | None = None, *,
                 today: date | None = None, select: str | None = None, draft_kind: str | None = None,
                 reception_uuid: str | None = None) -> None:
        super().__init__(parent)
        from desktop.storage.cases import get_case
        from desktop.storage.receptions import get_reception

        self.session = session
        db = self.db = session.db
        self.today = today or session.today()
        self.pending = None                     # the write in flight on the session's writer
        self.case = get_case(db, case_uuid) if case_uuid else None
        self.reception = get_reception(db, reception_uuid) if self.case is None and reception_uuid else None
        if self.case is None and self.reception is None:
            raise ValueError("a case or a reception")
        self.current: str | None = None        # uuid of the document being shown
        self._pdf_bytes = b""
        self.setWindowTitle(f"Soạn văn bản — vụ việc số {self.case.number}" if self.case else
                            f"Soạn văn bản — lượt tiếp công dân ngày {self.reception.received_on:%d/%m/%Y}")
        fit_to_screen(self, 1320, 800)   # the buttons stay on a 1366×768 screen
        self.performed: list[str] = []    # steps the issued documents performed ("accept")
        QShortcut(QKeySequence(Qt.Key.Key_F1), self, self._help)

        self.kinds = QListWidget()
        self.kinds.itemDoubleClicked.connect(lambda _: self.draft_selected())
        self.documents = QListWidget()
        self.documents.currentItemChanged.connect(lambda item, _: self.show_document(item.data(DOC_ROLE))
                                                  if item else None)
        draft_button = QPushButton("Soạn dự thảo")
        draft_button.clicked.connect(self.draft_selected)
        left = QVBoxLayout()
        left.addWidget(QLabel("Văn bản cần cho vụ việc:" if self.case else "Văn bản của lượt tiếp:"))
        left.addWidget(self.kinds, 2)
        left.addWidget(draft_button)
        left.addWidget(QLabel("Văn bản đã soạn, đã ban hành:"))
        left.addWidget(self.documents, 3)

        self.summary = QLineEdit()
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText("Mỗi dòng là một đoạn văn.")
        self.recipients = QPlainTextEdit()
        self.recipients.setMaximumHeight(90)
        self.signer = QComboBox()
        from desktop.storage.units import signers

        for officer in signers(db):
            self.signer.addItem(f"{officer.full_name} — {officer.title}", officer.uuid)
        form = QFormLayout()
        form.addRow("Trích yếu:", self.summary)
        form.addRow("Người ký:", self.signer)
        form.addRow("Nội dung:", self.body)
        form.addRow("Nơi nhận:", self.recipients)
        self.fields_box = QWidget()
        self.fields_form = QFormLayout(self.fields_box)
        self.fields_form.setContentsMargins(0, 0, 0, 0)
        self.fields_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # label above its box
        self.field_edits: dict[str, QPlainTextEdit] = {}
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)

        self.buttons = {}
        row = QHBoxLayout()
        for key, text, slot in (("save", "Lưu dự thảo", self.save_draft), ("preview", "Xem trước", self.refresh),
                                ("issue", "Cấp số, ban hành", self.issue_current), ("print", "In…", self.print_current),
                                ("pdf", "Lưu PDF…", lambda: self.save_as_dialog("pdf")),
                                ("docx", "Lưu DOCX…", lambda: self.save_as_dialog("docx")),
                                ("discard", "Bỏ dự thảo", self.discard_current),
                                ("void", "Hủy số…", self.void_dialog)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons[key] = button
            row.addWidget(button)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        row.addStretch(1)
        self.saving = QLabel(SAVING_TEXT)      # shown by the writer when a write outlasts 150 ms
        self.saving.hide()
        row.addWidget(self.saving)
        row.addWidget(close)

        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.addWidget(self.state_label)
        editor_layout.addWidget(self.fields_box)
        editor_layout.addLayout(form)
        self.pdf = QPdfDocument(self)
        self._buffer = QBuffer(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.pdf)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        split = QSplitter()
        side = QWidget()
        side.setLayout(left)
        split.addWidget(side)
        split.addWidget(editor)
        split.addWidget(self.view)
        split.setSizes([260, 420, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(row)
        self.reload(select=select)
        if draft_kind:
            self.draft_kind(draft_kind)

    def _help(self) -> None:
        from ui.dialogs.help import open_help

        self.help_window = open_help("van-ban", self)

    def draft_kind(self, kind: str) -> None:
        """Draft ``kind`` at once (the step dialog's "soạn văn bản" offer), unless it is not offered."""
        for i in range(self.kinds.count()):
            if self.kinds.item(i).data(KIND_ROLE) == kind:
                self.kinds.setCurrentRow(i)
                self.draft_selected()
                return

    # -- lists ---------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        self.kinds.clear()
        offered = (outgoing.offered(self.db, self.case.uuid) if self.case else
                   outgoing.offered_for_reception(self.db, self.reception.uuid))
        for t in offered:
            item = QListWidgetItem(t.label)
            item.setData(KIND_ROLE, t.kind)
            item.setToolTip("Căn cứ: " + "; ".join(t.legal_basis))
            self.kinds.addItem(item)
        if self.kinds.count():
            self.kinds.setCurrentRow(0)
        self.documents.blockSignals(True)
        self.documents.clear()
        documents = (repo.list_documents(self.db, case_uuid=self.case.uuid) if self.case else
                     repo.list_documents(self.db, reception_uuid=self.reception.uuid))
        for r in documents:
            number = r.symbol or "Dự thảo"
            item = QListWidgetItem(f"{number} — {r.label} ({STATUS[r.status]})")
            item.setData(DOC_ROLE, r.uuid)
            self.documents.addItem(item)
            if r.uuid == (select or self.current):
                self.documents.setCurrentItem(item)
        self.documents.blockSignals(False)
        self.show_document(select or self.current)

    # -- writing, on the session's writer ---------------------------------------------------------
    def _write(self, write, done) -> bool:
        """``write(db)`` on the writer (values read before, here); ``done(result)`` on the GUI
        thread after it. A failure is reported over the dialog as it is. False when a write is
        already in flight."""
        if self.pending is not None:
            return False
        enabled = {key: b.isEnabled() for key, b in self.buttons.items()}
        for b in self.buttons.values():
            b.setEnabled(False)

        def settle() -> None:
            self.pending = None
            for key, b in self.buttons.items():
                b.setEnabled(enabled[key])

        def finished(result) -> None:
            settle()
            done(result)

        def failed(exc: BaseException) -> None:
            settle()
            report(self, exc)

        def job(db):   # one transaction, whatever the write calls
            with db.write():
                return write(db)

        self.pending = self.session.writer.save(job, on_done=finished, on_error=failed, indicator=self.saving,
                                                parent=self)
        return True

    def done(self, result: int) -> None:  # noqa: D401 - Qt
        """"Đóng" while a write is in flight: the dialog waits for it (its result comes back here)."""
        if self.pending is not None:
            return
        super().done(result)

    def draft_selected(self) -> bool:
        item = self.kinds.currentItem()
        if item is None:
            return False
        kind, signer = item.data(KIND_ROLE), self.signer.currentData()
        if self.case:
            case_uuid = self.case.uuid
            return self._write(lambda db: outgoing.draft(db, case_uuid, kind, signer_uuid=signer),
                               lambda record: self.reload(select=record.uuid))
        reception_uuid = self.reception.uuid
        return self._write(lambda db: outgoing.draft_reception(db, reception_uuid, kind, signer_uuid=signer),
                           lambda record: self.reload(select=record.uuid))

    # -- one document ----------------------------------------------------------------------------
    def show_document(self, uuid: str | None) -> None:
        self.current = uuid
        record = repo.get_document(self.db, uuid) if uuid else None
        editable = bool(record and record.is_draft)
        for widget in (self.summary, self.body, self.recipients, self.signer):
            widget.setEnabled(editable)
        from desktop.security.principal import may

        self.buttons["save"].setEnabled(editable)
        # numbering and voiding are the head's (document.issue / document.void): not offered to others
        may_issue, may_void = may(self.db, "document.issue"), may(self.db, "document.void")
        self.buttons["issue"].setEnabled(editable and may_issue)
        self.buttons["issue"].setToolTip("" if may_issue else "Chỉ người có thẩm quyền ký (Chủ tịch, Phó Chủ tịch) "
                                         "cấp số, ban hành.")
        for key in ("preview", "print", "pdf", "docx"):
            self.buttons[key].setEnabled(record is not None)
        # only an issued number is voided (with a reason); a draft, never numbered, is discarded
        self.buttons["void"].setEnabled(bool(record and record.status == "issued") and may_void)
        self.buttons["discard"].setEnabled(editable)
        self._show_fields(record)
        if record is None:
            self.state_label.setText("Chọn một văn bản cần soạn rồi bấm “Soạn dự thảo”.")
            for w in (self.summary, self.body, self.recipients):
                w.clear()
            self._load_pdf(b"")
            return
        doc = record.document
        self.summary.setText(doc.summary)
        self.body.setPlainText(text_from_paragraphs(doc.body))
        self.recipients.setPlainText("\n".join(doc.recipients))
        index = self.signer.findData(doc.signer.officer_uuid if doc.signer else None)
        if index >= 0:
            self.signer.setCurrentIndex(index)
        if record.status == "issued":
            text = f"Số {record.symbol}, ban hành ngày {record.issued_on:%d/%m/%Y}. Văn bản đã ban hành không sửa được."
        elif record.status == "void":
            text = f"Số {record.symbol} đã hủy: {record.void_reason}"
        else:
            text = "Dự thảo: chưa có số. Sau khi người có thẩm quyền ký, bấm “Cấp số, ban hành”."
        self.state_label.setText(f"{record.label}. {text}")
        self.refresh()

    def _show_fields(self, record) -> None:
        """The document's own content (a reply's legal basis and explanation …), one box each."""
        while self.fields_form.rowCount():
            self.fields_form.removeRow(0)
        self.field_edits = {}
        values = (record.document.meta or {}).get("fields", {}) if record else {}
        for name, value in values.items():
            edit = QPlainTextEdit(value)
            edit.setFixedHeight(64)
            edit.setEnabled(record.is_draft)
            self.field_edits[name] = edit
            self.fields_form.addRow(field_label(name) + ":", edit)
        self.fields_box.setVisible(bool(values))

    def _typed_draft(self):
        """The draft as typed, read now: ``(apply(db), fields_changed)``. Changed fields fill the
        template again (the body follows them); else the free text is stored as typed."""
        uuid, signer = self.current, self.signer.currentData()
        record = repo.get_document(self.db, uuid)
        stored = (record.document.meta or {}).get("fields", {})
        fields = {name: edit.toPlainText() for name, edit in self.field_edits.items()}
        if fields and fields != stored:
            return (lambda db: outgoing.edit(db, uuid, fields=fields, signer_uuid=signer)), True
        summary, body, recipients = self.summary.text(), self.body.toPlainText(), self.recipients.toPlainText()
        return (lambda db: outgoing.edit(db, uuid, summary=summary, body_text=body, recipients=recipients.splitlines(),
                                         signer_uuid=signer)), False

    def save_draft(self) -> bool:
        """Store the draft as typed (on the writer); True when the write was started."""
        if not self.current:
            return False
        try:
            apply, refilled = self._typed_draft()
        except Exception as exc:  # noqa: BLE001
            report(self, exc)
            return False
        uuid = self.current
        # refilled fields: the body shown comes from the template again; else only the preview
        return self._write(apply, lambda _record: self.show_document(uuid) if refilled else self.refresh())

    def refresh(self) -> None:
        if not self.current:
            return
        try:
            self._load_pdf(outgoing.render(self.db, self.current, "pdf"))
        except Exception as exc:  # noqa: BLE001
            report(self, exc)

    def _load_pdf(self, data: bytes) -> None:
        self._pdf_bytes = data
        self.pdf.close()
        self._buffer.close()
        self._buffer.setData(QByteArray(data))
        if data:
            self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.pdf.load(self._buffer)

    def issue_current(self, *, confirm: bool = True) -> bool:
        """Number and issue the document shown, a draft stored as typed first, in one write on the
        session's writer; True when the write was started."""
        if not self.current or self.pending is not None:
            return False
        record = repo.get_document(self.db, self.current)
        if confirm and QMessageBox.question(
                self, "Cấp số văn bản",
                "Cấp số cho văn bản này trong sổ đăng ký văn bản đi?\n"
                "Chỉ cấp số sau khi người có thẩm quyền đã ký. Số đã cấp không dùng lại được.") \
                != QMessageBox.StandardButton.Yes:
            return False
        from desktop.workflow.documents_flow import issue_document

        try:
            apply = self._typed_draft()[0] if record.is_draft else None
        except Exception as exc:  # noqa: BLE001
            report(self, exc)
            return False
        uuid, today = self.current, self.today

        def write(db):   # the draft as typed and its number: both or neither (one transaction)
            if apply is not None:
                apply(db)
            return issue_document(db, uuid, today=today, issued_on=today)

        return self._write(write, self._issued)

    def _issued(self, result) -> None:
        record, performed = result
        if performed:
            self.performed.append(performed)
        self.reload()
        if performed == "accept" and self.case is not None:
            from desktop.storage.cases import get_case
            from desktop.workflow.engine import rules_of

            self.case = get_case(self.db, self.case.uuid)
            self.state_label.setText(f"{self.state_label.text()}\nĐã ghi bước “{rules_of(self.case).actions['accept'].label}” "
                                     f"ngày {record.issued_on:%d/%m/%Y} theo văn bản số {record.symbol}.")

    def void_current(self, reason: str) -> bool:
        if not self.current:
            return False
        uuid, today = self.current, self.today
        return self._write(lambda db: outgoing.void(db, uuid, reason, on=today), lambda _r: self.reload())

    def discard_current(self) -> bool:
        if not self.current:
            return False
        if QMessageBox.question(self, "Bỏ dự thảo", "Xóa dự thảo này? Dự thảo chưa có số nên không ảnh hưởng sổ "
                                "đăng ký văn bản đi.") != QMessageBox.StandardButton.Yes:
            return False
        uuid = self.current

        def discarded(_result) -> None:
            self.current = None
            self.reload()

        return self._write(lambda db: outgoing.discard(db, uuid), discarded)

    def void_dialog(self) -> None:
        if not self.current:
            return
        reason, ok = QInputDialog.getText(self, "Hủy số văn bản", "Lý do hủy (số đã hủy không dùng lại):")
        if ok:
            self.void_current(reason)

    # -- files and paper --------------------------------------------------------------------------
    def save_as(self, path: Path, fmt: str) -> Path:
        data = outgoing.render(self.db, self.current, fmt)
        from desktop.storage.disks import write_file

        return write_file(Path(path), data)   # a PDF open in Acrobat: retried, then a Vietnamese message

    def save_as_dialog(self, fmt: str) -> None:
        if not self.current:
            return
        record = repo.get_document(self.db, self.current)
        name = (record.symbol or "du-thao") + f".{fmt}"   # file_dialogs turns its "/" into "-"
        filters = {"pdf": "Tệp PDF (*.pdf)", "docx": "Tệp Word (*.docx)"}
        path = file_dialogs.save_file(self, "Lưu văn bản", "documents", name, filters[fmt])
        if path:
            try:
                self.save_as(Path(path), fmt)
            except Exception as exc:  # noqa: BLE001
                report(self, exc)

    def print_to(self, printer: QPrinter, **where) -> int:
        from ui.printing import print_documents

        return print_documents(printer, self._pdf_bytes or outgoing.render(self.db, self.current, "pdf"), **where)

    def print_current(self) -> None:
        if not self.current:
            return
        from ui.printing import ask_and_print

        ask_and_print(self, self.print_to)
