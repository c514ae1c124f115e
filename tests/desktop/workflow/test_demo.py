"""The sample register: every kind and every reachable state, real dates, a sound chain, one seed."""

from __future__ import annotations

from collections import deque
from datetime import date, timedelta

import pytest

from desktop.errors import UserError
from desktop.rules.book import KIND_LABELS, default_rules
from desktop.storage.cases import dashboard
from desktop.storage.db import open_database
from desktop.workflow.demo import build_demo
from desktop.workflow.verify import verify_register

TODAY = date(2026, 11, 23)  # a Monday


def _reachable(kind: str, first: date, last: date) -> set[str]:
    """States reachable from the initial state, over the rule sets in force in [first, last]."""
    found: set[str] = set()
    for rs in default_rules().rule_sets:
        if rs.kind != kind or rs.effective_from > last or (rs.effective_to and rs.effective_to < first):
            continue
        queue, seen = deque([rs.initial_state]), {rs.initial_state}
        while queue:
            state = queue.popleft()
            for action in rs.actions.values():
                if state in action.from_states and action.to_state not in (None, "@previous"):
                    if action.to_state not in seen:
                        seen.add(action.to_state)
                        queue.append(action.to_state)
        found |= seen
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("demo") / "mau.sqlite")
    summary = build_demo(db, today=TODAY)
    yield db, summary
    db.close()


def test_every_kind_and_every_reachable_state(demo):
    db, summary = demo
    assert summary.cases == 300
    assert set(summary.by_kind) == set(KIND_LABELS)
    first, last = TODAY - timedelta(days=730), TODAY
    for kind in KIND_LABELS:
        states = {r[0] for r in db.query("SELECT DISTINCT state FROM cases WHERE kind = ?", (kind,))}
        missing = _reachable(kind, first, last) - states
        assert not missing, f"{kind}: no sample case in {sorted(missing)}"


def test_spread_over_two_years_and_nothing_in_the_future(demo):
    db, summary = demo
    t = TODAY.isoformat()
    assert summary.first_day >= TODAY - timedelta(days=731)
    assert (summary.last_day - summary.first_day).days > 600
    for sql in ("SELECT count(*) FROM cases WHERE received_on > ? OR closed_on > ? OR published_on > ?",
                "SELECT count(*) FROM events WHERE effective_on > ? OR effective_on > ? OR effective_on > ?",
                "SELECT count(*) FROM receptions WHERE received_on > ? OR received_on > ? OR received_on > ?",
                "SELECT count(*) FROM commitments WHERE done_on > ? OR done_on > ? OR done_on > ?"):
        assert db.scalar(sql, (t, t, t)) == 0, sql
    # Within each case, steps never go back in time nor before the receipt.
    rows = db.query("SELECT e.case_uuid, e.seq, e.effective_on, c.received_on FROM events e "
                    "JOIN cases c ON c.uuid = e.case_uuid ORDER BY e.case_uuid, e.seq")
    previous: dict[str, str] = {}
    for r in rows:
        assert r["effective_on"] >= r["received_on"]
        assert r["effective_on"] >= previous.get(r["case_uuid"], "")
        previous[r["case_uuid"]] = r["effective_on"]


def test_register_verifies(demo):
    db, _ = demo
    report = verify_register(db)
    assert report.ok, report.problems[:5]
    assert report.events_checked > 300


def test_office_people_and_receptions(demo):
    db, summary = demo
    unit = db.one("SELECT * FROM units")
    assert unit["name"] == "Ủy ban nhân dân xã Thụy Hùng" and unit["abbreviation"] == "UBND"
    roles = [r[0] for r in db.query("SELECT role FROM officers")]
    assert roles.count("head") == 1 and roles.count("deputy") == 2 and 3 <= roles.count("officer") <= 4
    kinds = {r[0] for r in db.query("SELECT DISTINCT kind FROM receptions")}
    assert kinds == {"regular", "periodic", "adhoc"}
    assert db.scalar("SELECT count(*) FROM receptions WHERE by_deputy = 1") > 0
    groups = db.query("SELECT uuid, people_count FROM receptions WHERE people_count >= 5")
    assert groups
    for g in groups:
        reps = db.scalar("SELECT count(*) FROM reception_people WHERE reception_uuid = ? AND is_representative = 1",
                         (g["uuid"],))
        assert 1 <= reps <= (2 if g["people_count"] <= 10 else 5)
    assert {r[0] for r in db.query("SELECT DISTINCT outcome FROM receptions")} >= {"accepted", "guided"}
    assert summary.persons > 200
    # Denouncers stay secret: no name in the register's columns.
    assert db.scalar("SELECT count(*) FROM cases WHERE kind = 'denunciation' AND requester_name <> ''") == 0


def test_follow_up_satisfaction_and_deadlines(demo):
    db, summary = demo
    assert db.scalar("SELECT count(*) FROM commitments") > 0
    assert db.scalar("SELECT count(*) FROM commitments WHERE status = 'done'") > 0
    assert db.scalar("SELECT count(*) FROM cases WHERE state = 'closed' AND satisfaction IS NULL") == 0
    assert len({r[0] for r in db.query("SELECT satisfaction FROM cases WHERE satisfaction IS NOT NULL")}) >= 3
    assert db.scalar("SELECT count(*) FROM cases WHERE published_on IS NOT NULL") > 0
    board = dashboard(db, TODAY)
    assert board.overdue_count > 0 and summary.overdue == board.overdue_count
    assert board.due_today or board.due_this_week
    assert summary.due_this_week > 0
    assert db.scalar("SELECT count(*) FROM events WHERE action = 'extend'") > 0
    assert db.scalar("SELECT count(*) FROM events WHERE action = 'resume'") > 0


def _content(db) -> list:
    cases = db.query("SELECT number, kind, state, field, channel, summary, content, received_on, due_on, closed_on, "
                     "satisfaction, requester_name FROM cases ORDER BY id")
    events = db.query("SELECT seq, action, to_state, effective_on, note FROM events ORDER BY id")
    people = db.query("SELECT full_name, id_number, phone, address FROM persons ORDER BY id")
    return [tuple(r) for r in cases] + [tuple(r) for r in events] + [tuple(r) for r in people]


def test_same_seed_same_register(tmp_path, demo):
    db, _ = demo
    again = open_database(tmp_path / "again.sqlite")
    try:
        build_demo(again, today=TODAY)
        assert _content(again) == _content(db)
    finally:
        again.close()
    other = open_database(tmp_path / "other.sqlite")
    try:
        build_demo(other, cases=40, seed=7, today=TODAY)
        assert _content(other) != _content(db)
    finally:
        other.close()


def test_refuses_a_register_that_has_data(demo):
    db, _ = demo
    with pytest.raises(UserError) as info:
        build_demo(db, today=TODAY)
    assert "Sổ đã có dữ liệu" in info.value.message
