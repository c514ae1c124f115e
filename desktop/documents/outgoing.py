"""Draft, edit, issue and void documents: the outgoing register (NĐ 30/2020/NĐ-CP, Art. 15).

- A draft has no number. Issuing (after signing) gives the next number of the issuing unit's
  calendar year, from 01 on 1 January; the number with its symbol is unique within the year.
- Numbering runs inside one ``db.write()`` (``BEGIN IMMEDIATE``): two clerks issuing at once wait
  for each other and never get the same number; ``UNIQUE (issuer_code, year, number)`` backs it.
- A number is voided with a reason, never reused; a voided document stays in the register.
- Issuing stores the PDF exactly as hashed and links the document and its SHA-256 into the
  case's timeline (event ``document_issued``).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from datetime import date
from typing import Any

from desktop.documents import templates
from desktop.documents.context import case_context, default_signer, officer_dict
from desktop.documents.model import Document, DocumentRecord, Paragraph, nfc, paragraphs_from_text
from desktop.errors import UserError
from desktop.security import require
from desktop.storage import documents_repo as repo
from desktop.storage.db import Database

log = logging.getLogger(__name__)

# Drawn from a case, or from a reception that opened none (papers handed in at the desk).
FROM_RECEPTION_TOO = frozenset({"reception_receipt"})


def offered(db: Database, case_uuid: str) -> list[templates.Template]:
    """The documents the case's current state calls for ("Soạn văn bản")."""
    from desktop.storage import cases as case_repo

    case = case_repo.get_case(db, case_uuid)
    actions = {e.action for e in case_repo.list_events(db, case.uuid)}
    return templates.kinds_for(case.kind, case.state, actions)


def compose(db: Database, case_uuid: str, kind: str, *, signer_uuid: str | None = None,
            extra: dict[str, Any] | None = None) -> Document:
    """A filled, unnumbered document for the case, not yet saved."""
    from desktop.storage import units as unit_repo

    template = templates.get_template(kind)
    ctx, case, unit = case_context(db, case_uuid, template.notified_actions)
    if template.case_kinds and case.kind not in template.case_kinds:
        raise UserError("document_kind_not_for_case",
                        f"Mẫu \"{template.label}\" không dùng cho loại vụ việc này.")
    if template.requires_event and not ctx.get("event_on"):
        raise UserError("document_event_missing",
                        f"Chưa ghi bước {_action_labels(case, template.notified_actions)} vào vụ việc: "
                        f"“{template.label}” chỉ soạn được sau bước đó (văn bản ghi số ngày và thời hạn mới của nó).")
    if template.sign == "officer":
        officer = unit_repo.get_officer(db, signer_uuid or case.assignee_uuid) if (
            signer_uuid or case.assignee_uuid) else None
    else:
        officer = unit_repo.get_officer(db, signer_uuid) if signer_uuid else default_signer(db)
    if kind == "reception_receipt":  # the citizen's receipt carries the case's lookup code (issue #18)
        from dataclasses import replace

        from desktop.storage.lookup import display, ensure_case_code

        code = ensure_case_code(db, case.uuid)
        doc = templates.build_document(kind, {**ctx, "lookup_code": display(code), **(extra or {})}, unit,
                                       officer_dict(officer))
        return replace(doc, meta={**doc.meta, "lookup_code": code})
    return templates.build_document(kind, {**ctx, **(extra or {})}, unit, officer_dict(officer))


