"""A clerk's day, driven through the real windows: a citizen asks for an explanation at the desk,
the request is accepted, extended, answered and closed; the dashboard shows it overdue when the
clock passes its deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from PySide6.QtCore import Qt

from desktop.storage.cases import get_case
from tests.ui.keys import answer_box, saved

TODAY = date(2026, 3, 2)


def type_into(qtbot, edit, text: str) -> None:
    """Type like a keyboard, Vietnamese letters included (QTest.keyClicks only knows ASCII)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    edit.setFocus()
    edit.clear()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(edit, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} not offered in {[combo.itemData(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def _reception(qtbot, window):
    from ui.dialogs.reception_dialog import ReceptionDialog

    dialog = ReceptionDialog(window.session, window)
    qtbot.addWidget(dialog)
    return dialog


def test_reception_becomes_explanation_request_through_to_closing(qtbot, window, session):
    dialog = _reception(qtbot, window)
    type_into(qtbot, dialog.person.name, "Trần Thị Đức")
    dialog.person.identity.kind.setCurrentIndex(dialog.person.identity.kind.findData("cccd"))
    type_into(qtbot, dialog.person.identity.number, "034185001234")
    assert "hợp lệ" in dialog.person.identity.hint.text()
    type_into(qtbot, dialog.person.phone, "0912345678")
    type_into(qtbot, dialog.person.address, "Thôn Đông, xã Thụy Hùng")
    choose(dialog.case_kind, "explanation")
    dialog.content.setPlainText("Đề nghị giải trình việc thu phí vệ sinh môi trường năm 2026")
    choose(dialog.outcome, "accepted")
    type_into(qtbot, dialog.summary, "Giải trình thu phí vệ sinh môi trường")
    with qtbot.waitSignal(session.changed):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.case is not None, dialog.errors.general.text()
    case = dialog.case
    assert case.kind == "explanation" and case.state == "received"

    window.open_case(case.uuid)
    view = window.case_page
    assert window.stack.currentWidget() is view
    assert "Yêu cầu giải trình" in view.title.text()
    assert set(view.action_buttons) >= {"accept", "refuse", "guide"}
    assert "extend" not in view.action_buttons  # the law allows no extension before acceptance

    def step(code: str, *, when=None, **fields):
        d = view.action_dialog(code)
        qtbot.addWidget(d)
        if when is not None:
            from ui.widgets.form import qdate
            d.effective_on.setDate(qdate(when))
        for name, value in fields.items():
            if name == "note":
                d.note.setPlainText(value)
            else:
                choose(getattr(d, name), value)
        from ui.dialogs.action_dialog import CONFIRMED

        if code in CONFIRMED:
            answer_box("Ghi vào sổ")
        with qtbot.waitSignal(session.changed):
            d.save()
        assert d.result_case is not None, d.errors.general.text()
        return d.result_case

    accepted = step("accept")
    assert accepted.state == "accepted"
    assert "extend" in view.action_buttons and "reply" in view.action_buttons
    first_due = accepted.due_on

    extended = step("extend", note="Vụ việc phức tạp, cần xác minh thêm")
    assert extended.state == "extended" and extended.due_on > first_due
    assert "extend" not in view.action_buttons  # once only (NĐ 59/2019 Art. 13)
    assert "quá hạn" not in view.deadline.text()

    replied = step("reply", note="Đã ban hành văn bản giải trình")
    assert replied.state == "replied"
    closed = step("close", satisfaction="satisfied")
    assert closed.state == "closed" and closed.satisfaction == "satisfied"
    assert view.action_buttons.keys() <= {"publish", "add_commitment", "complete_commitment"}
    labels = [view.events.index(r, 1).data() for r in range(view.events.rowCount())]
    assert labels[0] == "Tiếp nhận" and len(labels) == 5
    # the case register shows it
    window.show_page(2)
    cases = window.page(2)
    qtbot.waitUntil(lambda: cases.model.rowCount() == 1)
    assert cases.model.index(0, 0).data() == closed.number


def test_refused_step_shows_the_law_and_keeps_the_dialog(qtbot, window, session):
    from ui.dialogs.case_dialog import CaseDialog

    d = CaseDialog(session, window)
    qtbot.addWidget(d)
    choose(d.kind, "explanation")
    type_into(qtbot, d.summary, "Giải trình việc cấp phép xây dựng")
    type_into(qtbot, d.person.name, "Hoàng Văn Nam")
    d.save()
    qtbot.waitUntil(lambda: d.pending is None)  # the save runs on the session's writer
    case = d.case
    window.open_case(case.uuid)
    dlg = window.case_page.action_dialog("refuse")
    qtbot.addWidget(dlg)
    dlg.save()  # no ground chosen: the preview before the confirmation is refused, on the writer
    saved(qtbot, dlg)
    assert dlg.result_case is None
    assert "lý do" in dlg.errors.message("ground").lower()
    assert get_case(session.db, case.uuid).state == "received"


def test_dashboard_shows_overdue_when_the_clock_passes(qtbot, window, session):
    from ui.dialogs.case_dialog import CaseDialog

    d = CaseDialog(session, window)
    qtbot.addWidget(d)
    choose(d.kind, "explanation")
    type_into(qtbot, d.summary, "Giải trình việc chậm chi trả trợ cấp")
    type_into(qtbot, d.person.name, "Đỗ Thị Hoa")
    d.save()
    qtbot.waitUntil(lambda: d.pending is None)  # the save runs on the session's writer
    case = get_case(session.db, d.case.uuid)
    dash = window.page(0)
    window.show_page(0)
    qtbot.waitUntil(lambda: dash.data is not None)
    assert dash.tiles["overdue"].number.text() == "0"
    assert dash.notice.model.rowCount() == 1  # waiting for the acceptance notice
    with qtbot.waitSignal(session.today_changed):
        session.set_today(case.due_on + timedelta(days=3))
    qtbot.waitUntil(lambda: dash.tiles["overdue"].number.text() == "1")
    row = dash.overdue.model.row_at(0)
    assert row.uuid == case.uuid and row.days_late == 3
    assert dash.overdue.model.index(0, 6).data() == "3 ngày"  # "Quá hạn" column
    # the line opens the case
    dash.overdue.table.activated_row.emit(0)
    assert window.stack.currentWidget() is window.case_page
    assert "quá hạn 3 ngày" in window.case_page.deadline.text()
    assert TODAY < case.due_on


def test_a_whole_day_at_1366x768(qtbot, window, session, office, tmp_path):
    """The done-when of issue #15: a group at the desk, a case of each kind, assign, correct,
    accept by issuing the notice, extend, reply with its document, close, print the day's
    documents and the reception register — in a window of 1366×768. Each step is taken by the
    role whose it is (desktop.security.roles): the reception clerk receives, the chairman assigns
    and signs, the officer the cases were given to handles them."""
    import pdfplumber
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    from desktop.storage.cases import case_people, list_events
    from ui.dialogs.case_dialog import CaseDialog
    from ui.dialogs.document_dialog import print_day_in_background

    assert (window.width(), window.height()) == (1366, 768)
    from desktop.security import accounts

    def log_in(role: str, officer: str) -> None:
        """Another officer at the shared PC (the window's Ctrl+Shift+L, without typing passwords)."""
        accounts.assume_role(session.db, role, officer_uuid=office[officer].uuid)
        session.notify_changed()

    log_in("reception", "clerk")

    def active(d):
        qtbot.addWidget(d, before_close_func=lambda w: w.done(0))
        d.show()
        d.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is d)
        return d

    def key(widget, k, mod=Qt.KeyboardModifier.NoModifier):
        qtbot.keyClick(widget, k, mod)

    # 1. a group of six at the desk, two representatives: a request for an explanation
    d = active(_reception(qtbot, window))
    type_into(qtbot, d.person.name, "Nguyễn Văn An")
    type_into(qtbot, d.person.address, "Thôn Đông, xã Thụy Hùng")
    d.people_count.setValue(6)
    d.add_member.setFocus()
    key(d.add_member, Qt.Key.Key_Space)
    type_into(qtbot, d.members[0].entry.name, "Lê Văn Bình")
    d.members[0].representative.setChecked(True)
    choose(d.case_kind, "explanation")
    d.content.setPlainText("Đoàn đề nghị giải trình việc thu hồi đất làm đường liên thôn")
    choose(d.outcome, "accepted")
    type_into(qtbot, d.summary, "Giải trình thu hồi đất làm đường")
    with qtbot.waitSignal(session.changed):
        key(d.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    group = d.case
    assert sorted(p.role for p in case_people(session.db, group.uuid)) == ["representative", "representative"]

    # 2. a case of each other kind, received by mail
    numbers = [group.number]
    for kind, summary, who in (("petition", "Kiến nghị sửa đường liên thôn", "Mùa A Sử"),
                               ("feedback", "Phản ánh rác thải tại chợ", "Đỗ Thị Hoa"),
                               ("complaint_1", "Khiếu nại quyết định xử phạt", "Hoàng Văn Nam"),
                               ("complaint_2", "Khiếu nại lần hai về bồi thường", "Vũ Thị Én"),
                               ("denunciation", "Tố cáo cán bộ thu tiền sai quy định", "Phan Văn Tố")):
        c = active(CaseDialog(session, window))
        choose(c.kind, kind)
        type_into(qtbot, c.summary, summary)
        type_into(qtbot, c.person.name, who)
        with qtbot.waitSignal(session.changed):
            key(c.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert c.case is not None, c.errors.general.text()
        numbers.append(c.case.number)

    # 3. assign all six at once from the register, with the keyboard: the chairman's to do
    window.show_page(2)
    cases = window.page(2)
    qtbot.waitUntil(lambda: cases.model.rowCount() == 6)
    assert not cases.assign.isEnabled() and "không được giao" in cases.assign.toolTip()  # not the desk's
    log_in("leader", "head")
    assert cases.assign.isEnabled()
    assert cases.table.horizontalScrollBar().maximum() == 0      # readable without scrolling sideways
    cases.table.setFocus()
    cases.table.selectAll()
    a = active(cases.assign_dialog())
    choose(a.officer, office["clerk"].uuid)
    with qtbot.waitSignal(session.changed):
        key(a.officer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(a.changed) == 6

    # 4. correct the group's case, with its reason: the officer it was given to
    log_in("handler", "clerk")
    window.open_case(group.uuid)
    view = window.case_page
    assert not view.assign_button.isEnabled() and view.correct_button.isEnabled()
    fix = active(view.correct_dialog())
    fix.summary.setText("Giải trình việc thu hồi đất làm đường liên thôn")
    fix.reason.setText("Ghi thiếu khi tiếp nhận")
    with qtbot.waitSignal(session.changed):
        key(fix.reason, Qt.Key.Key_Return)

    # 5. accept by issuing the acceptance notice, signed by the chairman
    log_in("leader", "head")
    docs = view.document_dialog()
    qtbot.addWidget(docs)
    docs.kinds.setCurrentRow(next(i for i in range(docs.kinds.count())
                                  if docs.kinds.item(i).data(Qt.ItemDataRole.UserRole) == "explanation_accept"))
    docs.draft_selected()
    saved(qtbot, docs)   # the documents' writes run on the session's writer too
    assert docs.issue_current(confirm=False)
    saved(qtbot, docs)
    assert docs.performed == ["accept"]
    assert get_case(session.db, group.uuid).state == "accepted"

    # 6. extend, with its reason, confirmed after the preview: the officer again
    log_in("handler", "clerk")
    assert view.action_buttons["extend"].isEnabled()
    ext = active(view.action_dialog("extend"))
    ext.note.setPlainText("Vụ việc phức tạp, cần xác minh hồ sơ đất tại nhiều nơi")
    answer_box("Ghi vào sổ")
    with qtbot.waitSignal(session.changed):
        key(ext.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert get_case(session.db, group.uuid).state == "extended"

    # 7. reply, and its document is drafted at once, then issued
    rep = active(view.action_dialog("reply"))
    assert rep.offer.isChecked()
    rep.note.setPlainText("Đã ban hành văn bản giải trình")
    with qtbot.waitSignal(session.changed):
        key(rep.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    reply_docs = view.document_dialog(draft_kind=rep.draft_kind)   # drafted by the officer
    qtbot.addWidget(reply_docs)
    saved(qtbot, reply_docs)
    assert reply_docs.current is not None
    from desktop.documents.templates import BLANK

    for edit in reply_docs.field_edits.values():   # the reply's own content, typed into its boxes
        if not edit.toPlainText().strip() or BLANK in edit.toPlainText():
            edit.setPlainText("Việc thu hồi đất làm đường liên thôn theo Quyết định số 12/QĐ-UBND; "
                              "mức bồi thường đã niêm yết tại nhà văn hóa thôn.")
    assert reply_docs.save_draft()
    saved(qtbot, reply_docs)
    log_in("leader", "head")           # signed and numbered by the chairman
    assert reply_docs.issue_current(confirm=False)
    saved(qtbot, reply_docs)
    log_in("handler", "clerk")

    # 8. close, with the requester's satisfaction, confirmed
    close = active(view.action_dialog("close"))
    choose(close.satisfaction, "satisfied")
    answer_box("Ghi vào sổ")
    with qtbot.waitSignal(session.changed):
        key(close.satisfaction, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    done = get_case(session.db, group.uuid)
    assert done.state == "closed" and done.assignee_uuid == office["clerk"].uuid
    labels = [view.events.index(r, 1).data() for r in range(view.events.rowCount())]
    assert {"Giao cán bộ thụ lý", "Đính chính", "Ban hành văn bản"} <= set(labels)
    assert any(x.startswith("Gia hạn") for x in labels)
    assert not any("_" in x for x in labels)
    assert view.documents.rowCount() == 2
    assert [e.action for e in list_events(session.db, group.uuid)].count("document_issued") == 2
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    key(view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.stack.currentWidget() is cases

    # 9. print the day's documents and the reception register
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "day.pdf"))
    task = print_day_in_background(window, session, TODAY, printer)
    with qtbot.waitSignal(task.done, timeout=30000) as printed:
        pass
    assert printed.args == [2]
    register = window.register_print_dialog("reception")
    qtbot.addWidget(register)
    sheet = QPrinter(QPrinter.PrinterMode.HighResolution)
    sheet.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    sheet.setOutputFileName(str(tmp_path / "register.pdf"))
    assert register.print_to(sheet) >= 1
    with pdfplumber.open(register.save_pdf(tmp_path / "so-tiep-cong-dan.pdf")) as pdf:
        text = pdf.pages[0].extract_text()
    assert "SỔ TIẾP CÔNG DÂN" in text and "Nguyễn Văn An" in text
