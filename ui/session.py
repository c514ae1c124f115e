"""One open register as the window sees it: the database, the lock, the clock and the desk officer.

``today()`` comes from the session, never from ``date.today()`` in a widget, so tests (and a
screenshot run) can move the clock without sleeping; ``today_changed`` fires at midnight or when
a test sets another day. ``changed`` tells every view that the register was written.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.storage.db import Database, open_database
from ui.lock import RegisterLock
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class Session(QObject):
    changed = Signal()            # something was saved: views reload what they show
    today_changed = Signal(object)
    actor_changed = Signal(str)

    def __init__(self, db: Database, *, lock: RegisterLock | None = None, today: date | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.lock = lock
        self._fixed_today = today
        self._seen_today = self.today()
        self.actor_uuid = ""
        self.actor_name = ""
        self.tasks = TaskRunner(self)
        self._midnight = QTimer(self, interval=60_000)
        self._midnight.timeout.connect(self._tick)
        self._midnight.start()

    @property
    def path(self) -> Path:
        return self.db.path

    # -- the clock ----------------------------------------------------------------------------
    def today(self) -> date:
        return self._fixed_today or date.today()

    def set_today(self, day: date | None) -> None:
        """Move the clock (tests, demonstrations); ``None`` goes back to the real date."""
        self._fixed_today = day
        self._tick()

    def _tick(self) -> None:
        now = self.today()
        if now != self._seen_today:
            self._seen_today = now
            log.info("today is now %s", now.isoformat())
            self.today_changed.emit(now)

    # -- who works at this desk ------------------------------------------------------------------
    def set_actor(self, uuid: str, name: str) -> None:
        self.actor_uuid, self.actor_name = uuid, name
        self.actor_changed.emit(name)

    @property
    def actor(self) -> str:
        return self.actor_name or "Cán bộ"

    # -- data ---------------------------------------------------------------------------------
    def notify_changed(self) -> None:
        self.changed.emit()

    def worker_database(self) -> Database:
        """A connection for a worker thread (each thread has its own)."""
        return open_database(self.db.path, create=False, migrate=False)

    def close(self) -> None:
        self._midnight.stop()
        self.tasks.wait()
        self.db.close()
        if self.lock is not None:
            self.lock.release()
