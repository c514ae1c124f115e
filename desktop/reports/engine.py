"""Compute report forms from the register's events, as they stood in a period.

``ReportRun(db, period)`` builds the period's fact tables (``desktop.storage.report_facts``), each
when a form first needs it — a form alone gets only the case facts it reads (``CaseNeed``: columns
and kinds), several forms the whole table once; each form is then one aggregate query per kind of
row it counts (cases, receptions, commitments), every cell a ``count(*) FILTER (WHERE <facts>)``
(or a sum) over the same rows — set-based, so a million-case register costs a few passes, not a
loop. ``explain`` lists what a cell counts with the very same condition. Identities are checked on
every row of every form: a failure is a bug (``ReportInconsistent``), never a figure shown to the
clerk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date

from desktop.reports.forms import Column, Form, Rule, forms_for, get_form
from desktop.reports.periods import Period
from desktop.storage import report_facts as facts_sql
from desktop.storage.db import Database
from desktop.storage.report_facts import ALL_CASES, DISTINCT, FACTS, KIND_FACTS, MEASURES, TABLES, CaseNeed

log = logging.getLogger(__name__)

TOTAL_KEY = "__total__"
NO_OFFICER = "__none__"


class ReportInconsistent(AssertionError):
    """An identity of a form does not hold: the engine or the form data has a bug."""


@dataclass(frozen=True)
class ReportRow:
    key: str                       # unit code, officer uuid, or TOTAL_KEY
    label: str
    values: dict[int, int | None]  # column number -> figure (None: not held by the register)

    def value(self, no: int) -> int | None:
        return self.values.get(no)


@dataclass(frozen=True)
class FormReport:
    form: Form
    period: Period
    unit_code: str
    unit_name: str
    rows: tuple[ReportRow, ...]
    total: ReportRow | None = None
    warnings: tuple[str, ...] = ()     # identities that hand-entered figures do not satisfy

    def all_rows(self) -> list[ReportRow]:
        return list(self.rows) + ([self.total] if self.total else [])

    def main_row(self) -> ReportRow:
        """The figures of the whole unit: the total, or the one row."""
        return self.total or (self.rows[0] if self.rows else ReportRow(TOTAL_KEY, "Tổng cộng", {}))

    def as_dict(self) -> dict:
        return {"form": self.form.code, "form_id": self.form.id, "title": self.form.title,
                "period": self.period.as_dict(), "unit_code": self.unit_code, "unit_name": self.unit_name,
                "columns": [{"no": c.no, "label": c.label, "verified": c.verified, "source": c.source,
                             "manual": bool(c.rule and c.rule.manual)} for c in self.form.leaves()],
                "rows": [{"key": r.key, "label": r.label, "values": {str(k): v for k, v in r.values.items()}}
                         for r in self.all_rows()], "warnings": list(self.warnings)}


@dataclass(frozen=True)
class CellExplanation:
    form: str
    no: int
    label: str
    row_key: str
    entity: str
    meaning: str                   # Vietnamese: what the cell counts
    value: int | None
    ids: tuple[int, ...]           # case / reception / commitment row ids
    uuids: tuple[str, ...]
    openings: tuple[tuple[str, int], ...] = ()   # (opening balance uuid, rows it stands for)

    def as_dict(self) -> dict:
        return {"form": self.form, "no": self.no, "label": self.label, "row": self.row_key, "entity": self.entity,
                "meaning": self.meaning, "value": self.value, "ids": list(self.ids), "uuids": list(self.uuids),
                "openings": [{"uuid": u, "count": n} for u, n in self.openings]}


def condition(rule: Rule) -> str:
    parts = []
    for name in rule.where:
        negate = name.startswith("!")
        sql = f"({FACTS[name.lstrip('!')].sql})"
        # a fact may be NULL (a comparison with a missing date): false, also under NOT
        parts.append(f"NOT coalesce({sql}, 0)" if negate else sql)
    if rule.any:
        parts.append("(" + " OR ".join(f"({FACTS[n].sql})" for n in rule.any) + ")")
    return " AND ".join(parts) or "1"


def meaning(rule: Rule) -> str:
    if rule.sum:
        return "Tổng các cột " + " + ".join(f"({n})" for n in rule.sum)
    if rule.manual:
        return "Sổ không theo dõi số liệu này: đơn vị tự điền."
    words = [("không " if n.startswith("!") else "") + FACTS[n.lstrip("!")].label for n in rule.where]
    if rule.any:
        words.append("(" + " hoặc ".join(FACTS[n].label for n in rule.any) + ")")
    label = (MEASURES.get(rule.of, {}).get(rule.measure) or DISTINCT[rule.of][rule.measure])[1]
    return f"{label.capitalize()}: " + "; ".join(words) if words else label.capitalize()


def _row_key_sql(form: Form, entity: str) -> str:
    if form.rows == "officer":
        return f"coalesce(r.assignee_uuid, '{NO_OFFICER}')"
    return "r.unit_code"


class ReportRun:
    """The period's facts on this connection, and every form computed from them."""

    def __init__(self, db: Database, period: Period, unit_code: str | None = None) -> None:
        from desktop.storage.units import local_unit

        self.db = db
        self.period = period
        unit = local_unit(db)
        self.unit_code = unit_code or unit.code
        self.unit_name = unit.name if self.unit_code == unit.code else self._unit_name(self.unit_code)
        self.params = facts_sql.parameters(period.start, period.end, self.unit_code)
        # each fact table is built when a form first counts its rows (01/TCD reads only receptions); the
        # cases' table first with only what that form reads (``CaseNeed``: 02/XLD two of its event-made
        # columns and the national kinds, GT-01 only requests for explanation), whole when another reads more
        self._built: set[str] = set()
        self._case_need: CaseNeed | None = None
        facts_sql.drop(db)
        db.report_facts_owner = self

    def ensure(self, *entities: str, need: CaseNeed = ALL_CASES) -> None:
        """Build the fact tables of these entities (``case``, ``reception``, ``commitment``) for this
        run's period, unless built; the cases' table with at least ``need`` (all of it unless told).
        The tables are the connection's: when another run on the same connection built its own since,
        this run's are built again, never read as another period's."""
        if getattr(self.db, "report_facts_owner", None) is not self:
            facts_sql.drop(self.db)
            self._built.clear()
            self._case_need = None
            self.db.report_facts_owner = self
        for entity in entities:
            if entity == "case":
                if self._case_need is None or not self._case_need.covers(need):
                    # a form that reads more than the table holds gets the whole table (never a partial
                    # table read for columns or kinds it does not hold; at most one build after the first)
                    need = need if self._case_need is None else ALL_CASES
                    facts_sql.build_entity(self.db, entity, self.params, need)
                    self._case_need = need
                    self._built.add(entity)
            elif entity not in self._built:
                facts_sql.build_entity(self.db, entity, self.params)
                self._built.add(entity)

    def case_need(self, form: Form) -> CaseNeed | None:
        """What of the cases' facts ``form`` reads (``None``: no case at all): the event-made columns its
        cells' conditions and amounts read, and the kinds every one of its cells is limited to."""
        cols = [leaf for leaf in form.leaves() if leaf.rule and not leaf.rule.manual and not leaf.rule.sum
                and leaf.rule.of == "case"]
        if not cols:
            return None
        sql = [condition(c.rule) for c in cols] + [MEASURES["case"][c.rule.measure][0] for c in cols]
        kinds = None
        shared = set(cols[0].rule.where).intersection(*(c.rule.where for c in cols[1:]))
        for name in shared:
            if name in KIND_FACTS:
                kinds = frozenset(KIND_FACTS[name]) if kinds is None else kinds & frozenset(KIND_FACTS[name])
        return CaseNeed(facts_sql.columns_read(*sql, _row_key_sql(form, "case")), kinds)

    def _unit_name(self, code: str) -> str:
        row = self.db.one("SELECT name FROM units WHERE code = ?", (code,))
        return row[0] if row else code

    def forms(self) -> list[Form]:
        return forms_for(self.period.end)

    def compute_all(self) -> list[FormReport]:
        forms = self.forms()
        self.prepare(forms)   # one build of the cases' facts that every form reads
        return [self.compute(f) for f in forms]

    def prepare(self, forms: list[Form]) -> None:
        """Before several forms: the whole cases' table at once (as the charts and cells read it too),
        not one build for the first form and another for the first that reads more."""
        if any(self.case_need(f) is not None for f in forms):
            self.ensure("case")

    def compute(self, form: Form | str) -> FormReport:
        form = get_form(form, self.period.end) if isinstance(form, str) else form
        leaves = form.leaves()
        by_entity: dict[str, list[Column]] = {}
        for leaf in leaves:
            if leaf.rule and not leaf.rule.manual and not leaf.rule.sum:
                by_entity.setdefault(leaf.rule.of, []).append(leaf)
        grouped: dict[str, dict[int, int]] = {}
        totals: dict[int, int] = {}
        self.ensure(*by_entity, need=self.case_need(form) or ALL_CASES)
        for entity, cols in by_entity.items():
            key = _row_key_sql(form, entity)
            table = TABLES[entity]
            # the conditions every column of the form shares (02/XLD: a petition to handle in the period;
            # GT-01: a request for explanation) filter the rows once, and each column tests only its own:
            # the same sums over fewer rows with shorter tests (on the 1M-case register GT-01 went from
            # 570 to 80 ms of CPU)
            shared = set(cols[0].rule.where).intersection(*(c.rule.where for c in cols[1:]))
            where = f" WHERE {condition(Rule(of=entity, where=tuple(sorted(shared))))}" if shared else ""
            exprs = [self._aggregate(replace(c.rule, where=tuple(w for w in c.rule.where if w not in shared)))
                     for c in cols]
            if form.rows == "unit" and "u" in self.params:
                # one row, the unit's: its rows are counted straight, not grouped by a key they all share
                # (GROUP BY sorted every row of the table first)
                unit_only = f"{where} AND r.unit_code = :u" if where else " WHERE r.unit_code = :u"
                rows = [(self.params["u"], *self.db.one(f"SELECT {', '.join(exprs)} FROM {table} r{unit_only}",
                                                         self.params))]
            else:
                rows = self.db.execute(f"SELECT {key}, {', '.join(exprs)} FROM {table} r{where} GROUP BY 1",
                                       self.params)
            for row in rows:
                values = grouped.setdefault(row[0], {})
                for col, v in zip(cols, tuple(row)[1:]):
                    values[col.no] = int(v or 0)
            if form.rows != "unit":
                row = self.db.one(f"SELECT {', '.join(exprs)} FROM {table} r{where}", self.params)
                for col, v in zip(cols, tuple(row)):
                    totals[col.no] = int(v or 0)
        manual = {leaf.no: None for leaf in leaves if leaf.rule is None or leaf.rule.manual}
        entered = self._manual_values(form) if manual else {}

        sums = [leaf for leaf in leaves if leaf.rule and leaf.rule.sum]

        def full(values: dict[int, int], key: str) -> dict[int, int | None]:
            out = {leaf.no: (entered.get((key, leaf.no)) if leaf.no in manual else values.get(leaf.no, 0))
                   for leaf in leaves}
            for leaf in sums:
                parts = [out[n] for n in leaf.rule.sum]
                out[leaf.no] = None if any(p is None for p in parts) else sum(parts)
            return out

        if form.rows == "unit":
            rows = (ReportRow(self.unit_code, self.unit_name, full(grouped.get(self.unit_code, {}), self.unit_code)),)
            total = None
        else:
            grouped = {k: v for k, v in grouped.items() if any(v.values())}
            labels = self._officer_labels([k for k in grouped])
            rows = tuple(ReportRow(k, labels.get(k, k), full(grouped[k], k))
                         for k in sorted(grouped, key=lambda k: (k == NO_OFFICER, labels.get(k, k))))
            total = ReportRow(TOTAL_KEY, "Tổng cộng", full(totals, TOTAL_KEY))
        report = FormReport(form, self.period, self.unit_code, self.unit_name, rows, total)
        warnings = check_identities(report)
        return replace(report, warnings=tuple(warnings)) if warnings else report

    def _manual_values(self, form: Form) -> dict[tuple[str, int], float | int]:
        rows = self.db.query("SELECT row_key, no, value FROM report_manual_values WHERE unit_code = ? AND "
                             "period_code = ? AND form_id = ?", (self.unit_code, self.period.code, form.id))
        return {(r[0], r[1]): (int(r[2]) if float(r[2]).is_integer() else r[2]) for r in rows}

    def _aggregate(self, rule: Rule) -> str:
        # FILTER, not CASE inside the aggregate: a row the condition refuses does not call the aggregate
        cond = condition(rule)
        only = f" FILTER (WHERE {cond})" if cond != "1" else ""
        if rule.measure in DISTINCT.get(rule.of, {}):
            return f"count(DISTINCT {DISTINCT[rule.of][rule.measure][0]}){only}"
        amount = MEASURES[rule.of][rule.measure][0]
        if amount == "1":
            return f"count(*){only}"
        return f"coalesce(sum({amount}){only}, 0)"

    def _officer_labels(self, keys: list[str]) -> dict[str, str]:
        out = {NO_OFFICER: "Chưa phân công"}
        real = [k for k in keys if k != NO_OFFICER]
        if real:
            marks = ",".join("?" * len(real))
            for uuid, name in self.db.execute(f"SELECT uuid, full_name FROM officers WHERE uuid IN ({marks})", real):
                out[uuid] = name
        return out

    def explain(self, form: Form | str, no: int, row_key: str | None = None) -> CellExplanation:
        """What cell ``no`` of ``form`` counts: the rows' ids (and opening balances) for one row key
        (a unit code, an officer uuid) or for the whole unit."""
        form = get_form(form, self.period.end) if isinstance(form, str) else form
        leaf = form.leaf(no)
        rule = leaf.rule
        if rule is not None and rule.sum:
            parts = [self.explain(form, n, row_key) for n in rule.sum]
            value = sum(p.value or 0 for p in parts)
            return CellExplanation(form.code, no, leaf.label, row_key or TOTAL_KEY, parts[0].entity,
                                   "Tổng các cột " + " + ".join(f"({n})" for n in rule.sum), value,
                                   tuple(i for p in parts for i in p.ids), tuple(u for p in parts for u in p.uuids),
                                   tuple(o for p in parts for o in p.openings))
        if rule is None or rule.manual:
            return CellExplanation(form.code, no, leaf.label, row_key or TOTAL_KEY, "", meaning(Rule(manual=True)),
                                   None, (), ())
        self.ensure(rule.of, need=(self.case_need(form) or ALL_CASES) if rule.of == "case" else ALL_CASES)
        where = condition(rule)
        params = dict(self.params)
        if row_key and row_key != TOTAL_KEY:
            where += f" AND {_row_key_sql(form, rule.of)} = :row"
            params["row"] = row_key
        table = TABLES[rule.of]
        rows = self.db.query(f"SELECT r.id, r.uuid FROM {table} r WHERE {where} AND r.uuid IS NOT NULL "
                             f"ORDER BY r.id", params)
        openings: tuple[tuple[str, int], ...] = ()
        if rule.of == "case":
            openings = tuple((u, n) for u, n in self.db.execute(
                f"SELECT r.opening_uuid, count(*) FROM {table} r WHERE {where} AND r.opening_uuid IS NOT NULL "
                "GROUP BY 1", params))
        report_row = self.compute(form)
        target = report_row.main_row() if not row_key or row_key == TOTAL_KEY else next(
            (r for r in report_row.rows if r.key == row_key), None)
        value = target.value(no) if target else 0
        return CellExplanation(form.code, no, leaf.label, row_key or TOTAL_KEY, rule.of, meaning(rule), value,
                               tuple(r[0] for r in rows), tuple(r[1] for r in rows), openings)


