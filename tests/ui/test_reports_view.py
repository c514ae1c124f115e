"""The "Báo cáo" section: the form's table with its merged header, a figure opening its cases, the
reminder from 1 June, and Excel export of the register being looked at."""

from __future__ import annotations

import os
from datetime import date

from desktop.storage.persons import save_person
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, receive_case


def _settled(qtbot, view) -> None:
    """The view counts its figures on a worker (seconds at a province's size): wait for them."""
    qtbot.waitUntil(lambda: not view.busy, timeout=15000)


def _half_year_view(qtbot, office, session):
    """The page on 20/06/2026 showing 6 tháng đầu năm 2026 of three requests for explanation."""
    from ui.views.reports import ReportsView

    _cases(office["db"], 3)
    session.set_today(date(2026, 6, 20))
    view = ReportsView(session)
    qtbot.addWidget(view)
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    _settled(qtbot, view)
    return view


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
    _settled(qtbot, view)
    assert isinstance(view, view_mod.ReportsView) and window.nav.currentItem().text() == "Báo cáo"
    assert view.period_box.currentData() == "2026-H1"
    view.form_box.setCurrentIndex(view.form_box.findData("gt01"))
    _settled(qtbot, view)
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
    from ui import file_dialogs

    monkeypatch.setattr(file_dialogs.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
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
    _settled(qtbot, view)
    assert view.consolidated.isVisibleTo(view)
    dialog = view_mod.CompletenessDialog(view, session, p)
    assert dialog.table.item(0, 2).text() == "Đúng hạn, chờ xem xét"
    dialog.table.selectRow(0)
    dialog._decide("accept")
    qtbot.waitUntil(lambda: dialog.pending is None)   # on the session's writer
    assert submit.latest(db, "11230", p.code).decision == "accepted"
    assert dialog.table.item(0, 2).text() == "Đúng hạn, đã chấp nhận"
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    _settled(qtbot, view)
    view.form_box.setCurrentIndex(view.form_box.findData("gt01"))
    _settled(qtbot, view)
    view.consolidated.setChecked(True)
    _settled(qtbot, view)
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
    _settled(qtbot, view)
    view.resize(1366, 700)
    view.show()
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    _settled(qtbot, view)
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
    _settled(qtbot, view)
    view.show()
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    _settled(qtbot, view)
    assert view.issue_button.text() == "Ban hành báo cáo…"
    assert not view.issue_button.isEnabled() and "Chủ tịch" in view.issue_button.toolTip()
    accounts.assume_role(office["db"], "leader", officer_uuid=office["head"].uuid)
    session.notify_changed()
    qtbot.waitUntil(view.issue_button.isEnabled)
    view.period_box.setCurrentIndex(view.period_box.findData("2026-Y"))     # ends 14/12/2026
    _settled(qtbot, view)
    assert not view.issue_button.isEnabled() and "15/12/2026" in view.issue_button.toolTip()
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    _settled(qtbot, view)
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


def _click_cell(qtbot, table, row: int, col: int, *, double: bool = False) -> None:
    """Click (or double-click) a cell of the table where a person's mouse would."""
    from PySide6.QtCore import Qt

    table.scrollToItem(table.item(row, col))
    centre = table.visualItemRect(table.item(row, col)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    if double:   # a double-click is a click, then the second press the view reads as double
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def test_province_drills_down_from_the_consolidated_table_to_a_commune(qtbot, tmp_path, monkeypatch):
    """Issue #14 item 9: from the province's consolidated table, a double-click on a commune's row
    shows that commune's own figures (counted from the province's copy of its register, compared
    with the report it issued), a figure lists the commune's cases, and a button leads back."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QDialog

    from desktop.reports import submit
    from desktop.reports.engine import ReportRun
    from desktop.reports.periods import period
    from desktop.security import accounts
    from desktop.storage.db import open_database
    from desktop.storage.units import save_officer, save_unit
    from desktop.sync import export, importer, keys, receipts
    from ui.app import create_application
    from ui.session import Session
    from ui.views.reports import ReportsView

    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", "mật khẩu thử nghiệm")

    def register(name, code, mode):
        db = open_database(tmp_path / f"{code}.sqlite")
        save_unit(db, code=code, name=name, level="province" if mode == "province" else "commune",
                  place_name=name.split()[-1], make_local=True, mode=mode)
        if mode == "province":
            db.set_setting("register_mode", "province")
        accounts.assume_role(db, "admin")
        keys.ensure_keys(db)
        return db

    province = register("Ủy ban nhân dân tỉnh Thử Nghiệm", "01", "province")
    communes = {}
    for code, name, n in (("11230", "Ủy ban nhân dân xã Thụy Hùng", 3), ("11231", "Ủy ban nhân dân xã Thụy Lâm", 2)):
        db = register(name, code, "commune")
        keys.import_key_file(db, keys.parse_key_file(keys.key_file_content(province)))
        keys.import_key_file(province, keys.parse_key_file(keys.key_file_content(db)))
        head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
        accounts.assume_role(db, "leader", officer_uuid=head.uuid)
        communes[code] = (db, _cases(db, n))
        submit.issue_report(db, period("2026-H1"), today=date(2026, 6, 15))
        importer.apply(province, export.export_bundle(db, tmp_path / "usb").path, accept_sequence=True)
    accounts.assume_role(province, "leader")
    for report in submit.list_issued(province, period_code="2026-H1"):
        submit.accept(province, report.uuid)
    # a later step at Thụy Lâm, a correction of its accepted period, sent after its report: the province's copy now counts one reply more
    db_b, cases_b = communes["11231"]
    accounts.assume_role(province, "admin")
    accounts.assume_role(db_b, "admin")
    receipts.import_receipt(db_b, receipts.write_receipt(province, "11231", tmp_path / "usb"))  # accepted: locked
    accounts.assume_role(db_b, "leader")
    act(db_b, cases_b[0].uuid, "reply", effective_on=date(2026, 3, 2), today=date(2026, 6, 16),
        correction_reason="Văn bản trả lời ban hành ngày 02/3, vào sổ muộn")
    importer.apply(province, export.export_bundle(db_b, tmp_path / "usb").path, accept_sequence=True)
    accounts.assume_role(province, "leader")

    create_application()
    session = Session(province, today=date(2026, 6, 20))
    view = ReportsView(session)
    qtbot.addWidget(view)
    _settled(qtbot, view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))
    _settled(qtbot, view)
    view.form_box.setCurrentIndex(view.form_box.findData("gt01"))
    _settled(qtbot, view)
    qtbot.mouseClick(view.consolidated, Qt.MouseButton.LeftButton)
    _settled(qtbot, view)
    assert view.consolidated.isChecked() and not view.back_button.isVisible()
    depth = view.report.form.header_depth()
    labels = [view.table.item(r, 0).text() for r in range(depth + 1, view.table.rowCount())]
    assert labels[:2] == ["Ủy ban nhân dân xã Thụy Hùng", "Ủy ban nhân dân xã Thụy Lâm"]
    assert view.table.item(depth + len(labels), 3).text() == "5"      # (3) received: 3 + 2 + 0

    _click_cell(qtbot, view.table, depth + 1, 0, double=True)        # Thụy Hùng's row
    qtbot.waitUntil(lambda: view.unit_code == "11230")
    _settled(qtbot, view)
    expected = ReportRun(province, period("2026-H1"), "11230").compute("gt01")
    assert not view.consolidated.isChecked() and view.back_button.isVisible()
    assert view.unit_box.currentData() == "11230"
    assert view.report.unit_code == "11230" and view.table.rowCount() == depth + 2
    assert view.table.item(depth + 1, 0).text() == "Ủy ban nhân dân xã Thụy Hùng"
    assert view.table.item(depth + 1, 3).text() == str(expected.main_row().value(3)) == "3"
    assert "Thụy Hùng" in view.info.text() and "số liệu khớp báo cáo của xã" in view.info.text()
    assert not view.issue_button.isEnabled() and "một xã" in view.issue_button.toolTip()
    if os.environ.get("GIAITRINH_SCREENSHOTS"):
        view.grab().save(os.environ["GIAITRINH_SCREENSHOTS"])

    seen = []

    def read_dialog():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(10, read_dialog)
            return
        seen.append([dialog.list.item(i).text() for i in range(dialog.list.count())])
        dialog.reject()

    QTimer.singleShot(0, read_dialog)
    _click_cell(qtbot, view.table, depth + 1, 3)                      # (3): its three cases
    qtbot.waitUntil(lambda: bool(seen))
    numbers = sorted(c.number for c in communes["11230"][1])
    assert len(seen[0]) == 3 and all(any(n in line for line in seen[0]) for n in numbers)

    qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)     # the way back
    _settled(qtbot, view)
    assert view.consolidated.isChecked() and view.unit_code is None and not view.back_button.isVisible()
    assert view.table.item(depth + 1, 0).text() == "Ủy ban nhân dân xã Thụy Hùng"
    assert view.table.rowCount() == depth + 1 + len(labels)

    view.unit_box.setCurrentIndex(view.unit_box.findData("11231"))    # the picker: Thụy Lâm, corrected since
    _settled(qtbot, view)
    assert view.report.unit_code == "11231" and view.back_button.isVisible()
    assert "khác báo cáo của xã ở cột" in view.info.text()
    province.close()
    for db, _cases_ in communes.values():
        db.close()


def test_hom_nay_reminds_of_the_report_from_first_of_june_until_issued(qtbot, window, session, office):
    """Issue #14 item 11: from 1/6 the "Hôm nay" page says the six months' report is due (days left,
    then overdue); its button opens "Báo cáo"; once the head issues the report the notice is gone,
    from the status bar too."""
    from PySide6.QtCore import Qt

    from desktop.reports import periods, submit
    from desktop.security import accounts
    from ui.views.dashboard import DashboardView
    from ui.views.reports import ReportsView

    _cases(office["db"], 2)
    session.set_today(date(2026, 5, 31))
    window.show_page(0)
    page = window.stack.currentWidget()
    assert isinstance(page, DashboardView)
    notice = page.report_due
    qtbot.waitUntil(lambda: "&Báo cáo" in _menu_titles(window))
    assert not notice.isVisible() and not window.report_reminder.isVisible()
    session.set_today(date(2026, 6, 1))
    qtbot.waitUntil(notice.isVisible)
    assert notice.title.text() == "Đến kỳ báo cáo 6 tháng đầu năm 2026: hạn nộp 17/06/2026 (còn 16 ngày)"
    assert "15/06/2026" in notice.detail.text()
    assert notice.geometry().top() < page.tiles["overdue"].mapTo(page, page.tiles["overdue"].rect().topLeft()).y()
    if os.environ.get("GIAITRINH_SCREENSHOTS"):
        window.grab().save(os.environ["GIAITRINH_SCREENSHOTS"])
    session.set_today(date(2026, 6, 19))
    qtbot.waitUntil(lambda: "đã quá hạn 2 ngày" in notice.title.text())
    assert window.report_reminder.isVisible() and "đã quá hạn 2 ngày" in window.report_reminder.text()
    qtbot.mouseClick(notice.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.stack.currentWidget(), ReportsView))
    assert window.nav.currentItem().text() == "Báo cáo"
    accounts.assume_role(office["db"], "leader", officer_uuid=office["head"].uuid)
    submit.issue_report(office["db"], periods.period("2026-H1"), today=date(2026, 6, 19))
    session.notify_changed()
    window.show_page(0)
    qtbot.waitUntil(lambda: not notice.isVisible())
    assert not window.report_reminder.isVisible()


def test_figures_are_counted_off_the_gui_thread_and_only_the_last_pick_is_shown(qtbot, office, session,
                                                                                monkeypatch):
    """Issue #20: at 1,000,000 cases a period's facts and charts take seconds; the window keeps
    working meanwhile, says it is counting, and a period picked while counting replaces the one
    waiting (the table shows the last pick, never an older one)."""
    import threading

    from PySide6.QtCore import QThread, QTimer

    from desktop.reports import engine
    from ui.views.reports import ReportsView

    _cases(office["db"], 3)
    session.set_today(date(2026, 6, 20))
    view = ReportsView(session)
    qtbot.addWidget(view)
    view.show()
    _settled(qtbot, view)
    gui = QThread.currentThread()
    release, threads, periods = threading.Event(), [], []
    real_init = engine.ReportRun.__init__

    def slow_init(self, db, period, *args, **kwargs):
        threads.append(QThread.currentThread())
        periods.append(period.code)
        release.wait(10)
        real_init(self, db, period, *args, **kwargs)

    monkeypatch.setattr(engine.ReportRun, "__init__", slow_init)
    ticks = []
    timer = QTimer(view, interval=20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    view.period_box.setCurrentIndex(view.period_box.findData("2025-H2"))
    qtbot.waitUntil(lambda: len(threads) == 1)
    view.period_box.setCurrentIndex(view.period_box.findData("2026-Q1"))   # waits behind the first
    view.period_box.setCurrentIndex(view.period_box.findData("2026-H1"))   # replaces it
    qtbot.waitUntil(lambda: len(ticks) >= 5 and view.info.text() == "Đang tính số liệu…")
    assert view.busy
    view._explain(5, 3)   # a click on a figure while counting does nothing (the connection is busy)
    release.set()
    _settled(qtbot, view)
    timer.stop()
    assert periods == ["2025-H2", "2026-H1"] and all(t is not gui for t in threads)
    assert view.report.period.code == "2026-H1" and view.run.period.code == "2026-H1"


def test_the_written_report_is_saved_from_the_window_off_the_gui_thread(qtbot, office, session, monkeypatch, tmp_path):
    """"Xuất PDF"/"Xuất Word": the report (this period's forms, last year's, the charts) is counted
    and written on the view's worker; the figures shown afterwards are still this period's."""
    from PySide6.QtCore import QThread

    from desktop.reports import written

    view = _half_year_view(qtbot, office, session)
    shown = view.table.item(view.report.form.header_depth() + 1, 3).text()
    threads = []
    real = written.bundle
    monkeypatch.setattr(written, "bundle", lambda *a, **k: threads.append(QThread.currentThread()) or real(*a, **k))
    for fmt in ("pdf", "docx"):
        target = tmp_path / f"bc.{fmt}"
        monkeypatch.setattr(view, "_ask_path", lambda *_a, target=target: target)
        view._export_doc(fmt)
        _settled(qtbot, view)
        assert view.info.text() == f"Đã ghi {target}"
        assert target.read_bytes()[:4] == (b"%PDF" if fmt == "pdf" else b"PK\x03\x04")
    assert len(threads) == 2 and all(t is not QThread.currentThread() for t in threads)
    view._show_form()
    _settled(qtbot, view)
    assert view.report.period.code == "2026-H1"
    assert view.table.item(view.report.form.header_depth() + 1, 3).text() == shown


def test_the_consolidated_table_is_counted_off_the_gui_thread(qtbot, office, session, monkeypatch):
    """The province's consolidated table counts its own register's figures too (seconds at 1M)."""
    from PySide6.QtCore import QThread

    from desktop.reports import submit

    view = _half_year_view(qtbot, office, session)
    view.form_box.setCurrentIndex(view.form_box.findData("gt01"))
    _settled(qtbot, view)
    threads = []
    real = submit.consolidate
    monkeypatch.setattr(submit, "consolidate", lambda *a: threads.append(QThread.currentThread()) or real(*a))
    view.consolidated.setChecked(True)
    _settled(qtbot, view)
    assert threads and all(t is not QThread.currentThread() for t in threads)
    depth = view.report.form.header_depth()
    assert view.table.item(view.table.rowCount() - 1, 0).text() == "Tổng cộng"
    assert view.table.item(view.table.rowCount() - 1, 3).text() == "3" and depth > 0
