"""The "Báo cáo" section: the form's table with its merged header, a figure opening its cases, the
reminder from 1 June, and Excel export of the register being looked at."""

from __future__ import annotations

import os
from datetime import date

from desktop.storage.persons import save_person
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, receive_case


def _menu_titles(window) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def _cases(db, n: int) -> list:
    person = save_person(db, full_name="Trần Thị Đức", id_kind="cccd", id_number="034185001234").uuid
    out = []
    for i in range(n):
        case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 1, 5 + i),
                                          summary=f"Giải trình việc cấp phép {i}", requesters=[person]), today=date(2026, 6, 3))
        out.append(act(db, case.uuid, "accept", effective_on=date(2026, 1, 8 + i),
                       today=date(2026, 6, 3)))
    return out


def test_reports_section_table_and_cell_cases(qtbot, window, session, office, monkeypatch):
    from ui.views import reports as view_mod

    cases = _cases(office["db"], 3)
    session.set_today(date(2026, 6, 3))
    qtbot.waitUntil(lambda: "&Báo cáo" in _menu_titles(window))
    assert window.report_reminder.text().startswith("Đến kỳ báo cáo 6 tháng đầu năm 2026: hạn nộp 17/06/2026")
    window.report_reminder.click()
    view = window.stack.currentWidget()
    assert isinstance(view, view_mod.ReportsView) and window.nav.currentItem().text() == "Báo cáo"
    assert view.period_box.currentData() == "2026-H1"
    view.form_box.setCurrentIndex(view.form_box.findData("gt01"))
    t = view.table
    depth = view.report.form.header_depth()
    assert t.item(0, 0).text() == "Đơn vị" and t.rowSpan(0, 0) == depth
    assert t.item(depth, 1).text() == "1=2+3"
    assert t.item(depth + 1, 3).text() == "3"            # (3) received in the period
    if os.environ.get("GIAITRINH_SCREENSHOTS"):
        window.grab().save(os.environ["GIAITRINH_SCREENSHOTS"])
    opened = []
    monkeypatch.setattr(view_mod.CellDialog, "exec", lambda self: opened.append(self) or 0)
    view._explain(depth + 1, 3)
    dialog = opened[0]
    assert dialog.list.count() == 3 and cases[0].number in dialog.list.item(0).text()
    with qtbot.waitSignal(view.open_case) as signal:
        dialog.list.itemDoubleClicked.emit(dialog.list.item(0))
    assert signal.args == [cases[0].uuid]


def test_excel_of_the_register_being_looked_at(qtbot, window, session, office, monkeypatch, tmp_path):
    from ui.views import reports as view_mod

    _cases(office["db"], 2)
    qtbot.waitUntil(lambda: "&Báo cáo" in _menu_titles(window))
    window.show_page(2)   # Sổ vụ việc
    target = tmp_path / "so.xlsx"
    monkeypatch.setattr(view_mod.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    view_mod.export_current(session, window)
    assert target.exists() and "2 dòng" in window.statusBar().currentMessage()


def test_province_consolidation_and_completeness(qtbot, office, session, monkeypatch):
    import json

    from desktop.reports import submit
    from desktop.reports.periods import period
    from desktop.storage.units import save_unit
    from ui.views import reports as view_mod

    db = office["db"]
    db.set_setting("register_mode", "province")
    from desktop.security import accounts

    head = db.principal
    accounts.assume_role(db, "admin")   # a commune is declared by the administrator
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Lâm", level="commune", make_local=False)
    db.principal = head                 # the leader accepts its report
    p = period("2026-H1")
    figures = {"gt01": {"11230": {str(n): (4 if n in (1, 3) else 0) for n in range(1, 37)}}}
    figures["gt01"]["11230"]["4"] = 4
    with db.write():
        db.execute("INSERT INTO report_issues(period_code, period_start, period_end, period_label, forms, figures, "
                   "digest, issued_on, symbol, uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                   (p.code, p.start.isoformat(), p.end.isoformat(), p.label, '["gt01"]', json.dumps(figures),
                    "d" * 64, "2026-06-15", "07/BC-UBND", "r" * 32, "11230", "2026-06-15T08:00:00"))
    session.set_today(date(2026, 6, 20))
    view = view_mod.ReportsView(session)
    qtbot.addWidget(view)
    assert view.consolidated.isVisibleTo(view)
    dialog = view_mod.CompletenessDialog(view, session, p)
    assert dialog.table.item(0, 2).text() == "Đúng hạn, chờ xem xét"
    dialog.table.selectRow(0)
    dialog._decide("accept")
    assert submit.latest(db, "11230", p.code).decision == "accepted"
    assert dialog.table.item(0, 2).text() == "Đúng hạn, đã chấp nhận"
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    view.form_box.setCurrentIndex(view.form_box.findData("gt01"))
    view.consolidated.setChecked(True)
    depth = view.report.form.header_depth()
    labels = [view.table.item(r, 0).text() for r in range(depth + 1, view.table.rowCount())]
    assert labels[0] == "Ủy ban nhân dân xã Thụy Lâm" and labels[-1] == "Tổng cộng"
    assert view.table.item(depth + 1 + len(labels) - 1, 3).text() == "4"


