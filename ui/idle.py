"""Idle lock: after the register's ``idle_lock_minutes`` (default 10, 0 = never) without a key or
a mouse event in the application, the window locks and asks a password again (issue #17)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

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
        QApplication.instance().installEventFilter(self)
        self.restart()

    def restart(self) -> None:
        minutes = idle_minutes(self.session)
        if minutes:
            self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()  # same interval, counted again
        return False

    def _fire(self) -> None:
        self.lock()
        self.restart()
