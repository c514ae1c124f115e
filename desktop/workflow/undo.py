"""Undo the last step of a case by a reversing event, never by deleting history.

The step's event stays in the chain; an ``undo`` event naming it (``data.undoes``) puts back
what the step overwrote (each step's event keeps those values in ``data.before``) and records
the reason. The running deadline is then counted again from the steps that still stand, over
today's calendar. A step whose document was issued (a notice, a decision, a reply sent to the
requester) is not undone: the paper exists; its number must be voided first (NĐ 30/2020 Art. 15:
a number is voided, never reused).
"""

from __future__ import annotations

import logging
from datetime import date

from desktop.domain.records import Case, Event
from desktop.errors import UserError, ValidationError
from desktop.security import require
from desktop.storage import cases as case_repo
from desktop.storage import documents_repo
from desktop.storage.db import Database
from desktop.storage.events import insert_event
from desktop.storage.units import now_iso
from desktop.workflow.engine import case_digest, ensure_owned, rules_of, standing_steps
from desktop.workflow.recompute import count_deadline

log = logging.getLogger(__name__)

# The step a document carries out, by the last word of its template kind ("explanation_accept").
DOCUMENT_STEP = {"accept": "accept", "refuse": "refuse", "reject": "refuse", "extend": "extend", "reply": "reply",
                 "answer": "reply", "suspend": "suspend", "resume": "resume", "terminate": "terminate",
                 "meeting": "meet", "forward": "forward", "guidance": "guide",
                 # the complaint's decision and the denunciation's conclusion are their "reply" step
                 "decision": "reply", "conclusion": "reply"}


def step_of_document(kind: str) -> str | None:
    return DOCUMENT_STEP.get(kind.rsplit("_", 1)[-1])


def last_step(db: Database, case: Case) -> Event | None:
    """The step an undo would reverse: the last standing step other than the receipt."""
    steps = [e for e in standing_steps(case_repo.list_events(db, case.uuid), rules_of(case)) if e.action != "receive"]
    return steps[-1] if steps else None


def undo_refusal(db: Database, case: Case) -> str | None:
    """Why the last step cannot be undone (Vietnamese), or None when it can."""
    step = last_step(db, case)
    if step is None:
        return "Vụ việc chưa qua bước nào sau khi tiếp nhận: không có gì để hoàn tác."
    if "before" not in step.data:
        return "Bước này được ghi bởi phiên bản trước, không lưu giá trị cũ: không hoàn tác tự động được."
    issued = [d for d in documents_repo.list_documents(db, case_uuid=case.uuid, status="issued")
              if step_of_document(d.kind) == step.action]
    if issued:
        return (f"Đã ban hành văn bản số {issued[0].symbol} cho bước này: hãy hủy số văn bản đó trước "
                "rồi mới hoàn tác.")
    return None


def undo_last_step(db: Database, case_uuid: str, *, reason: str, today: date) -> Case:
    """Reverse the case's last step, or refuse with a Vietnamese message and change nothing."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do hoàn tác."})
    case = case_repo.get_case(db, case_uuid)
    ensure_owned(db, case)
    require(db, "case.correct", case=case)
    refusal = undo_refusal(db, case)
    if refusal:
        raise UserError("undo_refused", refusal)
    step = last_step(db, case)
    rs = rules_of(case)
    label = rs.actions[step.action].label if step.action in rs.actions else step.action
    with db.write():
        changes = dict(step.data["before"])
        changes["updated_at"] = now_iso()
        if step.action == "add_commitment" and step.data.get("commitment_uuid"):
            db.execute("UPDATE commitments SET status='dropped', note=?, updated_at=?, version=version+1 WHERE uuid=?",
                       (f"Hoàn tác: {reason}", now_iso(), step.data["commitment_uuid"]))
        elif step.action == "complete_commitment" and step.data.get("commitment_uuid"):
            db.execute("UPDATE commitments SET status='open', done_on=NULL, note='', updated_at=?, "
                       "version=version+1 WHERE uuid=?", (now_iso(), step.data["commitment_uuid"]))
        case_repo.update_case(db, case.uuid, changes)
        restored = case_repo.get_case(db, case.uuid)
        events = [e for e in case_repo.list_events(db, case.uuid) if e.uuid != step.uuid]
        counted = count_deadline(db, restored, events)
        data = {"undoes": step.uuid, "undone_action": step.action, "reason": reason, "restored": step.data["before"]}
        if counted is not None:
            due, trace = counted
            case_repo.update_case(db, case.uuid, {"due_on": due and due.isoformat(), "due_trace": trace})
            data.update(due_on=due and due.isoformat(), trace=trace)
        restored = case_repo.get_case(db, case.uuid)
        data["digest"] = case_digest(restored)
        insert_event(db, unit_code=case.unit_code, case_uuid=case.uuid, action="undo", from_state=case.state,
                     to_state=restored.state, effective_on=today,
                     note=f"Hoàn tác “{label}” ngày {step.effective_on:%d/%m/%Y}. Lý do: {reason}", data=data)
    log.info("case %s: undid %s", case.number, step.action)
    return restored
