"""The event chain walked a page at a time (``events.verify_chain``, issue #20: full verify in
proportion to ``integrity_check``) names exactly what ``events.verify_chain_by_event`` names walking it
event by event: on a clean register, after edits behind the app, with two units' chains
interleaved, whatever the page size."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.storage import ledger
from desktop.storage.db import open_database
from desktop.storage.events import GENESIS, HASHED_FIELDS, row_hash, verify_chain, verify_chain_by_event
from tests.desktop.demo_register import demo_register
from tests.desktop.demo_register import shell as demo_shell

@pytest.fixture
def register(tmp_path):
    return demo_register(tmp_path)


def shell(path) -> sqlite3.Connection:
    """The sqlite3 shell with the events' guards and ledger triggers dropped."""
    return demo_shell(path, "events_no_update", "events_no_delete", "ledger_ai_events", "ledger_au_events",
                      "ledger_ad_events")


def rehash(c, event_id: int, **changes) -> None:
    """Change an event and make its hash again (as someone who knows the formula would)."""
    for column, value in changes.items():
        c.execute(f"UPDATE events SET {column} = ? WHERE id = ?", (value, event_id))
    values = c.execute(f"SELECT {', '.join(HASHED_FIELDS)} FROM events WHERE id = ?", (event_id,)).fetchone()
    c.execute("UPDATE events SET hash = ? WHERE id = ?", (row_hash(tuple(values)), event_id))


def both(path, monkeypatch, batch: int):
    def summary(result):
        return result[0], [(p.event_id, p.unit_code, p.message) for p in result[1]]

    with monkeypatch.context() as m:
        m.setattr(ledger, "BATCH", batch)
        db = open_database(path)
        try:
            return summary(verify_chain(db)), summary(verify_chain_by_event(db))
        finally:
            db.close()


def interleave_another_unit(path) -> None:
    """A second unit's valid chain, its events between the register's own by id (ids spread out)."""
    c = shell(path)
    case_uuid = c.execute("SELECT uuid FROM cases ORDER BY id LIMIT 1").fetchone()[0]
    c.execute("PRAGMA foreign_keys = OFF")
    c.execute("UPDATE events SET id = -id")
    c.execute("UPDATE events SET id = -id * 3")
    prev = GENESIS
    for n in range(1, 8):
        values = {"uuid": f"xx-{n}", "unit_code": "XX", "case_uuid": case_uuid, "seq": 1000 + n, "action": "note",
                  "from_state": None, "to_state": "received", "actor": "", "at": "2026-03-02T08:00:00",
                  "effective_on": "2026-03-02", "note": "", "data": "{}", "prev_hash": prev}
        prev = row_hash([values[f] for f in HASHED_FIELDS])
        c.execute(f"INSERT INTO events(id, {', '.join(values)}, hash) VALUES (?, {', '.join('?' * len(values))}, ?)",
                  (3 * n + 1, *values.values(), prev))
    c.close()


def test_pages_name_what_the_walk_event_by_event_names(register, monkeypatch):
    interleave_another_unit(register)
    for batch in (1, 3, 5, 2000):
        paged, walked = both(register, monkeypatch, batch)
        assert paged == walked and paged[1] == [] and paged[0] > 30, batch
    c = shell(register)
    ids = [r[0] for r in c.execute("SELECT id FROM events WHERE unit_code <> 'XX' ORDER BY id")]
    own = c.execute("SELECT unit_code FROM events WHERE id = ?", (ids[0],)).fetchone()[0]
    c.execute("UPDATE events SET note = 'sửa lén' WHERE id = ?", (ids[3],))          # an event edited
    c.execute("DELETE FROM events WHERE id = ?", (ids[8],))                          # one cut out
    rehash(c, ids[15], prev_hash="1" * 64)                                           # a link rewritten, hash made again
    rehash(c, ids[-1], unit_code="ZZ")                                               # the last moved to another unit
    xx = [r[0] for r in c.execute("SELECT id FROM events WHERE unit_code = 'XX' ORDER BY id")]
    rehash(c, xx[2], note="khác")                     # the other unit: the link from the next no longer holds
    c.close()
    for batch in (1, 2, 3, 5, 7, 2000):
        paged, walked = both(register, monkeypatch, batch)
        assert paged == walked, batch
    edited, unlinked = "đã bị sửa", "không nối tiếp"
    assert [(event_id, unit, edited if edited in m else unlinked) for event_id, unit, m in paged[1]] == [
        (ids[3], own, edited), (ids[9], own, unlinked), (ids[15], own, unlinked), (ids[16], own, unlinked),
        (xx[3], "XX", unlinked), (ids[-1], "ZZ", unlinked)]
