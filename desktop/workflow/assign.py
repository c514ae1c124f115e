"""Assign a case to the officer who handles it (cán bộ thụ lý), one case or many at once.

Each change is one hash-chained event ``assign`` holding the previous and the new officer, so the
timeline shows who handled the case when, and the per-officer board (``cases.dashboard``) follows
at once: it groups open cases by ``assignee_uuid``. Many cases change in one transaction: all or
none.
"""

from __future__ import annotations

import logging
from datetime import date

from desktop.domain.records import Case
from desktop.errors import UserError
from desktop.security import require
from desktop.storage import cases as case_repo
from desktop.storage.db import Database
from desktop.storage.events import insert_event
from desktop.storage.units import get_officer, local_unit_code, now_iso
from desktop.workflow.engine import case_digest, ensure_owned

log = logging.getLogger(__name__)


def _officer_name(db: Database, uuid: str | None) -> str:
    return get_officer(db, uuid).full_name if uuid else ""


def assign(db: Database, case_uuids: list[str], officer_uuid: str | None, *, effective_on: date,
           note: str = "") -> list[Case]:
    """Give every case in ``case_uuids`` to ``officer_uuid`` (None: take it back, "chưa giao").

    Cases already with that officer are left alone (no event); the others change together.
    Returns the cases that changed.
    """
    if not case_uuids:
        raise UserError("nothing_selected", "Chưa chọn vụ việc nào để giao.")
    if officer_uuid:
        officer = get_officer(db, officer_uuid)
        if not officer.active or officer.unit_code != local_unit_code(db):
            raise UserError("officer_not_here", f"{officer.full_name} không phải cán bộ đang làm việc của đơn vị.")
        new_name = officer.full_name
    else:
        new_name = ""
    changed: list[Case] = []
    with db.write():
        for uuid in dict.fromkeys(case_uuids):
            case = case_repo.get_case(db, uuid)
            ensure_owned(db, case)
            require(db, "case.assign", case=case)   # the leader assigns (roles.py)
            if case.assignee_uuid == officer_uuid:
                continue
            old_name = _officer_name(db, case.assignee_uuid)
            case_repo.update_case(db, case.uuid, {"assignee_uuid": officer_uuid, "updated_at": now_iso()})
            updated = case_repo.get_case(db, case.uuid)
            text = (f"Giao cho {new_name}" if new_name else "Thu hồi, chưa giao cán bộ") + (
                f" (trước: {old_name})" if old_name else "")
            insert_event(db, unit_code=case.unit_code, case_uuid=case.uuid, action="assign", from_state=case.state,
                         to_state=case.state, effective_on=effective_on,
                         note=" — ".join(x for x in (text, note.strip()) if x),
                         data={"old": {"assignee_uuid": case.assignee_uuid, "name": old_name},
                               "new": {"assignee_uuid": officer_uuid, "name": new_name},
                               "digest": case_digest(updated)})
            changed.append(updated)
    log.info("assigned %d case(s) to %s", len(changed), officer_uuid or "nobody")
    return changed
