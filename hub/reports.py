"""The report forms computed in SQL on the hub: per unit, per province and for the nation.

The forms are the register's (``resources/reports/forms``, ``desktop.reports.forms``), their cells
the same facts (``desktop.storage.report_facts.FACTS``) over the same fact rows, built here from
the communes' records (``hub.storage.report_facts``). A form's rows are the units of the scope
(the communes of a province, or every unit), each computed as its own register would compute
it, and a total; every identity is checked on every row. Figures the register cannot count are
the ones the commune entered by hand (``report_manual_values``, carried in its bundles), or blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from desktop.reports.engine import TOTAL_KEY, FormReport, ReportRow, check_identities
from desktop.reports.forms import Form, Rule, forms_for, get_form
from desktop.reports.periods import Period, due_date
from desktop.storage.report_facts import DISTINCT, FACTS, KIND_FACTS, MEASURES
from hub.storage import report_facts, report_rows

# PostgreSQL spellings of the register's SQLite expressions (the facts' conditions are plain SQL).
_PG_MEASURES = {("case", "late_days"): "greatest(r.ended_on::date - r.last_due::date, 0)"}
_PARAM = re.compile(r"(?<![:\w]):([a-z_]\w*)")


def pg(sql: str) -> str:
    """The register's ``:name`` parameters as psycopg's ``%(name)s`` (``%`` escaped first)."""
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


def _condition(rule: Rule) -> str:
    parts = []
    for name in rule.where:
        sql = pg(FACTS[name.lstrip("!")].sql)
        parts.append(f"NOT coalesce(({sql}), false)" if name.startswith("!") else f"coalesce(({sql}), false)")
    if rule.any:
        parts.append("(" + " OR ".join(f"coalesce(({pg(FACTS[n].sql)}), false)" for n in rule.any) + ")")
    return " AND ".join(parts) or "true"


def _aggregate(rule: Rule) -> str:
    cond = _condition(rule)
    if rule.measure in DISTINCT.get(rule.of, {}):
        return f"count(DISTINCT CASE WHEN {cond} THEN {pg(DISTINCT[rule.of][rule.measure][0])} END)"
    amount = _PG_MEASURES.get((rule.of, rule.measure)) or pg(MEASURES[rule.of][rule.measure][0])
    return f"coalesce(sum(CASE WHEN {cond} THEN {amount} ELSE 0 END), 0)"


def _kinds(cols: list) -> frozenset[str] | None:
    """The case kinds every one of these cells is limited to by a condition they all share (as the
    register's ``ReportRun.case_need`` finds them: 02/XLD the national kinds, GT-01 requests for
    explanation); ``None`` when they are not all limited."""
    kinds = None
    shared = set(cols[0].rule.where).intersection(*(c.rule.where for c in cols[1:]))
    for name in shared:
        if name in KIND_FACTS:
            kinds = frozenset(KIND_FACTS[name]) if kinds is None else kinds & frozenset(KIND_FACTS[name])
    return kinds


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Scope:
    kind: str                  # unit | province | nation
    code: str                  # the unit or province code; "" for the nation
    name: str

    @classmethod
    def of(cls, cur, *, province: str | None = None, unit: str | None = None) -> "Scope":
        if unit:
            return cls("unit", unit, _unit_name(cur, unit))
        if province:
            return cls("province", province, _unit_name(cur, province))
        return cls("nation", "", "Toàn quốc")


def _unit_name(cur, code: str) -> str:
    cur.execute("SELECT name FROM hub.units WHERE unit_code = %s", (code,))
    row = cur.fetchone()
    return row[0] if row else code


def forms_version(form: Form) -> str:
    """What a kept row was computed with: the form's definition, the facts' conditions and the
    SQL building the facts (a change to any of them makes every kept row stale)."""
    import hashlib
    from pathlib import Path

    h = hashlib.sha256(repr(form).encode())
    h.update(repr(sorted((k, v.sql) for k, v in FACTS.items())).encode())
    h.update(repr((MEASURES, DISTINCT, _PG_MEASURES)).encode())
    h.update(Path(report_facts.__file__).read_bytes())
    return h.hexdigest()[:32]


class HubReportRun:
    """A period's report for the scope: each commune's row of every form kept at the hub
    (``hub.report_rows``) while none of its bundles came in since, the others computed in one
    set-based pass over those communes' records (the facts) and kept. One transaction
    (repeatable read), so the rows read and the rows computed describe the same moment."""

    def __init__(self, conn, period: Period, scope: Scope, *, keep: bool = True) -> None:
        from psycopg import pq

        self.conn, self.period, self.scope, self.keep = conn, period, scope, keep
        if conn.info.transaction_status == pq.TransactionStatus.IDLE:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        self.cur = conn.cursor()
        self.params: dict = {"u": scope.code if scope.kind == "unit" else None,
                             "p": scope.code if scope.kind == "province" else None}
        self.units = self._units()
        self.built: set[str] = set()
        self.values: dict[str, dict[str, dict[int, int | None]]] = {}     # form id → unit → row values
        self.computed: list[str] = []
        self._refresh()

    def _units(self) -> list[tuple[str, str]]:
        """The communes (and provinces) whose rows the forms show: every unit of the scope."""
        where = {"unit": "unit_code = %(u)s", "province": "province_code = %(p)s", "nation": "true"}[self.scope.kind]
        self.cur.execute(f"SELECT unit_code, name FROM hub.units WHERE {where} AND level = 'commune' "
                         "ORDER BY unit_code", self.params)
        return [(c, n) for c, n in self.cur.fetchall()]

    def forms(self) -> list[Form]:
        return forms_for(self.period.end)

    def _refresh(self) -> None:
        """Read the kept rows still valid; compute and keep every form's row of the other communes."""
        forms = self.forms()
        versions = {f.id: forms_version(f) for f in forms}
        units = report_rows.communes(self.cur, self.scope.kind, self.params)
        for form_id, unit, version, seen, values in report_rows.kept(self.cur, self.scope.kind, self.params,
                                                                     self.period.code):
            if unit in units and versions.get(form_id) == version and units[unit][1] == seen:
                self.values.setdefault(form_id, {})[unit] = values
        stale = sorted(u for u in units if any(u not in self.values.get(f.id, {}) for f in forms))
        if not stale:
            return
        self._build(stale, every=len(stale) == len(units))
        fresh = {f.id: self._compute_units(f, stale) for f in forms}
        for f in forms:
            self.values.setdefault(f.id, {}).update(fresh[f.id])
        self.computed = stale
        if self.keep:
            # A province's reader computes its report but cannot keep the rows.
            report_rows.keep(self.cur, [(u, self.period.code, f.id, units[u][0], versions[f.id], units[u][1],
                                         fresh[f.id][u]) for f in forms for u in stale])

    def _build(self, units: list[str], every: bool = False) -> None:
        """The period's fact tables for ``units`` (or the whole scope when ``every``)."""
        if every:
            self.params.update(report_facts.build(
                self.cur, self.period.start, self.period.end, scope=self.scope.kind,
                unit=self.params["u"], province=self.params["p"]))
        else:
            self.params.update(report_facts.build(self.cur, self.period.start, self.period.end, scope="units",
                                                  units=list(units)))
        self.built = set(units)

    def _compute_units(self, form: Form, units: list[str]) -> dict[str, dict[int, int | None]]:
        """Each of ``units``' row of the form, from the fact tables."""
        leaves = form.leaves()
        grouped: dict[str, dict[int, int]] = {}
        by_entity: dict[str, list] = {}
        for leaf in leaves:
            if leaf.rule and not leaf.rule.manual and not leaf.rule.sum:
                by_entity.setdefault(leaf.rule.of, []).append(leaf)
        for entity, cols in by_entity.items():
            exprs = ", ".join(_aggregate(c.rule) for c in cols)
            kinds = _kinds(cols) if entity == "case" else None
            # Rows of a kind no cell of the form counts add nothing to any of its cells: not read.
            only = f"WHERE r.kind IN ({', '.join(_quote(k) for k in sorted(kinds))})" if kinds else ""
            self.cur.execute(f"SELECT r.unit_code, {exprs} FROM pg_temp.rp_{entity} r {only} GROUP BY 1", self.params)
            for row in self.cur.fetchall():
                values = grouped.setdefault(row[0], {})
                for col, v in zip(cols, row[1:]):
                    values[col.no] = int(v or 0)
        manual = {leaf.no for leaf in leaves if leaf.rule is None or leaf.rule.manual}
        entered = self._manual_values(form) if manual else {}
        sums = [leaf for leaf in leaves if leaf.rule and leaf.rule.sum]

        def full(values: dict[int, int], unit: str) -> dict[int, int | None]:
            out = {leaf.no: (entered.get((unit, leaf.no)) if leaf.no in manual else values.get(leaf.no, 0))
                   for leaf in leaves}
            for leaf in sums:
                parts = [out[n] for n in leaf.rule.sum]
                out[leaf.no] = None if any(p is None for p in parts) else sum(parts)
            return out

        return {u: full(grouped.get(u, {}), u) for u in units}

    def compute(self, form: Form | str) -> FormReport:
        form = get_form(form, self.period.end) if isinstance(form, str) else form
        leaves = form.leaves()
        if form.id not in self.values or any(u not in self.values[form.id] for u, _ in self.units):
            # A form not in force at the period's end (asked by name): computed, not kept.
            self._build([u for u, _ in self.units])
            self.values[form.id] = self._compute_units(form, [u for u, _ in self.units])
        values = self.values[form.id]
        rows = tuple(ReportRow(code, name, dict(values[code])) for code, name in self.units)
        total_values: dict[int, int | None] = {}
        for leaf in leaves:
            figures = [r.values[leaf.no] for r in rows]
            total_values[leaf.no] = None if any(v is None for v in figures) else sum(figures)
        total = ReportRow(TOTAL_KEY, "Tổng cộng", total_values)
        report = FormReport(form, self.period, self.scope.code, self.scope.name, rows, total)
        check_identities(report)
        return report

    def _manual_values(self, form: Form) -> dict[tuple[str, int], float | int]:
        self.cur.execute("SELECT unit_code, (data->>'no')::int, (data->>'value')::float FROM hub.records "
                         "WHERE tbl = 'report_manual_values' AND data->>'period_code' = %s AND data->>'form_id' = %s "
                         "AND data->>'row_key' = unit_code", (self.period.code, form.id))
        return {(u, n): (int(v) if float(v).is_integer() else v) for u, n, v in self.cur.fetchall()}

    def explain(self, form: Form | str, no: int, unit: str) -> list[str]:
        """The uuids of the cases, receptions or commitments that cell ``no`` counts for ``unit``."""
        form = get_form(form, self.period.end) if isinstance(form, str) else form
        rule = form.leaf(no).rule
        if rule is None or rule.manual:
            return []
        if rule.sum:
            return [u for n in rule.sum for u in self.explain(form, n, unit)]
        if unit not in self.built:
            self._build([unit])
        self.cur.execute(f"SELECT r.uuid FROM pg_temp.rp_{rule.of} r WHERE {_condition(rule)} "
                         "AND r.unit_code = %(unit)s AND r.uuid IS NOT NULL ORDER BY r.id",
                         {**self.params, "unit": unit})
        return [r[0] for r in self.cur.fetchall()]

    def close(self) -> None:
        """Commit the rows computed and kept; the temporary fact tables are dropped."""
        self.cur.execute("DROP TABLE IF EXISTS pg_temp.rp_case, pg_temp.rp_reception, pg_temp.rp_commitment")
        self.conn.commit()
        self.cur.close()


