"""What a step would do, before the clerk confirms it: the step is carried out inside a
transaction that is then rolled back, so the preview is exactly what ``act`` would write (new
state, new deadline and its trace) and the register is left untouched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from desktop.domain.records import Case
from desktop.storage.db import Database
from desktop.workflow.engine import act


T = TypeVar("T")


class _Discard(Exception):
    pass


def dry_run(db: Database, work: Callable[[], T]) -> T:
    """``work()``'s result, computed inside a transaction that is then rolled back."""
    result: list[T] = []
    try:
        with db.write():
            result.append(work())
            raise _Discard
    except _Discard:
        pass
    return result[0]


def preview_act(db: Database, case_uuid: str, action_code: str, **kwargs: Any) -> Case:
    """The case as ``act(db, case_uuid, action_code, **kwargs)`` would leave it; nothing is kept.
    A refusal raises the same ``UserError`` as ``act``."""
    return dry_run(db, lambda: act(db, case_uuid, action_code, **kwargs))