def set_manual_value(db: Database, period: Period, form: Form | str, no: int, value: float | None, *,
                     row_key: str | None = None) -> None:
    """Enter (or clear, with ``None``) a figure the register cannot count, for this unit's report:
    part of drafting the report (``document.draft``), recorded under the logged-in officer."""
    from desktop.errors import UserError
    from desktop.security import require

    actor = require(db, "document.draft").officer_name
    from desktop.storage.units import local_unit_code, new_uuid, now_iso

    form = get_form(form, period.end) if isinstance(form, str) else form
    leaf = form.leaf(no)
    if not (leaf.rule is None or leaf.rule.manual):
        raise UserError("report_cell_computed", f"Cột ({no}) “{leaf.label}” do sổ tự tính, không nhập tay.")
    if value is not None and value < 0:
        raise UserError("report_bad_value", "Số liệu nhập tay không được âm.")
    code = local_unit_code(db)
    key = row_key or code
    with db.write():
        from desktop.reports.locks import guard_manual

        guard_manual(db, period)
        if value is None:
            db.execute("DELETE FROM report_manual_values WHERE unit_code = ? AND period_code = ? AND form_id = ? "
                       "AND row_key = ? AND no = ?", (code, period.code, form.id, key, no))
            return
        stamp = now_iso()
        db.execute("INSERT INTO report_manual_values(period_code, form_id, row_key, no, value, entered_by, entered_at, "
                   "uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) "
                   "ON CONFLICT(unit_code, period_code, form_id, row_key, no) DO UPDATE SET value = excluded.value, "
                   "entered_by = excluded.entered_by, entered_at = excluded.entered_at, "
                   "version = version + 1, updated_at = excluded.updated_at",
                   (period.code, form.id, key, no, value, actor, stamp, new_uuid(), code, stamp))


