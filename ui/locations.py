"""Where the desktop app keeps its files: the register and the log, in the data folder in force
(the computer's shared one where chosen, else the user's own: ``desktop.storage.folders``)."""

from __future__ import annotations

from pathlib import Path

from desktop.storage import folders

APP_NAME = folders.APP_NAME
LOG_NAME = "giaitrinh.log"


def data_dir() -> Path:
    return folders.data_dir()


def default_register_path() -> Path:
    """The same default as the CLI (``desktop.cli.default_db_path``)."""
    return data_dir() / folders.REGISTER_NAME


def log_dir() -> Path:
    """Logs live in the data folder, next to the register, where support looks for them."""
    return data_dir() / "logs"


def log_path() -> Path:
    return log_dir() / LOG_NAME


def default_backup_dir() -> Path:
    return data_dir() / "sao-luu"


def documents_dir() -> Path:
    """Where "Lưu PDF…" and "Lưu DOCX…" open: the user's Documents folder (else the home folder).
    The program's own working folder — on Windows the install folder — is no place for them."""
    from PySide6.QtCore import QStandardPaths

    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found and Path(found).is_dir() else Path.home()
