"""Settings: the backup folder and "Sao lưu ngay" (SQLite's online backup API, off the UI thread)."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.storage.db import backup_to
from ui.locations import default_backup_dir
from ui.session import Session
from ui.tasks import TaskState

log = logging.getLogger(__name__)

BACKUP_KEY = "backup_folder"


def backup_folder(session: Session) -> Path:
    return Path(session.db.get_setting(BACKUP_KEY) or default_backup_dir())


def run_backup(db_path: Path, folder: Path, state: TaskState) -> Path:
    """Worker: copy the register with its own connection (one connection per thread)."""
    from desktop.storage.db import connect

    state.progress(0, 0, "Đang sao lưu sổ…")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{db_path.stem}-{stamp}.sqlite"
    conn = connect(db_path)
    try:
        backup_to(conn, target)
    finally:
        conn.close()
    log.info("backup written: %s", target)
    return target


class BackupSettings(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.folder = QLineEdit(readOnly=True)
        choose = QPushButton("Chọn thư mục…")
        choose.clicked.connect(self.choose)
        self.now = QPushButton("Sao lưu ngay")
        self.now.clicked.connect(self.backup_now)
        self.status = QLabel()
        self.status.setWordWrap(True)
        box = QGroupBox("Sao lưu")
        form = QFormLayout(box)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        form.addRow("Thư mục sao lưu:", row)
        form.addRow("", self.now)
        form.addRow("", self.status)
        hint = QLabel("Nên chọn thư mục trên ổ đĩa khác hoặc ổ USB rồi cất ổ USB đi. Bản sao lưu là tệp sổ "
                      "đầy đủ, chứa dữ liệu cá nhân: hãy giữ kín. Không mở sổ trực tiếp từ ổ USB hay thư mục mạng.")
        hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(box)
        lay.addWidget(hint)
        lay.addStretch(1)
        self.reload()

    def reload(self) -> None:
        self.folder.setText(str(backup_folder(self.session)))

    def choose(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Chọn thư mục sao lưu", self.folder.text())
        if path:
            self.session.db.set_setting(BACKUP_KEY, path)
            self.reload()

    def backup_now(self):
        db_path, folder = self.session.path, backup_folder(self.session)
        self.now.setEnabled(False)
        self.status.setText("Đang sao lưu…")

        def done(target: Path) -> None:
            self.now.setEnabled(True)
            self.status.setText(f"Đã sao lưu lúc {datetime.now():%H:%M %d/%m/%Y} vào {target}")

        def failed(exc: BaseException) -> None:
            from ui.errors import report

            self.now.setEnabled(True)
            self.status.setText("Sao lưu không thành công.")
            report(self, exc)

        return self.session.tasks.run(lambda state: run_backup(db_path, folder, state), title="Đang sao lưu sổ…",
                                      on_done=done, on_error=failed, parent=self)
