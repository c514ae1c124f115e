"""Dialog sizes that fit the screen the office has: 1366×768 laptops, a taskbar at the bottom."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Borders and title bar, as window managers draw them (with room to spare).
FRAME = QSize(16, 60)


def fit_screen(wanted: QSize, available: QRect, frame: QSize = FRAME) -> QSize:
    """``wanted``, shrunk so that the whole frame (title bar included) fits ``available`` (the
    screen without its taskbar): at 1366×768 a 1200×800 dialog put its buttons (Lưu dự thảo,
    Cấp số, Đóng) below the screen's edge."""
    return QSize(min(wanted.width(), available.width() - frame.width()),
                 min(wanted.height(), available.height() - frame.height()))


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width``×``height`` or less (``fit_screen``) on its parent's screen,
    cap it there, and centre it on that screen's available area."""
    screen = (widget.parentWidget().screen() if widget.parentWidget() else None) or QGuiApplication.primaryScreen()
    avail = screen.availableGeometry()
    size = fit_screen(QSize(width, height), avail)
    widget.resize(size)
    widget.setMaximumSize(avail.width() - FRAME.width(), avail.height() - FRAME.height())
    widget.move(avail.x() + (avail.width() - size.width() - FRAME.width()) // 2,
                avail.y() + max(0, (avail.height() - size.height() - FRAME.height()) // 2))
