"""Where the desktop app keeps its files: the register and the log, in the user's data folder."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "SoGiaiTrinh"
LOG_NAME = "giaitrinh.log"


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_register_path() -> Path:
    """The same default as the CLI (``desktop.cli.default_db_path``)."""
    return data_dir() / "so-giai-trinh.sqlite"


def log_dir() -> Path:
    """Logs live in the data folder, next to the register, where support looks for them."""
    return data_dir() / "logs"


def log_path() -> Path:
    return log_dir() / LOG_NAME


def default_backup_dir() -> Path:
    return data_dir() / "sao-luu"
