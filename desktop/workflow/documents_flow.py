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
from desktop.storage import documents_repo as repo
from desktop.storage.db import Database
from desktop.workflow.engine import act, allowed_actions
from desktop.workflow.undo import step_of_document

log = logging.getLogger(__name__)

# Steps whose document is the step itself: issuing it records the step when the case awaits it.
STEPS_PERFORMED_BY_ISSUE = frozenset({"accept"})


def issue_document(db: Database, doc_uuid: str, *, today: date,
                   issued_on: date | None = None) -> tuple[DocumentRecord, str | None]:
    """Issue a draft; returns the record and the step it performed (``"accept"``) or None."""
    issued_on = issued_on or today
    performed = None
    with db.write():
        draft = repo.get_document(db, doc_uuid)
        step = step_of_document(draft.kind)
        if draft.case_uuid and step in STEPS_PERFORMED_BY_ISSUE:
            case = case_repo.get_case(db, draft.case_uuid)
            if any(a.code == step for a in allowed_actions(case)):
                # the step first, dated the issue day: the notice then states the deadline it starts
                act(db, case.uuid, step, effective_on=issued_on, today=today, note="Theo thông báo được cấp số",
                    data={"document_uuid": draft.uuid})
                performed = step
                _fill_blanks_from_case(db, draft)
        record = outgoing.issue(db, doc_uuid, issued_on=issued_on, today=today)
    if performed:
        log.info("document %s performed %s", record.symbol, performed)
    return record, performed


def _fill_blanks_from_case(db: Database, draft: DocumentRecord) -> None:
    """Fill what the draft left blank because the case had not reached the step yet (the
    deadline the acceptance starts) from the case as it now stands; the clerk's text stays."""
    from dataclasses import replace

    from desktop.documents.context import case_context

    doc = draft.document
    meta = doc.meta or {}
    blanks = [b for b in meta.get("blanks", [])]
    if not blanks:
        return
    fresh, _case, _unit = case_context(db, draft.case_uuid)
    filled = {k: fresh[k] for k in blanks if fresh.get(k)}
    if not filled:
        return
    ctx = {**meta.get("context", {}), **filled}
    unit = {"name": "\n".join(doc.issuing_body), "place_name": doc.place, "abbreviation": doc.issuer_abbr,
            "governing_body": "\n".join(doc.governing_body), "archive_unit": doc.archive_unit}
    new = templates.build_document(doc.kind, ctx, unit)
    body = new.body if any(templates.BLANK in getattr(p, "text", "") for p in doc.body) else doc.body
    doc = replace(doc, summary=new.summary if templates.BLANK in doc.summary else doc.summary, body=body,
                  meta={**meta, **{k: new.meta[k] for k in ("blanks", "fields", "context") if k in new.meta}})
    repo.update_draft(db, draft.uuid, doc)


def document_for_step(db: Database, case_uuid: str, action_code: str) -> str | None:
    """The template kind that carries out ``action_code`` for this case (the reply, the decision,
    the conclusion …), for the step dialog's "Soạn văn bản" offer; None when there is none."""
    case = case_repo.get_case(db, case_uuid)
    for t in templates.load_templates().values():
        if step_of_document(t.kind) == action_code and (not t.case_kinds or case.kind in t.case_kinds) \
                and t.case_kinds:
            return t.kind
    return None