def compose_reception(db: Database, reception_uuid: str, kind: str = "reception_refusal", *,
                      signer_uuid: str | None = None) -> Document:
    """A document drawn from a reception rather than a case: the written notice of a refusal to
    receive (Luật Tiếp công dân Art. 9; NĐ 154/2026 Art. 4(3), within 03 working days), for the
    grounds the rules in force that day say need one."""
    from desktop.documents.context import requester_values, unit_dict
    from desktop.storage import receptions as reception_repo
    from desktop.storage import units as unit_repo
    from desktop.storage.persons import get_person

    template = templates.get_template(kind)
    if template.target != "reception" and kind not in FROM_RECEPTION_TOO:
        raise UserError("document_kind_not_for_reception", f"Mẫu “{template.label}” không lập từ một lượt tiếp.")
    reception = reception_repo.get_reception(db, reception_uuid)
    if kind == "reception_receipt":
        return _reception_receipt(db, reception, template, signer_uuid)
    ground = _written_ground(reception)
    person = get_person(db, reception.person_uuid) if reception.person_uuid else None
    ctx: dict[str, Any] = {
        "received_on": f"{reception.received_on:%d/%m/%Y}", "ground": f"{ground.label} ({ground.citation})",
        "reception_content": _sentence(reception.content or reception.request),
        "event_on": reception.received_on.isoformat(),
    }
    if person is not None:
        ctx.update(requester_address=person.address, **requester_values(person))
    unit = unit_repo.get_unit(db, reception.unit_code)
    officer = unit_repo.get_officer(db, signer_uuid) if signer_uuid else default_signer(db)
    doc = templates.build_document(kind, ctx, unit_dict(unit), officer_dict(officer))
    return replace(doc, meta={**doc.meta, "reception_uuid": reception.uuid})


def _written_ground(reception):
    """The ground of a refusal to receive that calls for a written notice (NĐ 154/2026 Art. 4(3)),
    as the rules in force on the reception's day list it; a Vietnamese refusal otherwise."""
    from desktop.rules.book import default_rules

    rules = default_rules().reception_for(reception.received_on)
    ground = next((g for g in rules.grounds if g.label and g.label in reception.notes), None)
    if ground is None:
        raise UserError("reception_not_refused", "Lượt tiếp này không ghi từ chối tiếp theo lý do quy định.")
    if not ground.written_notice:
        raise UserError("reception_no_notice",
                        f"Lý do “{ground.label}” không phải thông báo bằng văn bản ({ground.citation}).")
    return ground


def offered_for_reception(db: Database, reception_uuid: str) -> list[templates.Template]:
    """The documents a reception calls for ("Văn bản…" in the reception register): the receipt of
    the papers handed in, and the written notice of a refusal when its ground needs one."""
    from desktop.storage import receptions as reception_repo

    reception = reception_repo.get_reception(db, reception_uuid)
    out = [templates.get_template(kind) for kind in sorted(FROM_RECEPTION_TOO)]
    try:
        _written_ground(reception)
    except UserError:
        return out
    return [templates.get_template("reception_refusal")] + out


def _reception_receipt(db: Database, reception, template, signer_uuid: str | None) -> Document:
    """The giấy biên nhận of papers handed in at a reception that opened no case (Luật Tiếp công
    dân 2013, Art. 26): the reception's lookup code and QR under the signatures, as on a case's
    receipt (issue #18). A reception that opened a case gives the case's receipt and code."""
    from desktop.documents.context import dmy, requester_values, unit_dict
    from desktop.rules.book import default_rules
    from desktop.storage import units as unit_repo
    from desktop.storage.lookup import display, ensure_reception_code
    from desktop.storage.persons import get_person

    if reception.case_uuid:
        return compose(db, reception.case_uuid, template.kind, signer_uuid=signer_uuid)
    summary = _sentence(reception.content or reception.request).rstrip(".")
    ctx: dict[str, Any] = {"received_on": dmy(reception.received_on), "case_summary": summary,
                           "document_date": reception.received_on.isoformat()}
    person = get_person(db, reception.person_uuid) if reception.person_uuid else None
    confidential = bool(reception.case_kind) and default_rules().is_confidential(
        reception.case_kind, reception.received_on)
    if confidential:  # a denouncer's identity is written by hand (Luật Tố cáo 2018, Art. 9)
        ctx["confidential"] = "1"
    elif person is not None:
        ctx.update(requester_address=person.address, requester_id=person.id_number, **requester_values(person))
    host = None
    if reception.host_uuid:
        try:
            host = unit_repo.get_officer(db, reception.host_uuid)
            ctx.update(handler_name=host.full_name, handler_title=host.title)
        except Exception:  # noqa: BLE001 - an officer no longer in the register: the blank stays
            log.info("host %s of reception %s not found", reception.host_uuid, reception.uuid)
    officer = unit_repo.get_officer(db, signer_uuid) if signer_uuid else host
    code = ensure_reception_code(db, reception.uuid)
    unit = unit_repo.get_unit(db, reception.unit_code)
    doc = templates.build_document(template.kind, {**ctx, "lookup_code": display(code)}, unit_dict(unit),
                                   officer_dict(officer))
    return replace(doc, meta={**doc.meta, "reception_uuid": reception.uuid, "lookup_code": code})


