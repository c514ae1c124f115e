"""Idle lock: after the register's ``idle_lock_minutes`` (default 10, 0 = never) without a key or
a mouse event in the application, the window locks and asks a password again (issue #17).

Input reaches a window (``QWindow``) before any of its widgets, so the lock watches the windows a
person works in, not every object of the application: each top-level window it finds when it
starts or restarts, and every window that takes the keyboard focus (a dialog when it opens). An
application-wide event filter written in Python saw every event of every object, and PySide made a
Python wrapper for each object it had not seen, a widget in the middle of being destroyed
included: that crashed the process (``QMetaObject::cast`` on a half-destroyed widget, seen in the
tests after a dialog closed).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QWidget

from ui.session import Session

SETTING = "idle_lock_minutes"
DEFAULT_MINUTES = 10
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}


def idle_minutes(session: Session) -> int:
    value = session.db.get_setting(SETTING)
    try:
        return max(0, int(value)) if value not in (None, "") else DEFAULT_MINUTES
    except ValueError:
        return DEFAULT_MINUTES


class IdleLock(QObject):
    def __init__(self, session: Session, lock: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.lock = session, lock
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self._fire)
        QGuiApplication.instance().focusWindowChanged.connect(self.watch)
        if isinstance(parent, QWidget):   # the main window: its own window exists once it is shown
            parent.installEventFilter(self)
        self.restart()

    def watch(self, window: QWindow | None) -> None:
        """See the key and mouse events of ``window`` (installing the filter again is harmless: Qt
        keeps one)."""
        if window is not None:
            window.installEventFilter(self)

    def restart(self) -> None:
        for window in QGuiApplication.topLevelWindows():
            self.watch(window)
        minutes = idle_minutes(self.session)
        if minutes:
            self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        kind = event.type()
        if kind in _ACTIVITY:
            if self.timer.isActive():
                self.timer.start()  # same interval, counted again
        elif kind == QEvent.Type.Show and isinstance(watched, QWidget):
            self.watch(watched.windowHandle())
        return False

    def _fire(self) -> None:
        self.lock()
        self.restart()
