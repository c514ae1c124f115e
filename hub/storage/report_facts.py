"""The period's report facts built on the hub's PostgreSQL tables: the province's register facts
(``desktop.storage.report_facts``), the same columns and the same meaning, for many units at once.

``build`` makes three temporary tables, ``rp_case``, ``rp_reception`` and ``rp_commitment``, with
the columns the register's builder gives them, from the records the communes sent (kept whole as
``jsonb``; what the facts read of cases and events also as stored columns the server derives from
it, migration 0005, as the register keeps ``report_events``), so that the facts' conditions
(``FACTS``) and the forms' rules apply unchanged. Each step of a case counts as recorded by the
cut-off (events with ``effective_on <= end``), exactly as the register counts it; one pass over
the events of the cases that matter to the period.
"""

from __future__ import annotations

from datetime import date, timedelta

from desktop.storage.report_facts import END_STATES

_ENDS = ", ".join(f"'{s}'" for s in END_STATES)

# A case the period's report reads: received by the period's end, not closed before it began.
_CASE_MATTERS = ("k.received_on <= %(e)s AND (k.closed_on IS NULL OR k.closed_on >= %(s)s "
                 "OR k.published_on >= %(s)s)")

# An event's seq as six digits, so that "date + seq + value" sorts by date, then step.
_SEQ = "lpad(e.seq, 6, '0')"


def _where_units(alias: str, scope: str) -> str:
    return {"unit": f"{alias}.unit_code = %(u)s", "province": f"{alias}.province_code = %(p)s",
            "units": f"{alias}.unit_code = ANY(%(us)s)", "nation": "true"}[scope]


