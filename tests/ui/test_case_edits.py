"""Assign, correct, undo, documents that move the case, confirmed steps — driven as a clerk would."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.storage.cases import get_case, list_events
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, receive_case
from tests.ui.keys import answer_box, saved

TODAY = date(2026, 3, 2)


def _case(session, summary="Giải trình việc thu phí chợ", kind="explanation", assignee=None):
    from desktop.storage.persons import save_person

    person = save_person(session.db, full_name="Trần Thị Đức", address="Thôn Đông, xã Thụy Hùng")
    return receive_case(session.db, CaseInput(kind=kind, received_on=TODAY, summary=summary,
                                              requesters=[person.uuid], assignee_uuid=assignee), today=TODAY)


def _timeline(view) -> list[str]:
    return [view.events.index(r, 1).data() for r in range(view.events.rowCount())]


def activate(qtbot, dialog) -> None:
    """The dialog is the window the keys go to (a closed message box leaves the choice to the
    window manager; offscreen Qt gives it back to the main window)."""
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)


def _run(qtbot, dialog, keys=()):
    """Show ``dialog`` as the active window (as its ``exec`` would), type ``keys`` into it."""
    qtbot.addWidget(dialog, before_close_func=lambda w: w.done(0))   # closing it later asks nothing
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    for key, mod in keys:
        qtbot.keyClick(QApplication.focusWidget() or dialog, key, mod)
    return dialog


def test_assign_from_the_case_view_and_the_board_follows(qtbot, window, session, office):
    case = _case(session)
    window.open_case(case.uuid)
    view = window.case_page
    assert "(chưa giao)" in view.facts.text()
    d = _run(qtbot, view.assign_dialog())
    d.officer.setFocus()
    d.officer.setCurrentIndex(d.officer.findData(office["deputy"].uuid))
    with qtbot.waitSignal(session.changed):
        qtbot.keyClick(d.officer, Qt.Key.Key_Return)
    assert get_case(session.db, case.uuid).assignee_uuid == office["deputy"].uuid
    assert "Phạm Thị Lan" in view.facts.text()
    assert _timeline(view)[-1] == "Giao cán bộ thụ lý"
    window.show_page(0)
    dash = window.page(0)
    qtbot.waitUntil(lambda: dash.data is not None and any(
        load.assignee_uuid == office["deputy"].uuid for load in dash.data.per_assignee))


def test_assign_many_cases_from_the_register_with_the_keyboard(qtbot, window, session, office):
    cases = [_case(session, f"Giải trình số {i}") for i in range(3)]
    window.show_page(2)
    page = window.page(2)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)   # Ctrl+F finds
    assert page.search.hasFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Down)                                # Down enters the results
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0
    qtbot.keyClick(page.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert len(page.selected_rows()) == 2
    d = _run(qtbot, page.assign_dialog())
    assert "2 vụ việc" in d.intro.text()
    d.officer.setCurrentIndex(d.officer.findData(office["clerk"].uuid))
    with qtbot.waitSignal(session.changed):
        qtbot.keyClick(d.officer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter
    assigned = [get_case(session.db, c.uuid).assignee_uuid for c in cases]
    assert assigned.count(office["clerk"].uuid) == 2
    qtbot.waitUntil(lambda: sum(page.model.index(r, 7).data() == "Lê Thị Mai" for r in range(3)) == 2)


def test_correct_a_case_with_its_reason_and_the_timeline_says_it(qtbot, window, session):
    case = _case(session)
    window.open_case(case.uuid)
    view = window.case_page
    d = _run(qtbot, view.correct_dialog())
    d.summary.setText("Giải trình việc thu phí chợ Đông")
    d.save()
    saved(qtbot, d)   # refused on the session's writer
    assert "lý do" in d.errors.message("reason").lower() and d.result() == 0
    d.reason.setText("Ghi thiếu tên chợ")
    with qtbot.waitSignal(session.changed):
        d.save()
    assert get_case(session.db, case.uuid).summary == "Giải trình việc thu phí chợ Đông"
    assert _timeline(view)[-1] == "Đính chính"
    assert "Ghi thiếu tên chợ" in view.events.index(view.events.rowCount() - 1, 4).data()


def test_correct_a_person_from_the_case(qtbot, window, session):
    case = _case(session)
    window.open_case(case.uuid)
    view = window.case_page
    view.tabs.setCurrentIndex(1)
    d = _run(qtbot, view.correct_person_dialog())
    d.full_name.setText("Trần Thị Đức Hạnh")
    d.reason.setText("Sai chính tả")
    with qtbot.waitSignal(session.changed):
        d.save()
    assert view.people.index(0, 0).data() == "Trần Thị Đức Hạnh"
    assert list_events(session.db, case.uuid)[-1].data["target"] == "person"


def test_undo_then_refused_once_the_notice_is_issued(qtbot, window, session, office):
    from desktop.documents import outgoing
    from desktop.workflow.documents_flow import issue_document

    case = _case(session, assignee=office["clerk"].uuid)
    act(session.db, case.uuid, "accept", effective_on=TODAY, today=TODAY)
    window.open_case(case.uuid)
    view = window.case_page
    d = _run(qtbot, view.undo_dialog())
    assert "Tiếp nhận yêu cầu giải trình" in d.intro.text()
    d.reason.setText("Bấm nhầm")
    with qtbot.waitSignal(session.changed):
        qtbot.keyClick(d.reason, Qt.Key.Key_Return)
    assert get_case(session.db, case.uuid).state == "received"
    assert _timeline(view)[-2:] == ["Tiếp nhận yêu cầu giải trình", "Hoàn tác"]
    # accepted again by issuing the notice: that step cannot be undone while the notice stands
    draft = outgoing.draft(session.db, case.uuid, "explanation_accept")
    record, performed = issue_document(session.db, draft.uuid, today=TODAY)
    session.notify_changed()
    assert performed == "accept"
    refused = _run(qtbot, view.undo_dialog())
    assert record.symbol in refused.errors.general.text() and not refused.ok.isEnabled()
    assert not view.undo_button.isEnabled() and record.symbol in view.undo_button.toolTip()


def test_documents_tab_lists_documents_and_timeline_has_no_codes(qtbot, window, session, office):
    from desktop.documents import outgoing

    case = _case(session, assignee=office["clerk"].uuid)
    window.open_case(case.uuid)
    view = window.case_page
    assert not view.open_doc.isEnabled() and not view.print_doc.isEnabled()  # no document yet
    draft = outgoing.draft(session.db, case.uuid, "explanation_accept")
    dialog = view.document_dialog(select=draft.uuid)
    qtbot.addWidget(dialog)
    assert dialog.issue_current(confirm=False)
    saved(qtbot, dialog)   # on the session's writer, which tells the views
    assert get_case(session.db, case.uuid).state == "accepted"       # the notice performed the acceptance
    assert view.documents.rowCount() == 1
    assert view.documents.index(0, 0).data() == "01/TB-UBND" and view.documents.index(0, 2).data() == "Đã ban hành"
    assert "Văn bản (1)" == view.tabs.tabText(3)
    assert view.open_doc.isEnabled() and view.print_doc.isEnabled()
    labels = _timeline(view)
    assert "Ban hành văn bản" in labels and not any("_" in x for x in labels)


def test_extension_asks_its_reason_previews_and_is_confirmed(qtbot, window, session):
    case = _case(session)
    accepted = act(session.db, case.uuid, "accept", effective_on=TODAY, today=TODAY)
    window.open_case(case.uuid)
    d = _run(qtbot, window.case_page.action_dialog("extend"))
    qtbot.waitUntil(lambda: "hạn mới" in d.preview.text())   # previewed on the writer, rolled back
    qtbot.keyClick(d.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "lý do gia hạn" in d.errors.message("note").lower()
    d.note.setPlainText("Vụ việc phức tạp, cần xác minh tại nhiều nơi")
    answer_box("Xem lại")              # the clerk reads the preview and goes back
    d.save()
    saved(qtbot, d)
    assert get_case(session.db, case.uuid).state == "accepted" and d.isVisible()
    answer_box("Ghi vào sổ")
    activate(qtbot, d)
    with qtbot.waitSignal(session.changed):
        qtbot.keyClick(d.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    extended = get_case(session.db, case.uuid)
    assert extended.state == "extended" and extended.due_on > accepted.due_on


def test_reply_step_offers_to_draft_its_document(qtbot, window, session, monkeypatch):
    import ui.dialogs.document_dialog as dd

    case = _case(session)
    act(session.db, case.uuid, "accept", effective_on=TODAY, today=TODAY)
    window.open_case(case.uuid)
    view = window.case_page
    d = view.action_dialog("reply")
    qtbot.addWidget(d)
    assert d.offer is not None and d.offer.isChecked() and "giải trình" in d.offer.text().lower()
    opened = []
    monkeypatch.setattr(dd.DocumentDialog, "exec", lambda self: opened.append(self) or 0)
    monkeypatch.setattr(type(d), "exec", lambda self: (self.save(), saved(qtbot, self), self.result())[2])
    view.run_action("reply")
    assert opened
    saved(qtbot, opened[0])                          # drafted on the session's writer
    assert opened[0].current is not None             # the reply drafted, ready to edit and issue
    assert outgoing_kinds(session, case) == ["explanation_reply"]


def outgoing_kinds(session, case):
    from desktop.storage.documents_repo import list_documents

    return [d.kind for d in list_documents(session.db, case_uuid=case.uuid)]


def test_escape_on_a_filled_form_asks_before_discarding(qtbot, window, session):
    from ui.dialogs.case_dialog import CaseDialog

    d = _run(qtbot, CaseDialog(session, window))
    qtbot.keyClick(d, Qt.Key.Key_Escape)            # empty: closes at once
    assert not d.isVisible()
    d = _run(qtbot, CaseDialog(session, window))
    d.summary.setFocus()
    qtbot.keyClicks(d.summary, "Kien nghi sua duong")
    answer_box("Tiếp tục nhập")
    qtbot.keyClick(d.summary, Qt.Key.Key_Escape)
    assert d.isVisible() and d.summary.text() == "Kien nghi sua duong"
    answer_box("Đóng, bỏ nội dung")
    activate(qtbot, d)
    qtbot.keyClick(d.summary, Qt.Key.Key_Escape)
    assert not d.isVisible()


def test_alt_left_returns_from_a_case(qtbot, window, session):
    case = _case(session)
    window.show_page(2)
    window.open_case(case.uuid)
    assert window.stack.currentWidget() is window.case_page
    window.case_page.setFocus()
    qtbot.keyClick(window.case_page, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.stack.currentWidget() is window.page(2)


def test_a_day_off_on_a_deadline_moves_it_and_the_clerk_sees_which(qtbot, session):
    from ui.views.settings_calendar import CalendarSettings
    from ui.widgets.form import qdate

    from desktop.security import accounts

    case = _case(session)
    accounts.assume_role(session.db, "admin")   # the calendar is the administrator's (calendar.edit)
    view = CalendarSettings(session)
    qtbot.addWidget(view)
    view.show()
    d = view.add_dialog()
    qtbot.addWidget(d)
    d.day.setDate(qdate(case.due_on))
    d.name.setText("Nghỉ theo Thông báo số 05/TB-UBND")
    d.save()
    saved(qtbot, d)   # on the writer (issue #20)
    view.show_moved(d.moved)
    moved = get_case(session.db, case.uuid)
    assert moved.due_on > case.due_on and [m.number for m in view.last_moved] == [case.number]
    assert f"Vụ việc số {case.number}" in view.moved_label.text() and view.moved_label.isVisible()
    assert list_events(session.db, case.uuid)[-1].action == "deadline_recomputed"
    # removing the day is confirmed, naming the deadline it moves back
    row = next(r for r in range(view.model.rowCount()) if view.model.row_at(r).day == case.due_on)
    view.table.setCurrentIndex(view.model.index(row, 0))
    answer_box("Không xóa")
    view.remove()      # what it would move is counted on the writer (rolled back), then asked
    saved(qtbot, view)
    assert get_case(session.db, case.uuid).due_on == moved.due_on
    answer_box("Xóa")
    view.remove()
    qtbot.waitUntil(lambda: get_case(session.db, case.uuid).due_on == case.due_on)
    saved(qtbot, view)
    assert get_case(session.db, case.uuid).due_on == case.due_on
    assert "1 vụ việc" in view.moved_label.text()


def test_a_refusal_under_a_field_is_read_whole_not_over_the_field(qtbot, window, session):
    """"Hãy ghi lý do gia hạn …" under the reason box: the dialog grows to hold it (it was drawn
    over the box and cut after its first line)."""
    case = _case(session)
    act(session.db, case.uuid, "accept", effective_on=TODAY, today=TODAY)
    window.open_case(case.uuid)
    d = _run(qtbot, window.case_page.action_dialog("extend"))
    qtbot.keyClick(d.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    message = d.errors.fields["note"][1]
    assert "lý do gia hạn" in message.text().lower()

    def bottom(w):
        return w.mapTo(d, w.rect().bottomLeft()).y()

    def top(w):
        return w.mapTo(d, w.rect().topLeft()).y()

    qtbot.waitUntil(lambda: top(message) >= bottom(d.note)
                    and message.height() >= message.heightForWidth(message.width()))
