"""A Qt-free progress and cancel object for long sync work (export, verify, import).

The UI wraps it to drive a progress dialog from a worker thread; the CLI and tests pass nothing
(``NullProgress``). Cancelling raises ``Cancelled`` at the next check, before anything is
committed, so a cancelled export leaves no file and a cancelled import writes nothing.
"""

from __future__ import annotations

import threading

from desktop.errors import UserError


class Cancelled(UserError):
    def __init__(self) -> None:
        super().__init__("cancelled", "Đã hủy theo yêu cầu. Không có gì được ghi.")


class Progress:
    """Thread-safe: the worker reports, another thread may cancel."""

    def __init__(self, callback=None) -> None:
        self._event = threading.Event()
        self._callback = callback

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def report(self, done: int, total: int, text: str = "") -> None:
        self.check()
        if self._callback is not None:
            self._callback(done, total, text)


class NullProgress(Progress):
    pass


def ensure(progress: Progress | None) -> Progress:
    return progress if progress is not None else NullProgress()