def draft_reception(db: Database, reception_uuid: str, kind: str = "reception_refusal", *,
                    signer_uuid: str | None = None) -> DocumentRecord:
    """Compose and save a draft drawn from a reception (no case; ``document.draft``)."""
    from desktop.storage import receptions as reception_repo

    who = require(db, "document.draft")
    doc = compose_reception(db, reception_uuid, kind, signer_uuid=signer_uuid)
    reception = reception_repo.get_reception(db, reception_uuid)
    case_uuid = reception.case_uuid if kind in FROM_RECEPTION_TOO else None  # a case's receipt stays with it
    return repo.insert_draft(db, doc, issuer_code=reception.unit_code, case_uuid=case_uuid,
                             created_by=who.officer_name)


def _sentence(text: str) -> str:
    text = nfc(text or "").strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def _action_labels(case, codes: tuple[str, ...]) -> str:
    from desktop.workflow.engine import rules_of

    try:
        rs = rules_of(case)
        return " / ".join(f"“{rs.actions[c].label}”" for c in codes if c in rs.actions) or "cần thiết"
    except Exception:  # noqa: BLE001 - only a label for the message
        return " / ".join(codes)


def draft(db: Database, case_uuid: str, kind: str, *, signer_uuid: str | None = None,
          extra: dict[str, Any] | None = None) -> DocumentRecord:
    """Compose and save a draft for the case (by whom may draft on it: ``document.draft``)."""
    from desktop.storage import cases as case_repo

    case = case_repo.get_case(db, case_uuid)
    who = require(db, "document.draft", case=case)
    doc = compose(db, case_uuid, kind, signer_uuid=signer_uuid, extra=extra)
    record = repo.insert_draft(db, doc, issuer_code=case.unit_code, case_uuid=case.uuid,
                               created_by=who.officer_name)
    log.info("draft %s for case %s", kind, case.number)
    return record


def edit(db: Database, doc_uuid: str, *, summary: str | None = None, body_text: str | None = None,
         recipients: list[str] | None = None, addressees: list[str] | None = None,
         signer_uuid: str | None = None, fields: dict[str, str] | None = None) -> DocumentRecord:
    """Save the clerk's changes to a draft: its own fields (the template is filled again with them,
    so the body follows), or its free text (one paragraph per line)."""
    from desktop.storage import units as unit_repo

    record = repo.get_document(db, doc_uuid)
    if record.case_uuid:
        from desktop.storage import cases as case_repo

        require(db, "document.draft", case=case_repo.get_case(db, record.case_uuid))
    else:
        require(db, "document.draft")
    if not record.is_draft:
        raise UserError("document_not_draft", f"Văn bản {record.symbol} đã ban hành: không sửa được.")
    doc = record.document
    if fields:
        doc = _refill(doc, fields)
    changes: dict[str, Any] = {}
    if summary is not None:
        changes["summary"] = nfc(summary).strip()
    if body_text is not None:
        body = paragraphs_from_text(body_text)
        if not body:
            raise UserError("document_empty_body", "Nội dung văn bản đang để trống.")
        changes["body"] = body
    if recipients is not None:
        changes["recipients"] = tuple(nfc(r).strip().lstrip("-").strip().rstrip(";.") for r in recipients if r.strip())
    if addressees is not None:
        changes["addressees"] = tuple(nfc(a).strip() for a in addressees if a.strip())
    if signer_uuid is not None:
        template = templates.get_template(doc.kind)
        changes["signer"] = templates.make_signer(template, officer_dict(unit_repo.get_officer(db, signer_uuid)))
    return repo.update_draft(db, doc_uuid, replace(doc, **changes))


