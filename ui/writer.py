"""The one writer of the window: saves and steps run on one worker thread with its own connection,
so the window never waits on a write (issue #20, item 1; STYLE.md §5).

``Writer.save(fn, on_done=…, on_error=…, indicator=…)`` runs ``fn(db)`` on the writer's thread —
``db`` is that thread's own ``Database``, logged in as the window's officer — and hands the result
or the exception back on the GUI thread. Jobs run one after another in the order given (one
thread): two saves never race for the write lock. An ``indicator`` (a widget the form shows, e.g.
a "Đang lưu…" label) appears only if the save takes longer than ``SHOW_AFTER_MS`` and hides when it
ends. ``Writer.wait(fn, title=…)`` is for the rare step a dialog needs the answer of before it
goes on (making or moving the sync keys' passphrase): the same job, with the window painting and
a modal "title" shown after ``SHOW_AFTER_MS`` while it runs. A failed save leaves the form as it was: ``on_error`` (by default ``ui.errors.report``: a
``UserError``'s Vietnamese message, or the bug dialog) is shown over it.

After each save that succeeded the session's ``changed`` fires, so the views reload (not after a
job given with ``changes=False``: a preview that was rolled back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QVBoxLayout, QWidget

log = logging.getLogger(__name__)

SHOW_AFTER_MS = 150
SAVING_TEXT = "Đang lưu…"


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, writer: "Writer", fn: Callable[[Any], Any], signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.writer, self.fn, self.signals = writer, fn, signals

    def run(self) -> None:  # the writer's thread
        db = None
        try:
            db = self.writer.session.worker_database()  # its own connection, logged in as the window's officer
            result = self.fn(db)
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)
        finally:
            if db is not None:
                db.close()


class Save(QObject):
    """One save in flight; ``done`` / ``error`` fire on the GUI thread."""

    done = Signal(object)
    error = Signal(object)

    def __init__(self, writer: "Writer", indicator: QWidget | None) -> None:
        super().__init__(writer)
        self.indicator = indicator
        self.finished = False
        self.signals = _Signals()
        q = Qt.ConnectionType.QueuedConnection
        self.signals.finished.connect(self._on_finished, q)
        self.signals.failed.connect(self._on_failed, q)
        self._timer = QTimer(self, singleShot=True, interval=SHOW_AFTER_MS)
        self._timer.timeout.connect(self._show)

    def _show(self) -> None:
        if not self.finished and self.indicator is not None:
            self.indicator.show()

    def _end(self) -> None:
        self.finished = True
        self._timer.stop()
        if self.indicator is not None:
            self.indicator.hide()

    def _on_finished(self, result: object) -> None:
        self._end()
        self.done.emit(result)

    def _on_failed(self, exc: BaseException) -> None:
        self._end()
        self.error.emit(exc)


class Writer(QObject):
    """The session's single writer thread (see the module). Its pool is made at the first save and
    its thread ends when idle; each save opens its own connection (a few milliseconds, once per
    save a person makes) and closes it, so nothing of the writer outlives a save."""

    def __init__(self, session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.pool: QThreadPool | None = None
        self.saves: set[Save] = set()

    def save(self, fn: Callable[[Any], Any], *, on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None, indicator: QWidget | None = None,
             parent: QWidget | None = None, changes: bool = True) -> Save:
        """Run ``fn(db)`` on the writer's thread (see the module). ``changes=False`` for work that
        leaves the register as it was (a preview rolled back, a line of the access log): the views
        are not told to reload after it."""
        if self.pool is None:
            self.pool = QThreadPool(self)
            self.pool.setMaxThreadCount(1)  # one writer: saves run one after another, in order
        job = Save(self, indicator)
        self.saves.add(job)
        if changes:
            job.done.connect(lambda _r: self.session.notify_changed())
        if on_done is not None:
            job.done.connect(on_done)
        if on_error is not None:
            job.error.connect(on_error)
        else:
            job.error.connect(lambda exc: self._report(parent, exc))
        job.done.connect(lambda _r: self.saves.discard(job))
        job.error.connect(lambda _e: self.saves.discard(job))
        job._timer.start()
        self.pool.start(_Job(self, fn, job.signals))
        return job

    def wait(self, fn: Callable[[Any], Any], *, title: str, parent: QWidget | None = None,
             changes: bool = True) -> Any:
        """Run ``fn(db)`` on the writer like ``save`` and return its result (or raise what it
        raised) once it is done. The window's thread runs its event loop meanwhile, so it paints;
        after ``SHOW_AFTER_MS`` a modal ``title`` keeps the person from starting anything else, and
        Escape does not end it (the write goes on)."""
        busy = _Busy(title, parent)
        outcome: dict[str, Any] = {}
        loop = QEventLoop()

        def settle(key: str, value: Any) -> None:
            outcome[key] = value
            loop.quit()

        job = self.save(fn, on_done=lambda result: settle("done", result), on_error=lambda exc: settle("error", exc),
                        indicator=busy, parent=parent, changes=changes)
        if not outcome:
            loop.exec()
        busy.deleteLater()
        assert job.finished
        if "error" in outcome:
            raise outcome["error"]
        return outcome["done"]

    @staticmethod
    def _report(parent: QWidget | None, exc: BaseException) -> None:
        from ui.errors import report

        report(parent, exc)

    def close(self, msecs: int = 30000) -> bool:
        """Finish the saves already given (on quit)."""
        return self.pool is None or self.pool.waitForDone(msecs)


class _Busy(QDialog):
    """What ``Writer.wait`` shows while a write it waits for takes long: a title and a moving bar."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sổ Giải trình")
        self.setModal(True)
        lay = QVBoxLayout(self)
        self.label = QLabel(title, wordWrap=True)
        lay.addWidget(self.label)
        bar = QProgressBar()
        bar.setRange(0, 0)   # no steps to count: it only moves
        lay.addWidget(bar)
        self.setMinimumWidth(360)

    def reject(self) -> None:   # Escape: the write goes on, and this ends with it
        pass
