"""0019: the events as the reports read them — narrow, clustered by case, their JSON read once.

A period's report (``desktop.storage.report_facts``) reads every event of the cases that matter to
the period: on the 1M-case province register, 380,885 events of 141,460 cases for a six-month
period. Read from ``events`` that meant a random table row (a kilobyte: hashes, trace, note) per
event and parsing its JSON ``data`` for the deadline it set, its ground, satisfaction or
commitment: about half of the facts' time (measured, issue #14).

``report_events`` holds, per event, only what the facts read: the step (action, states, legal date)
and the four values of ``data`` they use, extracted once, when the event is written (events are
append-only: ``events_no_update`` and ``events_no_delete`` refuse changes, so a row here never goes
stale). It is keyed by (case, seq), ``WITHOUT ROWID``: a case's events are one short run of one
page. An ``AFTER INSERT`` trigger on ``events`` fills it, whatever writes the event (a step, a bulk
import, a synced bundle); this migration fills it for the events already there.

``due_mark`` is the top-level ``data.due_on`` as the facts read it: the date; ``'-'`` when the step
cleared the deadline (JSON null); NULL when the event says nothing about the deadline (a
``due_on`` inside ``data.before`` is the old value, not one set). Data that is not valid JSON (never
written by this application) gives NULLs instead of refusing the event.

A later migration that rebuilds ``events`` (as 0005 did) drops this trigger with the table and must
create it again (``TRIGGER`` below).
"""

from __future__ import annotations

NAME = "0019_report_events"


def _values(row: str) -> str:
    """The report_events values of one events row (``row``: NEW, or a table alias)."""
    d = f"{row}.data"

    def field(key: str) -> str:
        # the key's name anywhere in the text is a cheap test before the JSON is parsed
        return f"""CASE WHEN instr({d}, '"{key}"') > 0 AND json_valid({d}) THEN json_extract({d}, '$.{key}') END"""

    return (f"{row}.case_uuid, {row}.seq, {row}.effective_on, {row}.action, {row}.from_state, {row}.to_state, "
            f"""CASE WHEN instr({d}, '"due_on"') > 0 AND json_valid({d}) THEN coalesce(json_extract({d}, '$.due_on'),
                 CASE WHEN json_type({d}, '$.due_on') = 'null' THEN '-' END) END, """
            f"{field('satisfaction')}, {field('ground')}, {field('commitment_uuid')}")


TABLE = """CREATE TABLE report_events (
    case_uuid TEXT NOT NULL,
    seq INTEGER NOT NULL,
    effective_on TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    due_mark TEXT,            -- data.due_on: the date; '-' cleared; NULL not set by this event
    satisfaction TEXT,        -- data.satisfaction (closing)
    ground TEXT,              -- data.ground (refusal, termination, suspension …)
    commitment_uuid TEXT,     -- data.commitment_uuid (add_commitment, complete_commitment)
    PRIMARY KEY (case_uuid, seq)
) WITHOUT ROWID"""

TRIGGER = f"""CREATE TRIGGER report_events_fill AFTER INSERT ON events
BEGIN
    INSERT INTO report_events VALUES ({_values('NEW')});
END"""


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    db.execute(TABLE)
    db.execute(f"INSERT INTO report_events SELECT {_values('e')} FROM events e ORDER BY e.case_uuid, e.seq")
    db.execute(TRIGGER)