def check_identities(report: FormReport) -> list[str]:
    """Every identity on every row. One over computed columns only that fails is a bug in the engine
    or the form data (``ReportInconsistent``); one that involves figures entered by hand is the
    clerk's to fix: returned as a Vietnamese warning."""
    manual = {leaf.no for leaf in report.form.leaves() if leaf.rule is None or leaf.rule.manual}
    warnings = []
    for row in report.all_rows():
        for ident in report.form.identities + report.form.checks:
            sums = []
            for side in ident.sides:
                values = [row.values.get(no) for no in side]
                if any(v is None for v in values):
                    break
                sums.append(sum(values))
            else:
                if len(set(sums)) > 1 and manual & {no for side in ident.sides for no in side}:
                    warnings.append(f"Biểu {report.form.code}, dòng “{row.label}”: số liệu nhập tay chưa khớp "
                                    f"đẳng thức {ident.text} ({' ≠ '.join(map(str, sums))}).")
                elif len(set(sums)) > 1:
                    raise ReportInconsistent(
                        f"{report.form.code} {report.period.code} row {row.key}: identity {ident.text} fails "
                        f"({' ≠ '.join(map(str, sums))})")
    return warnings


def make_reports(db: Database, period: Period, form_keys: list[str] | None = None,
                 unit_code: str | None = None) -> list[FormReport]:
    """Every form in force at the period's cut-off (or those named), computed in one run."""
    run = ReportRun(db, period, unit_code)
    forms = [get_form(k, period.end) for k in form_keys] if form_keys else run.forms()
    run.prepare(forms)
    return [run.compute(f) for f in forms]


def figures_of(reports: list[FormReport]) -> dict:
    """The figures as stored with an issued report: form id -> row key -> {no: value}."""
    return {r.form.id: {row.key: {str(k): v for k, v in row.values.items()} for row in r.all_rows()}
            for r in reports}


def today_period_hint(today: date) -> str:  # pragma: no cover - convenience for the window
    from desktop.reports.periods import containing

    return containing(today).code