def test_charts_tab_draws_what_the_pdf_charts_draw(qtbot, office, session):
    """Issue #14 item 6: the head reads received/ended per month, the on-time rate and overdue per
    officer in the window too, from the same figures as the PDF (written.charts_of)."""
    from desktop.reports.written import charts_of
    from ui.views.reports import ReportsView

    cases = _cases(office["db"], 3)
    act(office["db"], cases[0].uuid, "reply", effective_on=date(2026, 1, 20), today=date(2026, 6, 3))
    session.set_today(date(2026, 6, 20))
    view = ReportsView(session)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    expected = charts_of(view.run)
    assert expected.months and expected.overdue   # received, one replied, two overdue at the cut-off
    assert view.charts.months() == [(f"{m[5:]}/{m[:4]}", r, e) for m, r, e, _, _ in expected.months]
    assert view.charts.overdue() == list(expected.overdue)[:8]
    view.tabs.setCurrentWidget(view.charts)
    image = view.charts.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert "#2f6db5" in colours          # the received bars are painted


def test_issue_is_offered_only_to_a_role_that_may_issue(qtbot, window, session, office):
    """A clerk at reception is not offered "Ban hành báo cáo…" (the core would refuse it anyway);
    nor is the head before the period's cut-off, nor once the period's report is issued."""
    from desktop.reports import periods, submit
    from desktop.security import accounts
    from ui.views import reports as view_mod

    _cases(office["db"], 2)
    session.set_today(date(2026, 6, 20))
    accounts.assume_role(office["db"], "reception", officer_uuid=office["clerk"].uuid)
    qtbot.waitUntil(lambda: "&Báo cáo" in _menu_titles(window))
    view = view_mod.ReportsView(session)
    qtbot.addWidget(view)
    view.show()
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    assert view.issue_button.text() == "Ban hành báo cáo…"
    assert not view.issue_button.isEnabled() and "Chủ tịch" in view.issue_button.toolTip()
    accounts.assume_role(office["db"], "leader", officer_uuid=office["head"].uuid)
    session.notify_changed()
    qtbot.waitUntil(view.issue_button.isEnabled)
    view.period_box.setCurrentIndex(view.period_box.findData("2026-Y"))     # ends 14/12/2026
    assert not view.issue_button.isEnabled() and "15/12/2026" in view.issue_button.toolTip()
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    issued = submit.issue_report(office["db"], periods.period("2026-H1"), today=date(2026, 6, 20))
    session.notify_changed()
    qtbot.waitUntil(lambda: not view.issue_button.isEnabled())
    assert issued.symbol in view.issue_button.toolTip()


def test_the_count_axis_has_whole_gridlines():
    """The bars' axis for at most 21 matters read 0, 5, 10, 16, 21: now 0, 6, 12, 18, 24."""
    from ui.widgets.charts import count_axis_top

    for largest in (0, 1, 3, 4, 5, 21, 99, 100):
        top = count_axis_top(largest)
        assert top % 4 == 0 and max(largest, 1) <= top < max(largest, 1) + 4
    assert [count_axis_top(21) * i // 4 for i in range(5)] == [0, 6, 12, 18, 24]
