"""One open register as the window sees it: the database, the lock, the clock and the desk officer.

``today()`` comes from the session, never from ``date.today()`` in a widget, so tests (and a
screenshot run) can move the clock without sleeping; ``today_changed`` fires at midnight or when
a test sets another day. ``changed`` tells every view that the register was written; a view
follows it with ``follow_changes``, which reloads it at once only while it is seen.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from desktop.storage import wal
from desktop.storage.db import Database, open_database
from ui.lock import RegisterLock
from ui.tasks import TaskRunner
from ui.writer import Writer

log = logging.getLogger(__name__)


class _Follower(QObject):
    """Reloads its widget after a change: at once while it is visible, else when next shown."""

    def __init__(self, widget: QWidget, reload: Callable[[], None]) -> None:
        super().__init__(widget)
        self.widget, self.reload, self.stale = widget, reload, False
        widget.installEventFilter(self)

    def changed(self, *_args) -> None:
        if self.widget.isVisible():
            self.reload()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        if event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.reload()
        return False


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
        self.signed_in()
        self.tasks = TaskRunner(self)
        self.checkpointer = self._checkpoints(db)
        self.writer = Writer(self, self)  # saves and steps, off the GUI thread (ui/writer.py)
        self._closers: list[Callable[[], None]] = []  # connections of views, closed with the register
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

    # -- who works at this desk: the logged-in officer (``db.principal``) ---------------------------
    def signed_in(self) -> None:
        """The desk's officer follows the login (after a switch of user or an unlock)."""
        who = self.db.principal
        self.set_actor(who.officer_uuid if who else "", who.officer_name if who else "")

    def set_actor(self, uuid: str, name: str) -> None:
        self.actor_uuid, self.actor_name = uuid, name
        self.actor_changed.emit(name)

    @property
    def actor(self) -> str:
        return self.actor_name or "Cán bộ"

    # -- data ---------------------------------------------------------------------------------
    def notify_changed(self) -> None:
        self.changed.emit()

    def follow_changes(self, widget: QWidget, reload: Callable[[], None], *, today: bool = True) -> None:
        """Keep ``widget`` up to date: ``reload`` after each save (and each new day, unless
        ``today`` is False) while the clerk sees it; a widget changed while hidden (another page,
        another tab) reloads when it is shown again. A save should not wait for the queries of
        pages nobody looks at: on a province's register they take tens of milliseconds each."""
        follower = _Follower(widget, reload)
        self.changed.connect(follower.changed)
        if today:
            self.today_changed.connect(follower.changed)

    @staticmethod
    def _checkpoints(db: Database) -> wal.Checkpointer | None:
        """No save of the clerk copies the write-ahead log back into the file: a background
        checkpointer does it when the register is quiet (issue #20, item 1)."""
        if str(db.path) == ":memory:":
            return None
        wal.defer(db.conn)
        return wal.Checkpointer(db.path, owner=db).start()

    def worker_database(self) -> Database:
        """A connection for a worker thread (each thread has its own)."""
        db = open_database(self.db.path, create=False, migrate=False)
        db.principal = self.db.principal  # the worker acts for the logged-in officer
        if self.checkpointer is not None:
            wal.defer(db.conn)
        return db

    def on_close(self, fn: Callable[[], None]) -> None:
        """``fn`` runs when the register closes, after the background tasks ended (e.g. a view's
        own connection is closed there)."""
        self._closers.append(fn)

    def close(self) -> None:
        self._midnight.stop()
        self.tasks.wait()
        for fn in self._closers:
            fn()
        self._closers.clear()
        self.writer.close()
        if self.checkpointer is not None:
            self.checkpointer.close()
        self.db.close()
        if self.lock is not None:
            self.lock.release()
