"""Random registers built through the real workflow; every cell of every form equals a naive
recount written here from the events, and every identity holds.

The recount does not reuse the engine's SQL: each fact is re-implemented below in plain Python
over the case's event list as it stood at the cut-off, and the form's rules (data) are read
again here.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.errors import UserError
from desktop.reports.engine import NO_OFFICER, TOTAL_KEY, ReportRun
from desktop.reports.forms import Rule, all_forms
from desktop.reports.periods import date_range, period
from desktop.storage import cases as case_repo
from desktop.security import accounts
from desktop.storage.db import open_database
from desktop.storage.persons import save_person
from desktop.storage.units import save_officer, save_unit
from desktop.workflow.engine import allowed_actions, act
from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception

KINDS = ("explanation", "petition", "feedback", "complaint_1", "complaint_2", "denunciation")
END = {"replied", "refused", "guided", "forwarded", "terminated", "withdrawn", "closed"}
TODAY = date(2030, 1, 1)
BASE = date(2025, 11, 1)


# -- building a register through the workflow -----------------------------------------------------------

# The satisfaction a close records: from the part of ``pick`` that did not choose the action (with
# ``pick % 4`` a close, picked as ``pick % len(options) == 0`` among four actions, was always "satisfied").
LEVELS = ("satisfied", "partly", "unsatisfied", "unknown")


def _ground(case, action) -> str | None:
    from desktop.workflow.engine import rules_of

    rs = rules_of(case)
    a = rs.actions[action]
    return rs.grounds[a.requires_ground][0].code if a.requires_ground else None


def build_register(spec: dict):
    db = open_database(":memory:")
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    officers = [save_officer(db, full_name=n).uuid for n in ("Lê Thị Mai", "Phan Đức An")]
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head").uuid
    accounts.assume_role(db, "leader", officer_uuid=head)   # the head may do every step on any case
    hosts = {"head": head, "officer": officers[0], "none": None}
    person = save_person(db, full_name="Trần Thị Đức", id_kind="cccd", id_number="034185001234").uuid
    for rec in spec["receptions"]:
        record_reception(db, ReceptionInput(
            received_on=BASE + timedelta(days=rec["day"]), person_uuid=person, content="Hỏi về việc cấp đất",
            kind=rec["kind"], by_deputy=rec["deputy"], host_uuid=hosts[rec.get("host", "none")], people_count=rec["people"], first_time=rec["first"],
            case_kind=rec["case_kind"], people=[(person, True)] if rec["people"] >= 5 else [],
            outcome="recorded", within_competence=rec["competent"]), today=TODAY)
    for c in spec["cases"]:
        case = receive_case(db, CaseInput(kind=c["kind"], received_on=BASE + timedelta(days=c["day"]),
                                          summary="Vụ việc thử", requesters=[person],
                                          assignee_uuid=officers[c["officer"]] if c["officer"] < 2 else None), today=TODAY)
        day = case.received_on
        for pick, gap in c["steps"]:
            options = [a for a in allowed_actions(case) if a.code not in ("meet",)]
            if not options:
                break
            action = options[pick % len(options)]
            before = day
            if gap < 0 and case.due_on:   # on the deadline itself, or the day after it
                day = max(day, case.due_on + timedelta(days=-gap - 1))
            else:
                day = day + timedelta(days=max(gap, 0))
            extra: dict = {}
            note = "ghi chú"
            if action.code == "add_commitment":
                extra = {"commitment_due": (day + timedelta(days=abs(gap) * 3 + 1)).isoformat()}
            elif action.code == "complete_commitment":
                open_ = [k for k in case_repo.list_commitments(db, case.uuid) if k.status == "open"]
                if not open_:
                    continue
                extra = {"commitment_uuid": open_[0].uuid}
            try:
                case = act(db, case.uuid, action.code, effective_on=day, note=note,
                           ground=_ground(case, action.code), satisfaction=LEVELS[pick // len(options) % 4],
                           today=TODAY, data=extra)
            except UserError:
                day = before
    return db


# -- the naive recount ----------------------------------------------------------------------------------

def case_facts(db, case, s: date, e: date) -> dict:
    evs = [ev for ev in case_repo.list_events(db, case.uuid) if ev.effective_on <= e]
    evs.sort(key=lambda ev: ev.seq)
    first = lambda pred: next((ev for ev in evs if pred(ev)), None)  # noqa: E731
    handled = first(lambda ev: ev.from_state == "received" and ev.to_state != "received")
    ended = first(lambda ev: ev.to_state in END and (ev.from_state or "") not in END)
    accepted = first(lambda ev: ev.action == "accept")
    dues = [ev for ev in evs if "due_on" in ev.data]
    last_due = date.fromisoformat(dues[-1].data["due_on"]) if dues and dues[-1].data["due_on"] else None
    receive = first(lambda ev: ev.action == "receive")
    first_due = date.fromisoformat(receive.data["due_on"]) if receive and receive.data.get("due_on") else None
    close = first(lambda ev: ev.action == "close")
    terminate = first(lambda ev: ev.action == "terminate")
    refuse = first(lambda ev: ev.action == "refuse")
    r = case.received_on
    h_on = handled.effective_on if handled else None
    a_on = accepted.effective_on if accepted else None
    end_on = ended.effective_on if ended else None
    end_action = ended.action if ended else None
    h_total = r >= s or h_on is None or h_on >= s
    r_total = a_on is not None and (a_on >= s or end_on is None or end_on >= s)
    pending = a_on is not None and end_on is None
    in_period = lambda ev: ev.effective_on >= s  # noqa: E731
    f = {
        "kn": case.kind in ("complaint_1", "complaint_2"), "kn1": case.kind == "complaint_1",
        "kn2": case.kind == "complaint_2", "tc": case.kind == "denunciation",
        "kp": case.kind in ("petition", "feedback"), "gt": case.kind == "explanation",
        "national": case.kind != "explanation",
        "h_carried": r < s and (h_on is None or h_on >= s), "h_new": r >= s, "h_total": h_total,
        "h_done": h_on is not None and h_on >= s, "h_pending": h_on is None,
        "h_not_competent": bool(handled) and handled.action in ("guide", "forward"),
        "h_on_time": h_on is not None and (first_due is None or h_on <= first_due),
        "h_late": h_on is not None and first_due is not None and h_on > first_due,
        "h_in_period": h_on is not None and h_on >= s,
        "r_carried": a_on is not None and a_on < s and (end_on is None or end_on >= s),
        "r_new": a_on is not None and a_on >= s, "r_total": r_total,
        "r_done": a_on is not None and end_on is not None and end_on >= s, "r_pending": pending,
        "r_decided": end_action == "reply", "r_withdrawn": end_action == "withdraw",
        "r_terminated": end_action == "terminate",
        "r_on_time": end_action == "reply" and (last_due is None or end_on <= last_due),
        "r_late": end_action == "reply" and last_due is not None and end_on > last_due,
        "overdue_at_end": end_on is None and evs[-1].to_state != "suspended" and last_due is not None
                          and last_due < e,
        "suspended_at_end": evs[-1].to_state == "suspended",
        "accepted_in": a_on is not None and a_on >= s,
        "refused_in": bool(handled) and handled.action == "refuse" and h_on >= s,
        "guided_in": bool(handled) and handled.action == "guide" and h_on >= s,
        "explained_in": end_action == "reply" and end_on >= s,
        "extended_in": any(ev.action == "extend" and in_period(ev) for ev in evs),
        "suspended_in": any(ev.action == "suspend" and in_period(ev) for ev in evs),
        "terminated_in": end_action == "terminate" and end_on >= s,
        "withdrawn_in": end_action == "withdraw" and end_on >= s,
        "published_in": any(ev.action == "publish" and in_period(ev) for ev in evs),
        "closed_in": close is not None and close.effective_on >= s,
        "x_competent": not (handled and handled.action in ("guide", "forward")),
        "x_withdrawn": end_action == "withdraw" or (end_action == "terminate" and terminate is not None
                                                   and terminate.data.get("ground") == "withdrawn"),
        "x_other_field_kn": case.field not in ("land", "policy"),
        "x_admin_field": case.field in ("land", "construction", "environment", "civil_status", "policy",
                                        "personnel", "finance"),
        "decided_in": end_action == "reply" and end_on >= s,
    }
    for action in ("accept", "refuse", "guide", "forward", "withdraw"):
        f[f"h_{action}"] = bool(handled) and handled.action == action
    for level in ("satisfied", "partly", "unsatisfied", "unknown"):
        f[f"sat_{level}"] = close is not None and close.data.get("satisfaction") == level
    for g in ("art4_conditions", "out_of_scope", "already_explained", "already_accepted", "conduct",
              "representative_papers", "other"):
        f[f"ground_{g}"] = refuse is not None and refuse.data.get("ground") == g
    for fld in ("land", "construction", "environment", "justice", "civil_status", "policy", "personnel",
                "finance", "other"):
        f[f"field_{fld}"] = case.field == fld
    f["field_admin"] = case.field != "justice"
    late = (end_on - last_due).days if f["r_late"] else 0
    return {"facts": f, "late_days": max(late, 0), "key": case.assignee_uuid or NO_OFFICER}


def reception_facts(db, rec) -> dict:
    k = rec.case_kind
    head = bool(rec.host_uuid) and db.scalar("SELECT role FROM officers WHERE uuid = ?", (rec.host_uuid,)) == "head"
    by_head = rec.kind in ("periodic", "adhoc")
    f = {"staff_regular": rec.kind == "regular" and not head,
         "head_in_person": (by_head and not rec.by_deputy) or (rec.kind == "regular" and head),
         "head_deputy": by_head and rec.by_deputy,"regular": rec.kind == "regular", "periodic": rec.kind == "periodic", "adhoc": rec.kind == "adhoc",
         "by_head": rec.kind in ("periodic", "adhoc"), "in_person": not rec.by_deputy, "deputy": rec.by_deputy,
         "first_time": rec.first_time, "repeat": not rec.first_time, "group": rec.people_count >= 5,
         "rc_kn": k in ("complaint_1", "complaint_2"), "rc_tc": k == "denunciation",
         "rc_kp": k in ("petition", "feedback"), "rc_gt": k == "explanation",
         "rc_other": k not in KINDS, "competent": rec.within_competence, "not_competent": not rec.within_competence,
         "out_guided": rec.outcome == "guided", "out_forwarded": rec.outcome == "forwarded",
         "out_accepted": rec.outcome == "accepted", "out_answered": rec.outcome == "answered"}
    return {"facts": f, "people": rec.people_count, "matter": rec.case_uuid or rec.uuid, "day": rec.received_on,
            "key": rec.host_uuid or NO_OFFICER}


def commitment_facts(db, k, case, s: date, e: date) -> dict | None:
    made = next((ev for ev in case_repo.list_events(db, case.uuid)
                 if ev.action == "add_commitment" and ev.data.get("commitment_uuid") == k.uuid), None)
    if made is None or made.effective_on > e:
        return None
    done = k.done_on if k.done_on and k.done_on <= e else None
    dropped = k.status == "dropped"
    f = {"c_made_in": made.effective_on >= s, "c_done": done is not None,
         "c_done_on_time": done is not None and (k.due_on is None or done <= k.due_on),
         "c_done_late": done is not None and k.due_on is not None and done > k.due_on,
         "c_overdue": done is None and not dropped and k.due_on is not None and k.due_on < e,
         "c_open": done is None and not dropped,
         "c_followed": not dropped and (made.effective_on >= s or done is None or done >= s)}
    return {"facts": f, "key": case.assignee_uuid or NO_OFFICER}


def recount(db, rule: Rule, s: date, e: date, key: str | None) -> int:
    def holds(facts: dict) -> bool:
        ok = all((not facts[n[1:]]) if n.startswith("!") else facts[n] for n in rule.where)
        return ok and (not rule.any or any(facts[n] for n in rule.any))

    rows = []
    if rule.of == "case":
        rows = [case_facts(db, c, s, e) for c in _cases(db) if c.received_on <= e]
    elif rule.of == "reception":
        rows = [reception_facts(db, r) for r in _receptions(db) if s <= r.received_on <= e]
    else:
        for c in _cases(db):
            for k in case_repo.list_commitments(db, c.uuid):
                got = commitment_facts(db, k, c, s, e)
                if got:
                    rows.append(got)
    rows = [r for r in rows if (key is None or r["key"] == key) and holds(r["facts"])]
    if rule.measure == "count":
        return len(rows)
    if rule.measure == "people":
        return sum(r["people"] for r in rows)
    if rule.measure == "matters":
        return len({r["matter"] for r in rows})
    if rule.measure == "days":
        return len({r["day"] for r in rows})
    if rule.measure == "late_days":
        return sum(r["late_days"] for r in rows)
    raise AssertionError(rule.measure)


def _cases(db):
    return [case_repo.get_case(db, r[0]) for r in db.query("SELECT uuid FROM cases ORDER BY id")]


def _receptions(db):
    from desktop.storage.receptions import get_reception

    return [get_reception(db, r[0]) for r in db.query("SELECT uuid FROM receptions ORDER BY id")]


# -- the property -----------------------------------------------------------------------------------------

steps = st.lists(st.tuples(st.integers(0, 20), st.integers(-2, 25)), max_size=7)
cases = st.fixed_dictionaries({"kind": st.sampled_from(KINDS), "day": st.integers(0, 300),
                               "officer": st.integers(0, 2), "steps": steps})
receptions = st.fixed_dictionaries({
    "day": st.integers(0, 300), "kind": st.sampled_from(("regular", "periodic", "adhoc")),
    "deputy": st.booleans(), "people": st.sampled_from((1, 2, 5, 12)), "first": st.booleans(),
    "case_kind": st.sampled_from(KINDS + ("",)), "competent": st.booleans(),
    "host": st.sampled_from(("head", "officer", "none"))})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=st.fixed_dictionaries({"cases": st.lists(cases, min_size=1, max_size=14),
                                   "receptions": st.lists(receptions, max_size=6)}),
       data=st.data())
def test_every_cell_equals_a_naive_recount(spec, data):
    db = build_register(spec)
    try:
        # Period boundaries fall on the days events happen (or the day before or after): that is
        # where "carried over", "in the period" and "by the cut-off" part ways.
        days = sorted({date.fromisoformat(r[0]) for r in db.query("SELECT DISTINCT effective_on FROM events")})
        s = data.draw(st.sampled_from(days)) + timedelta(days=data.draw(st.sampled_from((-1, 0, 1))))
        later = [d for d in days if d >= s] or [s]
        e = data.draw(st.sampled_from(later)) + timedelta(days=data.draw(st.sampled_from((-1, 0, 1))))
        p = date_range(s, max(s, e))
        # each form alone, in a run of its own, builds only the facts it reads (columns, kinds): the same
        # figures as in one run of every form, where each form widens what the ones before it built
        alone = {form.code: ReportRun(db, p).compute(form).all_rows() for form in all_forms()}
        run = ReportRun(db, p)
        for form in all_forms():
            report = run.compute(form)   # identities are checked inside
            assert report.all_rows() == alone[form.code], form.code
            for row in report.all_rows():
                key = None if row.key == TOTAL_KEY or form.rows == "unit" else row.key
                for leaf in form.leaves():
                    if leaf.rule.manual:
                        assert row.values[leaf.no] is None
                        continue
                    if leaf.rule.sum:
                        want = sum(recount(db, form.leaf(n).rule, p.start, p.end, key) for n in leaf.rule.sum)
                        assert row.values[leaf.no] == want
                        continue
                    want = recount(db, leaf.rule, p.start, p.end, key)
                    assert row.values[leaf.no] == want, (form.code, leaf.no, leaf.label, row.label)
                    if want and row.key != TOTAL_KEY:
                        explained = run.explain(form, leaf.no, None if form.rows == "unit" else row.key)
                        if leaf.rule.measure == "count":
                            assert len(explained.ids) == want
    finally:
        db.close()


def test_a_standard_period_on_a_fixed_register():
    """The six months of 2026 over a register whose events straddle both cut-offs."""
    spec = {"cases": [{"kind": k, "day": d, "officer": o, "steps": [(i, 9) for i in range(6)]}
                      for k in KINDS for d, o in ((30, 0), (44, 1), (45, 2), (225, 0))],
            "receptions": [{"day": 44, "kind": "regular", "deputy": False, "people": 5, "first": True,
                            "case_kind": "complaint_1", "competent": True}]}
    db = build_register(spec)
    try:
        p = period("2026-H1")
        run = ReportRun(db, p)
        for form in all_forms():
            report = run.compute(form)
            for leaf in form.leaves():
                if not leaf.rule.manual and not leaf.rule.sum and form.rows == "unit":
                    assert report.main_row().values[leaf.no] == recount(db, leaf.rule, p.start, p.end, None)
    finally:
        db.close()


def test_a_form_alone_builds_only_the_case_facts_it_reads_and_a_later_form_gets_them_all():
    spec = {"cases": [{"kind": k, "day": d, "officer": o, "steps": [(i, 9) for i in range(6)]}
                      for k in KINDS for d, o in ((30, 0), (45, 2), (225, 0))], "receptions": []}
    db = build_register(spec)
    try:
        p = period("2026-H1")
        full = {r.form.code: r.all_rows() for r in ReportRun(db, p).compute_all()}
        kinds = lambda: {r[0] for r in db.query("SELECT DISTINCT kind FROM temp.rp_case")}  # noqa: E731
        run = ReportRun(db, p)
        assert run.compute("02/XLD").all_rows() == full["02/XLD"]
        # 02/XLD counts petitions to handle of the national kinds, by their first handling only
        assert kinds() == set(KINDS) - {"explanation"}
        assert db.scalar("SELECT count(*) FROM temp.rp_case WHERE handled_on IS NOT NULL") > 0
        assert db.scalar("SELECT count(*) FROM temp.rp_case WHERE coalesce(accepted_on, ended_on, state_at_end, "
                         "last_due, closed_on) IS NOT NULL") == 0
        assert run.compute("03/GQKN").all_rows() == full["03/GQKN"]   # reads ended_on: the whole table now
        assert kinds() == set(KINDS)
        assert db.scalar("SELECT count(*) FROM temp.rp_case WHERE state_at_end IS NULL") == 0
        for form in all_forms():
            assert run.compute(form).all_rows() == full[form.code], form.code
    finally:
        db.close()


def test_each_satisfaction_level_is_counted_where_it_was_answered():
    """Four explanations closed with each level of satisfaction: GT-01 columns 27–31 count each once
    (the builder's decoding of a close's level is checked too: all four levels must occur)."""
    spec = {"cases": [{"kind": "explanation", "day": 10, "officer": 0, "steps": [(0, 3), (0, 3), (4 * n, 3)]}
                      for n in range(4)], "receptions": []}
    db = build_register(spec)
    try:
        levels = [r[0] for r in db.query("SELECT satisfaction FROM cases ORDER BY id")]
        assert levels == list(LEVELS)
        run = ReportRun(db, date_range(BASE, BASE + timedelta(days=100)))
        row = run.compute("GT-01").main_row().values
        assert (row[27], row[28], row[29], row[30], row[31]) == (4, 1, 1, 1, 1)
        form = run.compute("GT-01").form
        for no in (28, 29, 30, 31):
            assert row[no] == recount(db, form.leaf(no).rule, BASE, BASE + timedelta(days=100), None)
    finally:
        db.close()


def test_on_the_deadline_is_on_time_and_the_day_after_is_late():
    """Explanations answered on their deadline, the day after it, and after an extension."""
    spec = {"cases": [{"kind": "explanation", "day": 10, "officer": 0, "steps": [(0, 3), (0, -1)]},
                      {"kind": "explanation", "day": 10, "officer": 1, "steps": [(0, 3), (0, -2)]},
                      {"kind": "explanation", "day": 10, "officer": 1, "steps": [(0, 3), (2, 4), (0, -1)]}],
            "receptions": []}
    db = build_register(spec)
    try:
        run = ReportRun(db, date_range(BASE, BASE + timedelta(days=100)))
        row = run.compute("GT-01").main_row().values
        assert (row[16], row[17], row[18], row[19], row[20]) == (3, 2, 1, 1, 1)
        officers = {r.label: r.values for r in run.compute("GT-02").rows}
        assert officers["Lê Thị Mai"][5] == 1 and officers["Phan Đức An"][6] == 1
        assert officers["Phan Đức An"][7] == 1
    finally:
        db.close()
