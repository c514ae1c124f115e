"""A clerk's day, driven through the real windows: a citizen asks for an explanation at the desk,
the request is accepted, extended, answered and closed; the dashboard shows it overdue when the
clock passes its deadline."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from desktop.storage.cases import get_case
from tests.ui.keys import answer_box

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
    case = d.case
    window.open_case(case.uuid)
    dlg = window.case_page.action_dialog("refuse")
    qtbot.addWidget(dlg)
    dlg.save()  # no ground chosen
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
