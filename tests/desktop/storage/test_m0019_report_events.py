"""0019 on the released 0006 register: every event gets its report row, read here again from the
event's JSON in Python; a new event gets one from the trigger; nothing is lost."""

from __future__ import annotations

import json
import shutil
from datetime import date

from desktop.security.accounts import assume_role
from desktop.storage.db import open_database
from desktop.storage.events import insert_event
from desktop.workflow.verify import verify_register

from tests.desktop.storage.upgrade_0006 import FIXTURE, copy_0006, counts

TABLES = ("cases", "receptions", "persons", "events", "documents", "commitments")


def expected(row) -> tuple:
    """What the reports must read from one event: its step, and from ``data`` (parsed here with
    Python's json, not SQLite's) the top-level deadline (the date; '-' when cleared; None when the
    event does not set one), satisfaction, ground and commitment."""
    data = json.loads(row["data"])
    due = ("-" if data["due_on"] is None else data["due_on"]) if "due_on" in data else None
    return (row["case_uuid"], row["seq"], row["effective_on"], row["action"], row["from_state"], row["to_state"],
            due, data.get("satisfaction"), data.get("ground"), data.get("commitment_uuid"))


def _report_rows(db) -> dict[tuple[str, int], tuple]:
    return {(r[0], r[1]): tuple(r) for r in db.query("SELECT * FROM report_events")}


def test_upgrade_from_0006_fills_report_events_from_every_event(tmp_path):
    path, before = copy_0006(tmp_path, TABLES)
    db = open_database(path)
    try:
        assert counts(db.conn, TABLES) == before and before["events"] > 100
        events = db.query("SELECT * FROM events ORDER BY id")
        held = _report_rows(db)
        assert len(held) == len(events)
        for event in events:
            assert held[(event["case_uuid"], event["seq"])] == expected(event)
        # the fixture has each kind of value the facts read: a deadline set, one cleared by a step,
        # satisfaction, grounds, commitments
        values = list(held.values())
        assert any(v[6] not in (None, "-") for v in values) and any(v[6] == "-" for v in values)
        assert all(any(v[i] for v in values) for i in (7, 8, 9))
        assert verify_register(db).ok
    finally:
        db.close()


def test_a_new_event_gets_its_report_row_and_bad_json_does_not_refuse_the_event(tmp_path):
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURE, path)
    db = open_database(path)
    try:
        assume_role(db, "leader")
        case = db.one("SELECT uuid, unit_code, state FROM cases WHERE closed_on IS NULL LIMIT 1")
        with db.write():
            event = insert_event(db, unit_code=case["unit_code"], case_uuid=case["uuid"], action="extend",
                                 from_state=case["state"], to_state=case["state"], effective_on=date(2026, 1, 5),
                                 data={"due_on": "2026-02-02", "before": {"due_on": "2026-01-20"}})
        row = db.one("SELECT * FROM events WHERE uuid = ?", (event.uuid,))
        assert _report_rows(db)[(case["uuid"], event.seq)] == expected(row)
        assert expected(row)[6] == "2026-02-02"
        with db.write():   # a deadline only quoted as the old value (data.before) is no deadline set
            event = insert_event(db, unit_code=case["unit_code"], case_uuid=case["uuid"], action="note",
                                 from_state=case["state"], to_state=case["state"], effective_on=date(2026, 1, 5),
                                 data={"before": {"due_on": "2026-02-02"}})
        row = db.one("SELECT * FROM events WHERE uuid = ?", (event.uuid,))
        assert _report_rows(db)[(case["uuid"], event.seq)] == expected(row) and expected(row)[6] is None
        with db.write():
            db.execute("INSERT INTO events(uuid, unit_code, case_uuid, seq, action, from_state, to_state, at, "
                       "effective_on, data, prev_hash, hash) VALUES ('x-1', ?, ?, ?, 'note', ?, ?, "
                       "'2026-01-06T08:00:00', '2026-01-06', '{\"due_on\": broken', '', 'x-1')",
                       (case["unit_code"], case["uuid"], event.seq + 1, case["state"], case["state"]))
        assert _report_rows(db)[(case["uuid"], event.seq + 1)] == (
            case["uuid"], event.seq + 1, "2026-01-06", "note", case["state"], case["state"], None, None, None, None)
    finally:
        db.close()
