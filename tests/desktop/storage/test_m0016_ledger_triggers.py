"""0016: the record ledger's triggers hash SQLite's own canonical JSON and make the entry's id in
SQL; every entry written by the triggers of 0008 verifies as before, and a change writes the
very entry the documented formulas give (``docs/bundle-format.md`` §7)."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from pathlib import Path

from desktop.storage import ledger
from desktop.storage.db import open_database
from desktop.workflow.verify import verify_register

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "register-0006.sqlite"
UUID7 = re.compile(r"[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}")
TRICKY = 'quote " backslash \\ slash / tab \t newline \n cr \r \x01\x1f del \x7f \u2028 Tiếng Việt ệ 😀 end'


def _triggers_of_0008(table: str, columns: tuple[str, ...], versioned: bool) -> list[str]:
    """The triggers as migration 0008 wrote them (through 0015): a Python call for the entry's
    id, the record's digest (its JSON as text) and the entry's hash."""
    own = "(SELECT value FROM settings WHERE key = 'local_unit_code')"
    out = []
    for kind in ledger.TRIGGER_KINDS:
        row = "OLD." if kind == "ad" else "NEW."
        real = " OR ".join(f"typeof({row}\"{c}\") = 'real'" for c in columns) or "0"
        obj = "json_object(" + ", ".join(f"'{c}', {row}\"{c}\"" for c in columns) + ")"
        digest = "''" if kind == "ad" else f"giaitrinh_digest({obj}, {real})"
        version = f"{row}version" if versioned else "0"
        when = f"giaitrinh_by_trigger() AND {row}unit_code = coalesce({own}, {row}unit_code)"
        event = {"ai": "INSERT", "ad": "DELETE", "au": "UPDATE OF " + ", ".join(f'"{c}"' for c in columns)}[kind]
        if kind == "au":
            when += " AND (" + " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in columns) + ")"
        out.append(f"""CREATE TRIGGER "ledger_{kind}_{table}" AFTER {event} ON "{table}" WHEN {when}
BEGIN
  INSERT INTO ledger(uuid, unit_code, seq, tbl, record_uuid, version, digest, prev_hash, hash)
  SELECT giaitrinh_uuid(), u, s, '{table}', r, v, d, p, giaitrinh_link(u, s, '{table}', r, v, d, p) FROM (
    SELECT {row}unit_code AS u, {row}uuid AS r, {version} AS v, {digest} AS d,
           coalesce((SELECT seq FROM ledger WHERE unit_code = {row}unit_code ORDER BY seq DESC LIMIT 1), 0) + 1 AS s,
           coalesce((SELECT hash FROM ledger WHERE unit_code = {row}unit_code ORDER BY seq DESC LIMIT 1),
                    '{ledger.GENESIS}') AS p);
