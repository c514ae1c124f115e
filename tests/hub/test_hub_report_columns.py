"""The values the reports read of cases and events, kept as stored columns (migration 0005): the
same as the record they come from through import, re-import, a newer version and an older one;
an event's own "data" read as the register reads it into report_events; and a hub upgraded from
0004 with its data gives the same report."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

from desktop.storage.migrations import m0019_report_events
from desktop.sync import export
from hub.importer import Keyring, import_bundle

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_hub_import import _snapshot, _trusted  # noqa: E402

CASE_COLUMNS = ("kind", "field", "assignee_uuid", "received_on", "closed_on", "published_on")
EVENT_COLUMNS = ("case_uuid", "seq", "action", "from_state", "to_state", "effective_on")


def _disagreeing(hub) -> int:
    """Rows whose stored columns are not what their record says."""
    cases = " OR ".join(f"{c} IS DISTINCT FROM data->>'{c}'" for c in CASE_COLUMNS)
    events = " OR ".join(f"{c} IS DISTINCT FROM data->>'{c}'" for c in EVENT_COLUMNS)
    with hub.cursor() as cur:
        cur.execute(f"SELECT (SELECT count(*) FROM hub.cases WHERE {cases}) "
                    f"+ (SELECT count(*) FROM hub.events WHERE {events} "
                    "OR detail IS DISTINCT FROM hub.event_detail_of(data->>'data'))")
        n = cur.fetchone()[0]
    hub.rollback()
    return n


def _case_columns(hub, uuid: str) -> tuple:
    with hub.cursor() as cur:
        cur.execute(f"SELECT version, {', '.join(CASE_COLUMNS)} FROM hub.cases WHERE uuid = %s", (uuid,))
        row = cur.fetchone()
    hub.rollback()
    return row


def test_stored_columns_follow_the_record_newer_wins_older_never_reimport_changes_nothing(hub, commune, province,
                                                                                             data, outdir):
    (case,) = data.populate(1)
    first = export.export_bundle(commune, outdir)
    with commune.write():
        commune.execute("UPDATE cases SET kind = 'petition', received_on = '2026-03-05', closed_on = '2026-04-01', "
                        "version = version + 1 WHERE uuid = ?", (case,))
    second = export.export_bundle(commune, outdir)
    _trusted(hub, province)

    import_bundle(hub, first.path, keyring=Keyring())
    assert _case_columns(hub, case) == (1, "explanation", "other", None, "2026-03-02", None, None)
    assert _disagreeing(hub) == 0
    with hub.cursor() as cur:
        cur.execute("SELECT count(*) FROM hub.events WHERE case_uuid = %s AND action = 'receive' AND seq = '1' "
                    "AND to_state = 'received' AND effective_on = '2026-03-02'", (case,))
        assert cur.fetchone()[0] == 1
    hub.rollback()

    updated = import_bundle(hub, second.path, keyring=Keyring())          # the newer version wins
    assert updated.tables["cases"].counts["updated"] == 1
    assert _case_columns(hub, case) == (2, "petition", "other", None, "2026-03-05", "2026-04-01", None)
    older = import_bundle(hub, first.path, keyring=Keyring(), reimport=True)   # never overwritten by an older one
    assert older.tables["cases"].counts["older"] == 1
    assert _case_columns(hub, case) == (2, "petition", "other", None, "2026-03-05", "2026-04-01", None)
    before = _snapshot(hub)
    again = import_bundle(hub, second.path, keyring=Keyring(), reimport=True)   # a re-import changes nothing
    assert again.totals()["new"] == again.totals()["updated"] == 0
    assert _snapshot(hub) == before
    assert _disagreeing(hub) == 0


# Texts of an event's "data": a deadline set, cleared, only quoted in what a step overwrote; the
# values closing, refusing and adding a commitment set; JSON that is no object; text that is no JSON.
DATA_TEXTS = [
    '{"due_on": "2026-03-16", "trace": "hạn"}',
    '{"due_on": null, "before": {"due_on": "2026-03-16"}}',
    '{"before": {"due_on": "2026-03-16", "state": "received"}, "ground": "art4_conditions"}',
    '{"satisfaction": "partly", "before": {"satisfaction": null}}',
    '{"commitment_uuid": "c0ffee", "due_on": "2026-05-01"}',
    '{"ground": "withdrawn", "satisfaction": "satisfied", "commitment_uuid": null}',
    '{"trace": "no value the reports read"}',
    '["due_on", "ground"]',
    '"due_on"',
    '{"due_on": "2026-03-16"',
    'not json "ground"',
    '{}',
    '',
]


def test_an_events_own_data_is_read_as_the_register_reads_it_and_never_refuses_the_event(hub):
    """The four values of hub.events.detail equal the register's report_events ones (desktop
    migration 0019's expressions, run by SQLite over the same text) for every kind of text."""
    register = sqlite3.connect(":memory:")
    register.execute("CREATE TABLE e (case_uuid, seq, effective_on, action, from_state, to_state, data)")
    values = f"SELECT {m0019_report_events._values('e')} FROM e"
    with hub.cursor() as cur:
        for n, text in enumerate(DATA_TEXTS + [None]):
            record = {"uuid": f"ev{n}", "case_uuid": "k1", "seq": n + 1, "action": "receive", "to_state": "received",
                      "effective_on": "2026-03-02", "at": "2026-03-02T08:00:00", "data": text}
            cur.execute("INSERT INTO hub.events (unit_code, year, uuid, province_code, data) "
                        "VALUES ('00001', 2026, %s, '01', %s)", (f"ev{n}", json.dumps(record)))
            cur.execute("SELECT (detail).due_mark, (detail).satisfaction, (detail).ground, (detail).commitment_uuid "
                        "FROM hub.events WHERE uuid = %s", (f"ev{n}",))
            held = cur.fetchone()
            register.execute("DELETE FROM e")
            register.execute("INSERT INTO e VALUES ('k1', ?, '2026-03-02', 'receive', NULL, 'received', ?)",
                             (n + 1, text))
            assert held == register.execute(values).fetchone()[6:], text
        # What PostgreSQL's JSON refuses (a NUL character) is read as nothing: the event is kept.
        cur.execute("INSERT INTO hub.events (unit_code, year, uuid, province_code, data) VALUES ('00001', 2026, "
                    "'nul', '01', %s) RETURNING detail IS NULL, action",
                    (json.dumps({"uuid": "nul", "action": "close", "data": '{"satisfaction": "a\\u0000b"}'}),))
        assert cur.fetchone() == (True, "close")
    hub.rollback()
