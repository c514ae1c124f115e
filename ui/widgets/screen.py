"""Dialog sizes that fit the screen the office has: 1366×768 laptops, a taskbar at the bottom."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize


def fit_screen(wanted: QSize, available: QRect, margin: int = 40) -> QSize:
    """``wanted``, shrunk to fit ``available`` (the screen without its taskbar) with room for the
    title bar: at 1366×768 a 1200×800 dialog put its buttons (Lưu dự thảo, Cấp số, Đóng) below
    the screen's edge."""
    return QSize(min(wanted.width(), available.width() - margin), min(wanted.height(), available.height() - margin))
