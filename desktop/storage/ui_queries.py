"""Small read-only queries the desktop window needs and the repositories do not offer (yet).

Keyset cursors at an offset: when the clerk drags the register's scroll bar to the middle, the
window needs the page starting at row N without walking every page before it. Only the sort key
and id are read, from the covering index, so even a deep offset stays cheap; the page itself is
then read by the repository's keyset ``page_cases`` / ``page_receptions``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from desktop.storage import cases as case_repo
from desktop.storage.db import Database
from desktop.storage.receptions import reception_where


def case_cursor_at(db: Database, filt: case_repo.CaseFilter, *, sort: str, descending: bool,
                   offset: int) -> tuple[Any, int] | None:
    """The ``after`` cursor whose next page starts just after row ``offset`` of this order."""
    key = case_repo.SORTS.get(sort, case_repo.SORTS["received"])
    where, params = case_repo.case_where(filt)  # same filter semantics as the page itself
    if sort == "due":
        where.append("c.due_on IS NOT NULL")
    order = "DESC" if descending else "ASC"
    order_by = f"c.id {order}" if key == "c.id" else f"{key} {order}, c.id {order}"
    row = db.one(
        f"SELECT {key} AS k, c.id FROM cases c {'WHERE ' + ' AND '.join(where) if where else ''} "
        f"ORDER BY {order_by} LIMIT 1 OFFSET ?", [*params, max(0, offset)])
    return None if row is None else (row["k"], row["id"])


def reception_count(db: Database, *, date_from: date | None = None, date_to: date | None = None,
                    kind: str | None = None) -> int:
    where, params = _reception_where(date_from, date_to, kind)
    return db.scalar(f"SELECT count(*) FROM receptions r {where}", params)


def reception_cursor_at(db: Database, *, date_from: date | None = None, date_to: date | None = None,
                        kind: str | None = None, descending: bool, offset: int) -> tuple[str, int] | None:
    where, params = _reception_where(date_from, date_to, kind)
    order = "DESC" if descending else "ASC"
    row = db.one(f"SELECT r.received_on, r.id FROM receptions r {where} "
                 f"ORDER BY r.received_on {order}, r.id {order} LIMIT 1 OFFSET ?", [*params, max(0, offset)])
    return None if row is None else (row[0], row[1])


def _reception_where(date_from: date | None, date_to: date | None, kind: str | None) -> tuple[str, list[Any]]:
    where, params = reception_where(date_from, date_to, kind)
    return ("WHERE " + " AND ".join(where)) if where else "", params


def case_count(db: Database, filt: case_repo.CaseFilter, *, sort: str) -> int:
    """``count_cases`` for the rows a page of this sort can show (sorting by deadline leaves out
    cases without one)."""
    if sort != "due":
        return case_repo.count_cases(db, filt)
    where, params = case_repo.case_where(filt)
    where.append("c.due_on IS NOT NULL")
    return db.scalar(f"SELECT count(*) FROM cases c WHERE {' AND '.join(where)}", params)


def case_anchors(db: Database, filt: case_repo.CaseFilter, *, sort: str, descending: bool, every: int,
                 cancelled=lambda: False) -> list[tuple[Any, int]]:
    """The ``after`` cursor of every page of ``every`` rows (entry k opens page k + 1), read in
    one pass over the index so that a scroll-bar jump anywhere costs one keyset page. Meant for
    a worker thread with its own connection; ``cancelled()`` stops it early (returns [])."""
    key = case_repo.SORTS.get(sort, case_repo.SORTS["received"])
    where, params = case_repo.case_where(filt)
    if sort == "due":
        where.append("c.due_on IS NOT NULL")
    return _stepped(db, "cases c", key, "c.id", where, params, descending, every, cancelled)


def reception_anchors(db: Database, *, date_from: date | None = None, date_to: date | None = None,
                      kind: str | None = None, descending: bool, every: int,
                      cancelled=lambda: False) -> list[tuple[str, int]]:
    where, params = reception_where(date_from, date_to, kind)
    return _stepped(db, "receptions r", "r.received_on", "r.id", where, params, descending, every, cancelled)


def _stepped(db: Database, table: str, key: str, id_col: str, where: list[str], params: list[Any],
             descending: bool, every: int, cancelled) -> list:
    """The cursor of every ``every``-th row in (``key``, id) order: one short query per anchor,
    each stepping over ``every`` index entries from the last. SQLite steps in C with Python's
    lock released, so the window's own page fetches on the GUI thread do not wait behind the
    scan (a Python loop over a million fetched rows held that lock for most of a second at
    1,000,000 cases). Same anchors as reading every row: entry k is row (k + 1) × every − 1."""
    op, order = ("<", "DESC") if descending else (">", "ASC")
    by_id = key == id_col
    order_by = f"{id_col} {order}" if by_id else f"{key} {order}, {id_col} {order}"
    after = f"{id_col} {op} ?" if by_id else f"({key}, {id_col}) {op} (?, ?)"

    def sql(extra: list[str]) -> str:
        clauses = where + extra
        return (f"SELECT {key}, {id_col} FROM {table} {'WHERE ' + ' AND '.join(clauses) if clauses else ''} "
                f"ORDER BY {order_by} LIMIT 1 OFFSET {every - 1}")

    first, rest = sql([]), sql([after])
    out: list[tuple[Any, int]] = []
    row = db.conn.execute(first, params).fetchone()
    while row is not None:
        out.append((row[0], row[1]))
        if len(out) % 500 == 0 and cancelled():
            return []
        row = db.conn.execute(rest, [*params, row[1]] if by_id else [*params, row[0], row[1]]).fetchone()
    return out
