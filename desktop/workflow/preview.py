"""What a step would do, before the clerk confirms it: the step is carried out inside a
transaction that is then rolled back, so the preview is exactly what ``act`` would write (new
state, new deadline and its trace) and the register is left untouched."""

from __future__ import annotations

from typing import Any

from desktop.domain.records import Case
from desktop.storage.db import Database
from desktop.workflow.engine import act


class _Discard(Exception):
    pass


def preview_act(db: Database, case_uuid: str, action_code: str, **kwargs: Any) -> Case:
    """The case as ``act(db, case_uuid, action_code, **kwargs)`` would leave it; nothing is kept.
    A refusal raises the same ``UserError`` as ``act``."""
    result: list[Case] = []
    try:
        with db.write():
            result.append(act(db, case_uuid, action_code, **kwargs))
            raise _Discard
    except _Discard:
        pass
    return result[0]
