"""The sample register: a realistic commune office with two years of cases, built through the workflow.

``build_demo`` creates the unit (Ủy ban nhân dân xã Thụy Hùng), its head, two deputies and its
officers, then receives about 300 cases of every kind — at the desk (regular receptions by staff,
periodic and ad hoc ones by the head or a deputy, groups of five or more with representatives),
by mail, online or forwarded — and moves each one through the real engine (``record_reception``,
``receive_case``, ``act``) with effective dates in order and never after ``today``. Every state
the procedures can reach appears; some cases are overdue, some fall due this week; closed ones
carry the requester's satisfaction, commitments and their follow-up, publication.

Everything is one transaction: the sample is either complete or absent. One seed, one register.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from desktop.calendar.deadlines import compute_deadline
from desktop.domain.records import Case
from desktop.errors import UserError
from desktop.rules.book import RuleSet, default_rules
from desktop.security import accounts
from desktop.security.roles import Role
from desktop.storage.calendar_repo import load_calendar
from desktop.storage.db import Database
from desktop.storage.persons import save_person
from desktop.storage.units import save_officer, save_unit
from desktop.workflow.engine import act, allowed_actions
from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception
from desktop.workflow.sample import Sampler, SamplePerson

log = logging.getLogger(__name__)

KINDS = {"petition": 24, "feedback": 22, "explanation": 16, "complaint_1": 17, "complaint_2": 6, "denunciation": 15}
# The path to each end state; "?x" is optional (taken by chance, when the rule set allows it).
RECIPES: dict[str, list[str]] = {
    "received": [],
    "accepted": ["accept", "?meet", "?mark_complex"],
    "refused": ["refuse"],
    "guided": ["guide"],
    "forwarded": ["forward"],
    "extended": ["accept", "?meet", "extend"],
    "suspended": ["accept", "suspend"],
    "replied": ["accept", "?meet", "reply", "?add_commitment"],
    "closed": ["accept", "?mark_complex", "?meet", "?extend", "?pause", "reply", "close", "?add_commitment",
               "?complete_commitment", "?publish"],
    "terminated": ["accept", "?suspend", "terminate"],
    "withdrawn": ["?accept", "withdraw"],
}
# End states of cases old enough to be settled, with their weights.
SETTLED = {"closed": 46, "replied": 7, "refused": 5, "guided": 6, "forwarded": 5, "withdrawn": 4, "terminated": 2,
           "extended": 1, "suspended": 2, "accepted": 1, "received": 1}
SATISFACTION = {"satisfied": 55, "partly": 20, "unsatisfied": 15, "unknown": 10}
CHANNELS = {"reception": 50, "mail": 25, "online": 12, "forwarded": 10, "phone": 3}
OFFICERS = [("Chuyên viên Văn phòng HĐND và UBND xã", "office"), ("Chuyên viên Phòng Kinh tế", "economy"),
            ("Chuyên viên Phòng Kinh tế", "economy"), ("Chuyên viên Phòng Văn hóa - Xã hội", "society")]
FIELD_DESK = {"land": "economy", "construction": "economy", "environment": "economy", "finance": "economy",
              "policy": "society", "civil_status": "office", "justice": "office", "other": "office",
              "personnel": "deputy"}


# The sample register's accounts that can log in (fictional data; the window's login shows them):
# login → (desk of the officer, role). Every other officer gets an account without a password.
DEMO_PASSWORD = "somau-thunghiem"
DEMO_LOGINS = {"quantri": ("office", Role.ADMIN), "vanthu": ("office", Role.RECEPTION),
               "chutich": ("head", Role.LEADER), "thuly": ("economy", Role.HANDLER)}


@dataclass(frozen=True)
class DemoSummary:
    unit_code: str
    unit_name: str
    officers: int
    persons: int
    receptions: int
    cases: int
    events: int
    commitments: int
    first_day: date
    last_day: date
    by_kind: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    due_this_week: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:  # one line for the CLI and the log, in Vietnamese
        return (f"{self.unit_name}: {self.cases} vụ việc, {self.receptions} lượt tiếp công dân, {self.persons} người, "
                f"{self.events} bước xử lý; {self.overdue} vụ việc quá hạn, {self.due_this_week} đến hạn trong tuần; "
                f"tiếp nhận từ {self.first_day:%d/%m/%Y} đến {self.last_day:%d/%m/%Y}")


@dataclass
class _Plan:
    kind: str
    received_on: date
    target: str
    channel: str = "reception"


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _reachable(rs: RuleSet) -> list[str]:
    """End states a recipe can reach with this rule set's actions (what the sample must show)."""
    return [s for s, steps in RECIPES.items()
            if s in rs.states and all(a in rs.actions for a in steps if not a.startswith("?"))]


