"""``verify_ledger``'s fast paths name what the exact ones name (issue #20: full verify in
proportion to ``integrity_check``): the walk of the chains by id and by (unit, seq), the record
hashed from SQLite's JSON and the triggers' own digest of a record holding a fractional number,
the records compared a page at a time and row by row."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.storage import ledger
from desktop.storage.db import open_database
from tests.desktop.demo_register import LEDGER_GUARDS, demo_register
from tests.desktop.demo_register import shell as demo_shell

@pytest.fixture
def register(tmp_path):
    return demo_register(tmp_path)


def shell(path) -> sqlite3.Connection:
    """The sqlite3 shell with the ledger's guards dropped (as someone with the file would)."""
    return demo_shell(path, *LEDGER_GUARDS)


def walks(path) -> tuple:
    conn = sqlite3.connect(path)
    try:
        return ledger._walk_by_id(conn, None, 200), ledger._walk_by_seq(conn, None, 200)
    finally:
        conn.close()


def test_both_walks_name_the_same_problems_of_a_broken_chain(register):
    c = shell(register)
    c.execute("UPDATE ledger SET digest = ? WHERE seq = 5", ("0" * 64,))            # an entry edited
    c.execute("DELETE FROM ledger WHERE seq = 9")                                      # one cut out
    c.execute("UPDATE ledger SET prev_hash = ? WHERE seq = 14", ("1" * 64,))          # a link rewritten
    c.close()
    by_id, by_seq = walks(register)
    assert by_id is not None
    assert by_id == by_seq
    kinds = [(p[1], p[3]) for p in by_id[1]]
    assert kinds == [(5, "hash"), (10, "seq"), (14, "prev"), (14, "hash")]


def test_a_ledger_whose_seqs_do_not_rise_with_the_ids_is_walked_by_seq(register):
    """Two entries trade ids: the chain by seq is intact, the walk by id cannot say so."""
    c = shell(register)
    a, b = c.execute("SELECT id FROM ledger WHERE seq IN (3, 4) ORDER BY seq").fetchall()
    c.execute("UPDATE ledger SET id = -1 WHERE id = ?", a)
    c.execute("UPDATE ledger SET id = ? WHERE id = ?", (a[0], b[0]))
    c.execute("UPDATE ledger SET id = ? WHERE id = -1", b)
    c.close()
    by_id, by_seq = walks(register)
    assert by_id is None and by_seq[1] == []
    db = open_database(register)
    try:
        entries, _records, findings = ledger.verify_ledger(db.conn)
        assert entries == db.scalar("SELECT count(*) FROM ledger") and findings == []
    finally:
        db.close()


def test_the_findings_stop_at_the_limit_in_chain_order(register):
    c = shell(register)
    c.execute("UPDATE ledger SET digest = ? WHERE seq > 10", ("0" * 64,))
    c.close()
    by_id, by_seq = walks(register)
    assert by_id == by_seq
    conn = sqlite3.connect(register)
    try:
        _n, first = ledger._walk_by_id(conn, None, 3)
    finally:
        conn.close()
    assert [p[1] for p in first] == [11, 12, 13]


def test_a_fractional_number_is_digested_as_the_triggers_did(register):
    """SQLite writes 1e20 as 1.0e+20 and Python as 1e+20: the record's fast hash differs from
    its entry's digest, the triggers' own digest matches, and an edit is still caught."""
    db = open_database(register)
    try:
        uuid = db.scalar("SELECT uuid FROM cases ORDER BY id LIMIT 1")
        db.execute("UPDATE cases SET extensions = 1e20 WHERE uuid = ?", (uuid,))  # through the triggers
        text = db.scalar("SELECT json_object('x', extensions) FROM cases WHERE uuid = ?", (uuid,))
        assert text == '{"x":1.0e+20}'
        _e, _r, findings = ledger.verify_ledger(db.conn)
        assert findings == []
    finally:
        db.close()
    c = shell(register)
    c.execute("DROP TRIGGER ledger_au_cases")
    c.execute("UPDATE cases SET extensions = 2e20 WHERE uuid = ?", (uuid,))
    c.close()
    db = open_database(register)
    try:
        _e, _r, findings = ledger.verify_ledger(db.conn)
        assert [(f.kind, f.record_uuid) for f in findings] == [("edited", uuid)]
    finally:
        db.close()


