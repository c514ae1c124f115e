"""Progress and cancellation for long workflow jobs (bulk imports), without Qt.

A job takes ``progress``: ``None``, a plain callable ``f(done, total)``, or any object with
``report(done, total)`` and a ``cancelled`` attribute (the UI's task wrapper, or
``desktop.sync.progress.Progress``). ``total`` is 0 when the job cannot know it in advance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from desktop.errors import UserError


@runtime_checkable
class ProgressLike(Protocol):
    @property
    def cancelled(self) -> bool: ...

    def report(self, done: int, total: int) -> None: ...


class Cancelled(UserError):
    """The user stopped the job; ``done`` items were already saved."""

    def __init__(self, done: int) -> None:
        super().__init__(
            "cancelled",
            f"Đã dừng theo yêu cầu. {done:,} vụ việc đã nhập trước đó vẫn được giữ trong sổ.".replace(",", "."),
            done=done,
        )


class _Reporter:
    def __init__(self, progress: ProgressLike | Callable[[int, int], object] | None) -> None:
        self._target = progress

    @property
    def cancelled(self) -> bool:
        return bool(getattr(self._target, "cancelled", False))

    def report(self, done: int, total: int) -> None:
        if self._target is None:
            return
        if hasattr(self._target, "report"):
            self._target.report(done, total)
        elif callable(self._target):
            self._target(done, total)


def reporter(progress: ProgressLike | Callable[[int, int], object] | None) -> ProgressLike:
    """Whatever the caller passed, as an object with ``report`` and ``cancelled``."""
    return _Reporter(progress)