def make_reports(conn, period: Period, *, province: str | None = None, unit: str | None = None,
                 form_keys: list[str] | None = None) -> list[FormReport]:
    with conn.cursor() as cur:
        scope = Scope.of(cur, province=province, unit=unit)
    run = HubReportRun(conn, period, scope)
    try:
        forms = [get_form(k, period.end) for k in form_keys] if form_keys else run.forms()
        return [run.compute(f) for f in forms]
    finally:
        run.close()


@dataclass(frozen=True)
class Submission:
    province_code: str
    unit_code: str
    unit_name: str
    status: str                    # on_time | late | missing
    due_on: date
    issued_on: date | None
    symbol: str

    @property
    def label(self) -> str:
        return {"on_time": "Đúng hạn", "late": "Muộn", "missing": "Chưa nộp"}[self.status]

    def as_dict(self) -> dict:
        return {"province_code": self.province_code, "unit_code": self.unit_code, "unit_name": self.unit_name,
                "status": self.status, "label": self.label, "due_on": self.due_on.isoformat(),
                "issued_on": self.issued_on.isoformat() if self.issued_on else None, "symbol": self.symbol}


def completeness(conn, period: Period, *, province: str | None = None) -> list[Submission]:
    """Per commune: the period's report (carried in its bundles) issued on time, late, or missing,
    against the due date of its province's reporting scheme (the cut-off plus its working days)."""
    from desktop.calendar.workdays import WorkCalendar

    cal = WorkCalendar()
    where = "u.province_code = %(p)s" if province else "true"
    with conn.cursor() as cur:
        cur.execute(f"""
            SELECT u.province_code, u.unit_code, u.name,
                   (SELECT min(r.data->>'issued_on') FROM hub.records r
                    WHERE r.tbl = 'report_issues' AND r.unit_code = u.unit_code
                      AND r.data->>'period_code' = %(code)s),
                   (SELECT r.data->>'symbol' FROM hub.records r
                    WHERE r.tbl = 'report_issues' AND r.unit_code = u.unit_code
                      AND r.data->>'period_code' = %(code)s ORDER BY (r.data->>'revision')::int DESC LIMIT 1)
            FROM hub.units u WHERE u.level = 'commune' AND {where}
            ORDER BY u.province_code, u.unit_code""", {"p": province, "code": period.code})
        rows = cur.fetchall()
    conn.rollback()
    out = []
    for prov, code, name, issued, symbol in rows:
        due = due_date(period, cal, prov)
        day = date.fromisoformat(issued) if issued else None
        status = "missing" if day is None else ("on_time" if day <= due else "late")
        out.append(Submission(prov, code, name, status, due, day, symbol or ""))
    return out