class _Builder:
    def __init__(self, db: Database, seed: int, today: date) -> None:
        self.db, self.today = db, today
        self.sample = Sampler(seed, today=today)
        self.rng = self.sample.rng
        self.cal = load_calendar(db)
        self.rules = default_rules()
        self.people: list[str] = []      # uuids of requesters seen so far (some come back)
        self.known: dict[str, SamplePerson] = {}
        self.receptions = 0

    # -- the office ---------------------------------------------------------------------------
    def office(self) -> None:
        u = self.sample.unit
        self.unit = save_unit(self.db, code=u["code"], name=u["name"], governing_body=u["governing_body"],
                              abbreviation=u["abbreviation"], place_name=u["place_name"])
        names = iter(self.sample.full_name()[0] for _ in range(8))
        self.head = save_officer(self.db, full_name=next(names), title="Chủ tịch", role="head")
        self.deputies = [save_officer(self.db, full_name=next(names), title="Phó Chủ tịch", role="deputy")
                         for _ in range(2)]
        self.desks: dict[str, list] = {"deputy": self.deputies}
        for title, desk in OFFICERS:
            self.desks.setdefault(desk, []).append(save_officer(self.db, full_name=next(names), title=title))
        self.officers = 3 + len(OFFICERS)
        self.accounts()

    def accounts(self) -> None:
        """The administrator first (the register is in setup until then), the accounts one can log in
        with, then one per officer for the sample's steps: the head and deputies lead, the others handle."""
        office = self.desks["office"][0]
        desk_officer = {"office": office, "head": self.head, "economy": self.desks["economy"][0]}
        accounts.create_first_admin(self.db, login="quantri", password=DEMO_PASSWORD, full_name=office.full_name,
                                    officer_uuid=office.uuid)
        for login, (desk, role) in DEMO_LOGINS.items():
            if role != Role.ADMIN:
                accounts.create_account(self.db, login=login, password=DEMO_PASSWORD, role=role,
                                        officer_uuid=desk_officer[desk].uuid)
        self.principals = {}
        for officer in [self.head, *self.deputies, *(o for desk in ("office", "economy", "society")
                                                      for o in self.desks[desk])]:
            role = Role.LEADER if officer.can_sign else Role.HANDLER  # a handler also receives
            self.principals[officer.uuid] = accounts.assume_role(self.db, role, officer_uuid=officer.uuid)

    def as_officer(self, officer_uuid: str) -> None:
        """The next steps are done by this officer (as the event log will say)."""
        self.db.principal = self.principals[officer_uuid]

    # -- dates --------------------------------------------------------------------------------
    def working_day(self, d: date) -> date:
        """``d`` or the working day before it (never after today)."""
        d = min(d, self.today)
        while not self.cal.is_working_day(d):
            d -= timedelta(days=1)
        return d

    def plans(self, count: int) -> list[_Plan]:
        rng, start = self.rng, self.today - timedelta(days=730)
        days = sorted(self.working_day(start + timedelta(days=rng.randrange(731))) for _ in range(count))
        old = [i for i, d in enumerate(days) if (self.today - d).days > 150]
        plans = [_Plan(_pick(rng, KINDS), d, "") for d in days]
        # Every (kind, reachable end state) once, on old enough cases; the rest by weight and age.
        wanted = [(k, s) for k in KINDS for s in _reachable(self.rules.for_case(k, self.today))]
        for (kind, state), i in zip(wanted, rng.sample(old, min(len(old), len(wanted)))):
            plans[i].kind, plans[i].target = kind, state
        for p in plans:
            age = (self.today - p.received_on).days
            if not p.target:
                p.target = _pick(rng, SETTLED) if age > 60 else rng.choice(
                    ["received", "accepted", "guided"] if age <= 12 else
                    ["accepted", "replied", "closed", "closed", "guided", "refused", "withdrawn"])
            p.channel = _pick(rng, CHANNELS)
        self.due_this_week(plans, max(2, count // 60))
        return sorted(plans, key=lambda p: p.received_on)

    def due_this_week(self, plans: list[_Plan], n: int) -> None:
        """Turn the newest ``n`` plans into fresh cases whose first deadline falls this week."""
        week_end = self.today + timedelta(days=6 - self.today.weekday())
        recent = sorted(range(len(plans)), key=lambda i: plans[i].received_on)[-n:]
        for j, i in enumerate(recent):
            kind = ("explanation", "denunciation", "complaint_1", "petition")[j % 4]
            for back in range(0, 21):
                day = self.today - timedelta(days=back)
                if not self.cal.is_working_day(day):
                    continue
                rs = self.rules.for_case(kind, day)
                step = rs.steps[rs.initial_step]
                due = compute_deadline(self.cal, day, step.days_for(), step.day_kind).due
                if self.today <= due <= week_end:
                    plans[i] = _Plan(kind, day, "received", "mail")
                    break

    # -- people -------------------------------------------------------------------------------
    def person(self, p: SamplePerson | None = None) -> str:
        p = p or (self.sample.organisation() if self.rng.random() < 0.04 else self.sample.person())
        saved = save_person(self.db, full_name=p.full_name, id_number=p.id_number, phone=p.phone,
                            address=p.address, kind=p.kind, today=self.today)
        self.people.append(saved.uuid)
        self.known[saved.uuid] = p
        return saved.uuid

    def requester(self) -> str:
        if self.people and self.rng.random() < 0.15:
            return self.rng.choice(self.people)  # a citizen who comes back (repeated case)
        return self.person()

    # -- cases --------------------------------------------------------------------------------
    def assignee(self, fld: str):
        return self.rng.choice(self.desks[FIELD_DESK[fld]])

    def receive(self, plan: _Plan) -> Case:
        rng, s = self.rng, self.sample
        self.as_officer(self.desks["office"][0].uuid)
        fld = s.field()
        officer = self.assignee(fld)
        group = plan.channel == "reception" and plan.kind in ("petition", "feedback", "complaint_1") \
            and rng.random() < 0.12
        size = rng.randint(5, 16) if group else 1
        first = self.requester()
        summary, content = s.matter(plan.kind, fld, group_size=size,
                                    requester=None if group else self.known[first])
        learned = None
        if plan.kind.startswith("complaint"):
            learned = plan.received_on - timedelta(days=rng.choice((7, 15, 30, 45, 60, 80, 85, 120)))
        if plan.channel != "reception":
            self.as_officer(self.desks["office"][0].uuid)
            return receive_case(self.db, CaseInput(
                kind=plan.kind, received_on=plan.received_on, summary=summary, content=content, requesters=[first],
                channel=plan.channel, field=fld, assignee_uuid=officer.uuid, learned_on=learned), today=self.today)
        people = [(first, group)] + [(self.person(), False) for _ in range(min(size, 8) - 1)]
        if group:  # 5–10 people choose 1–2 representatives, more than 10 at most 5 (Luật TCD, Art. 29)
            reps = rng.randint(1, 2) if size <= 10 else rng.randint(2, 5)
            people = [(u, i < reps) for i, (u, _) in enumerate(people)]
        kind, host, by_deputy = self.reception_kind(plan.received_on)
        self.as_officer(host.uuid)
        _, case = record_reception(self.db, ReceptionInput(
            received_on=plan.received_on, person_uuid=first, content=content, kind=kind, host_uuid=host.uuid,
            by_deputy=by_deputy, people=people if group else [], people_count=size, case_kind=plan.kind,
            request=content.rsplit(". ", 1)[-1], outcome="accepted", summary=summary, field=fld,
            assignee_uuid=officer.uuid, learned_on=learned), today=self.today)
        self.receptions += 1
        return case

    def reception_kind(self, day: date):
        """Regular (by staff), periodic (the head's weekly day, or a deputy for him), ad hoc (the head)."""
        r = self.rng.random()
        if r < 0.68:
            return "regular", self.desks["office"][0], False
        if r < 0.9:
            deputy = self.rng.random() < 0.3
            return "periodic", (self.rng.choice(self.deputies) if deputy else self.head), deputy
        return "adhoc", self.head, False

    def walk(self, case: Case, target: str) -> None:
        """Move a case along the recipe of ``target``, stopping at today."""
        rng, rs = self.rng, self.rules.by_id(case.rules_id)
        on = case.received_on
        self.as_officer(case.assignee_uuid)  # a handling officer acts on his or her own cases
        for step in RECIPES[target]:
            optional = step.startswith("?")
            code = step.lstrip("?")
            if optional and rng.random() > (0.5 if code != "complete_commitment" else 0.8):
                continue
            first = rs.actions.get("suspend" if code == "pause" else code)
            if first is not None and first.available_from and on < first.available_from <= self.today:
                on = first.available_from  # a transition rule opens the step from that day (NĐ 155/2026 Art. 22)
            if code == "pause":
                if "suspend" in {a.code for a in allowed_actions(case, on)}:
                    for sub in ("suspend", "resume"):
                        case, on = self.step(case, rs, sub, on) or (case, on)
                continue
            if code == "extend" and rs.actions.get("extend") and rs.actions["extend"].requires_complex \
                    and not case.is_complex and "mark_complex" in {a.code for a in allowed_actions(case, on)}:
                # a denunciation is extended only once decided complex (Luật Tố cáo Art. 30(2))
                case, on = self.step(case, rs, "mark_complex", on) or (case, on)
            allowed = {a.code for a in allowed_actions(case, on)}
            if code not in allowed:
                if optional:
                    continue
                return
            if code == "complete_commitment" and not self.db.scalar(
                    "SELECT 1 FROM commitments WHERE case_uuid = ? AND status = 'open'", (case.uuid,)):
                continue
            moved = self.step(case, rs, code, on)
            if moved is None:
                return
            case, on = moved

    def step(self, case: Case, rs: RuleSet, code: str, on: date) -> tuple[Case, date] | None:
        rng = self.rng
        gap = {"accept": (1, 4), "refuse": (1, 5), "guide": (0, 3), "forward": (1, 4), "withdraw": (2, 20),
               "meet": (3, 10), "mark_complex": (2, 8), "mark_very_complex": (2, 8), "extend": (4, 10), "suspend": (3, 9), "resume": (10, 30),
               "terminate": (5, 25), "reply": (6, 24), "close": (3, 15), "add_commitment": (0, 2),
               "complete_commitment": (20, 60), "publish": (2, 10)}[code]
        day = on + timedelta(days=rng.randint(*gap))
        if code == "reply" and case.due_on:
            # Most replies come in time; about one in six is late.
            day = case.due_on + timedelta(days=rng.randint(1, 12)) if rng.random() < 0.16 else \
                max(on, case.due_on - timedelta(days=rng.randint(0, 6)))
        if code == "extend":
            if not case.due_on or case.due_on < on:
                return None
            day = min(day, case.due_on)
        day = max(day, on)
        if day > self.today:
            return None
        if self.working_day(day) >= on:  # offices sign on working days
            day = self.working_day(day)
        kw: dict = {}
        if rs.actions[code].requires_ground:
            kw["ground"] = rng.choice([g.code for g in rs.grounds[rs.actions[code].requires_ground]
                                       if g.code != "other"])
        note = {"guide": self.sample.guided_to, "forward": self.sample.guided_to, "meet": self.sample.meeting_note,
                "reply": self.sample.reply_note, "add_commitment": self.sample.commitment,
                "complete_commitment": self.sample.commitment_result}.get(code)
        kw["note"] = note() if note else ""
        action = rs.actions[code]
        if action.requires_note and not kw["note"]:
            kw["note"] = "Văn bản xác định vụ việc phức tạp: phải xác minh từ 02 nội dung trở lên."
        if code == "close":
            kw["satisfaction"] = _pick(rng, SATISFACTION)
        if code == "add_commitment":
            kw["data"] = {"commitment_due": (day + timedelta(days=rng.randint(20, 60))).isoformat()}
        if code == "complete_commitment":
            kw["data"] = {"commitment_uuid": self.db.scalar(
                "SELECT uuid FROM commitments WHERE case_uuid = ? AND status = 'open' ORDER BY id", (case.uuid,))}
        return act(self.db, case.uuid, code, effective_on=day, today=self.today, **kw), day

    def side_receptions(self, n: int) -> None:
        """Receptions that open no case: guided elsewhere, answered on the spot, forwarded."""
        rng, s = self.rng, self.sample
        for _ in range(n):
            day = self.working_day(self.today - timedelta(days=rng.randrange(730)))
            kind, host, by_deputy = self.reception_kind(day)
            self.as_officer(host.uuid)
            outcome = rng.choice(["guided", "guided", "answered", "forwarded"])
            fld = s.field()
            ckind = rng.choice(["petition", "feedback", "complaint_1"])
            _, content = s.matter(ckind, fld)
            where = s.guided_to()
            record_reception(self.db, ReceptionInput(
                received_on=day, person_uuid=self.requester(), content=content, kind=kind, host_uuid=host.uuid,
                by_deputy=by_deputy, case_kind=ckind, outcome=outcome, within_competence=outcome == "answered",
                guided_to=where if outcome == "guided" else "", forwarded_to=where if outcome == "forwarded" else "",
                previous_handling="Chưa được cơ quan nào giải quyết"), today=self.today)
            self.receptions += 1


def build_demo(db: Database, *, cases: int = 300, seed: int = 2026, today: date | None = None) -> DemoSummary:
    """Fill an empty register with the sample commune; the same seed gives the same register."""
    started = time.perf_counter()
    today = today or date.today()
    if cases < 1:
        raise UserError("demo_size", "Số vụ việc của sổ mẫu phải từ 1 trở lên.")
    if db.scalar("SELECT count(*) FROM cases") or db.scalar("SELECT count(*) FROM units"):
        raise UserError("demo_not_empty", "Sổ đã có dữ liệu. Sổ mẫu chỉ được tạo trong một tệp sổ mới, còn trống.")
    b = _Builder(db, seed, today)
    caller = db.principal
    try:
        with db.write():
            b.office()
            for plan in b.plans(cases):
                case = b.receive(plan)
                b.walk(case, plan.target)
            b.side_receptions(max(1, cases // 6))
    finally:
        db.principal = caller
    week_end = today + timedelta(days=6 - today.weekday())
    by_kind = dict(Counter(r[0] for r in db.query("SELECT kind FROM cases")))
    by_state = dict(Counter(r[0] for r in db.query("SELECT state FROM cases")))
    days = db.one("SELECT min(received_on), max(received_on) FROM cases")
    summary = DemoSummary(
        unit_code=b.unit.code, unit_name=b.unit.name, officers=b.officers,
        persons=db.scalar("SELECT count(*) FROM persons"), receptions=b.receptions,
        cases=db.scalar("SELECT count(*) FROM cases"), events=db.scalar("SELECT count(*) FROM events"),
        commitments=db.scalar("SELECT count(*) FROM commitments"),
        first_day=date.fromisoformat(days[0]), last_day=date.fromisoformat(days[1]), by_kind=by_kind,
        by_state=by_state, overdue=db.scalar("SELECT count(*) FROM cases WHERE due_on < ?", (today.isoformat(),)),
        due_this_week=db.scalar("SELECT count(*) FROM cases WHERE due_on BETWEEN ? AND ?",
                                (today.isoformat(), week_end.isoformat())),
        seconds=round(time.perf_counter() - started, 2),
    )
    log.info("sample register: %s cases, %s events in %.1f s", summary.cases, summary.events, summary.seconds)
    return summary
