"""The legal procedures as data (``resources/rules/procedures.json``).

Each rule set names a kind of case, the date range of receipt it applies to, its states, the
steps with their periods (days and day kind) and citations, the actions allowed from each state,
and the closed lists of grounds (NĐ 59/2019 Arts. 5 and 14; Luật Khiếu nại Arts. 11 and 11a;
Luật Tố cáo Arts. 29 and 34; NĐ 31/2019 Art. 3). A case uses the rule set in force on its receipt
day (DOMAIN.md §2), and changing a period is an edit of the data file, never of code.

Every rule carries where it was read (``source``) and how sure that reading is (``confidence``:
V read in the text, S secondary sources only, U unverified; DOMAIN.md §9). Those two fields are
for the administrator; the citations and labels, which reach printed documents, must never carry
such doubts (``_check`` refuses wording like "cần kiểm tra" in them).
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


CONFIDENCE = {"V": "Đã đối chiếu văn bản", "S": "Chỉ có nguồn thứ cấp", "U": "Chưa xác minh"}

# Wording that must never reach a printed document or a citizen: doubts belong in ``confidence``
# and ``source``, not in a citation or a label (DOMAIN.md §9).
DOUBT_WORDS = ("cần kiểm tra", "kiểm tra lại", "chưa xác minh", "chưa chắc", "(check)", "todo", "???", "(?)")


def doubtful(text: str) -> str | None:
    """The doubt word ``text`` carries, if any (case-insensitive)."""
    low = (text or "").lower()
    return next((w for w in DOUBT_WORDS if w in low), None)


@dataclass(frozen=True)
class Ground:
    code: str
    label: str
    citation: str
    exception: str = ""   # e.g. NĐ 59/2019 Art. 5(2): "trừ trường hợp … có lý do chính đáng"
    confidence: str = ""


@dataclass(frozen=True)
class Notice:
    """A period within which a decision must be sent (counted from the day it is issued)."""

    days: int
    day_kind: str
    label: str
    citation: str


@dataclass(frozen=True)
class DateRequirement:
    """A date an action must carry in its data, at least ``min_days_after`` days after the action
    (NĐ 124/2020 Art. 28(1) as amended: the dialogue notice goes out at least 05 days before)."""

    field: str
    label: str
    min_days_after: int = 0


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
    # Extensions the law allows by complexity level (Luật Tố cáo Art. 30(2)–(3): complex 1,
    # especially complex 2); empty: ``max_extensions`` whatever the level.
    extensions_by_level: dict[int, int] = field(default_factory=dict)
    variant_label: str = ""
    confidence: str = ""

    def heading(self, complex_: bool = False) -> str:
        """"Label (variant) — citation", the first part of every deadline trace of this step."""
        variant = f" ({self.variant_label or 'vụ việc phức tạp'})" if complex_ and self.variants.get("complex") else ""
        return f"{self.label}{variant} — {self.citation}"

    def max_extensions_for(self, level: int = 0) -> int:
        if self.extensions_by_level:
            return self.extensions_by_level.get(int(level), 0)
        return self.max_extensions

    def period(self, *, extensions: int = 0, level: int = 0, remote: bool = False, strict: bool = True) -> int | None:
        """Days of this step for a case, extensions included; more extensions than the law
        allows are refused (a ``UserError``), never silently counted. ``strict=False`` recounts
        extensions a case already has on record (granted under the rules as the register then
        read them): they are history, not a new extension."""
        days = self.days_for(complex_=bool(level), remote=remote)
        if extensions < 0:
            raise UserError("extension_invalid", "Số lần gia hạn không hợp lệ.")
        allowed = self.max_extensions_for(level)
        if extensions > allowed and strict:
            if self.max_extensions == 0 and not self.extensions_by_level:
                why = f"bước “{self.label}” không được gia hạn ({self.citation})"
            elif self.extensions_by_level and allowed < max(self.extensions_by_level.values()):
                why = (f"{self.citation} chỉ cho phép gia hạn {allowed} lần với mức độ phức tạp của vụ việc "
                       f"(vụ việc phức tạp: {self.extensions_by_level.get(1, 0)} lần, "
                       f"đặc biệt phức tạp: {self.extensions_by_level.get(2, 0)} lần)")
            else:
                why = f"{self.citation} chỉ cho phép gia hạn {allowed} lần"
            raise UserError("extension_limit", f"Không thể tính {extensions} lần gia hạn: {why}.")
        if days is None:
            return None
        return days + extensions * self.extension_days

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
    sets_complex: int = 0            # the complexity level the action decides (1 complex, 2 especially)
    requires_complex: int = 0        # the level a case must have for this action (an extension)
    decision: bool = False           # issued as a decision (quyết định), NĐ 30/2020 Appendix III
    available_from: date | None = None  # a transition rule: allowed only on or after this day
    notify_within: Notice | None = None
    requires_date: DateRequirement | None = None
    deadline_step: str | None = None  # the action must happen within this step, counted from receipt
    confidence: str = ""

    def available_on(self, day: date) -> bool:
        return self.available_from is None or day >= self.available_from


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
    late_after_days_remote: int | None = None
    late_citation: str = ""
    late_label: str = ""
    confidence: str = ""
    source: str = ""
    transition: dict = field(default_factory=dict)

    def late_limit(self, remote: bool = False) -> int | None:
        """Days after ``learned_on`` past which a complaint is late (Luật Khiếu nại Art. 9: 90;
        a second complaint Art. 33(1): 30, 45 in remote areas)."""
        if remote and self.late_after_days_remote:
            return self.late_after_days_remote
        return self.late_after_days

    def is_late(self, received_on: date, learned_on: date | None, remote: bool = False) -> bool:
        limit = self.late_limit(remote)
        if not limit or not learned_on:
            return False
        return (received_on - learned_on).days > limit

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


def _notice(raw: dict | None) -> Notice | None:
    if not raw:
        return None
    return Notice(days=int(raw["days"]), day_kind=raw["day_kind"], label=raw["label"], citation=raw["citation"])


def _parse(raw: dict) -> RuleSet:
    steps = {
        code: Step(code=code, label=s["label"], days=s.get("days"), day_kind=s["day_kind"], citation=s["citation"],
                   extension_days=s.get("extension_days", 0), max_extensions=s.get("max_extensions", 0),
                   variants=dict(s.get("variants", {})),
                   extensions_by_level={int(k): int(v) for k, v in s.get("extensions_by_level", {}).items()},
                   variant_label=s.get("variant_label", ""), confidence=s.get("confidence", ""))
        for code, s in raw["steps"].items()
    }
    actions = {}
    for code, a in raw["actions"].items():
        req = a.get("requires_date")
        actions[code] = Action(
            code=code, label=a["label"], from_states=tuple(a["from"]), to_state=a.get("to"),
            citation=a.get("citation", raw["basis"]), starts_step=a.get("starts_step"),
            extends_step=a.get("extends_step"), ends_deadline=a.get("ends_deadline", False),
            requires_ground=a.get("requires_ground"), requires_note=a.get("requires_note", False),
            requires_satisfaction=a.get("requires_satisfaction", False), pauses=a.get("pauses", False),
            resumes=a.get("resumes", False), publishes=a.get("publishes", False),
            sets_complex=int(a.get("sets_complex", 0)), requires_complex=int(a.get("requires_complex", 0)),
            decision=a.get("decision", False), available_from=_date(a.get("available_from")),
            notify_within=_notice(a.get("notify_within")),
            requires_date=DateRequirement(req["field"], req["label"], int(req.get("min_days_after", 0))) if req else None,
            deadline_step=a.get("deadline_step"), confidence=a.get("confidence", ""))
    grounds = {
        name: tuple(Ground(g["code"], g["label"], g["citation"], g.get("exception", ""), g.get("confidence", ""))
                    for g in items)
        for name, items in raw.get("grounds", {}).items()
    }
    rs = RuleSet(
        id=raw["id"], kind=raw["kind"], label=raw["label"], effective_from=_date(raw["effective_from"]),
        effective_to=_date(raw.get("effective_to")), basis=raw["basis"], states=dict(raw["states"]),
        final_states=frozenset(raw.get("final_states", ())), initial_state=raw["initial_state"],
        initial_step=raw["initial_step"], steps=steps, actions=actions, grounds=grounds,
        confidential=raw.get("confidential", False), late_after_days=raw.get("late_after_days"),
        late_after_days_remote=raw.get("late_after_days_remote"), late_citation=raw.get("late_citation", ""),
        late_label=raw.get("late_label", ""), confidence=raw.get("confidence", ""), source=raw.get("source", ""),
        transition=dict(raw.get("transition", {})),
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
        if a.deadline_step and a.deadline_step not in rs.steps:
            problems.append(f"{a.code} deadline_step {a.deadline_step}")
        if a.notify_within and a.notify_within.day_kind not in ("working", "calendar"):
            problems.append(f"{a.code}.notify_within.day_kind")
    for step in rs.steps.values():
        if step.day_kind not in ("working", "calendar"):
            problems.append(f"{step.code}.day_kind {step.day_kind}")
    for conf in [rs.confidence, *(s.confidence for s in rs.steps.values()), *(a.confidence for a in rs.actions.values()),
                 *(g.confidence for gs in rs.grounds.values() for g in gs)]:
        if conf and conf not in CONFIDENCE:
            problems.append(f"confidence {conf}")
    for where, text in _printed_texts(rs):
        word = doubtful(text)
        if word:
            problems.append(f"{where} chứa “{word}” (ghi vào confidence/source, không ghi vào căn cứ)")
    if problems:
        raise UserError("rules_invalid", f"Tệp quy tắc thủ tục “{rs.id}” sai: " + "; ".join(problems))


def _printed_texts(rs: RuleSet):
    """Every text of a rule set that can reach a printed document or a citizen."""
    yield f"{rs.id}.label", rs.label
    yield f"{rs.id}.basis", rs.basis
    yield f"{rs.id}.late_citation", rs.late_citation
    yield from ((f"{rs.id}.states.{k}", v) for k, v in rs.states.items())
    for s in rs.steps.values():
        yield f"{rs.id}.steps.{s.code}.label", s.label
        yield f"{rs.id}.steps.{s.code}.citation", s.citation
    for a in rs.actions.values():
        yield f"{rs.id}.actions.{a.code}.label", a.label
        yield f"{rs.id}.actions.{a.code}.citation", a.citation
        if a.notify_within:
            yield f"{rs.id}.actions.{a.code}.notify_within", a.notify_within.label + " " + a.notify_within.citation
    for name, gs in rs.grounds.items():
        for g in gs:
            yield f"{rs.id}.grounds.{name}.{g.code}", f"{g.label} {g.citation} {g.exception}"


@dataclass(frozen=True)
class ReceptionGround:
    code: str
    label: str
    citation: str
    written_notice: bool = False


@dataclass(frozen=True)
class ReceptionRules:
    """Refusal of reception (Luật Tiếp công dân Art. 9; from 01/07/2026 NĐ 154/2026 Art. 4): the
    closed list of grounds and, for some, a written notice within a period."""

    id: str
    label: str
    effective_from: date
    effective_to: date | None
    basis: str
    grounds: tuple[ReceptionGround, ...]
    notice: Notice | None = None
    explain_citation: str = ""
    confidence: str = ""
    source: str = ""

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def ground(self, code: str) -> ReceptionGround:
        for g in self.grounds:
            if g.code == code:
                return g
        choices = ", ".join(g.code for g in self.grounds)
        raise UserError("unknown_ground", f"Lý do từ chối tiếp “{code}” không có trong danh sách theo quy định ({choices}).")


def _parse_reception(raw: dict) -> ReceptionRules:
    rr = ReceptionRules(
        id=raw["id"], label=raw["label"], effective_from=_date(raw["effective_from"]),
        effective_to=_date(raw.get("effective_to")), basis=raw["basis"],
        grounds=tuple(ReceptionGround(g["code"], g["label"], g["citation"], g.get("written_notice", False))
                      for g in raw["refusal_grounds"]),
        notice=_notice(raw.get("notice")), explain_citation=raw.get("explain_citation", ""),
        confidence=raw.get("confidence", ""), source=raw.get("source", ""))
    for g in rr.grounds:
        word = doubtful(f"{g.label} {g.citation}")
        if word:
            raise UserError("rules_invalid", f"Quy tắc “{rr.id}” sai: lý do {g.code} chứa “{word}”.")
    return rr


@dataclass(frozen=True)
class RuleBook:
    rule_sets: tuple[RuleSet, ...]
    reception: tuple[ReceptionRules, ...] = ()

    def reception_for(self, day: date) -> ReceptionRules:
        for rr in reversed(self.reception):
            if rr.applies_on(day):
                return rr
        raise UserError("no_rules_in_force", f"Không có quy định từ chối tiếp công dân vào ngày {day:%d/%m/%Y}.")

    def for_case(self, kind: str, received_on: date) -> RuleSet:
        """The rule set in force for a kind of case received on a day (a set imported later, listed
        after the shipped ones, wins over them for the days it covers)."""
        for rs in reversed(self.rule_sets):
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
        for rs in reversed(self.rule_sets):
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
    return RuleBook(tuple(_parse(r) for r in raw["rule_sets"]),
                    tuple(_parse_reception(r) for r in raw.get("reception_rules", ())))


def parse_rule_sets(raw_sets: list, raw_reception: list = ()) -> tuple[tuple[RuleSet, ...], tuple[ReceptionRules, ...]]:
    """Rule sets in the format of ``procedures.json`` (a signed update carries the same), checked."""
    return tuple(_parse(r) for r in raw_sets), tuple(_parse_reception(r) for r in raw_reception)


@lru_cache(maxsize=1)
def shipped_rules() -> RuleBook:
    return load_rules()


# Rule sets imported from signed updates (``desktop.rules.updates``), installed when a register is
# opened or an update imported. A case refers to its rule set by id, so ids are never reused with
# other content (the import refuses that).
_installed: dict[str, RuleSet] = {}
_installed_reception: dict[str, ReceptionRules] = {}
_combined: list[RuleBook] = []


def install(rule_sets: tuple[RuleSet, ...], reception: tuple[ReceptionRules, ...] = ()) -> None:
    for rs in rule_sets:
        _installed[rs.id] = rs
    for rr in reception:
        _installed_reception[rr.id] = rr
    _combined.clear()


def uninstall_all() -> None:
    """Forget every imported rule set (tests; a process that opens another register)."""
    _installed.clear()
    _installed_reception.clear()
    _combined.clear()


def default_rules() -> RuleBook:
    """The shipped rules plus the sets imported from signed updates, the latter winning."""
    if not _installed and not _installed_reception:
        return shipped_rules()
    if not _combined:
        base = shipped_rules()
        shipped_ids = {rs.id for rs in base.rule_sets}
        _combined.append(RuleBook(
            base.rule_sets + tuple(rs for rs in _installed.values() if rs.id not in shipped_ids),
            base.reception + tuple(_installed_reception.values())))
    return _combined[0]
