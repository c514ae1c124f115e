"""Documents that move the case: issuing the acceptance notice is the acceptance.

The acceptance (thụ lý / tiếp nhận) of a request is made known by a written notice (NĐ 59/2019
Art. 11; Luật Khiếu nại 2011 Art. 27; Luật Tố cáo 2018 Art. 29): when the clerk issues that
notice and the case still awaits acceptance, the step is recorded with the notice's day, in the
same transaction as its number. The other steps keep their own dialog, which offers to draft
their document (``document_for_step``).
"""

from __future__ import annotations

import logging
from datetime import date

from desktop.documents import outgoing, templates
from desktop.documents.model import DocumentRecord
from desktop.storage import cases as case_repo
from desktop.storage.db import Database
from desktop.workflow.engine import act, allowed_actions
from desktop.workflow.undo import step_of_document

log = logging.getLogger(__name__)

# Steps whose document is the step itself: issuing it records the step when the case awaits it.
STEPS_PERFORMED_BY_ISSUE = frozenset({"accept"})


def issue_document(db: Database, doc_uuid: str, *, actor: str, today: date,
                   issued_on: date | None = None) -> tuple[DocumentRecord, str | None]:
    """Issue a draft; returns the record and the step it performed (``"accept"``) or None."""
    issued_on = issued_on or today
    performed = None
    with db.write():
        record = outgoing.issue(db, doc_uuid, issued_on=issued_on, actor=actor, today=today)
        step = step_of_document(record.kind)
        if record.case_uuid and step in STEPS_PERFORMED_BY_ISSUE:
            case = case_repo.get_case(db, record.case_uuid)
            if any(a.code == step for a in allowed_actions(case)):
                act(db, case.uuid, step, actor=actor, effective_on=issued_on, today=today,
                    note=f"Theo văn bản số {record.symbol}",
                    data={"document_uuid": record.uuid, "symbol": record.symbol})
                performed = step
    if performed:
        log.info("document %s performed %s", record.symbol, performed)
    return record, performed


def document_for_step(db: Database, case_uuid: str, action_code: str) -> str | None:
    """The template kind that carries out ``action_code`` for this case (the reply, the decision,
    the conclusion …), for the step dialog's "Soạn văn bản" offer; None when there is none."""
    case = case_repo.get_case(db, case_uuid)
    for t in templates.load_templates().values():
        if step_of_document(t.kind) == action_code and (not t.case_kinds or case.kind in t.case_kinds) \
                and t.case_kinds:
            return t.kind
    return None
