"""People and organisations: one person across many cases, found again by ID number or name."""

from __future__ import annotations

import sqlite3
from datetime import date

from desktop.domain.names import name_key
from desktop.domain.records import Person
from desktop.domain.validation import normalize_id, normalize_phone
from desktop.errors import NotFound, UserError, ValidationError
from desktop.security import require
from desktop.storage import search
from desktop.storage.db import Database
from desktop.storage.units import local_unit_code, new_uuid, now_iso


def row_to_person(row: sqlite3.Row) -> Person:
    return Person(
        id=row["id"], uuid=row["uuid"], full_name=row["full_name"], kind=row["kind"], id_kind=row["id_kind"],
        id_number=row["id_number"], phone=row["phone"], address=row["address"],
        representative=row["representative"], unit_code=row["unit_code"], version=row["version"],
        sex=row["sex"] if "sex" in row.keys() else "",
    )


def get_person(db: Database, uuid: str) -> Person:
    row = db.one("SELECT * FROM persons WHERE uuid = ?", (uuid,))
    if row is None:
        raise NotFound("person_not_found", "Không tìm thấy người này trong sổ.")
    return row_to_person(row)


def find_by_id_number(db: Database, id_number: str) -> Person | None:
    number = id_number.strip().upper().replace(" ", "")
    if not number:
        return None
    row = db.one("SELECT * FROM persons WHERE id_number = ? ORDER BY id LIMIT 1", (number,))
    return row_to_person(row) if row else None


def save_person(
    db: Database,
    *,
    full_name: str,
    id_kind: str = "",
    id_number: str = "",
    phone: str = "",
    address: str = "",
    kind: str = "person",
    representative: str = "",
    uuid: str | None = None,
    today: date | None = None,
    sex: str | None = None,
    protect: bool = False,
) -> Person:
    """Create or update a person. A new person whose ID number is already known is refused
    with a message naming the existing record, so the clerk picks it instead of duplicating.
    ``protect``: a new person the law protects (a denouncer) is sealed as it is written, so that
    nothing of it ever enters the search index."""
    require(db, "person.edit")
    full_name = " ".join(full_name.split())
    errors: dict[str, str] = {}
    if not full_name:
        errors["full_name"] = "Chưa nhập họ tên." if kind == "person" else "Chưa nhập tên tổ chức."
    if kind not in ("person", "organisation"):
        errors["kind"] = "Loại người yêu cầu không hợp lệ."
    if sex not in (None, "", "male", "female"):
        errors["sex"] = "Giới tính không hợp lệ (nam / nữ / để trống)."
    try:
        id_kind, id_number = normalize_id(id_kind, id_number, today=today)
    except ValidationError as exc:
        errors.update(exc.fields)
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationError(errors)
    address = " ".join(address.split())
    text = search.person_search_text(full_name=full_name, id_number=id_number, phone=phone, address=address)
    key = name_key(full_name)
    with db.write():
        if id_number:
            clash = db.one("SELECT uuid, full_name FROM persons WHERE id_number = ? AND uuid <> ?",
                           (id_number, uuid or ""))
            if clash:
                raise UserError(
                    "duplicate_id_number",
                    f"Số giấy tờ {id_number} đã có trong sổ (của {clash['full_name']}). Hãy chọn người đã có.",
                    existing_uuid=clash["uuid"],
                )
        if uuid:
            old = db.one("SELECT id, search_text, unit_code, sealed FROM persons WHERE uuid = ?", (uuid,))
            if old is None:
                raise NotFound("person_not_found", "Không tìm thấy người này trong sổ.")
            if old["unit_code"] != local_unit_code(db):
                raise UserError("foreign_record", "Hồ sơ này thuộc đơn vị khác, chỉ được xem.")
            db.execute(
                "UPDATE persons SET full_name=?, kind=?, id_kind=?, id_number=?, phone=?, address=?, representative=?, "
                "search_text=?, name_key=?, updated_at=?, version=version+1 WHERE uuid=?",
                (full_name, kind, id_kind, id_number, phone, address, representative.strip(), text, key, now_iso(), uuid),
            )
            if sex is not None:
                db.execute("UPDATE persons SET sex = ? WHERE uuid = ?", (sex, uuid))
            search.fts_update(db, "persons", old["id"], old["search_text"], text)
            if old["sealed"]:  # a protected identity stays sealed when corrected (Luật Tố cáo, Art. 9)
                from desktop.security import sealing

                db.execute("UPDATE persons SET sealed = 0 WHERE uuid = ?", (uuid,))
                sealing.seal_persons(db, [uuid])
            # The person's cases and receptions are found by the corrected name and numbers too.
            from desktop.storage.cases import refresh_requester_names

            search.refresh_case_texts(db, person_uuid=uuid)
            search.refresh_reception_texts(db, person_uuid=uuid)
            refresh_requester_names(db, uuid)
        else:
            uuid = new_uuid()
            cur = db.execute(
                "INSERT INTO persons(full_name, kind, id_kind, id_number, phone, address, representative, search_text, "
                "name_key, uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (full_name, kind, id_kind, id_number, phone, address, representative.strip(), text, key, uuid,
                 local_unit_code(db), now_iso()),
            )
            if sex:
                db.execute("UPDATE persons SET sex = ? WHERE id = ?", (sex, cur.lastrowid))
            from desktop.security import sealing

            if not (protect and sealing.public_key(db) is not None):
                search.fts_insert(db, "persons", cur.lastrowid, text)
            else:
                db.execute("UPDATE persons SET search_text = '' WHERE id = ?", (cur.lastrowid,))
                sealing.seal_persons(db, [uuid])
    return get_person(db, uuid)


def cases_of_person(db: Database, person_uuid: str) -> list[str]:
    """Case uuids a person is party to (newest first), for 'first time or repeated'."""
    rows = db.query(
        "SELECT c.uuid FROM case_people cp JOIN cases c ON c.uuid = cp.case_uuid "
        "WHERE cp.person_uuid = ? ORDER BY c.received_on DESC, c.id DESC", (person_uuid,))
    return [r[0] for r in rows]