def _checked(path, monkeypatch, *, paged: bool) -> tuple:
    """``verify_ledger`` comparing the records in pages of 5 rows, or every page read again row
    by row (as if no page's joined texts matched)."""
    with monkeypatch.context() as m:
        m.setattr(ledger, "BATCH", 5)
        if not paged:
            m.setattr(ledger, "hex_digests", lambda joined, count: None)
        db = open_database(path)
        try:
            entries, records, findings = ledger.verify_ledger(db.conn)
        finally:
            db.close()
    return entries, records, [(f.kind, f.table, f.record_uuid, f.message) for f in findings]


def test_reading_in_pages_finds_what_reading_row_by_row_finds(register, monkeypatch):
    clean = _checked(register, monkeypatch, paged=True)
    assert clean == _checked(register, monkeypatch, paged=False)
    db = open_database(register)
    try:
        assert clean[:2] == (db.scalar("SELECT count(*) FROM ledger"),
                             sum(db.scalar(f'SELECT count(*) FROM "{t}"') for t in ledger.covered_columns(db.conn)))
    finally:
        db.close()
    assert clean[2] == []
    c = shell(register)
    for kind in ("au", "ai"):
        c.execute(f"DROP TRIGGER ledger_{kind}_persons")
    c.execute("UPDATE ledger SET digest = ? WHERE seq = 23", ("0" * 64,))              # an entry edited
    c.execute("DELETE FROM ledger WHERE seq = 41")                                      # one cut out
    c.execute("UPDATE ledger SET prev_hash = ? WHERE seq = 57", ("1" * 64,))           # a link rewritten
    c.execute("UPDATE persons SET full_name = 'Người khác' WHERE id = 7")              # a record edited
    c.execute("INSERT INTO persons(uuid, unit_code, full_name, updated_at) SELECT 'lén', unit_code, 'Lén', "
              "updated_at FROM persons WHERE id = 1")                                   # one added
    for rowid in (-2 ** 63, 2 ** 63 - 1):                                               # at either end of the rowids
        c.execute("INSERT INTO persons(id, uuid, unit_code, full_name, updated_at) SELECT ?, 'lén' || ?, unit_code, "
                  "'Lén', updated_at FROM persons WHERE id = 1", (rowid, rowid))
    c.close()
    paged = _checked(register, monkeypatch, paged=True)
    assert paged == _checked(register, monkeypatch, paged=False)
    assert sorted(kind for kind, *_x in paged[2]) == ["added"] * 3 + ["chain"] * 4 + ["edited"], paged[2]


def test_a_page_whose_texts_match_but_whose_types_do_not_is_read_row_by_row(register, monkeypatch):
    """An entry's digest kept as a blob of the same bytes joins to the same text: the page is
    still read row by row, which names the record as one read alone would."""
    c = shell(register)
    uuid = c.execute("SELECT record_uuid FROM ledger WHERE tbl = 'persons' ORDER BY id LIMIT 1").fetchone()[0]
    c.execute("UPDATE ledger SET digest = CAST(digest AS BLOB) WHERE record_uuid = ?", (uuid,))
    c.close()
    found = []
    for paged in (True, False):
        with monkeypatch.context() as m:
            m.setattr(ledger, "BATCH", 5)
            if not paged:
                m.setattr(ledger, "hex_digests", lambda joined, count: None)
            conn = sqlite3.connect(register)
            ledger.register_functions(conn)
            try:
                found.append(ledger._compare_records(conn, limit=200, tick=None))
            finally:
                conn.close()
    assert found[0] == found[1]
    assert [(f.kind, f.record_uuid) for f in found[0][1]] == [("edited", uuid)]


def _second_unit_interleaved(path) -> None:
    """A second unit's valid chain, its entries written between the register's own (as a province's
    ledger holds its communes' chains): pages of more than one unit."""
    db = open_database(path)
    try:
        prev, people = ledger.GENESIS, [r[0] for r in db.query("SELECT uuid FROM persons ORDER BY id LIMIT 9")]
        for seq, uuid in enumerate(people, start=1):
            with db.write():
                db.execute("UPDATE persons SET phone = ? WHERE uuid = ?", (f"09{seq:08d}", uuid))  # an own entry
                h = ledger.link_hash("XX", seq, "persons", f"xx-{seq}", 1, "a" * 64, prev)
                db.execute("INSERT INTO ledger(uuid, unit_code, seq, tbl, record_uuid, version, digest, prev_hash, "
                           "hash) VALUES (?, 'XX', ?, 'persons', ?, 1, ?, ?, ?)",
                           (f"xx-entry-{seq}", seq, f"xx-{seq}", "a" * 64, prev, h))
                prev = h
    finally:
        db.close()