def _refill(doc: Document, fields: dict[str, str]) -> Document:
    """The template filled again with the document's own fields changed (only those it declares)."""
    template = templates.get_template(doc.kind)
    unknown = sorted(set(fields) - set(template.fields))
    if unknown:
        raise UserError("document_field_unknown",
                        f"“{template.label}” không có mục {', '.join(templates.field_label(f) for f in unknown)}.")
    meta = doc.meta or {}
    ctx = {**meta.get("context", {}), **{k: nfc(v).strip() for k, v in fields.items()}}
    unit = {"name": "\n".join(doc.issuing_body), "place_name": doc.place, "abbreviation": doc.issuer_abbr,
            "governing_body": "\n".join(doc.governing_body), "archive_unit": doc.archive_unit}
    fresh = templates.build_document(doc.kind, ctx, unit)
    return replace(doc, summary=fresh.summary, addressees=fresh.addressees, body=fresh.body,
                   recipients=fresh.recipients, meta={**meta, **{k: fresh.meta[k] for k in ("blanks", "fields", "context")}})


def missing_fields(doc: Document) -> list[str]:
    """What is still "…………" in the document: the labels of the blanks the template left, or the
    passage holding a blank the clerk typed or kept."""
    texts = [doc.summary, *doc.addressees, *(b.text for b in doc.body if isinstance(b, Paragraph)), *doc.recipients]
    if doc.counter_signer:
        texts.append(doc.counter_signer.name)
    holding = [t for t in texts if templates.BLANK in t]
    if not holding:
        return []
    named = [templates.field_label(f) for f in (doc.meta or {}).get("blanks", [])]
    if named:
        return named
    return [f"“{t[:60]}…”" for t in holding]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def issue(db: Database, doc_uuid: str, *, issued_on: date | None = None, copies: int = 1,
          file_keeper: str = "", today: date | None = None) -> DocumentRecord:
    """Give the draft its number, store its PDF and link it into the case's timeline.

    ``today`` is the clock (tests and the window's session pass theirs); the issue date may not
    be later than it, nor earlier than the date of the unit's last number this year.
    """
    from desktop.documents.pdf import render_pdf

    require(db, "document.issue")
    today = today or date.today()
    issued_on = issued_on or today
    if copies < 1:
        raise UserError("document_bad_copies", "Số bản phát hành phải từ 1 trở lên.")
    with db.write():
        record = repo.get_document(db, doc_uuid)   # read again under the write lock
        if record.status != "draft":
            raise UserError("document_not_draft", f"Văn bản {record.symbol} đã được cấp số, không cấp số lại.")
        if not record.document.numbered:
            raise UserError("document_not_numbered",
                            f"“{record.label}” không phải văn bản hành chính nên không cấp số (Nghị định "
                            "30/2020/NĐ-CP, Phụ lục III): in, ký và giao trực tiếp cho người nộp.")
        if record.document.signer is None or not record.document.signer.name.strip():
            raise UserError("document_no_signer", "Chưa chọn người ký văn bản.")
        missing = missing_fields(record.document)
        if missing:
            raise UserError("document_blanks_left",
                            "Văn bản còn chỗ trống “…………” chưa điền: " + "; ".join(missing)
                            + ". Hãy điền đủ trước khi cấp số.")
        event_on = (record.document.meta or {}).get("event_on") or ""
        if event_on and issued_on < date.fromisoformat(event_on):
            raise UserError("document_before_event",
                            f"“{record.label}” không thể ban hành trước ngày {date.fromisoformat(event_on):%d/%m/%Y} "
                            "của bước mà văn bản thông báo.")
        if issued_on > today:
            raise UserError("document_future_date", "Ngày ban hành không được sau ngày hôm nay.")
        last = repo.last_issued_on(db, record.issuer_code, issued_on.year)
        if last and issued_on < last:
            raise UserError("document_date_before_last",
                            f"Sổ đăng ký văn bản đi đã có văn bản ngày {last:%d/%m/%Y}: số sau không thể mang "
                            f"ngày sớm hơn. Hãy chọn ngày ban hành từ {last:%d/%m/%Y}.")
        number = repo.next_number(db, record.issuer_code, issued_on.year)
        doc = record.document.with_number(number, issued_on)
        pdf = render_pdf(doc)
        digest = sha256(pdf)
        keeper = file_keeper or ", ".join(x for x in (doc.archive, doc.archive_unit) if x)
        repo.mark_issued(db, doc_uuid, number=number, year=issued_on.year, symbol=doc.symbol, issued_on=issued_on,
                         doc=doc, pdf=pdf, sha256=digest, copies=copies, file_keeper=keeper)
        if record.case_uuid:
            from desktop.workflow.events import append_event

            append_event(db, record.case_uuid, "document_issued", effective_on=issued_on,
                         note=f"{doc.symbol} — {record.label}",
                         data={"document_uuid": doc_uuid, "kind": doc.kind, "number": number, "symbol": doc.symbol,
                               "issued_on": issued_on.isoformat(), "sha256": digest})
    log.info("issued %s (%s)", doc.symbol, doc.kind)
    return repo.get_document(db, doc_uuid)


