"""Report forms as data (``resources/reports/forms/*.json``), like ``procedures.json`` for cases.

A form names its code ("01/TCD"), title, legal basis and the dates it applies to, what its rows
are (one per unit, or per officer), and a tree of columns: a group has ``children``; a leaf has
its number ("no"), the rule that fills it and the source its wording was checked against, with a
``verified`` flag. Identities ("1 = 2 + 3", "6 = 8 + 9 + 10 = 11 + 12") are data too and are
checked on every report. The header's merged levels are derived from the tree.

A leaf's rule: ``{"of": "case" | "reception" | "commitment", "where": [fact, "!fact", …],
"any": [fact, …], "measure": "count" | "people" | "matters" | "days" | "late_days"}`` — the
facts are the conditions of ``desktop.storage.report_facts``. A leaf whose figure the register
does not hold (money recovered, people disciplined …) has ``{"manual": true}``: it is left blank
for the clerk, never guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from desktop.errors import UserError
from desktop.resources import resource_path
from desktop.storage.report_facts import DISTINCT, FACTS, MEASURES


@dataclass(frozen=True)
class Rule:
    of: str = "case"
    where: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    measure: str = "count"
    manual: bool = False
    sum: tuple[int, ...] = ()          # the sum of other columns, as the form defines it


@dataclass(frozen=True)
class Column:
    label: str
    no: int | None = None              # the column number printed under the header
    rule: Rule | None = None
    source: str = ""
    verified: bool = False
    note: str = ""
    approximate: str = ""              # why the register's figure only approaches the column
    children: tuple["Column", ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def depth(self) -> int:
        return 1 + max((c.depth() for c in self.children), default=0)

    def leaves(self) -> list["Column"]:
        return [self] if self.is_leaf else [leaf for c in self.children for leaf in c.leaves()]


@dataclass(frozen=True)
class HeaderCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Identity:
    text: str                          # "6 = 8 + 9 + 10 = 11 + 12"
    sides: tuple[tuple[int, ...], ...]  # ((6,), (8, 9, 10), (11, 12))


@dataclass(frozen=True)
class Form:
    id: str
    code: str                          # "01/TCD"
    title: str
    basis: str
    effective_from: date | None
    effective_to: date | None
    rows: str                          # unit | officer
    row_label: str                     # "Đơn vị", "Cán bộ"
    columns: tuple[Column, ...]
    identities: tuple[Identity, ...]   # printed under the header (the form's "MS" row)
    source: str = ""
    verified: bool = False
    note: str = ""
    unit: str = ""                     # "Đơn vị tính: vụ việc, lượt, người"
    order: int = 0
    checks: tuple[Identity, ...] = ()  # further identities the register guarantees, not printed
    extra: dict = field(default_factory=dict, compare=False)

    def leaves(self) -> list[Column]:
        return [leaf for c in self.columns for leaf in c.leaves()]

    def numbers(self) -> list[int]:
        return [leaf.no for leaf in self.leaves()]

    def leaf(self, no: int) -> Column:
        for leaf in self.leaves():
            if leaf.no == no:
                return leaf
        raise UserError("report_no_column", f"Biểu {self.code} không có cột {no}.")

    def header_depth(self) -> int:
        return max(c.depth() for c in self.columns)

    def header(self) -> list[HeaderCell]:
        """The merged header cells, column 0 being the row label (spanning every level)."""
        depth = self.header_depth()
        cells = [HeaderCell(self.row_label, 0, 0, rowspan=depth)]
        col = 1

        def place(column: Column, level: int) -> None:
            nonlocal col
            if column.is_leaf:
                cells.append(HeaderCell(column.label, level, col, rowspan=depth - level))
                col += 1
                return
            width = len(column.leaves())
            cells.append(HeaderCell(column.label, level, col, colspan=width))
            for child in column.children:
                place(child, level + 1)

        for column in self.columns:
            place(column, 0)
        return cells

    def numbering(self) -> list[str]:
        """The row under the header: "1=2+3", "2", … as the form prints it."""
        by_left = {}
        for ident in self.identities:
            by_left.setdefault(ident.sides[0][0], ident) if len(ident.sides[0]) == 1 else None
        out = []
        for no in self.numbers():
            ident = by_left.get(no)
            out.append(ident.text.replace(" ", "") if ident else str(no))
        return out

    def applies_on(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to)


_IDENTITY = re.compile(r"^\s*\d+(\s*\+\s*\d+)*(\s*=\s*\d+(\s*\+\s*\d+)*)+\s*$")


def parse_identity(text: str) -> Identity:
    if not _IDENTITY.match(text):
        raise ValueError(f"bad identity {text!r}")
    sides = tuple(tuple(int(x) for x in side.split("+")) for side in text.replace(" ", "").split("="))
    return Identity(" = ".join(" + ".join(map(str, s)) for s in sides), sides)


def _rule(raw: dict | None, where: str) -> Rule | None:
    if raw is None:
        return None
    if raw.get("manual"):
        return Rule(manual=True)
    if raw.get("sum"):
        return Rule(of="", sum=tuple(int(n) for n in raw["sum"]))
    rule = Rule(of=raw.get("of", "case"), where=tuple(raw.get("where", ())), any=tuple(raw.get("any", ())),
                measure=raw.get("measure", "count"))
    measures = set(MEASURES.get(rule.of, {})) | set(DISTINCT.get(rule.of, {}))
    if rule.measure not in measures:
        raise ValueError(f"{where}: measure {rule.measure!r} not defined for {rule.of!r}")
    for name in rule.where + rule.any:
        fact = FACTS.get(name.lstrip("!"))
        if fact is None:
            raise ValueError(f"{where}: unknown fact {name!r}")
        if fact.entity != rule.of:
            raise ValueError(f"{where}: fact {name!r} is about {fact.entity}, not {rule.of}")
    return rule


def _column(raw: dict, defaults: dict, where: str) -> Column:
    source = raw.get("source", defaults.get("source", ""))
    verified = bool(raw.get("verified", defaults.get("verified", False)))
    children = tuple(_column(c, {"source": source, "verified": verified}, f"{where}/{c.get('label', '?')}")
                     for c in raw.get("children", ()))
    if not children and raw.get("no") is None:
        raise ValueError(f"{where}: a leaf needs its number")
    if not children and raw.get("rule") is None:
        raise ValueError(f"{where}: a leaf needs its rule")
    return Column(label=raw["label"], no=raw.get("no"), rule=_rule(raw.get("rule"), where), source=source,
                  verified=verified, note=raw.get("note", ""), approximate=raw.get("approximate", ""),
                  children=children)


def parse_form(raw: dict) -> Form:
    where = raw.get("code", "?")
    defaults = {"source": raw.get("source", ""), "verified": raw.get("verified", False)}
    columns = tuple(_column(c, defaults, f"{where}/{c.get('label', '?')}") for c in raw["columns"])
    form = Form(
        id=raw["id"], code=raw["code"], title=raw["title"], basis=raw.get("basis", ""),
        effective_from=date.fromisoformat(raw["effective_from"]) if raw.get("effective_from") else None,
        effective_to=date.fromisoformat(raw["effective_to"]) if raw.get("effective_to") else None,
        rows=raw.get("rows", "unit"), row_label=raw.get("row_label", "Đơn vị"), columns=columns,
        identities=tuple(parse_identity(t) for t in raw.get("identities", ())), source=defaults["source"],
        verified=bool(defaults["verified"]), note=raw.get("note", ""), unit=raw.get("unit", ""),
        order=int(raw.get("order", 0)), checks=tuple(parse_identity(t) for t in raw.get("checks", ())),
        extra={k: v for k, v in raw.items() if k.startswith("x_")})
    numbers = form.numbers()
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"{where}: column numbers repeat")
    for leaf in form.leaves():
        if leaf.rule and leaf.rule.sum and not set(leaf.rule.sum) <= set(numbers):
            raise ValueError(f"{where}: column {leaf.no} sums columns the form lacks")
    for ident in form.identities + form.checks:
        for side in ident.sides:
            for no in side:
                if no not in numbers:
                    raise ValueError(f"{where}: identity {ident.text} names column {no}, which the form lacks")
    return form


@lru_cache(maxsize=1)
def all_forms() -> tuple[Form, ...]:
    folder = resource_path("reports", "forms")
    forms = [parse_form(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]
    return tuple(sorted(forms, key=lambda f: (f.order, f.code)))


def forms_for(day: date) -> list[Form]:
    """The forms in force on ``day`` (a period's cut-off)."""
    return [f for f in all_forms() if f.applies_on(day)]


def get_form(key: str, day: date | None = None) -> Form:
    """A form by id or code ("01/TCD", "01-tcd", "tcd01"), the one in force on ``day`` if several."""
    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    wanted = norm(key)
    matches = [f for f in all_forms() if wanted in (norm(f.id), norm(f.code))]
    if day is not None:
        matches = [f for f in matches if f.applies_on(day)] or matches
    if not matches:
        codes = ", ".join(sorted({f.code for f in all_forms()}))
        raise UserError("report_unknown_form", f"Không có biểu báo cáo “{key}”. Các biểu: {codes}.")
    return matches[-1]


@dataclass(frozen=True)
class Unverified:
    form: str
    no: int
    label: str
    source: str
    note: str


def approximate_columns() -> list[Unverified]:
    """Columns the register fills with a figure that only approaches what the form asks (it lacks
    a datum: a verdict, a flag); the settings list them beside the unverified ones."""
    return [Unverified(f.code, leaf.no, leaf.label, leaf.source, leaf.approximate)
            for f in all_forms() for leaf in f.leaves() if leaf.approximate]


def unverified_columns() -> list[Unverified]:
    """Every column whose wording or rule was not checked against the circular's text: the report
    settings list them, so nobody takes such a figure for a verified one."""
    out = []
    for form in all_forms():
        for leaf in form.leaves():
            if not leaf.verified:
                out.append(Unverified(form.code, leaf.no, leaf.label, leaf.source, leaf.note))
    return out
