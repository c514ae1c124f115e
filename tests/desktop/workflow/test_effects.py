"""effects.step_effects: the one description of a step's effects that engine.act and bulk import share."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.calendar.workdays import WorkCalendar
from desktop.errors import ValidationError
from desktop.rules.book import default_rules
from desktop.workflow import bulk_rows, engine
from desktop.workflow.bulk import BulkCase, BulkPerson, BulkStep
from desktop.workflow.effects import step_effects

RS = default_rules().for_case("petition", date(2026, 3, 2))
CAL = dict(cal=WorkCalendar(), received_on=date(2026, 3, 2))


def _deadline(step_code, start_on, label):
    return date(2026, 3, 16), f"{step_code} từ {start_on.isoformat()} ({label})"


def test_accept_starts_its_step_with_the_deadline_given():
    eff = step_effects(RS, RS.actions["accept"], "received", date(2026, 3, 2), deadline=_deadline, **CAL)
    assert eff.to_state == "accepted"
    assert eff.changes == {"state": "accepted", "due_on": "2026-03-16", "due_step": "resolve",
                           "due_trace": "resolve từ 2026-03-02 (Thụ lý giải quyết)", "extensions": 0}
    assert eff.data["starts_step"] == "resolve" and eff.data["citation"] == RS.actions["accept"].citation
    assert eff.settled == {}


def test_close_settles_the_case_and_keeps_the_satisfaction():
    eff = step_effects(RS, RS.actions["close"], "replied", date(2026, 4, 1), deadline=_deadline,
                       satisfaction="partly", **CAL)
    assert eff.to_state == "closed" and eff.data["satisfaction"] == "partly"
    assert eff.settled == {"due_on": None, "due_step": None, "due_trace": None, "paused_on": None,
                           "closed_on": "2026-04-01", "satisfaction": "partly"}


@pytest.mark.parametrize("action, kw, field", [
    ("close", {}, "satisfaction"),
    ("guide", {}, "note"),
    ("refuse", {}, "ground"),
])
def test_missing_input_is_refused_before_anything_is_computed(action, kw, field):
    called = []
    with pytest.raises(ValidationError) as info:
        step_effects(RS, RS.actions[action], "received" if action != "close" else "replied", date(2026, 3, 2),
                     deadline=lambda *a: called.append(a) or (None, ""), **CAL, **kw)
    assert field in info.value.fields and not called


def test_engine_and_bulk_import_call_the_shared_function():
    # Both modules take the function from effects (a copy in either would drift).
    assert engine.step_effects is step_effects and bulk_rows.step_effects is step_effects


def test_bulk_history_reports_the_engines_message():
    item = BulkCase(kind="petition", received_on=date(2026, 3, 2), summary="Kiến nghị",
                    requesters=[BulkPerson("Lê Văn An")], history=(BulkStep("guide", date(2026, 3, 3)),))
    errors = bulk_rows.check_history(item, date(2026, 11, 1))
    assert errors == {"history": "Bước 1 (guide): Hãy ghi rõ cơ quan có thẩm quyền / nội dung hướng dẫn."}


@pytest.mark.parametrize("kind,action,words", [
    ("explanation", "guide", "cơ quan có thẩm quyền"),
    ("explanation", "withdraw_part", "rút"),
    ("denunciation", "withdraw_part", "rút"),
])
def test_a_missing_note_is_asked_for_what_the_step_needs(kind, action, words):
    """A partial withdrawal without a note was asked for "cơ quan có thẩm quyền / nội dung hướng
    dẫn", the guidance step's words; each step now asks for its own."""
    from desktop.workflow.effects import check_step_input

    rs = default_rules().for_case(kind, date(2026, 3, 2))
    with pytest.raises(ValidationError) as refused:
        check_step_input(rs, rs.action(action), note="", ground=None, satisfaction=None)
    assert words in refused.value.fields["note"]
    if action != "guide":
        assert "hướng dẫn" not in refused.value.fields["note"]
