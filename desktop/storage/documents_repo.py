"""SQL for documents and the outgoing register (table ``documents``, migration 0002).

Functions take the ``Database`` and return frozen ``DocumentRecord``s. Writes are meant to run
inside the caller's ``with db.write():`` so that numbering, the file and the case timeline
change together or not at all; ``next_number`` must be read in that same transaction
(``BEGIN IMMEDIATE`` holds the write lock, so two issuers never read the same maximum).
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from desktop.documents.model import Document, DocumentRecord
from desktop.errors import NotFound, UserError
from desktop.storage.db import Database
from desktop.storage.units import new_uuid

log = logging.getLogger(__name__)

_COLUMNS = (
    "id, uuid, case_uuid, kind, status, issuer_code, year, number, symbol, type_code, summary, issued_on, "
    "signer_uuid, signer_name, recipients, file_keeper, copies, sent_on, receipt_note, sha256, void_reason, "
    "voided_on, created_by, created_at, unit_code, version, payload"
)


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _record(row) -> DocumentRecord:
    return DocumentRecord(
        id=row["id"], uuid=row["uuid"], case_uuid=row["case_uuid"], kind=row["kind"], status=row["status"],
        issuer_code=row["issuer_code"], year=row["year"], number=row["number"], symbol=row["symbol"],
        type_code=row["type_code"], summary=row["summary"], issued_on=_day(row["issued_on"]),
        signer_uuid=row["signer_uuid"], signer_name=row["signer_name"],
        recipients=tuple(json.loads(row["recipients"] or "[]")), file_keeper=row["file_keeper"],
        copies=row["copies"], sent_on=_day(row["sent_on"]), receipt_note=row["receipt_note"],
        sha256=row["sha256"], void_reason=row["void_reason"], voided_on=_day(row["voided_on"]),
        created_by=row["created_by"], created_at=row["created_at"], unit_code=row["unit_code"],
        version=row["version"], document=Document.from_dict(json.loads(row["payload"])),
    )


def insert_draft(db: Database, doc: Document, *, issuer_code: str, case_uuid: str | None = None,
                 created_by: str = "", file_keeper: str = "") -> DocumentRecord:
    uuid = new_uuid()
    now = _now()
    with db.write():
        db.execute(
            "INSERT INTO documents (uuid, unit_code, updated_at, created_at, created_by, case_uuid, kind, status, "
            "issuer_code, type_code, summary, signer_uuid, signer_name, recipients, file_keeper, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?)",
            (uuid, issuer_code, now, now, created_by, case_uuid, doc.kind, issuer_code, doc.type_code,
             doc.summary, doc.signer.officer_uuid if doc.signer else None, doc.signer.name if doc.signer else "",
             json.dumps(list(doc.recipients), ensure_ascii=False), file_keeper,
             json.dumps(doc.to_dict(), ensure_ascii=False)),
        )
    return get_document(db, uuid)


def update_draft(db: Database, uuid: str, doc: Document) -> DocumentRecord:
    """Save the clerk's edits; only a draft may change (an issued document is voided and redrafted)."""
    with db.write():
        current = get_document(db, uuid)
        if not current.is_draft:
            raise UserError("document_not_draft",
                            f"Văn bản {current.symbol} đã ban hành, không sửa được; hãy hủy số và soạn văn bản mới.")
        db.execute(
            "UPDATE documents SET payload = ?, summary = ?, type_code = ?, signer_uuid = ?, signer_name = ?, "
            "recipients = ?, version = version + 1, updated_at = ? WHERE uuid = ?",
            (json.dumps(doc.to_dict(), ensure_ascii=False), doc.summary, doc.type_code,
             doc.signer.officer_uuid if doc.signer else None, doc.signer.name if doc.signer else "",
             json.dumps(list(doc.recipients), ensure_ascii=False), _now(), uuid),
        )
    return get_document(db, uuid)


def get_document(db: Database, uuid_or_symbol: str) -> DocumentRecord:
    row = db.one(f"SELECT {_COLUMNS} FROM documents WHERE uuid = ?", (uuid_or_symbol,))
    if row is None:
        row = db.one(f"SELECT {_COLUMNS} FROM documents WHERE symbol = ? ORDER BY year DESC LIMIT 1",
                     (uuid_or_symbol,))
    if row is None:
        raise NotFound("document_not_found", f"Không tìm thấy văn bản \"{uuid_or_symbol}\".")
    return _record(row)


def get_pdf(db: Database, uuid: str) -> bytes | None:
    return db.scalar("SELECT pdf FROM documents WHERE uuid = ?", (uuid,))


