"""Sync dialogs: export a bundle (commune), preview then import a bundle (province), register a
key with its fingerprint and a printable slip, import a receipt. Mounted by ``install_menu``.

Long work runs through the session's ``TaskRunner`` on a worker connection; the core sees a
Qt-free ``desktop.sync.progress.Progress`` tied to the task's cancel button. Expected failures
(``UserError``) show in the dialog itself, in red, so nothing typed is lost.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from desktop.errors import UserError
from desktop.storage import sync_repo
from desktop.sync import export, importer, keys, receipts
from desktop.sync.merge import CATEGORIES
from desktop.sync.progress import Progress
from ui import file_dialogs
from ui.dialogs.guarded import OnWriter
from ui.labels import table_label
from ui.errors import report

log = logging.getLogger(__name__)


def core_progress(state) -> Progress:
    """A core ``Progress`` driven by a ``ui.tasks.TaskState`` (progress out, cancel in)."""

    class _Bridge(Progress):
        @property
        def cancelled(self) -> bool:
            return state.cancelled or super().cancelled

        def check(self) -> None:
            if state.cancelled:
                self.cancel()
            super().check()

    return _Bridge(state.progress)


def _path_row(edit: QLineEdit, choose) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    button = QPushButton("Chọn…")
    button.clicked.connect(choose)
    row.addWidget(button)
    return row


class _SyncDialog(QDialog):
    """Shared parts: a passphrase field, an error line, and running work in the background."""

    failed = Signal(object)

    def __init__(self, session, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(title)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("để trống: khóa được mở bằng đăng nhập, hoặc sổ sẽ hỏi khi cần")
        self.message = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.task = None

    def secret(self) -> str | None:
        """The typed passphrase, else the one the login protects, else asked in a dialog (never an
        environment variable, issue #17); None when the person cancelled."""
        from ui.dialogs.passphrase_dialog import sync_passphrase

        return self.passphrase.text() or sync_passphrase(self.session, self)

    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.message.setStyleSheet("color: #b00020")
            self.message.setText(exc.message)
        else:
            report(self, exc)
        self.failed.emit(exc)

    def show_info(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def run(self, title: str, fn, on_done) -> None:
        """Run ``fn(db, progress)`` on a worker connection."""
        session = self.session

        def work(state):
            db = session.worker_database()
            try:
                return fn(db, core_progress(state))
            finally:
                db.close()

        self.show_info(title)
        self.task = session.tasks.run(work, title=title, on_done=on_done, on_error=self.show_error, parent=self)


class ExportDialog(_SyncDialog):
    exported = Signal(object)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, "Xuất gói gửi tỉnh", parent)
        self.folder = QLineEdit()
        self.full = QCheckBox("Xuất toàn bộ (không chỉ phần tỉnh chưa xác nhận)")
        self.label = QLineEdit(placeholderText="ví dụ: 6 tháng đầu năm 2026")
        self.status = QLabel(wordWrap=True)
        form = QFormLayout()
        form.addRow("Thư mục lưu (ổ USB):", _path_row(self.folder, self._choose))
        form.addRow("Tên kỳ:", self.label)
        form.addRow("", self.full)
        form.addRow("Cụm mật khẩu:", self.passphrase)
        self.button = QPushButton("Xuất gói")
        self.button.clicked.connect(self.start)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addLayout(form)
        lay.addWidget(self.button)
        lay.addWidget(self.message)
        lay.addWidget(close)
        self._refresh()

    def _refresh(self) -> None:
        last = sync_repo.last_outbox(self.session.db)
        if last is None:
            self.status.setText("Chưa xuất gói nào. Gói đầu tiên chứa toàn bộ dữ liệu của xã.")
        else:
            ack = f"tỉnh đã xác nhận ngày {last['acknowledged_at'][:10]}" if last["acknowledged_at"] else \
                "tỉnh chưa gửi biên nhận"
            self.status.setText(f"Gói gần nhất: số {last['seq']}, lập ngày {last['created_at'][:10]} ({ack}).")

    def _choose(self) -> None:
        folder = file_dialogs.folder(self, "Chọn thư mục lưu gói", "bundles", self.folder.text().strip())
        if folder:
            self.folder.setText(folder)

    def start(self) -> None:
        if not self.folder.text().strip():
            self.show_error(UserError("no_folder", "Hãy chọn thư mục lưu gói (ví dụ ổ USB)."))
            return
        out, full, label, secret = Path(self.folder.text().strip()), self.full.isChecked(), \
            self.label.text().strip(), self.secret()
        if secret is None:
            return
        self.button.setEnabled(False)
        self.run("Đang xuất gói…", lambda db, p: export.export_bundle(
            db, out, full=full, passphrase=secret, period_label=label, progress=p), self._done)

    def show_error(self, exc: BaseException) -> None:
        self.button.setEnabled(True)
        super().show_error(exc)

    def _done(self, result) -> None:
        self.button.setEnabled(True)
        self.show_info(f"Đã xuất gói số {result.sequence} ({result.total} bản ghi) vào {result.path}. "
                       "Hãy mang tệp này lên tỉnh và nhập biên nhận tỉnh gửi lại.")
        self._refresh()
        self.exported.emit(result)


class ImportDialog(_SyncDialog):
    """Province: choose a bundle, preview it (dry run), then apply it and write the receipt."""

    previewed = Signal(object)
    applied = Signal(object)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, "Nhập gói của xã", parent)
        self.file = QLineEdit()
        self.summary = QLabel(wordWrap=True)
        self.table = QTableWidget(0, len(CATEGORIES) + 1)
        self.table.setHorizontalHeaderLabels(["Loại bản ghi"] + [importer.LABELS[c] for c in CATEGORIES])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.details = QPlainTextEdit(readOnly=True)
        self.accept_sequence = QCheckBox("Vẫn nhập dù thiếu gói trước hoặc trùng số thứ tự (đã kiểm tra với xã)")
        self.accept_sequence.setVisible(False)
        self.write_receipt = QCheckBox("Ghi biên nhận vào cùng thư mục với tệp gói", checked=True)
        form = QFormLayout()
        form.addRow("Tệp gói:", _path_row(self.file, self._choose))
        form.addRow("Cụm mật khẩu:", self.passphrase)
        self.preview_button = QPushButton("Xem trước")
        self.apply_button = QPushButton("Nhập vào sổ", enabled=False)
        self.preview_button.clicked.connect(self.preview)
        self.apply_button.clicked.connect(self.apply)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.apply_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.details)
        lay.addWidget(self.accept_sequence)
        lay.addWidget(self.write_receipt)
        lay.addWidget(self.message)
        lay.addWidget(close)
        self.report = None
        self.file.textChanged.connect(lambda _t: self.apply_button.setEnabled(False))

    def _choose(self) -> None:
        name = file_dialogs.open_file(self, "Chọn tệp gói", "bundles", "Gói đồng bộ (*.gtb);;Mọi tệp (*)")
        if name:
            self.file.setText(name)

    def preview(self) -> None:
        path, secret = Path(self.file.text().strip()), self.secret()
        if secret is None:
            return
        self.apply_button.setEnabled(False)
        self.run("Đang kiểm tra và xem trước gói…",
                 lambda db, p: importer.preview(db, path, passphrase=secret, progress=p), self._previewed)

    def _previewed(self, rep) -> None:
        self.report = rep
        self._show_report(rep)
        replay = rep.sequence.status == "replay"
        self.accept_sequence.setVisible(rep.sequence.needs_acceptance)
        self.apply_button.setEnabled(not replay)
        self.show_info("Xem trước — chưa ghi gì vào sổ." + (" Gói này đã được nhập trước đây." if replay else ""))
        self.previewed.emit(rep)

    def _show_report(self, rep) -> None:
        files = f" {importer.files_line(rep.files)}" if rep.files and (rep.files["stored"] or rep.files["held"]) else ""
        self.summary.setText(f"Gói số {rep.sequence_number} của {rep.unit_name or rep.unit_code}. "
                             f"{rep.sequence.message}{files}")
        tables = rep.merge.tables if rep.merge else {}
        self.table.setRowCount(len(tables))
        lines = []
        for row, (name, t) in enumerate(tables.items()):
            self.table.setItem(row, 0, QTableWidgetItem(table_label(name)))  # "vụ việc", not "cases"
            for col, category in enumerate(CATEGORIES, start=1):
                self.table.setItem(row, col, QTableWidgetItem(str(t.counts[category])))
            lines += [f"{name} — {importer.LABELS[c]} {u}: {reason}" for c, u, reason in t.samples]
        self.details.setPlainText("\n".join(lines) or "Không có bản ghi nào cần lưu ý.")

    def apply(self) -> None:
        if self.report is None:
            return
        path, secret = Path(self.file.text().strip()), self.secret()
        if secret is None:
            return
        accept, receipt = self.accept_sequence.isChecked(), self.write_receipt.isChecked()
        self.apply_button.setEnabled(False)

        def work(db, progress):
            rep = importer.apply(db, path, passphrase=secret, accept_sequence=accept, progress=progress)
            rep.receipt = receipts.write_receipt(db, rep.unit_code, path.parent, secret) if receipt else None
            return rep

        self.run("Đang nhập gói vào sổ…", work, self._applied)

    def _applied(self, rep) -> None:
        self._show_report(rep)
        where = f" Biên nhận: {rep.receipt} — gửi lại cho xã." if rep.receipt else ""
        self.show_info(f"Đã nhập gói vào sổ.{where}")
        self.session.notify_changed()
        self.applied.emit(rep)


