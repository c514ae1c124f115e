"""The province's chain checks, run on the hub's tables (issue #19 item 2, issue #17 items 5-6).

A bundle carries its commune's record ledger and a chain head signed by the commune's key. The
province refuses a bundle whose chain or head does not verify, whose records do not match their
entries, or whose history does not continue the chain it holds (``desktop.sync.chain
.check_bundle``). The hub runs **that very function**: it reads the register it imports into
through a few SQL statements — the covered columns (``ledger_columns``), the unit's stored
entries (``ledger``), the owner of a record by uuid (a table per record type), whether a record
type exists (``sqlite_master``) — and ``RegisterView`` answers the same statements from
PostgreSQL: per connection, temporary views of those names over ``hub.ledger``, ``hub.cases``,
``hub.events`` and ``hub.records``, so the statements run as written (``?`` becomes ``%s``).
Nothing of the check is written twice; the hub only writes what it learnt: the new entries
(``hub.ledger``, by COPY), the signed head (``hub.ledger_heads``) and the deletions the chain
names, as the province does (``chain.apply_deletions``, ``chain.record_import``).
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass

from desktop.storage import ledger
from desktop.sync import chain as province_chain
from hub.shape import _text

_MARKS = re.compile(r"IN \((\?(?:, ?\?)*)\)|\?")
_READY: "weakref.WeakKeyDictionary[object, bool]" = weakref.WeakKeyDictionary()
LEDGER = ledger.TABLE
LEDGER_COLUMNS = ("unit_code", "seq", "province_code", "uuid", "tbl", "record_uuid", "version", "digest",
                  "prev_hash", "hash")


def _pg(sql: str, params) -> tuple[str, list]:
    """A statement of ``desktop.sync.chain`` in psycopg's terms (its SQL holds no ``%``): each ``?``
    becomes ``%s``, and each list ``IN (?, ?, …)`` becomes ``= ANY(%s)`` with its values as one
    array — the same test, in a short statement the driver and the server do not parse anew for
    every chunk of 900 values."""
    values = list(params)
    out: list = []
    at = 0

    def mark(m: re.Match) -> str:
        nonlocal at
        if m.group(1) is None:
            out.append(values[at])
            at += 1
            return "%s"
        n = m.group(1).count("?")
        out.append(_array(values[at:at + n]))
        at += n
        return "= ANY(%s)"

    text = _MARKS.sub(mark, sql)
    if at != len(values):
        raise ValueError("placeholders and values differ")
    return text, out


def _array(values: list):
    """A list of text or of whole numbers as PostgreSQL's array literal, which the server reads
    as the array the comparison needs (psycopg sends text as of unknown type), written in one
    join instead of psycopg's value-by-value dump; any other list is left to psycopg."""
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    if not all(type(v) is str for v in values):
        return values
    text = '","'.join(values)
    if "\x00" in text:
        return values
    if "\\" in text or '"' in text:
        text = '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return '{"' + text + '"}'


_TABLE_EXISTS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"   # as chain.py asks it
_TABLES: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


class _Rows:
    """A remembered answer, read as a cursor's."""

    def __init__(self, rows: list) -> None:
        self.rows = rows

    def fetchall(self) -> list:
        return list(self.rows)

    def fetchone(self):
        return self.rows[0] if self.rows else None


class RegisterView:
    """What ``chain.check_bundle`` calls on a register (``db.query``, ``db.one``, ``db.conn.execute``),
    answered by the hub's connection through the temporary views of ``ensure_views``."""

    def __init__(self, conn) -> None:
        self.pg = conn
        self.conn = self

    def execute(self, sql: str, params=()):
        if sql == _TABLE_EXISTS:   # the view of ``ensure_views`` never changes on this connection: asked once
            known = _TABLES.setdefault(self.pg, {})
            name = params[0]
            if name not in known:
                known[name] = self.pg.execute(*_pg(sql, params)).fetchall()
            return _Rows(known[name])
        return self.pg.execute(*_pg(sql, params))

    def query(self, sql: str, params=()) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def one(self, sql: str, params=()):
        return self.execute(sql, params).fetchone()


def ensure_views(conn) -> None:
    """Create, once per connection and committed, the temporary views ``RegisterView`` reads:
    ``ledger``, ``ledger_columns``, ``sqlite_master`` and one per record type (uuid, unit_code).
    Call outside a transaction (it commits)."""
    if _READY.get(conn):
        return
    from psycopg import sql

    from hub.types import covered_columns, record_types

    conn.rollback()
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT to_regclass('pg_temp.ledger_columns') IS NOT NULL")
        if not cur.fetchone()[0]:
            cur.execute("CREATE TEMP VIEW ledger AS SELECT unit_code, seq, tbl, record_uuid, version, digest, "
                        "prev_hash, hash FROM hub.ledger")
            cur.execute("CREATE TEMP TABLE ledger_columns (rowid integer PRIMARY KEY, tbl text, columns text)")
            cur.executemany("INSERT INTO ledger_columns VALUES (%s, %s, %s)",
                            [(i, t, json.dumps(list(c))) for i, (t, c) in enumerate(covered_columns().items())])
            names = []
            for t in record_types():
                if t.name == "ledger":
                    continue
                names.append(t.name)
                name = sql.Identifier(t.name)
                if t.target == "records":
                    cur.execute(sql.SQL("CREATE TEMP VIEW {} AS SELECT uuid, unit_code FROM hub.records "
                                        "WHERE tbl = {}").format(name, sql.Literal(t.name)))
                else:
                    cur.execute(sql.SQL("CREATE TEMP VIEW {} AS SELECT uuid, unit_code FROM {}").format(
                        name, sql.Identifier("hub", t.target)))
            cur.execute(sql.SQL("CREATE TEMP VIEW sqlite_master AS SELECT 'table'::text AS type, name "
                                "FROM unnest({}::text[]) AS name").format(sql.Literal(["ledger", *names])))
    _READY[conn] = True


