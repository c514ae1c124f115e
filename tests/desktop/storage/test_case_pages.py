"""Keyset pages of the case register: every row once, in order, whatever the sort and filter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop.domain.names import name_key
from desktop.storage.cases import CaseFilter, count_cases, page_cases
from desktop.storage.persons import save_person
from desktop.storage.units import save_unit
from desktop.workflow.receive import CaseInput, receive_case

TODAY = date(2026, 11, 23)
NAMES = ["Nguyễn Văn Đức", "Trần Thị Ánh", "Lê Anh", "Đặng Văn An", "Bùi Thị Bình", "Phạm Ơn"]
KINDS = ["explanation", "petition", "feedback", "complaint_1"]


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    from desktop.storage.db import open_database

    db = open_database(tmp_path_factory.mktemp("pages") / "r.sqlite")
    save_unit(db, code="1", name="UBND xã A", place_name="A")
    from desktop.security import accounts

    accounts.assume_role(db, "reception")
    people = [save_person(db, full_name=n).uuid for n in NAMES]
    for i in range(430):
        receive_case(db, CaseInput(kind=KINDS[i % 4], received_on=date(2026, 1, 1) + timedelta(days=(i * 7) % 300),
                                   summary=("Đất đai lấn chiếm" if i % 3 == 0 else "Xây dựng trái phép") + f" số {i}",
                                   requesters=[people[i % len(people)]]), today=TODAY)
    yield db
    db.close()


def _all(db, filt, **kw):
    out, cursor = [], None
    while True:
        page = page_cases(db, filt, after=cursor, limit=57, **kw)
        out.extend(page.rows)
        cursor = page.next_cursor
        if cursor is None:
            return out


@pytest.mark.parametrize("sort", ["received", "due", "number", "requester"])
@pytest.mark.parametrize("descending", [True, False])
def test_pages_cover_every_row_once_in_order(register, sort, descending):
    rows = _all(register, CaseFilter(), sort=sort, descending=descending)
    expected = register.scalar("SELECT count(*) FROM cases" + (" WHERE due_on IS NOT NULL" if sort == "due" else ""))
    assert len(rows) == expected and len({r.id for r in rows}) == expected
    keys = {"received": lambda r: (r.received_on, r.id), "due": lambda r: (r.due_on, r.id),
            "number": lambda r: r.id, "requester": lambda r: (name_key(r.requester_name), r.id)}[sort]
    assert [keys(r) for r in rows] == sorted((keys(r) for r in rows), reverse=descending)


def test_filters_and_counts(register):
    rows = _all(register, CaseFilter(kind="petition"))
    assert rows and all(r.kind == "petition" for r in rows)
    assert len(rows) == count_cases(register, CaseFilter(kind="petition"))
    spring = CaseFilter(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert all(date(2026, 3, 1) <= r.received_on <= date(2026, 3, 31) for r in _all(register, spring))


def test_text_search_pages_newest_first_without_accents(register):
    rows = _all(register, CaseFilter(text="dat dai lan chiem"))
    assert len(rows) == count_cases(register, CaseFilter(text="Đất đai")) == 144
    assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True)
    both = _all(register, CaseFilter(text="xay dung", kind="explanation"))
    assert both and all(r.kind == "explanation" and "Xây dựng" in r.summary for r in both)
    typed = _all(register, CaseFilter(text="nguyen van d"))
    assert typed and all(r.requester_name == "Nguyễn Văn Đức" for r in typed)


@pytest.mark.parametrize("sort", ["received", "due", "number", "requester"])
@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("filt", [CaseFilter(), CaseFilter(kind="petition"), CaseFilter(date_from=date(2026, 3, 1))])
def test_page_anchors_are_every_pages_last_row(register, sort, descending, filt):
    """The scroll bar's page anchors (one stepping query each) equal the last row of every full
    page of the keyset pages, whatever the sort, direction and filter."""
    from desktop.storage.ui_queries import case_anchors

    rows = _all(register, filt, sort=sort, descending=descending)
    key = {"received": lambda r: r.received_on.isoformat(), "due": lambda r: r.due_on.isoformat(),
           "number": lambda r: r.id,
           "requester": lambda r: register.scalar("SELECT requester_key FROM cases WHERE id = ?", (r.id,))}[sort]
    for every in (7, 50):
        expected = [(key(rows[i]), rows[i].id) for i in range(every - 1, len(rows), every)]
        assert case_anchors(register, filt, sort=sort, descending=descending, every=every) == expected


def test_reception_anchors_are_every_pages_last_row(tmp_path):
    from desktop.security import accounts
    from desktop.storage.db import open_database
    from desktop.storage.receptions import page_receptions
    from desktop.storage.ui_queries import reception_anchors
    from desktop.workflow.receive import ReceptionInput, record_reception

    register = open_database(tmp_path / "r.sqlite")
    save_unit(register, code="1", name="UBND xã A", place_name="A")
    accounts.assume_role(register, "reception")
    person = save_person(register, full_name="Trần Thị Đức").uuid
    for i in range(120):  # several on the same day: the id breaks the tie
        record_reception(register, ReceptionInput(received_on=date(2026, 1, 1) + timedelta(days=i % 40),
                                                  person_uuid=person, content=f"Hỏi thủ tục {i}"), today=TODAY)
    for descending in (True, False):
        rows, cursor = [], None
        while True:
            page = page_receptions(register, after=cursor, limit=13, descending=descending)
            rows += page.rows
            cursor = page.next_cursor
            if cursor is None:
                break
        assert len(rows) == 120
        expected = [(rows[i].received_on.isoformat(), rows[i].id) for i in range(6, len(rows), 7)]
        assert reception_anchors(register, descending=descending, every=7) == expected
        later_rows = [r for r in rows if r.received_on >= date(2026, 1, 20)]
        assert reception_anchors(register, date_from=date(2026, 1, 20), descending=descending, every=7) == [
            (later_rows[i].received_on.isoformat(), later_rows[i].id) for i in range(6, len(later_rows), 7)]
    register.close()


def test_cases_of_other_units_are_found_by_seeks_not_a_scan(register):
    """"Hôm nay" asks at every refresh whether other units' cases are in the register."""
    from desktop.storage.cases import OTHER_UNITS_SQL, has_other_units_cases

    own = register.scalar("SELECT unit_code FROM cases LIMIT 1")
    assert register.scalar("SELECT count(DISTINCT unit_code) FROM cases") == 1
    assert not has_other_units_cases(register, own)
    assert has_other_units_cases(register, own + "9") and has_other_units_cases(register, "0")  # above, below
    plan = " ".join(r[3] for r in register.conn.execute(f"EXPLAIN QUERY PLAN {OTHER_UNITS_SQL}", (own, own)))
    assert "SCAN cases" not in plan and plan.count("SEARCH cases USING COVERING INDEX cases_unit") == 2, plan