class KeyDialog(_SyncDialog, OnWriter):
    """Register a commune's key (province) or import the province's key (commune), after
    comparing the fingerprint read over the phone; then print the registration slip."""

    registered = Signal(object)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        province = keys.register_mode(session.db) == "province"
        super().__init__(session, "Đăng ký khóa của xã" if province else "Nhập khóa của tỉnh", parent)
        self.file = QLineEdit()
        self.who = QLabel(wordWrap=True)
        self.fingerprint = QLabel()
        from ui.widgets.fonts import fixed_font

        self.fingerprint.setFont(fixed_font(16, bold=True))   # Consolas on Windows: groups line up
        self.typed = QLineEdit(placeholderText="ABCD-EFGH-IJKL-MNOP")
        self.slip = QPlainTextEdit(readOnly=True)
        self.register_button = QPushButton("Đăng ký khóa", enabled=False)
        self.print_button = QPushButton("In phiếu…", enabled=False)
        self.pdf_button = QPushButton("Lưu phiếu PDF…", enabled=False)
        own = sync_repo.get_own_key(session.db, "signing")
        form = QFormLayout()
        form.addRow("Khóa của sổ này:", QLabel(own.fingerprint if own else "chưa tạo"))
        form.addRow("Tệp khóa nhận được:", _path_row(self.file, self._choose))
        form.addRow("Đơn vị:", self.who)
        form.addRow("Dấu vân tay:", self.fingerprint)
        form.addRow("Dấu vân tay đọc qua điện thoại:", self.typed)
        buttons = QHBoxLayout()
        for b in (self.register_button, self.print_button, self.pdf_button):
            buttons.addWidget(b)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.slip, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.saving_label())   # "Đang lưu…" while the key is registered on the writer
        lay.addWidget(close)
        self.key = None
        self.peer = None  # the key registered by this dialog, for its slip
        self.file.editingFinished.connect(self.load)
        self.typed.textChanged.connect(self._compare)
        self.register_button.clicked.connect(self.register)
        self.print_button.clicked.connect(self.print_slip)
        self.pdf_button.clicked.connect(self._save_pdf)

    def _choose(self) -> None:
        name = file_dialogs.open_file(self, "Chọn tệp khóa", "keys", "Tệp khóa (*.json *.key);;Mọi tệp (*)")
        if name:
            self.file.setText(name)
            self.load()

    def load(self) -> None:
        self.key = None
        try:
            self.key = keys.read_key_file(Path(self.file.text().strip()))
        except UserError as exc:
            self.show_error(exc)
            self.who.clear()
            self.fingerprint.clear()
        else:
            self.who.setText(f"{self.key.unit_name} (mã {self.key.unit_code})")
            self.fingerprint.setText(self.key.fingerprint)
            self.show_info("Hãy gọi điện cho đơn vị gửi khóa, nhờ họ đọc dấu vân tay và gõ vào ô bên dưới.")
        self._compare()

    def _compare(self) -> None:
        same = bool(self.key) and keys.normalise_fingerprint(self.typed.text()) == self.key.fingerprint
        self.register_button.setEnabled(same and self.pending is None)

    def reject(self) -> None:
        if self.pending is None:   # "Đóng" while the key is being registered: its result comes back here
            super().reject()

    def register(self) -> bool:
        """The key registered on the session's writer (issue #20); the slip is shown after it."""
        key, typed = self.key, self.typed.text()
        return self.save_on_writer(lambda db: keys.import_key_file(db, key, expect_fingerprint=typed),
                                   done=self._registered, refused=self.show_error, button=self.register_button)

    def _registered(self, peer) -> None:
        self.peer = peer
        self.slip.setPlainText(keys.registration_slip(peer, self.session.actor))
        self.print_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        self.show_info("Đã đăng ký khóa. Hãy in phiếu đăng ký để hai bên ký và lưu.")
        self.registered.emit(peer)

    def slip_pdf(self) -> bytes:
        """The slip in the state format, drawn by the documents engine like every printed paper."""
        from desktop.documents.pdf import render_pdf

        return render_pdf(keys.registration_slip_document(self.session.db, self.peer, self.session.actor))

    def slip_to_pdf(self, path: Path) -> Path:
        from desktop.storage.disks import write_file

        return write_file(path, self.slip_pdf())

    def _save_pdf(self) -> None:
        name = file_dialogs.save_file(self, "Lưu phiếu đăng ký khóa", "keys", "phieu-dang-ky-khoa.pdf", "PDF (*.pdf)")
        if name:
            self.slip_to_pdf(Path(name))

    def print_slip(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from ui.printing import ask_file_name, print_documents

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            where = ask_file_name(printer, self)
            if where is not None:
                print_documents(printer, self.slip_pdf(), **where)


def import_receipt(session, parent: QWidget | None = None, name: str | None = None):
    """The province's receipt checked and noted on the session's writer (issue #20); a refusal is
    shown over ``parent``. Returns the save in flight (None when no file was chosen)."""
    if name is None:
        name = file_dialogs.open_file(parent, "Chọn biên nhận của tỉnh", "bundles", "Biên nhận (*.json);;Mọi tệp (*)")
    if not name:
        return None
    path = Path(name)
    return session.writer.save(lambda db: receipts.import_receipt(db, path), parent=parent,
                               on_done=lambda result: QMessageBox.information(parent, "Sổ Giải trình", result.text()))


def export_own_key(session, parent: QWidget | None = None):
    """The register's public key file, for the province to register. The keys are reached first:
    a login that may not (a leader before the administrator made the keys) is told why before it
    is asked where to write, not after."""
    from ui.dialogs.passphrase_dialog import sync_passphrase

    secret = sync_passphrase(session, parent)
    if secret is None:
        return None
    name = file_dialogs.save_file(parent, "Ghi tệp khóa công khai", "keys", "khoa-cong-khai.json", "JSON (*.json)")
    if not name:
        return None

    def write(db):   # on the writer: the register's keys are made there the first time
        return keys.write_key_file(db, Path(name), secret), keys.own_key(db, "signing").fingerprint

    def written(result) -> None:
        path, fp = result
        QMessageBox.information(parent, "Sổ Giải trình", f"Đã ghi {path}.\nDấu vân tay để đọc qua điện thoại: {fp}")

    return session.writer.save(write, on_done=written, parent=parent)


def install_menu(bar, session, window) -> None:
    """Add the "Đồng bộ" menu to the main window's menu bar."""
    province = keys.register_mode(session.db) == "province"
    menu = bar.addMenu("Đồng bộ")
    window._sync_dialogs = getattr(window, "_sync_dialogs", [])

    def open_dialog(cls):
        dialog = cls(session, window)
        window._sync_dialogs.append(dialog)
        dialog.finished.connect(lambda _r: window._sync_dialogs.remove(dialog))
        dialog.show()

    if province:
        menu.addAction(QAction("Nhập gói của xã…", window, triggered=lambda: open_dialog(ImportDialog)))
        menu.addAction(QAction("Đăng ký khóa của xã…", window, triggered=lambda: open_dialog(KeyDialog)))
    else:
        menu.addAction(QAction("Xuất gói gửi tỉnh…", window, triggered=lambda: open_dialog(ExportDialog)))
        menu.addAction(QAction("Nhập biên nhận của tỉnh…", window, triggered=lambda: import_receipt(session, window)))
        menu.addAction(QAction("Nhập khóa của tỉnh…", window, triggered=lambda: open_dialog(KeyDialog)))
    menu.addSeparator()
    menu.addAction(QAction("Ghi tệp khóa công khai của sổ…", window, triggered=lambda: export_own_key(session, window)))
