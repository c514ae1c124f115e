"""Receptions (lượt tiếp công dân): the Sổ tiếp công dân, read by keyset pages."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from desktop.domain.records import Reception
from desktop.errors import NotFound
from desktop.storage.db import Database

RECEPTION_COLUMNS = (
    "uuid", "unit_code", "received_on", "kind", "host_uuid", "by_deputy", "person_uuid", "people_count", "first_time",
    "case_kind", "content", "previous_handling", "request", "outcome", "within_competence", "guided_to",
    "forwarded_to", "doc_ref", "follow_up", "notes", "case_uuid", "search_text", "updated_at", "version",
)


def row_to_reception(r: sqlite3.Row) -> Reception:
    return Reception(
        id=r["id"], uuid=r["uuid"], received_on=date.fromisoformat(r["received_on"]), kind=r["kind"],
        host_uuid=r["host_uuid"], by_deputy=bool(r["by_deputy"]), person_uuid=r["person_uuid"],
        people_count=r["people_count"], first_time=bool(r["first_time"]), case_kind=r["case_kind"],
        content=r["content"], previous_handling=r["previous_handling"], request=r["request"], outcome=r["outcome"],
        within_competence=bool(r["within_competence"]), guided_to=r["guided_to"], forwarded_to=r["forwarded_to"],
        doc_ref=r["doc_ref"], follow_up=r["follow_up"], notes=r["notes"], case_uuid=r["case_uuid"],
        unit_code=r["unit_code"], version=r["version"],
    )


def get_reception(db: Database, uuid: str) -> Reception:
    row = db.one("SELECT * FROM receptions WHERE uuid = ?", (uuid,))
    if row is None:
        raise NotFound("reception_not_found", "Không tìm thấy lượt tiếp công dân.")
    return row_to_reception(row)


def insert_reception(db: Database, values: dict[str, Any]) -> int:
    cols = [c for c in RECEPTION_COLUMNS if c in values]
    cur = db.execute(f"INSERT INTO receptions({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                     [values[c] for c in cols])
    return cur.lastrowid


def set_reception_case(db: Database, reception_uuid: str, case_uuid: str) -> None:
    db.execute("UPDATE receptions SET case_uuid = ?, version = version + 1 WHERE uuid = ?", (case_uuid, reception_uuid))


@dataclass(frozen=True)
class ReceptionRow:
    """One line of the Sổ tiếp công dân (Mẫu 03/TCD columns)."""
    id: int
    uuid: str
    received_on: date
    kind: str
    person_name: str
    address: str
    id_number: str
    content: str
    case_kind: str
    people_count: int
    previous_handling: str
    within_competence: bool
    guided_to: str
    forwarded_to: str
    outcome: str
    follow_up: str
    notes: str
    case_uuid: str | None


@dataclass(frozen=True)
class ReceptionPage:
    rows: list[ReceptionRow]
    next_cursor: tuple[str, int] | None


def reception_where(date_from: date | None = None, date_to: date | None = None,
                    kind: str | None = None) -> tuple[list[str], list[Any]]:
    """The filter conditions of the reception register (table alias ``r``)."""
    where: list[str] = []
    params: list[Any] = []
    if date_from:
        where.append("r.received_on >= ?")
        params.append(date_from.isoformat())
    if date_to:
        where.append("r.received_on <= ?")
        params.append(date_to.isoformat())
    if kind:
        where.append("r.kind = ?")
        params.append(kind)
    return where, params


def page_receptions(db: Database, *, date_from: date | None = None, date_to: date | None = None,
                    text: str | None = None, kind: str | None = None, after: tuple[str, int] | None = None,
                    limit: int = 200, descending: bool = True) -> ReceptionPage:
    where, params = reception_where(date_from, date_to, kind)
    select = ("SELECT r.*, COALESCE(p.full_name, '') AS person_name, COALESCE(p.address, '') AS address, "
              "COALESCE(p.id_number, '') AS id_number ")
    if text:
        # Driven by the FTS index, newest entry first: a common word must not sort every match.
        from desktop.domain.text import fts_query

        match = fts_query(text)
        if match is None:
            return ReceptionPage([], None)
        where.insert(0, "receptions_fts MATCH ?")
        params.insert(0, match)
        if after:
            where.append("f.rowid < ?")
            params.append(after[1])
        rows = db.query(f"{select} FROM receptions_fts f JOIN receptions r ON r.id = f.rowid "
                        "LEFT JOIN persons p ON p.uuid = r.person_uuid "
                        f"WHERE {' AND '.join(where)} ORDER BY f.rowid DESC LIMIT ?", [*params, limit])
    else:
        op, order = ("<", "DESC") if descending else (">", "ASC")
        if after:
            where.append(f"(r.received_on, r.id) {op} (?, ?)")
            params.extend(after)
        rows = db.query(
            f"{select} FROM receptions r LEFT JOIN persons p ON p.uuid = r.person_uuid "
            f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY r.received_on {order}, r.id {order} LIMIT ?",
            [*params, limit])
    out = [
        ReceptionRow(id=r["id"], uuid=r["uuid"], received_on=date.fromisoformat(r["received_on"]), kind=r["kind"],
                     person_name=r["person_name"], address=r["address"], id_number=r["id_number"], content=r["content"],
                     case_kind=r["case_kind"], people_count=r["people_count"], previous_handling=r["previous_handling"],
                     within_competence=bool(r["within_competence"]), guided_to=r["guided_to"],
                     forwarded_to=r["forwarded_to"], outcome=r["outcome"], follow_up=r["follow_up"], notes=r["notes"],
                     case_uuid=r["case_uuid"])
        for r in rows
    ]
    cursor = (rows[-1]["received_on"], rows[-1]["id"]) if len(rows) == limit else None
    return ReceptionPage(out, cursor)


def reception_people(db: Database, reception_uuid: str) -> list[tuple[str, bool]]:
    return [(r[0], bool(r[1])) for r in db.query(
        "SELECT person_uuid, is_representative FROM reception_people WHERE reception_uuid = ? ORDER BY id",
        (reception_uuid,))]
