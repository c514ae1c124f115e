"""Long work off the UI thread, through one helper (STYLE.md §6).

``TaskRunner.run(fn, ...)`` runs ``fn(state)`` as a QRunnable on the global thread pool. ``state``
is a Qt-free ``TaskState`` the core can use: ``state.progress(done, total, text)`` and
``state.cancelled`` / ``state.check()``. The result or the exception comes back to the GUI thread
by signal. A progress dialog appears only if the work lasts more than ``SHOW_AFTER_MS`` and its
"Hủy" button cancels. ``wait()`` on quit keeps "QThread destroyed while running" away.

Worker code must open its own database connection (one connection per thread).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

SHOW_AFTER_MS = 500


class Cancelled(Exception):
    """Raised by ``TaskState.check()`` once the clerk pressed "Hủy"."""


class TaskState:
    """What a worker sees: progress reporting and a cancel flag. No Qt."""

    def __init__(self, on_progress: Callable[[int, int, str], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._on_progress = on_progress

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int = 0, text: str = "") -> None:
        if self._on_progress:
            self._on_progress(done, total, text)


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[TaskState], Any], state: TaskState, signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.fn, self.state, self.signals = fn, state, signals

    def run(self) -> None:  # worker thread
        try:
            result = self.fn(self.state)
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


class Task(QObject):
    """One running job; ``done`` / ``error`` fire on the GUI thread."""

    done = Signal(object)
    error = Signal(object)

    def __init__(self, runner: "TaskRunner", title: str, parent_widget: QWidget | None, cancellable: bool) -> None:
        super().__init__(runner)
        self.title = title
        self.signals = _Signals()
        self.state = TaskState(lambda d, t, s: self.signals.progressed.emit(d, t, s))
        self.dialog: QProgressDialog | None = None
        self._parent_widget = parent_widget
        self._cancellable = cancellable
        self._last = (0, 0, "")
        self.finished = False
        self._timer = QTimer(self, singleShot=True, interval=SHOW_AFTER_MS)
        self._timer.timeout.connect(self._show_dialog)
        q = Qt.ConnectionType.QueuedConnection
        self.signals.finished.connect(self._on_finished, q)
        self.signals.failed.connect(self._on_failed, q)
        self.signals.progressed.connect(self._on_progress, q)

    def cancel(self) -> None:
        self.state.cancel()

    def _show_dialog(self) -> None:
        if self.finished:
            return
        dlg = QProgressDialog(self.title, "Hủy" if self._cancellable else "", 0, 0, self._parent_widget)
        dlg.setWindowTitle("Sổ Giải trình")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        if not self._cancellable:
            dlg.setCancelButton(None)
        dlg.canceled.connect(self.cancel)
        self.dialog = dlg
        self._on_progress(*self._last)
        dlg.show()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self._last = (done, total, text)
        dlg = self.dialog  # a modal QProgressDialog.setValue processes events: the task may finish
        if dlg is None:    # (and close the dialog) in the middle of this update
            return
        if text:
            dlg.setLabelText(text)
        dlg.setMaximum(max(total, 0))
        if not self.finished:
            dlg.setValue(done if total else 0)

    def _close(self) -> None:
        self.finished = True
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _on_finished(self, result: object) -> None:
        self._close()
        self.done.emit(result)

    def _on_failed(self, exc: BaseException) -> None:
        self._close()
        if isinstance(exc, Cancelled):
            log.info("task cancelled: %s", self.title)
        elif not isinstance(exc, Exception):
            log.error("task %s stopped: %r", self.title, exc)
        self.error.emit(exc)


class TaskRunner(QObject):
    """The one background helper of the window."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self.tasks: set[Task] = set()

    def run(
        self,
        fn: Callable[[TaskState], Any],
        *,
        title: str = "Đang xử lý…",
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        parent: QWidget | None = None,
        cancellable: bool = True,
        show_progress: bool = True,
    ) -> Task:
        task = Task(self, title, parent, cancellable)
        self.tasks.add(task)
        if on_done:
            task.done.connect(on_done)
        if on_error:
            task.error.connect(on_error)
        else:
            task.error.connect(lambda exc: self._default_error(parent, exc))
        task.done.connect(lambda _r: self.tasks.discard(task))
        task.error.connect(lambda _e: self.tasks.discard(task))
        if show_progress:
            task._timer.start()
        self.pool.start(_Runnable(fn, task.state, task.signals))
        return task

    @staticmethod
    def _default_error(parent: QWidget | None, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            return
        from ui.errors import report

        report(parent, exc)

    def cancel_all(self) -> None:
        for task in list(self.tasks):
            task.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        """Cancel what runs and wait for the pool (call on quit)."""
        self.cancel_all()
        return self.pool.waitForDone(msecs)