def _walked(path, monkeypatch, *, paged: bool, batch: int = 5):
    with monkeypatch.context() as m:
        m.setattr(ledger, "BATCH", batch)
        if not paged:
            m.setattr(ledger, "hex_digests", lambda joined, count: None)
        conn = sqlite3.connect(path)
        try:
            return ledger._walk_by_id(conn, None, 200)
        finally:
            conn.close()


def test_the_walk_in_pages_names_what_the_walk_entry_by_entry_names(register, monkeypatch):
    _second_unit_interleaved(register)
    clean = _walked(register, monkeypatch, paged=True)
    conn = sqlite3.connect(register)
    try:
        assert clean == (conn.execute("SELECT count(*) FROM ledger").fetchone()[0], [])
    finally:
        conn.close()
    assert clean == _walked(register, monkeypatch, paged=False) == walks(register)[1]
    c = shell(register)
    c.execute("UPDATE ledger SET digest = ? WHERE unit_code <> 'XX' AND seq = 5", ("0" * 64,))   # an entry edited
    c.execute("DELETE FROM ledger WHERE unit_code <> 'XX' AND seq = 9")                        # one cut out
    # a link rewritten with the entry's hash made again: the links from the entry before and to the next are broken
    u, seq, tbl, ruuid, ver, digest = c.execute("SELECT unit_code, seq, tbl, record_uuid, version, digest FROM ledger "
                                                "WHERE unit_code <> 'XX' AND seq = 23").fetchone()
    c.execute("UPDATE ledger SET prev_hash = ?, hash = ? WHERE unit_code = ? AND seq = 23",
              ("1" * 64, ledger.link_hash(u, seq, tbl, ruuid, ver, digest, "1" * 64), u))
    # the other unit's last entry renumbered, its hash made again: only its seq is wrong
    seq, prev = c.execute("SELECT seq, prev_hash FROM ledger WHERE unit_code = 'XX' ORDER BY seq DESC LIMIT 1").fetchone()
    c.execute("UPDATE ledger SET seq = ?, hash = ? WHERE unit_code = 'XX' AND seq = ?",
              (seq + 5, ledger.link_hash("XX", seq + 5, "persons", f"xx-{seq}", 1, "a" * 64, prev), seq))
    # an entry moved to another unit, its hash made again: a chain of one entry at the wrong seq, a gap in its own
    u, tbl, ruuid, ver, digest, prev = c.execute("SELECT unit_code, tbl, record_uuid, version, digest, prev_hash "
                                                 "FROM ledger WHERE unit_code <> 'XX' AND seq = 30").fetchone()
    c.execute("UPDATE ledger SET unit_code = 'YY', hash = ? WHERE unit_code = ? AND seq = 30",
              (ledger.link_hash("YY", 30, tbl, ruuid, ver, digest, prev), u))
    c.close()
    paged = _walked(register, monkeypatch, paged=True)
    assert paged == _walked(register, monkeypatch, paged=False) == walks(register)[1]
    assert [(p[0][:2], p[1], p[3]) for p in paged[1]] == [
        (u[:2], 5, "hash"), (u[:2], 10, "seq"), (u[:2], 23, "prev"), (u[:2], 24, "prev"), (u[:2], 31, "seq"),
        ("XX", seq + 5, "seq"), ("YY", 30, "seq")], paged[1]
    for batch in (1, 2, 3, 7, 2000):
        assert _walked(register, monkeypatch, paged=True, batch=batch) == paged


def test_a_page_of_two_units_is_walked_entry_by_entry_though_its_links_hold(register, monkeypatch):
    """The last entry moved to another unit, its hash made again: the page's seqs and links still
    run on as one chain, but the other unit's chain starts at the wrong seq."""
    c = shell(register)
    u, seq, tbl, ruuid, ver, digest, prev = c.execute(
        "SELECT unit_code, seq, tbl, record_uuid, version, digest, prev_hash FROM ledger ORDER BY id DESC LIMIT 1"
    ).fetchone()
    c.execute("UPDATE ledger SET unit_code = 'ZZ', hash = ? WHERE unit_code = ? AND seq = ?",
              (ledger.link_hash("ZZ", seq, tbl, ruuid, ver, digest, prev), u, seq))
    c.close()
    for batch in (3, 5, 2000):
        paged = _walked(register, monkeypatch, paged=True, batch=batch)
        assert paged == _walked(register, monkeypatch, paged=False, batch=batch) == walks(register)[1]
        assert [(p[0], p[1], p[3]) for p in paged[1]] == [("ZZ", seq, "seq")]
