"""How failures reach the clerk (STYLE.md §10).

A ``UserError`` is expected: its Vietnamese message in a plain box, no traceback. Anything else
is a bug: it is logged with its traceback to the rotating log, and the clerk sees a short
message with the log's location. Dialogs never close on a failure, so nothing typed is lost.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop.errors import UserError

log = logging.getLogger(__name__)

TITLE = "Sổ Giải trình"


def show_user_error(parent: QWidget | None, exc: UserError, title: str = TITLE) -> None:
    log.info("user error %s: %s", exc.code, exc.message)
    box = QMessageBox(QMessageBox.Icon.Warning, title, exc.message, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def show_bug(parent: QWidget | None, exc: BaseException, log_file: Path | None) -> None:
    where = f"\n\nChi tiết kỹ thuật đã được ghi vào tệp nhật ký:\n{log_file}" if log_file else ""
    box = QMessageBox(
        QMessageBox.Icon.Critical, TITLE,
        "Đã xảy ra lỗi ngoài dự kiến. Dữ liệu đã lưu trước đó không bị ảnh hưởng; "
        "nội dung đang nhập vẫn còn trên màn hình." + where
        + "\n\nHãy gửi tệp nhật ký này cho người hỗ trợ kỹ thuật.",
        QMessageBox.StandardButton.Ok, parent,
    )
    box.setDetailedText("".join(traceback.format_exception_only(type(exc), exc)))
    box.exec()


def report(parent: QWidget | None, exc: BaseException) -> None:
    """Show any exception the right way (used by dialogs and task callbacks)."""
    if isinstance(exc, UserError):
        show_user_error(parent, exc)
    else:
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
        show_bug(parent, exc, _log_file)


def guarded(parent: QWidget | None, fn: Callable[[], object]) -> object | None:
    """Run ``fn``; show a failure instead of raising. Returns the result or None."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - this is the boundary
        report(parent, exc)
        return None


_log_file: Path | None = None


class _Relay(QObject):
    """Brings exceptions from any thread to the GUI thread before showing a box."""

    raised = Signal(object)


_relay: _Relay | None = None
_showing = False


def _show_on_gui(exc: BaseException) -> None:
    global _showing
    if _showing:  # one box at a time: an error in a paint event would otherwise cascade
        return
    _showing = True
    try:
        if isinstance(exc, UserError):
            show_user_error(QApplication.activeWindow(), exc)
        else:
            show_bug(QApplication.activeWindow(), exc, _log_file)
    finally:
        _showing = False


def install_excepthook(log_file: Path | None, *, interactive: bool = True) -> None:
    """Route uncaught exceptions to the log and (when ``interactive``) to a dialog."""
    global _log_file, _relay
    _log_file = log_file
    _relay = _Relay()
    if interactive:
        _relay.raised.connect(lambda e: QTimer.singleShot(0, lambda: _show_on_gui(e)),
                              Qt.ConnectionType.QueuedConnection)

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        if isinstance(exc, UserError):
            log.info("uncaught user error %s: %s", exc.code, exc.message)
        else:
            log.critical("uncaught exception", exc_info=(kind, exc, tb))
        if _relay is not None and interactive:
            _relay.raised.emit(exc)

    sys.excepthook = hook
