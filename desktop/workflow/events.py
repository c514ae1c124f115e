"""Timeline entries that do not change a case's state (a document issued, a note, a reveal)."""

from __future__ import annotations

from datetime import date
from typing import Any

from desktop.domain.records import Event
from desktop.storage import cases as case_repo
from desktop.storage.db import Database
from desktop.storage.events import insert_event
from desktop.workflow.engine import case_digest, ensure_owned


def append_event(db: Database, case_uuid: str, action: str, *, effective_on: date, note: str = "",
                 data: dict[str, Any] | None = None) -> Event:
    """Append a hash-chained event to a case's timeline without changing its state; its actor is
    the logged-in officer (the caller checked the permission of the change it records).

    Call inside ``with db.write():`` together with the change it records.
    """
    case = case_repo.get_case(db, case_uuid)
    ensure_owned(db, case)
    payload = {**(data or {}), "digest": case_digest(case)}
    with db.write():
        return insert_event(db, unit_code=case.unit_code, case_uuid=case.uuid, action=action, from_state=case.state,
                            to_state=case.state, effective_on=effective_on, note=note, data=payload)
