"""Cases: reading them (one, a keyset page, the dashboard) and the low-level writes the workflow uses.

Pages use keyset paging (``WHERE (key, id) < (?, ?) ORDER BY key DESC, id DESC LIMIT n``) so that
any depth of a 1,000,000-case register costs the same as the first page.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from desktop.domain.records import Case, CasePerson, Commitment, Event
from desktop.domain.text import fts_query
from desktop.errors import NotFound
from desktop.storage.db import Database
from desktop.storage.persons import row_to_person
from desktop.storage.search import match_expression


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def row_to_case(row: sqlite3.Row) -> Case:
    return Case(
        id=row["id"], uuid=row["uuid"], number=row["number"], kind=row["kind"], rules_id=row["rules_id"],
        channel=row["channel"], field=row["field"], summary=row["summary"], content=row["content"],
        received_on=date.fromisoformat(row["received_on"]), learned_on=_d(row["learned_on"]), state=row["state"],
        assignee_uuid=row["assignee_uuid"], reception_uuid=row["reception_uuid"], is_complex=bool(row["is_complex"]),
        is_remote=bool(row["is_remote"]), confidential=bool(row["confidential"]), due_on=_d(row["due_on"]),
        due_step=row["due_step"], due_trace=row["due_trace"], paused_on=_d(row["paused_on"]),
        extensions=row["extensions"], satisfaction=row["satisfaction"], closed_on=_d(row["closed_on"]),
        published_on=_d(row["published_on"]), unit_code=row["unit_code"], version=row["version"],
        created_at=row["created_at"], complexity=int(row["is_complex"] or 0),
    )


def row_to_event(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"], uuid=row["uuid"], case_uuid=row["case_uuid"], seq=row["seq"], action=row["action"],
        from_state=row["from_state"], to_state=row["to_state"], actor=row["actor"], at=row["at"],
        effective_on=date.fromisoformat(row["effective_on"]), note=row["note"], data=json.loads(row["data"]),
        prev_hash=row["prev_hash"], hash=row["hash"], unit_code=row["unit_code"],
    )


def get_case(db: Database, key: str | int) -> Case:
    """A case by uuid, by register number ("15/2026") or by row id."""
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        row = db.one("SELECT * FROM cases WHERE id = ?", (int(key),))
    else:
        row = db.one("SELECT * FROM cases WHERE uuid = ? OR number = ? ORDER BY id DESC LIMIT 1", (key, key))
    if row is None:
        raise NotFound("case_not_found", f"Không tìm thấy vụ việc “{key}”.")
    return row_to_case(row)


def case_people(db: Database, case_uuid: str) -> list[CasePerson]:
    rows = db.query(
        "SELECT p.*, cp.role AS cp_role FROM case_people cp JOIN persons p ON p.uuid = cp.person_uuid "
        "WHERE cp.case_uuid = ? ORDER BY cp.role DESC, cp.id", (case_uuid,))
    return [CasePerson(person=row_to_person(r), role=r["cp_role"]) for r in rows]


def list_events(db: Database, case_uuid: str) -> list[Event]:
    return [row_to_event(r) for r in db.query("SELECT * FROM events WHERE case_uuid = ? ORDER BY seq", (case_uuid,))]


def list_commitments(db: Database, case_uuid: str) -> list[Commitment]:
    return [
        Commitment(id=r["id"], uuid=r["uuid"], case_uuid=r["case_uuid"], content=r["content"], due_on=_d(r["due_on"]),
                   status=r["status"], done_on=_d(r["done_on"]), note=r["note"], unit_code=r["unit_code"],
                   version=r["version"])
        for r in db.query("SELECT * FROM commitments WHERE case_uuid = ? ORDER BY id", (case_uuid,))
    ]


# -- pages ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseFilter:
    kind: str | None = None
    state: str | None = None
    field: str | None = None
    assignee_uuid: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None
    unit_code: str | None = None
    open_only: bool = False


@dataclass(frozen=True)
class CaseRow:
    id: int
    uuid: str
    number: str
    kind: str
    state: str
    field: str
    received_on: date
    due_on: date | None
    summary: str
    requester_name: str
    assignee_name: str
    unit_code: str
    confidential: bool


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    next_cursor: tuple[Any, int] | None


# Sort keys the register offers: column expression (indexed) per name.
SORTS = {
    "received": "c.received_on",
    "due": "c.due_on",
    "number": "c.id",
    "requester": "c.requester_key",
}

_FINAL = ("refused", "guided", "forwarded", "terminated", "withdrawn", "closed")


def case_where(filt: CaseFilter, *, with_text: bool = True) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for col in ("kind", "state", "field", "assignee_uuid", "unit_code"):
        value = getattr(filt, col)
        if value:
            where.append(f"c.{col} = ?")
            params.append(value)
    if filt.date_from:
        where.append("c.received_on >= ?")
        params.append(filt.date_from.isoformat())
    if filt.date_to:
        where.append("c.received_on <= ?")
        params.append(filt.date_to.isoformat())
    if filt.open_only:
        where.append(f"c.state NOT IN ({','.join('?' * len(_FINAL))})")
        params.extend(_FINAL)
    if filt.text and with_text:
        match = fts_query(filt.text)
        if match is None:
            where.append("0")
        else:
            where.append("c.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)")
            params.append(match)
    return where, params


_PAGE_COLUMNS = (
    "SELECT c.id, c.uuid, c.number, c.kind, c.state, c.field, c.received_on, c.due_on, c.summary, "
    "c.requester_name, c.unit_code, c.confidential, c.requester_key, "
    "COALESCE((SELECT full_name FROM officers o WHERE o.uuid = c.assignee_uuid), '') AS assignee_name "
)


def page_cases(db: Database, filt: CaseFilter = CaseFilter(), *, sort: str = "received", descending: bool = True,
               after: tuple[Any, int] | None = None, limit: int = 200) -> CasePage:
    """One keyset page of the case register. ``after`` is the previous page's ``next_cursor``.

    With a search text the page is driven by the FTS index, newest entry first (row id order,
    which FTS5 streams without sorting): at 1,000,000 cases a common word must not make SQLite
    collect and sort every match.
    """
    if filt.text:
        return _page_by_text(db, filt, after=after, limit=limit)
    key = SORTS.get(sort, SORTS["received"])
    where, params = case_where(filt)
    if sort == "due":
        where.append("c.due_on IS NOT NULL")
    op = "<" if descending else ">"
    if after is not None:
        if key == "c.id":
            where.append(f"c.id {op} ?")
            params.append(after[1])
        else:
            where.append(f"({key}, c.id) {op} (?, ?)")
            params.extend(after)
    order = "DESC" if descending else "ASC"
    order_by = f"c.id {order}" if key == "c.id" else f"{key} {order}, c.id {order}"
    sql = f"{_PAGE_COLUMNS} FROM cases c {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY {order_by} LIMIT ?"
    rows = db.query(sql, [*params, limit])
    cursor = None
    if len(rows) == limit:
        last = rows[-1]
        value = {"c.received_on": last["received_on"], "c.due_on": last["due_on"], "c.id": last["id"],
                 "c.requester_key": last["requester_key"]}[key]
        cursor = (value, last["id"])
    return CasePage([_case_row(r) for r in rows], cursor)


def _page_by_text(db: Database, filt: CaseFilter, *, after: tuple[Any, int] | None, limit: int) -> CasePage:
    match = match_expression(db, filt.text or "")
    if match is None:
        return CasePage([], None)
    where, params = case_where(filt, with_text=False)
    where.insert(0, "cases_fts MATCH ?")
    params.insert(0, match)
    if after is not None:
        where.append("f.rowid < ?")
        params.append(after[1])
    rows = db.query(f"{_PAGE_COLUMNS} FROM cases_fts f JOIN cases c ON c.id = f.rowid WHERE {' AND '.join(where)} "
                    "ORDER BY f.rowid DESC LIMIT ?", [*params, limit])
    cursor = (rows[-1]["id"], rows[-1]["id"]) if len(rows) == limit else None
    return CasePage([_case_row(r) for r in rows], cursor)


def _case_row(r: sqlite3.Row) -> CaseRow:
    return CaseRow(id=r["id"], uuid=r["uuid"], number=r["number"], kind=r["kind"], state=r["state"], field=r["field"],
                   received_on=date.fromisoformat(r["received_on"]), due_on=_d(r["due_on"]), summary=r["summary"],
                   requester_name=r["requester_name"], assignee_name=r["assignee_name"], unit_code=r["unit_code"],
                   confidential=bool(r["confidential"]))


def count_cases(db: Database, filt: CaseFilter = CaseFilter()) -> int:
    where, params = case_where(filt)
    return db.scalar(f"SELECT count(*) FROM cases c {'WHERE ' + ' AND '.join(where) if where else ''}", params)


# -- dashboard --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DueItem:
    uuid: str
    number: str
    kind: str
    state: str
    summary: str
    due_on: date
    due_step: str | None
    assignee_uuid: str | None
    days_late: int
    unit_code: str = ""


@dataclass(frozen=True)
class AssigneeLoad:
    assignee_uuid: str | None
    assignee_name: str
    open_cases: int
    due_this_week: int
    overdue: int


@dataclass(frozen=True)
class Dashboard:
    today: date
    overdue: list[DueItem]
    due_today: list[DueItem]
    due_this_week: list[DueItem]
    awaiting_notice: list[DueItem]
    per_assignee: list[AssigneeLoad] = field(default_factory=list)
    overdue_count: int = 0


def _due_items(db: Database, where: str, params: list[Any], today: date, limit: int) -> list[DueItem]:
    rows = db.query(
        "SELECT uuid, number, kind, state, summary, due_on, due_step, assignee_uuid, unit_code FROM cases "
        f"WHERE due_on IS NOT NULL AND {where} ORDER BY due_on, id LIMIT ?", [*params, limit])
    return [
        DueItem(uuid=r["uuid"], number=r["number"], kind=r["kind"], state=r["state"], summary=r["summary"],
                due_on=date.fromisoformat(r["due_on"]), due_step=r["due_step"], assignee_uuid=r["assignee_uuid"],
                days_late=max(0, (today - date.fromisoformat(r["due_on"])).days), unit_code=r["unit_code"])
        for r in rows
    ]


def has_other_units_cases(db: Database, own: str) -> bool:
    """Whether the register holds cases of a unit other than ``own`` (a province's, or a commune's
    after a merger): two seeks of ``cases_unit``, not the scan ``unit_code <> ?`` makes of a
    register whose cases are all its own (70–80 ms at 1,000,000, at every refresh of "Hôm nay")."""
    return bool(db.scalar(OTHER_UNITS_SQL, (own, own)))


OTHER_UNITS_SQL = ("SELECT EXISTS (SELECT 1 FROM cases WHERE unit_code < ?) "
                   "OR EXISTS (SELECT 1 FROM cases WHERE unit_code > ?)")


def dashboard(db: Database, today: date, *, limit: int = 200, unit_code: str | None = None,
              other_than: str | None = None) -> Dashboard:
    """What is late and what falls due: open cases only carry a ``due_on`` (closed and
    suspended cases have none), so every query here is a range scan of ``cases_due``.
    ``unit_code``: one unit's cases; ``other_than``: every unit's but this one (a province's view
    of its communes)."""
    t = today.isoformat()
    week_end = (today + timedelta(days=6 - today.weekday())).isoformat()  # through Sunday
    if unit_code:
        unit_sql, unit_params = "AND unit_code = ?", [unit_code]
    elif other_than:
        unit_sql, unit_params = "AND unit_code <> ?", [other_than]
    else:
        unit_sql, unit_params = "", []
    overdue = _due_items(db, f"due_on < ? {unit_sql}", [t, *unit_params], today, limit)
    overdue_count = db.scalar(f"SELECT count(*) FROM cases WHERE due_on < ? {unit_sql}", [t, *unit_params])
    per = db.query(
        "SELECT c.assignee_uuid, COALESCE(o.full_name, '') AS name, count(*) AS open_cases, "
        "sum(c.due_on <= ? AND c.due_on >= ?) AS week, sum(c.due_on < ?) AS late "
        "FROM cases c INDEXED BY cases_assignee_due LEFT JOIN officers o ON o.uuid = c.assignee_uuid "
        f"WHERE c.due_on IS NOT NULL {unit_sql.replace('unit_code', 'c.unit_code')} "
        "GROUP BY c.assignee_uuid ORDER BY late DESC, open_cases DESC",
        [week_end, t, t, *unit_params])
    return Dashboard(
        today=today,
        overdue=overdue,
        due_today=_due_items(db, f"due_on = ? {unit_sql}", [t, *unit_params], today, limit),
        due_this_week=_due_items(db, f"due_on > ? AND due_on <= ? {unit_sql}", [t, week_end, *unit_params], today, limit),
        awaiting_notice=_due_items(db, f"due_on >= ? AND state = 'received' {unit_sql}", [t, *unit_params], today, limit),
        per_assignee=[AssigneeLoad(r["assignee_uuid"], r["name"], r["open_cases"], r["week"] or 0, r["late"] or 0)
                      for r in per],
        overdue_count=overdue_count,
    )


# -- low-level writes (the workflow layer calls these inside ``db.write()``) -------------------
CASE_COLUMNS = (
    "uuid", "unit_code", "number", "kind", "rules_id", "channel", "field", "summary", "content", "received_on",
    "learned_on", "state", "assignee_uuid", "reception_uuid", "is_complex", "is_remote", "confidential", "due_on",
    "due_step", "due_trace", "paused_on", "extensions", "satisfaction", "closed_on", "published_on",
    "requester_name", "requester_key", "search_text", "created_at", "updated_at", "version",
)


def insert_case(db: Database, values: dict[str, Any]) -> int:
    cols = [c for c in CASE_COLUMNS if c in values]
    cur = db.execute(f"INSERT INTO cases({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                     [values[c] for c in cols])
    return cur.lastrowid


def update_case(db: Database, uuid: str, changes: dict[str, Any]) -> None:
    cols = [c for c in changes if c in CASE_COLUMNS and c not in ("uuid", "unit_code", "version")]
    sets = ", ".join(f"{c} = ?" for c in cols)
    db.execute(f"UPDATE cases SET {sets}, version = version + 1 WHERE uuid = ?", [changes[c] for c in cols] + [uuid])


def requester_label(names: list[str]) -> str:
    """What the register shows for a case's people: "Trần Thị Đức" or "Trần Thị Đức và 4 người khác"."""
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{names[0]} và {len(names) - 1} người khác"


def refresh_requester_names(db: Database, person_uuid: str) -> None:
    """After a person's name is corrected, the register columns of their (non-secret) cases follow."""
    from desktop.domain.names import name_key

    for (case_uuid,) in db.query(
            "SELECT DISTINCT c.uuid FROM case_people cp JOIN cases c ON c.uuid = cp.case_uuid "
            "WHERE cp.person_uuid = ? AND c.confidential = 0", (person_uuid,)):
        names = list(dict.fromkeys(r[0] for r in db.query(
            "SELECT p.full_name FROM case_people cp JOIN persons p ON p.uuid = cp.person_uuid WHERE cp.case_uuid = ? "
            "ORDER BY cp.role = 'representative' DESC, cp.id", (case_uuid,))))
        db.execute("UPDATE cases SET requester_name = ?, requester_key = ? WHERE uuid = ?",
                   (requester_label(names), name_key(names[0]) if names else "", case_uuid))


def next_case_number(db: Database, unit_code: str, year: int) -> str:
    """Register number of the year ("07/2026"): runs from 01 each year per unit."""
    key = f"case_seq:{unit_code}:{year}"
    seq = int(db.get_setting(key, "0") or 0) + 1
    db.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               (key, str(seq)))
    return f"{seq:02d}/{year}"