END""")
    return out


def _put_back_0008_triggers(conn: sqlite3.Connection) -> None:
    for table, columns in ledger.covered_columns(conn).items():
        existing = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
        for kind in ledger.TRIGGER_KINDS:
            conn.execute(f'DROP TRIGGER IF EXISTS "ledger_{kind}_{table}"')
        for sql in _triggers_of_0008(table, tuple(c for c in columns if c in existing), "version" in existing):
            conn.execute(sql)


def _register_at_0015_with_0008_triggers(path: Path) -> None:
    """The released 0006 register upgraded to 0015 as a program before 0016 left it."""
    shutil.copy(FIXTURE, path)
    db = open_database(path)
    with db.write():
        _put_back_0008_triggers(db.conn)
        db.execute("DELETE FROM _sqlite_migrations WHERE name = '0016_ledger_lean_triggers'")
    db.close()


def _changes(conn: sqlite3.Connection, mark: str) -> None:
    """An update, an insert and a deletion of covered records, with awkward text."""
    conn.execute("BEGIN")
    conn.execute("UPDATE persons SET address = ?, version = version + 1 WHERE id = "
                 "(SELECT min(id) FROM persons WHERE NOT sealed)", (f"{mark} {TRICKY}",))
    unit = conn.execute("SELECT value FROM settings WHERE key = 'local_unit_code'").fetchone()[0]
    conn.execute("INSERT INTO calendar_days(uuid, unit_code, day, kind, name, updated_at) "
                 "VALUES (?, ?, ?, 'off', ?, '2026-12-06T09:00:00')",
                 (f"{mark:0<32}"[:32], unit, f"2031-0{len(mark) % 9 + 1}-1{len(mark) % 9}", TRICKY))
    conn.execute("DELETE FROM calendar_days WHERE id = (SELECT min(id) FROM calendar_days)")
    conn.execute("COMMIT")


def _last_entries(conn: sqlite3.Connection, n: int) -> list[tuple]:
    return conn.execute("SELECT unit_code, seq, tbl, record_uuid, version, digest, prev_hash, hash, uuid FROM ledger "
                        "ORDER BY id DESC LIMIT ?", (n,)).fetchall()[::-1]


def _check_formulas(conn: sqlite3.Connection, entries: list[tuple]) -> None:
    """Each entry is what the documented formulas give, computed in Python."""
    columns = ledger.covered_columns(conn)
    for unit, seq, tbl, record, version, digest, prev, hash_, _ in entries:
        assert ledger.link_hash(unit, seq, tbl, record, version, digest, prev) == hash_
        cur = conn.execute(f'SELECT * FROM "{tbl}" WHERE uuid = ?', (record,))
        row = cur.fetchone()
        if row is None:
            assert digest == ""
        else:
            assert ledger.record_digest(dict(zip([d[0] for d in cur.description], row)), columns[tbl]) == digest


def test_upgrade_from_0006_recreates_the_triggers_and_every_entry_verifies(tmp_path):
    path = tmp_path / "register.sqlite"
    _register_at_0015_with_0008_triggers(path)
    conn = sqlite3.connect(path, isolation_level=None)
    ledger.register_functions(conn)
    _changes(conn, "before")  # written by the 0008 triggers
    before = conn.execute("SELECT * FROM ledger ORDER BY id").fetchall()
    records = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ledger.covered_columns(conn)}
    conn.close()
    assert "giaitrinh_link" in sqlite3.connect(path).execute(
        "SELECT sql FROM sqlite_master WHERE name = 'ledger_au_cases'").fetchone()[0]

    db = open_database(path)
    try:
        assert "0016_ledger_lean_triggers" in {r[0] for r in db.query("SELECT name FROM _sqlite_migrations")}
        triggers = db.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_a%'")
        assert len(triggers) == 3 * len(ledger.covered_columns(db.conn))
        for _, sql in triggers:
            assert "giaitrinh_link" not in sql and "giaitrinh_uuid" not in sql
        assert [tuple(r) for r in db.query("SELECT * FROM ledger ORDER BY id")] == before  # no entry touched
        assert {t: db.scalar(f'SELECT count(*) FROM "{t}"') for t in records} == records
        assert verify_register(db).ok
        assert ledger.verify_ledger(db.conn)[2] == []

        _changes(db.conn, "after")  # written by the 0016 triggers, chained onto the 0008 entries
        new = _last_entries(db.conn, 3)
        assert new[0][1] == before[-1][3] + 1 and new[0][6] == before[-1][9]  # seq, prev_hash
        _check_formulas(db.conn, new)
        assert ledger.verify_ledger(db.conn)[2] == []
        assert verify_register(db).ok
    finally:
        db.close()


def test_the_0008_and_0016_triggers_write_the_same_entries(tmp_path):
    entries = []
    for form in ("0008", "0016"):
        path = tmp_path / f"{form}.sqlite"
        shutil.copy(FIXTURE, path)
        db = open_database(path)
        if form == "0008":
            with db.write():
                _put_back_0008_triggers(db.conn)
        _changes(db.conn, "same")
        entries.append([e[2:6] for e in _last_entries(db.conn, 3)])  # what changed, and its digest
        _check_formulas(db.conn, _last_entries(db.conn, 3))
        db.close()
    assert entries[0] == entries[1]


def test_entries_made_in_sql_have_unique_version_7_ids(tmp_path):
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURE, path)
    db = open_database(path)
    try:
        start = time.time_ns() // 1_000_000
        db.conn.execute("BEGIN")
        db.conn.execute("UPDATE persons SET address = address || ' x'")  # one statement, many entries
        db.conn.execute("COMMIT")
        n = db.scalar("SELECT count(*) FROM persons")
        ids = [e[8] for e in _last_entries(db.conn, n)]
        assert len(set(ids)) == n > 10
        for uuid in ids:
            assert UUID7.fullmatch(uuid), uuid
            assert abs(int(uuid[:12], 16) - start) < 60_000  # Unix milliseconds
        assert ledger.verify_ledger(db.conn)[2] == []
    finally:
        db.close()


def test_sqlite_writes_canonical_json_as_python_does():
    """The triggers hash SQLite's ``json_object``/``json_array`` text: for text and integers it is
    ``ledger.canonical`` byte for byte (the bundle format's contract)."""
    conn = sqlite3.connect(":memory:")
    values = [TRICKY, "", "06148", 0, -7, 2**53, None, "".join(chr(c) for c in range(1, 32))]
    text = conn.execute("SELECT json_array(" + ",".join("?" * len(values)) + ")", values).fetchone()[0]
    assert text == ledger.canonical(values)
    keys = sorted(f"k{i}" for i in range(len(values)))
    record = dict(zip(keys, values))
    obj = conn.execute("SELECT json_object(" + ",".join(f"'{k}', ?" for k in keys) + ")", values).fetchone()[0]
    assert obj == ledger.canonical(record)
    ledger.register_functions(conn)
    assert conn.execute("SELECT giaitrinh_sha256(CAST(? AS BLOB))", (text,)).fetchone()[0] == ledger.sha256_hex(text)
    assert conn.execute("SELECT giaitrinh_digest(CAST(? AS BLOB), 0)", (obj,)).fetchone()[0] == \
        ledger.record_digest(record, keys)
