"""Periods (NĐ 09/2019 Art. 12), forms as data, opening balances."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.reports import periods
from desktop.reports.engine import ReportRun
from desktop.reports.forms import (all_forms, approximate_columns, get_form, parse_form, parse_identity,
                                   unverified_columns)
from desktop.reports.openings import enter_opening, list_openings
from desktop.security import accounts
from desktop.storage.db import open_database
from desktop.storage.units import save_unit

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.parametrize("code, label", [
    ("2026-H1", "6 tháng đầu năm 2026 (15/12/2025–14/6/2026)"),
    ("2026-Y", "Năm 2026 (15/12/2025–14/12/2026)"),
    ("2026-9M", "9 tháng năm 2026 (15/12/2025–14/9/2026)"),
    ("2026-Q1", "Quý I năm 2026 (15/12/2025–14/3/2026)"),
    ("2026-M03", "Tháng 3 năm 2026 (15/2/2026–14/3/2026)"),
    ("2026-H2", "6 tháng cuối năm 2026 (15/6/2026–14/12/2026)"),
])
def test_standard_periods_follow_the_decree(code, label):
    assert periods.period(code).label == label


def test_any_date_range_and_bad_codes():
    p = periods.period("2026-01-01..2026-06-30")
    assert (p.start, p.end, p.label) == (date(2026, 1, 1), date(2026, 6, 30), "Từ ngày 01/01/2026 đến ngày 30/06/2026")
    with pytest.raises(UserError):
        periods.period("2026-H3")
    with pytest.raises(UserError):
        periods.period("2026-06-30..2026-01-01")


def test_a_province_with_calendar_months(monkeypatch):
    data = json.loads(json.dumps(periods._data()))
    data["provinces"]["01"] = {"start_day": 1}
    monkeypatch.setattr(periods, "_data", lambda: data)
    p = periods.period("2026-H1", "01")
    assert (p.start, p.end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert periods.period("2026-H1").start == date(2025, 12, 15)


def test_a_communes_report_is_due_on_the_17th_of_the_periods_last_month(monkeypatch):
    """TT 06/2025/TT-TTCP Art. 7(2)(a): the UBND cấp xã sends its report to the province by the 17th
    of the period's last month (not the cut-off plus two working days); a province may set an
    earlier date for its communes (same point, last indent)."""
    from desktop.calendar.workdays import WorkCalendar

    cal = WorkCalendar()
    assert periods.due_date(periods.period("2026-H1"), cal) == date(2026, 6, 17)
    assert periods.due_date(periods.period("2026-Y"), cal) == date(2026, 12, 17)
    assert periods.due_date(periods.period("2026-Q1"), cal) == date(2026, 3, 17)
    assert periods.due_date(periods.period("2026-9M"), cal) == date(2026, 9, 17)
    assert periods.due_date(periods.period("2026-06-01..2026-06-20"), cal) == date(2026, 7, 17)
    assert "Thông tư 06/2025/TT-TTCP, Điều 7 khoản 2" in periods.scheme().due_basis
    data = json.loads(json.dumps(periods._data()))
    data["provinces"]["01"] = {"due": {"working_days_after_cutoff": 2}}
    data["provinces"]["02"] = {"due": {"day_of_last_month": 14}}
    monkeypatch.setattr(periods, "_data", lambda: data)
    assert periods.due_date(periods.period("2026-H1", "01"), cal, "01") == date(2026, 6, 16)  # Sun 14 → Tue 16
    assert periods.due_date(periods.period("2026-H1", "02"), cal, "02") == date(2026, 6, 14)


def test_reminder_from_first_of_june_and_december():
    assert periods.reminder(date(2026, 5, 31)) is None
    assert periods.reminder(date(2026, 6, 1)).code == "2026-H1"
    assert periods.reminder(date(2026, 12, 1)).code == "2026-Y"


def test_forms_load_with_numbers_headers_and_identities():
    forms = all_forms()
    assert {"01/TCD", "02/XLD", "03/GQKN", "04/GQTC", "05/KQTH", "06/QLKNTC", "GT-01", "GT-02"} <= {
        f.code for f in forms}
    tcd = get_form("01/TCD")
    assert len(tcd.leaves()) == 21 and tcd.numbering()[:4] == ["1=5+11+17", "2=6+12+18", "3=7+13+19", "4=8+14+20"]
    assert len(get_form("02/XLD").leaves()) == 25 and len(get_form("03/GQKN").leaves()) == 23
    assert len(get_form("04/GQTC").leaves()) == 25
    for form in forms:
        header = form.header()
        width = 1 + len(form.leaves())
        depth = form.header_depth()
        grid = [[0] * width for _ in range(depth)]
        for cell in header:   # the merged cells tile the header exactly once
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    grid[r][c] += 1
        assert all(v == 1 for line in grid for v in line), form.code
    assert get_form("gt-01").code == get_form("GT01").code == "GT-01"
    assert parse_identity("1=2+3 = 4").sides == ((1,), (2, 3), (4,))


def test_a_bad_form_is_refused_when_loaded():
    raw = {"id": "x", "code": "X", "title": "X", "columns": [{"label": "a", "no": 1, "rule": {"where": ["nope"]}}]}
    with pytest.raises(ValueError, match="unknown fact"):
        parse_form(raw)
    raw["columns"][0]["rule"] = {"where": ["gt"]}
    raw["identities"] = ["1 = 2"]
    with pytest.raises(ValueError, match="lacks"):
        parse_form(raw)


def test_unverified_and_approximate_columns_are_listed():
    assert all(not get_form(u.form).leaf(u.no).verified for u in unverified_columns())
    approx = {(u.form, u.no) for u in approximate_columns()}
    assert {("02/XLD", 14), ("02/XLD", 16), ("01/TCD", 10)} <= approx
    assert all(u.note for u in approximate_columns())


def test_opening_balances_count_as_carried_over_once(tmp_path):
    db = open_database(tmp_path / "r.sqlite")
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    from desktop.storage.units import save_officer

    mai = save_officer(db, full_name="Lê Thị Mai", title="Phó Chủ tịch", role="deputy")
    accounts.assume_role(db, "leader", officer_uuid=mai.uuid)   # the opening is recorded under who entered it
    enter_opening(db, kind="explanation", as_of=date(2026, 3, 1), unhandled=2, unresolved=3)
    with pytest.raises(UserError):
        enter_opening(db, kind="explanation", as_of=date(2026, 3, 1), unhandled=1, unresolved=0)
    assert list_openings(db)[0].entered_by == "Lê Thị Mai"
    run = ReportRun(db, periods.period("2026-H1"))
    gt = run.compute("GT-01").main_row().values
    assert (gt[1], gt[2], gt[3], gt[15]) == (2, 2, 0, 2)
    gt2 = run.compute("GT-02").main_row().values
    assert (gt2[1], gt2[2], gt2[9]) == (3, 3, 3)
    cell = run.explain("GT-01", 2)
    assert cell.ids == () and cell.openings == ((list_openings(db)[0].uuid, 2),)
    later = ReportRun(db, periods.period("2026-H2")).compute("GT-01").main_row().values
    assert later[2] == 0
    db.close()


def test_migration_0009_on_the_0006_register(tmp_path):
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0006.sqlite", path)
    db = open_database(path)
    try:
        tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"report_openings", "report_issues", "report_reviews", "report_corrections"} <= tables
        assert db.scalar("SELECT count(*) FROM cases") > 0
        reports = ReportRun(db, periods.period("2026-Y")).compute_all()
        assert reports and sum(v or 0 for r in reports for v in r.main_row().values.values()) > 0
    finally:
        db.close()


def test_runs_sharing_a_connection_never_read_each_others_facts(tmp_path):
    """Fact tables are built when a form first needs them and belong to the connection: a run whose
    tables another run replaced builds its own again."""
    from desktop.reports.engine import figures_of

    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0006.sqlite", path)
    db = open_database(path)
    try:
        year, half = periods.period("2025-Y"), periods.period("2026-H1")
        alone = {p.code: figures_of(ReportRun(db, p).compute_all()) for p in (year, half)}
        assert alone[year.code] != alone[half.code]
        first, second = ReportRun(db, year), ReportRun(db, half)
        first.compute("03/GQKN")
        assert figures_of(second.compute_all()) == alone[half.code]
        assert figures_of(first.compute_all()) == alone[year.code]       # built again for its own period
        assert figures_of(second.compute_all()) == alone[half.code]
        only = ReportRun(db, half)
        only.compute("01/TCD")                                          # receptions only
        assert {r[0] for r in db.query("SELECT name FROM temp.sqlite_master WHERE type = 'table'")} == {
            "rp_reception"}
    finally:
        db.close()


def test_hand_entered_figures_fill_only_manual_columns(tmp_path):
    from desktop.reports.engine import set_manual_value

    db = open_database(tmp_path / "r.sqlite")
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    accounts.assume_role(db, "leader")
    p = periods.period("2026-H1")
    set_manual_value(db, p, "03/GQKN", 13, 12.5)
    set_manual_value(db, p, "03/GQKN", 8, 2)
    with pytest.raises(UserError):
        set_manual_value(db, p, "03/GQKN", 1, 5)        # computed by the register
    with pytest.raises(UserError):
        set_manual_value(db, p, "03/GQKN", 9, -1)
    report = ReportRun(db, p).compute("03/GQKN")
    values = report.main_row().values
    assert (values[13], values[8], values[9]) == (12.5, 2, None) and report.warnings == ()
    for no in (9, 10, 11, 12):
        set_manual_value(db, p, "03/GQKN", no, 0)
    warned = ReportRun(db, p).compute("03/GQKN").warnings      # 7 (no decisions) ≠ 2 entered by hand
    assert len(warned) == 1 and "7 = 8 + 9 + 10 + 11 + 12" in warned[0]
    set_manual_value(db, p, "03/GQKN", 8, None)
    assert ReportRun(db, p).compute("03/GQKN").main_row().values[8] is None
    assert ReportRun(db, periods.period("2026-H2")).compute("03/GQKN").main_row().values[13] is None
    db.close()


def test_the_report_is_due_from_first_of_june_until_it_is_issued(tmp_path):
    """"Hôm nay" reminds from 1/6 (the six months) and 1/12 (the year) until the unit issues the
    report — past its due date too, counting the days overdue — and again once the province reopens
    it; a register that holds nothing up to the cut-off is not reminded."""
    from desktop.reports import submit
    from desktop.storage.persons import save_person
    from desktop.storage.units import save_officer
    from desktop.workflow.receive import CaseInput, receive_case

    db = open_database(tmp_path / "r.sqlite")
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    accounts.assume_role(db, "leader", officer_uuid=head.uuid)
    assert submit.report_due(db, date(2026, 6, 3)) is None          # nothing recorded yet
    person = save_person(db, full_name="Trần Thị Đức", id_kind="cccd", id_number="034185001234").uuid
    receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 2, 2), summary="Giải trình",
                               requesters=[person]), today=date(2026, 2, 2))
    assert submit.report_due(db, date(2026, 5, 31)) is None
    due = submit.report_due(db, date(2026, 6, 1))
    assert (due.period.code, due.due_on, due.days_left) == ("2026-H1", date(2026, 6, 17), 16)
    assert due.text() == "Đến kỳ báo cáo 6 tháng đầu năm 2026: hạn nộp 17/06/2026 (còn 16 ngày)"
    assert "15/06/2026" in due.detail()
    late = submit.report_due(db, date(2026, 7, 20))                   # not issued: still reminded, overdue
    assert late.period.code == "2026-H1" and late.text().endswith("(đã quá hạn 33 ngày)")
    assert submit.report_due(db, date(2026, 12, 2)).period.code == "2026-Y"
    assert submit.report_due(db, date(2027, 1, 5)).period.code == "2026-Y"
    submit.issue_report(db, periods.period("2026-H1"), today=date(2026, 6, 16))
    assert submit.report_due(db, date(2026, 6, 16)) is None
    assert submit.report_due(db, date(2026, 12, 1)).period.code == "2026-Y"
    db.close()
