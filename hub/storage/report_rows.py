"""SQL of the kept report rows (``hub.report_rows``, migration 0002): each commune's row of every
form, valid while the unit sent no bundle since and the form's definition is the same."""

from __future__ import annotations

import json

_SCOPE = {"unit": "u.unit_code = %(u)s", "province": "u.province_code = %(p)s", "nation": "true"}


def communes(cur, scope: str, params: dict) -> dict[str, tuple[str, int]]:
    """Every commune of the scope: unit code → (its province, the number of its bundles)."""
    cur.execute(f"""
        SELECT u.unit_code, u.province_code, coalesce(b.n, 0) FROM hub.units u
        LEFT JOIN (SELECT unit_code, count(*) AS n FROM hub.bundles GROUP BY 1) b USING (unit_code)
        WHERE u.level = 'commune' AND {_SCOPE[scope]}""", params)
    return {u: (p, n) for u, p, n in cur.fetchall()}


def kept(cur, scope: str, params: dict, period_code: str) -> list[tuple[str, str, str, int, dict[int, object]]]:
    """(form id, unit, forms version, bundles seen, row values) of every kept row of the scope."""
    cur.execute(f"""
        SELECT r.form_id, r.unit_code, r.forms_version, r.bundles_seen, r.row_values FROM hub.report_rows r
        JOIN hub.units u USING (unit_code)
        WHERE r.period_code = %(code)s AND u.level = 'commune' AND {_SCOPE[scope]}""",
                {**params, "code": period_code})
    return [(f, u, v, n, {int(k): x for k, x in values.items()}) for f, u, v, n, values in cur.fetchall()]


def keep(cur, rows: list[tuple[str, str, str, str, str, int, dict[int, object]]]) -> bool:
    """Keep rows (unit, period, form id, province, forms version, bundles seen, values); ``False``
    when this role may not write them (a province's reader) or a run at the same moment kept
    them first. Inside a savepoint of the caller's transaction."""
    import psycopg

    try:
        with cur.connection.transaction():
            cur.executemany("""
                INSERT INTO hub.report_rows (unit_code, period_code, form_id, province_code, forms_version,
                                             bundles_seen, row_values)
                VALUES (%s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (unit_code, period_code, form_id) DO UPDATE
                SET province_code = excluded.province_code, forms_version = excluded.forms_version,
                    bundles_seen = excluded.bundles_seen, computed_at = excluded.computed_at,
                    row_values = excluded.row_values""",
                            [(*r[:6], json.dumps({str(k): v for k, v in r[6].items()})) for r in rows])
        return True
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.SerializationFailure):
        return False