def list_documents(db: Database, *, case_uuid: str | None = None, status: str | None = None,
                   issued_on: date | None = None, unit_code: str | None = None,
                   reception_uuid: str | None = None) -> list[DocumentRecord]:
    """Documents matching every filter given, oldest first. ``unit_code``: the owning unit's only
    (a province's register also holds the communes' documents its bundles brought).
    ``reception_uuid``: those drawn from that reception (their payload names it)."""
    where, params = [], []
    if reception_uuid is not None:
        where.append("json_extract(payload, '$.meta.reception_uuid') = ?")
        params.append(reception_uuid)
    if unit_code is not None:
        where.append("unit_code = ?")
        params.append(unit_code)
    if case_uuid is not None:
        where.append("case_uuid = ?")
        params.append(case_uuid)
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if issued_on is not None:
        where.append("issued_on = ?")
        params.append(issued_on.isoformat())
    sql = f"SELECT {_COLUMNS} FROM documents" + (f" WHERE {' AND '.join(where)}" if where else "")
    return [_record(r) for r in db.query(sql + " ORDER BY id", params)]


def next_number(db: Database, issuer_code: str, year: int) -> int:
    """The next number of the unit's year: voided numbers count, so none is reused."""
    if not db.conn.in_transaction:
        raise RuntimeError("next_number must run inside db.write()")
    return int(db.scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM documents WHERE issuer_code = ? AND year = ?",
                         (issuer_code, year)))


def last_issued_on(db: Database, issuer_code: str, year: int) -> date | None:
    """The date of the unit's highest number this year (numbers follow dates in the register)."""
    return _day(db.scalar("SELECT issued_on FROM documents WHERE issuer_code = ? AND year = ? "
                          "ORDER BY number DESC LIMIT 1", (issuer_code, year)))


def mark_issued(db: Database, uuid: str, *, number: int, year: int, symbol: str, issued_on: date,
                doc: Document, pdf: bytes, sha256: str, copies: int, file_keeper: str) -> None:
    db.execute(
        "UPDATE documents SET status = 'issued', number = ?, year = ?, symbol = ?, issued_on = ?, payload = ?, "
        "pdf = ?, sha256 = ?, copies = ?, file_keeper = ?, signer_uuid = ?, signer_name = ?, recipients = ?, "
        "summary = ?, version = version + 1, updated_at = ? WHERE uuid = ? AND status = 'draft'",
        (number, year, symbol, issued_on.isoformat(), json.dumps(doc.to_dict(), ensure_ascii=False), pdf, sha256,
         copies, file_keeper, doc.signer.officer_uuid if doc.signer else None,
         doc.signer.name if doc.signer else "", json.dumps(list(doc.recipients), ensure_ascii=False),
         doc.summary, _now(), uuid),
    )


def mark_void(db: Database, uuid: str, reason: str, voided_on: date) -> None:
    db.execute("UPDATE documents SET status = 'void', void_reason = ?, voided_on = ?, version = version + 1, "
               "updated_at = ? WHERE uuid = ?", (reason, voided_on.isoformat(), _now(), uuid))


def delete_draft(db: Database, uuid: str) -> None:
    """Remove a draft (never a numbered document: the trigger ``documents_no_delete_numbered`` stops it)."""
    db.execute("DELETE FROM documents WHERE uuid = ? AND status = 'draft' AND number IS NULL", (uuid,))


def mark_sent(db: Database, uuid: str, sent_on: date, receipt_note: str = "") -> None:
    with db.write():
        db.execute("UPDATE documents SET sent_on = ?, receipt_note = ?, version = version + 1, updated_at = ? "
                   "WHERE uuid = ? AND status = 'issued'", (sent_on.isoformat(), receipt_note, _now(), uuid))


def register_rows(db: Database, issuer_code: str | None, start: date, end: date) -> list[DocumentRecord]:
    """Numbered documents (issued and voided) issued between two days, in register order."""
    sql = f"SELECT {_COLUMNS} FROM documents WHERE number IS NOT NULL AND issued_on BETWEEN ? AND ?"
    params: list[Any] = [start.isoformat(), end.isoformat()]
    if issuer_code:
        sql += " AND issuer_code = ?"
        params.append(issuer_code)
    return [_record(r) for r in db.query(sql + " ORDER BY issuer_code, year, number", params)]


def symbols_by_case(db: Database, case_uuids: list[str]) -> dict[str, list[str]]:
    """Issued documents' symbols per case, for the follow-up register's "reply" column."""
    out: dict[str, list[str]] = {}
    for start in range(0, len(case_uuids), 500):
        chunk = case_uuids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"SELECT case_uuid, symbol FROM documents WHERE status = 'issued' "
                            f"AND case_uuid IN ({marks}) ORDER BY issued_on, number", chunk):
            out.setdefault(row["case_uuid"], []).append(row["symbol"])
    return out