def void(db: Database, doc_uuid: str, reason: str, *, on: date | None = None) -> DocumentRecord:
    """Void a number with a reason; it stays in the register and is never given again."""
    require(db, "document.void")
    reason = nfc(reason).strip()
    if not reason:
        raise UserError("document_void_reason", "Hãy ghi lý do hủy số văn bản.")
    on = on or date.today()
    with db.write():
        record = repo.get_document(db, doc_uuid)
        if record.status == "void":
            raise UserError("document_already_void", f"Văn bản {record.symbol} đã bị hủy trước đó.")
        if record.status == "draft":
            raise UserError("document_void_draft",
                            "Dự thảo chưa có số nên không hủy số: dùng “Bỏ dự thảo” để xóa dự thảo.")
        if record.issued_on and on < record.issued_on:
            raise UserError("document_void_before_issue",
                            f"Ngày hủy không được trước ngày ban hành {record.issued_on:%d/%m/%Y}.")
        repo.mark_void(db, doc_uuid, reason, on)
        if record.case_uuid:
            from desktop.workflow.events import append_event

            append_event(db, record.case_uuid, "document_voided", effective_on=on,
                         note=f"Hủy số {record.symbol}: {reason}",
                         data={"document_uuid": doc_uuid, "symbol": record.symbol, "sha256": record.sha256})
    log.info("voided %s: %s", record.symbol or doc_uuid, reason)
    return repo.get_document(db, doc_uuid)


def discard(db: Database, doc_uuid: str) -> None:
    """Throw a draft away: it never had a number, so nothing of the register is lost (whoever may
    draft on its case may discard it: ``document.draft``)."""
    with db.write():
        record = repo.get_document(db, doc_uuid)
        if record.case_uuid:
            from desktop.storage import cases as case_repo

            who = require(db, "document.draft", case=case_repo.get_case(db, record.case_uuid))
        else:
            who = require(db, "document.draft")
        if not record.is_draft:
            raise UserError("document_discard_issued",
                            f"Văn bản {record.symbol} đã cấp số: không xóa được, chỉ hủy số kèm lý do.")
        repo.delete_draft(db, doc_uuid)
    log.info("draft %s (%s) discarded by %s", doc_uuid, record.kind, who.officer_name)


def void_note(record: DocumentRecord) -> str:
    """The line a voided document carries on every printed page."""
    if record.status != "void":
        return ""
    day = f" ngày {record.voided_on:%d/%m/%Y}" if record.voided_on else ""
    return f"Văn bản số {record.symbol} đã hủy{day}: {record.void_reason}. Bản in này không có giá trị."


def render(db: Database, doc_uuid: str, fmt: str = "pdf") -> bytes:
    """The document's file: an issued PDF exactly as stored (and hashed); a voided one drawn again
    from its content with "ĐÃ HỦY" on every page (never printed as valid); a draft drawn now.
    The stored, hashed PDF of a voided document stays untouched in the register."""
    record = repo.get_document(db, doc_uuid)
    note = void_note(record)
    if fmt == "pdf":
        if record.status == "issued":
            stored = repo.get_pdf(db, doc_uuid)
            if stored:
                return bytes(stored)
        from desktop.documents.pdf import render_pdf

        return render_pdf(record.document, void_note=note)
    if fmt == "docx":
        from desktop.documents.word import render_docx

        return render_docx(record.document, void_note=note)
    raise UserError("document_bad_format", f"Định dạng \"{fmt}\" không hỗ trợ; chọn pdf hoặc docx.")


def issued_on_day(db: Database, day: date) -> list[DocumentRecord]:
    """Everything issued on a day, for "print all documents issued today"."""
    return repo.list_documents(db, status="issued", issued_on=day)
