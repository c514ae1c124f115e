"""The legal procedures as data (``resources/rules/procedures.json``).

Each rule set names a kind of case, the date range of receipt it applies to, its states, the
steps with their periods (days and day kind) and citations, the actions allowed from each state,
and the fixed lists of grounds (NĐ 59/2019 Arts. 5 and 14; Luật Khiếu nại Art. 11; Luật Tố cáo
Arts. 29, 31, 34). A case uses the rule set in force on its receipt day (DOMAIN.md §2), and
changing a period is an edit of the data file, never of code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from desktop.errors import UserError
from desktop.resources import resource_path

KIND_LABELS = {
    "explanation": "Yêu cầu giải trình",
    "petition": "Kiến nghị",
    "feedback": "Phản ánh",
    "complaint_1": "Khiếu nại lần đầu",
    "complaint_2": "Khiếu nại lần hai",
    "denunciation": "Tố cáo",
}


@dataclass(frozen=True)
class Ground:
    code: str
    label: str
    citation: str


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    days: int | None
    day_kind: str  # 'working' | 'calendar'
    citation: str
    extension_days: int = 0
    max_extensions: int = 0
    variants: dict[str, int] = field(default_factory=dict)

    def days_for(self, *, complex_: bool = False, remote: bool = False) -> int | None:
        """Period for a case: the 'remote_complex' / 'remote' / 'complex' variant if defined."""
        if remote and complex_ and "remote_complex" in self.variants:
            return self.variants["remote_complex"]
        if remote and "remote" in self.variants:
            return self.variants["remote"]
        if complex_ and "complex" in self.variants:
            return self.variants["complex"]
        return self.days


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    from_states: tuple[str, ...]
    to_state: str | None  # None: the state stays; "@previous": back to the state before suspension
    citation: str
    starts_step: str | None = None
    extends_step: str | None = None
    ends_deadline: bool = False
    requires_ground: str | None = None
    requires_note: bool = False
    requires_satisfaction: bool = False
    pauses: bool = False
    resumes: bool = False
    publishes: bool = False
    sets_complex: bool = False


@dataclass(frozen=True)
class RuleSet:
    id: str
    kind: str
    label: str
    effective_from: date
    effective_to: date | None
    basis: str
    states: dict[str, str]
    final_states: frozenset[str]
    initial_state: str
    initial_step: str
    steps: dict[str, Step]
    actions: dict[str, Action]
    grounds: dict[str, tuple[Ground, ...]]
    confidential: bool = False
    late_after_days: int | None = None
    late_citation: str = ""

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def action(self, code: str) -> Action:
        try:
            return self.actions[code]
        except KeyError:
            raise UserError(
                "unknown_action", f"Thủ tục “{self.label}” không có bước “{code}”.", action=code
            ) from None

    def ground(self, list_name: str, code: str) -> Ground:
        for ground in self.grounds.get(list_name, ()):
            if ground.code == code:
                return ground
        choices = ", ".join(g.code for g in self.grounds.get(list_name, ()))
        raise UserError("unknown_ground", f"Lý do “{code}” không có trong danh sách theo quy định ({choices}).")

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _parse(raw: dict) -> RuleSet:
    steps = {
        code: Step(code=code, label=s["label"], days=s.get("days"), day_kind=s["day_kind"], citation=s["citation"],
                   extension_days=s.get("extension_days", 0), max_extensions=s.get("max_extensions", 0),
                   variants=dict(s.get("variants", {})))
        for code, s in raw["steps"].items()
    }
    actions = {
        code: Action(code=code, label=a["label"], from_states=tuple(a["from"]), to_state=a.get("to"),
                     citation=a.get("citation", raw["basis"]), starts_step=a.get("starts_step"),
                     extends_step=a.get("extends_step"), ends_deadline=a.get("ends_deadline", False),
                     requires_ground=a.get("requires_ground"), requires_note=a.get("requires_note", False),
                     requires_satisfaction=a.get("requires_satisfaction", False), pauses=a.get("pauses", False),
                     resumes=a.get("resumes", False), publishes=a.get("publishes", False),
                     sets_complex=a.get("sets_complex", False))
        for code, a in raw["actions"].items()
    }
    grounds = {
        name: tuple(Ground(g["code"], g["label"], g["citation"]) for g in items)
        for name, items in raw.get("grounds", {}).items()
    }
    rs = RuleSet(
        id=raw["id"], kind=raw["kind"], label=raw["label"], effective_from=_date(raw["effective_from"]),
        effective_to=_date(raw.get("effective_to")), basis=raw["basis"], states=dict(raw["states"]),
        final_states=frozenset(raw.get("final_states", ())), initial_state=raw["initial_state"],
        initial_step=raw["initial_step"], steps=steps, actions=actions, grounds=grounds,
        confidential=raw.get("confidential", False), late_after_days=raw.get("late_after_days"),
        late_citation=raw.get("late_citation", ""),
    )
    _check(rs)
    return rs


def _check(rs: RuleSet) -> None:
    """Reject an edited rule file that refers to unknown states, steps or ground lists."""
    problems = []
    if rs.initial_state not in rs.states:
        problems.append(f"initial_state {rs.initial_state}")
    if rs.initial_step not in rs.steps:
        problems.append(f"initial_step {rs.initial_step}")
    for a in rs.actions.values():
        for s in a.from_states:
            if s not in rs.states:
                problems.append(f"{a.code}.from {s}")
        if a.to_state not in (None, "@previous") and a.to_state not in rs.states:
            problems.append(f"{a.code}.to {a.to_state}")
        for step in (a.starts_step, a.extends_step):
            if step and step not in rs.steps:
                problems.append(f"{a.code} step {step}")
        if a.requires_ground and a.requires_ground not in rs.grounds:
            problems.append(f"{a.code} grounds {a.requires_ground}")
    for step in rs.steps.values():
        if step.day_kind not in ("working", "calendar"):
            problems.append(f"{step.code}.day_kind {step.day_kind}")
    if problems:
        raise UserError("rules_invalid", f"Tệp quy tắc thủ tục “{rs.id}” sai: " + "; ".join(problems))


@dataclass(frozen=True)
class RuleBook:
    rule_sets: tuple[RuleSet, ...]

    def for_case(self, kind: str, received_on: date) -> RuleSet:
        """The rule set in force for a kind of case received on a day."""
        for rs in self.rule_sets:
            if rs.kind == kind and rs.applies_on(received_on):
                return rs
        if kind not in {rs.kind for rs in self.rule_sets}:
            raise UserError("unknown_kind", f"Loại vụ việc “{kind}” không có trong danh mục.")
        raise UserError(
            "no_rules_in_force",
            f"Không có quy định áp dụng cho loại “{KIND_LABELS.get(kind, kind)}” vào ngày {received_on:%d/%m/%Y}.",
        )

    def is_confidential(self, kind: str, received_on: date) -> bool:
        """Whether the people who bring a matter of this kind are kept secret (a denunciation:
        Luật Tố cáo 2018, Art. 9). An unknown kind, or none yet, is not."""
        for rs in self.rule_sets:
            if rs.kind == kind and rs.applies_on(received_on):
                return rs.confidential
        return False

    def by_id(self, rules_id: str) -> RuleSet:
        for rs in self.rule_sets:
            if rs.id == rules_id:
                return rs
        raise UserError("unknown_rules", f"Không tìm thấy bộ quy tắc “{rules_id}”.")

    def kinds(self) -> list[str]:
        return list(dict.fromkeys(rs.kind for rs in self.rule_sets))


def load_rules(path: Path | None = None) -> RuleBook:
    path = path or resource_path("rules", "procedures.json")
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError("rules_unreadable", f"Không đọc được tệp quy tắc thủ tục: {exc}") from exc
    return RuleBook(tuple(_parse(r) for r in raw["rule_sets"]))


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    return load_rules()