def stored_head(cur, unit: str) -> tuple[int, str]:
    """(seq, hash) of the unit's last entry the hub holds; (0, GENESIS) for none."""
    cur.execute("SELECT seq, hash FROM hub.ledger WHERE unit_code = %s ORDER BY seq DESC LIMIT 1", (unit,))
    row = cur.fetchone()
    return (row[0], row[1]) if row else (0, ledger.GENESIS)


class CachedBundle:
    """A verified bundle whose parts were parsed once (``hub.importer.prepare``): what
    ``check_bundle`` reads of a bundle (manifest, the commune's key, records and lines)."""

    def __init__(self, bundle, records: dict[str, list], lines: dict[str, list[str]]) -> None:
        self.manifest, self.peer, self.path = bundle.manifest, bundle.peer, bundle.path
        self._records, self._lines = records, lines

    def records(self, part) -> list:
        return self._records[part.table]

    def lines(self, part) -> list[str]:
        return self._lines[part.table]


@dataclass
class Checked:
    """What the chain check of one bundle found, against the stored chain it saw (``seen``)."""
    seen: tuple[int, str]
    result: province_chain.ChainCheck | None = None
    error: Exception | None = None          # the check's refusal (a UserError), raised at apply

    def new_rows(self, entries: list, *, province: str) -> bytes:
        """COPY rows of ``hub.ledger`` for the entries after the stored head (the check made sure
        the others are the stored ones and these continue them)."""
        top = self.seen[0]
        new = [e for e in entries if e["seq"] > top]
        # The usual entry holds no character COPY must escape (hex digests, uuids, table names):
        # written as is, then checked whole; otherwise each value is escaped.
        text = "".join(f"{e['unit_code']}\t{e['seq']}\t{province}\t{e['uuid']}\t{e['tbl']}\t{e['record_uuid']}\t"
                       f"{e['version']}\t{e['digest']}\t{e['prev_hash']}\t{e['hash']}\n" for e in new)
        if (text.count("\t") != 9 * len(new) or text.count("\n") != len(new) or "\\" in text or "\r" in text):
            text = "".join(f"{_text(e['unit_code'])}\t{e['seq']}\t{_text(province)}\t{_text(e['uuid'])}\t"
                           f"{_text(e['tbl'])}\t{_text(e['record_uuid'])}\t{e['version']}\t{_text(e['digest'])}\t"
                           f"{_text(e['prev_hash'])}\t{_text(e['hash'])}\n" for e in new)
        return text.encode("utf-8")


def check(conn, bundle: CachedBundle) -> Checked:
    """``chain.check_bundle`` of the province over what the hub holds, in one snapshot; a refusal is
    kept (not raised) so the caller decides when it counts. ``conn`` has ``ensure_views``."""
    from desktop.errors import UserError

    unit = bundle.manifest.unit_code
    with conn.cursor() as cur:
        seen = stored_head(cur, unit)
    try:
        return Checked(seen, province_chain.check_bundle(RegisterView(conn), bundle))
    except UserError as exc:
        return Checked(seen, error=exc)


def save(cur, checked: Checked, data: bytes, *, unit: str, province: str, bundle_sha: str,
         fingerprint: str) -> None:
    """Inside the import's transaction: the new entries (``Checked.new_rows``), the signed head,
    then the deletions the chain names (after the merge, as ``chain.apply_deletions`` does at the
    province)."""
    if data:
        with cur.copy(f"COPY hub.ledger ({', '.join(LEDGER_COLUMNS)}) FROM STDIN") as copy:
            copy.write(data)
    head = checked.result.head
    cur.execute("INSERT INTO hub.ledger_heads (unit_code, province_code, bundle_sha256, seq, hash, signed_at, "
                "key_fingerprint, signature) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (unit, province, bundle_sha, head["seq"], head["hash"], head["signed_at"], fingerprint,
                 head["signature"]))
    deleted = checked.result.deleted
    if not deleted:
        return
    from hub.types import by_name

    types = by_name()
    # A record is removed when its last entry in the unit's chain (now stored) is a deletion.
    last = ("SELECT DISTINCT ON (l.tbl, l.record_uuid) l.tbl, l.record_uuid, l.digest FROM hub.ledger l "
            "JOIN unnest(%(t)s::text[], %(u)s::text[]) x(tbl, uuid) ON l.tbl = x.tbl AND l.record_uuid = x.uuid "
            "WHERE l.unit_code = %(unit)s ORDER BY l.tbl, l.record_uuid, l.seq DESC")
    for target in ("cases", "events", "records"):
        picked = [(t, u) for t, u in deleted if t in types and types[t].target == target]
        if not picked:
            continue
        same_type = " AND r.tbl = d.tbl" if target == "records" else ""
        cur.execute(f"DELETE FROM hub.{target} r USING ({last}) d WHERE d.digest = '' AND r.unit_code = %(unit)s "
                    f"AND r.uuid = d.record_uuid{same_type}",
                    {"t": [t for t, _ in picked], "u": [u for _, u in picked], "unit": unit})