def build(cur, start: date, end: date, *, scope: str = "nation", unit: str | None = None,
          province: str | None = None, units: list[str] | None = None) -> dict:
    """(Re)build the facts for one unit, one province, a list of units or the nation; the SQL
    parameters."""
    params = {"s": start.isoformat(), "e": end.isoformat(), "before": (start - timedelta(days=1)).isoformat(),
              "u": unit, "p": province, "us": units}
    cur.execute("DROP TABLE IF EXISTS pg_temp.rp_case, pg_temp.rp_reception, pg_temp.rp_commitment")
    # One pass hashing every event of the scope per case: room for it in memory (this session only).
    cur.execute("SET work_mem = '256MB'")
    # The events per case are joined to their cases by hashing, never by sorting a unit's events.
    cur.execute("SET LOCAL enable_mergejoin = off")
    # Each case's steps as recorded by the cut-off, aggregated per case first (the events are the
    # large table; the cases' own fields join in afterwards, so no wide row is ever sorted). Every
    # value is a stored column (migration 0005), none unpacked from the records' JSON here.
    cur.execute(f"""
        CREATE TEMP TABLE rp_case AS
        WITH ev AS (
          -- Plain min/max over "date + 6-digit seq + value" (as the register's builder does), so
          -- the events are hashed per case, never sorted.
          SELECT e.unit_code, e.case_uuid,
            min(e.effective_on) FILTER (WHERE e.action = 'accept') AS accepted_on,
            min(e.effective_on || {_SEQ} || e.action)
               FILTER (WHERE e.from_state = 'received' AND e.to_state <> 'received') AS handled,
            min(e.effective_on || {_SEQ} || e.action)
               FILTER (WHERE e.to_state IN ({_ENDS}) AND coalesce(e.from_state, '') NOT IN ({_ENDS})) AS ended,
            max({_SEQ} || e.to_state) AS state_at_end,
            -- The deadline in force: the last event that set one (a "due_on" of its own, not one
            -- quoted further in, such as what a step overwrote, as the register's builder reads it).
            max({_SEQ} || (e.detail).due_mark) FILTER (WHERE (e.detail).due_mark IS NOT NULL) AS last_due,
            min(nullif((e.detail).due_mark, '-')) FILTER (WHERE e.action = 'receive') AS first_due,
            count(*) FILTER (WHERE e.action = 'extend' AND e.effective_on >= %(s)s) AS extended_in,
            count(*) FILTER (WHERE e.action = 'suspend' AND e.effective_on >= %(s)s) AS suspended_in,
            count(*) FILTER (WHERE e.action = 'publish' AND e.effective_on >= %(s)s) AS published_in,
            min(e.effective_on) FILTER (WHERE e.action = 'close') AS closed_on,
            max((e.detail).satisfaction) FILTER (WHERE e.action = 'close') AS satisfaction,
            max((e.detail).ground) FILTER (WHERE e.action = 'refuse') AS ground,
            max((e.detail).ground) FILTER (WHERE e.action = 'terminate') AS term_ground
          FROM hub.events e
          WHERE {_where_units('e', scope)} AND e.effective_on <= %(e)s
            -- Only the events of the cases that matter to the period (those joined below): about
            -- half of a year's events for a six-month report, found by hashing the cases.
            AND EXISTS (SELECT 1 FROM hub.cases k
                        WHERE k.unit_code = e.unit_code AND k.uuid = e.case_uuid AND {_CASE_MATTERS})
          GROUP BY 1, 2)
        SELECT row_number() OVER (ORDER BY k.unit_code, k.received_on, k.uuid) AS id, k.uuid,
               NULL::text AS opening_uuid, k.unit_code, k.kind, k.field, k.assignee_uuid, k.received_on,
               ev.accepted_on, left(ev.handled, 10) AS handled_on, substr(ev.handled, 17) AS handled_how,
               left(ev.ended, 10) AS ended_on, substr(ev.ended, 17) AS end_action,
               substr(ev.state_at_end, 7) AS state_at_end, nullif(substr(ev.last_due, 7), '-') AS last_due,
               ev.first_due, ev.extended_in, ev.suspended_in, ev.published_in, ev.closed_on,
               ev.satisfaction, ev.ground, ev.term_ground
        FROM hub.cases k
        JOIN ev ON ev.unit_code = k.unit_code AND ev.case_uuid = k.uuid
        WHERE {_where_units('k', scope)} AND {_CASE_MATTERS}""", params)
    cur.execute("RESET enable_mergejoin")
    # Opening balances (kê khai đầu kỳ): rows received (and accepted) the day before the period.
    cur.execute(f"""
        INSERT INTO rp_case (id, uuid, opening_uuid, unit_code, kind, field, assignee_uuid, received_on,
                             accepted_on, handled_on, handled_how, ended_on, end_action, state_at_end, last_due,
                             first_due, extended_in, suspended_in, published_in, closed_on, satisfaction, ground,
                             term_ground)
        SELECT NULL, NULL, o.uuid, o.unit_code, o.data->>'kind', 'other', NULL, %(before)s,
               CASE WHEN n.i <= (o.data->>'unresolved')::int THEN %(before)s END,
               CASE WHEN n.i <= (o.data->>'unresolved')::int THEN %(before)s END,
               CASE WHEN n.i <= (o.data->>'unresolved')::int THEN 'accept' END,
               NULL, NULL,
               CASE WHEN n.i <= (o.data->>'unresolved')::int THEN 'accepted' ELSE 'received' END,
               NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL
        FROM hub.records o
        CROSS JOIN LATERAL generate_series(1, (o.data->>'unhandled')::int + (o.data->>'unresolved')::int) n(i)
        WHERE o.tbl = 'report_openings' AND {_where_units('o', scope)}
          AND o.data->>'as_of' BETWEEN %(s)s AND %(e)s""", params)
    cur.execute(f"""
        CREATE TEMP TABLE rp_reception AS
        SELECT row_number() OVER (ORDER BY r.unit_code, r.data->>'received_on', r.uuid) AS id, r.uuid, r.unit_code,
               r.data->>'host_uuid' AS assignee_uuid, r.data->>'received_on' AS received_on, r.data->>'kind' AS kind,
               (r.data->>'by_deputy')::int AS by_deputy, (r.data->>'people_count')::int AS people_count,
               (r.data->>'first_time')::int AS first_time, r.data->>'case_kind' AS case_kind,
               (r.data->>'within_competence')::int AS within_competence, r.data->>'outcome' AS outcome,
               coalesce(r.data->>'case_uuid', r.uuid) AS matter,
               coalesce((SELECT (o.data->>'role' = 'head')::int FROM hub.records o
                         WHERE o.tbl = 'officers' AND o.unit_code = r.unit_code
                           AND o.uuid = r.data->>'host_uuid'), 0) AS host_is_head
        FROM hub.records r
        WHERE r.tbl = 'receptions' AND {_where_units('r', scope)}
          AND r.data->>'received_on' BETWEEN %(s)s AND %(e)s""", params)
    # Each commitment with the step that added it, as the register's builder joins them: the
    # events' stored columns (0005), no second pass unpacking every event's JSON.
    cur.execute(f"""
        CREATE TEMP TABLE rp_commitment AS
        SELECT row_number() OVER (ORDER BY c.unit_code, c.uuid, e.effective_on) AS id, c.uuid, c.unit_code,
               k.assignee_uuid, e.effective_on AS made_on, c.data->>'due_on' AS due_on,
               CASE WHEN c.data->>'done_on' <= %(e)s THEN c.data->>'done_on' END AS done_on,
               (c.data->>'status' = 'dropped')::int AS dropped, c.data->>'case_uuid' AS case_uuid
        FROM hub.records c
        JOIN hub.events e ON e.unit_code = c.unit_code AND e.case_uuid = c.data->>'case_uuid'
                         AND e.action = 'add_commitment' AND (e.detail).commitment_uuid = c.uuid
        JOIN hub.cases k ON k.unit_code = c.unit_code AND k.uuid = c.data->>'case_uuid'
        WHERE c.tbl = 'commitments' AND {_where_units('c', scope)} AND e.effective_on <= %(e)s
          AND (c.data->>'done_on' IS NULL OR c.data->>'done_on' >= %(s)s)""", params)
    return params
