"""A group at the desk, typed with the keyboard: Tab follows the form, every representative is
stored as one, a citizen-ID error shows once and clears when fixed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.storage.cases import case_people
from tests.ui.keys import saved


def _dialog(qtbot, window):
    from ui.dialogs.reception_dialog import ReceptionDialog

    d = ReceptionDialog(window.session, window)
    qtbot.addWidget(d, before_close_func=lambda w: w.done(0))
    d.show()
    qtbot.waitExposed(d)
    d.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is d)
    return d


def _type(qtbot, text: str) -> None:
    from tests.ui.test_clerk_day import type_into

    type_into(qtbot, QApplication.focusWidget(), text)


def _tab(qtbot, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)


def test_tab_after_adding_a_member_stays_in_the_group_and_reps_are_stored(qtbot, window, session):
    d = _dialog(qtbot, window)
    _type(qtbot, "Nguyễn Văn An")
    d.people_count.setFocus()
    d.people_count.selectAll()
    qtbot.keyClicks(d.people_count, "6")
    assert d.add_member.isVisible() and d.first_rep.isChecked()
    kind_before = d.kind.currentIndex()
    d.add_member.setFocus()
    qtbot.keyClick(d.add_member, Qt.Key.Key_Space)            # "Thêm người trong đoàn"
    member = d.members[0]
    assert member.entry.name.hasFocus()
    _type(qtbot, "Lê Văn Bình")
    _tab(qtbot, 5)                                            # paper kind, number, phone, address, representative
    assert member.representative.hasFocus()
    qtbot.keyClick(member.representative, Qt.Key.Key_Space)   # the second representative
    _tab(qtbot)
    assert d.add_member.hasFocus()                            # not the top of the form
    _tab(qtbot)
    assert d.case_kind.hasFocus()
    assert d.kind.currentIndex() == kind_before and not d.by_deputy.isChecked()
    d.case_kind.setCurrentIndex(d.case_kind.findData("explanation"))
    d.content.setPlainText("Đoàn đề nghị giải trình việc thu hồi đất")
    d.outcome.setCurrentIndex(d.outcome.findData("accepted"))
    d.summary.setText("Giải trình thu hồi đất")
    with qtbot.waitSignal(session.changed):
        qtbot.keyClick(d.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    roles = sorted((p.person.full_name, p.role) for p in case_people(session.db, d.case.uuid))
    assert roles == [("Lê Văn Bình", "representative"), ("Nguyễn Văn An", "representative")]


def test_citizen_id_error_shows_once_and_clears_when_fixed(qtbot, window, session):
    d = _dialog(qtbot, window)
    _type(qtbot, "Trần Thị Đức")
    d.person.identity.kind.setCurrentIndex(d.person.identity.kind.findData("cccd"))
    d.person.identity.number.setFocus()
    _type(qtbot, "999185001234")                              # no province 999
    hint = d.person.identity.hint
    assert hint.isVisibleTo(d) and hint.text()
    d.content.setPlainText("Phản ánh đường sạt lở")
    d.save()
    assert d.reception is None
    assert d.person.errors.message("id_number") == ""          # not repeated under the field
    messages = [w.text() for w in d.findChildren(type(hint)) if w.isVisibleTo(d) and w.text() == hint.text()]
    assert len(messages) == 1
    d.person.identity.number.setFocus()
    _type(qtbot, "034185001234")
    assert "hợp lệ" in hint.text() and d.person.errors.message("id_number") == ""


def test_a_members_id_error_shows_under_that_member_not_the_first_citizen(qtbot, window, session):
    """The second person's 11-digit citizen ID: the message goes under the second person's
    number, with the cursor there and the form scrolled to it; the first citizen's valid number
    keeps its "hợp lệ" line and no red message."""
    d = _dialog(qtbot, window)
    _type(qtbot, "Trần Văn Bình")
    _tab(qtbot, 2)
    _type(qtbot, "034185001234")
    d.people_count.setFocus()
    d.people_count.selectAll()
    qtbot.keyClicks(d.people_count, "6")
    d.add_member.setFocus()
    qtbot.keyClick(d.add_member, Qt.Key.Key_Space)
    member = d.members[0]
    _type(qtbot, "Nguyễn Thị Cúc")
    _tab(qtbot, 2)
    _type(qtbot, "03418500123")                                   # one digit short
    d.case_kind.setCurrentIndex(d.case_kind.findData("petition"))
    d.content.setPlainText("Đề nghị sửa đường liên thôn")
    d.content.setFocus()
    qtbot.keyClick(d.content, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    saved(qtbot, d)   # refused on the session's writer
    assert d.reception is None
    assert "12 chữ số" in member.entry.errors.message("id_number")
    assert d.person.errors.message("id_number") == ""
    assert "hợp lệ" in d.person.identity.hint.text()
    assert member.entry.identity.number.hasFocus()
    qtbot.waitUntil(lambda: not member.entry.identity.number.visibleRegion().isEmpty())


def _group_with_member(qtbot, d, first_id: str, member_id: str):
    _type(qtbot, "Trần Văn Bình")
    _tab(qtbot, 2)
    _type(qtbot, first_id)
    d.people_count.setFocus()
    d.people_count.selectAll()
    qtbot.keyClicks(d.people_count, "6")
    d.add_member.setFocus()
    qtbot.keyClick(d.add_member, Qt.Key.Key_Space)
    _type(qtbot, "Nguyễn Thị Cúc")
    _tab(qtbot, 2)
    _type(qtbot, member_id)
    d.case_kind.setCurrentIndex(d.case_kind.findData("petition"))
    d.content.setPlainText("Đề nghị sửa đường liên thôn")
    d.content.setFocus()
    qtbot.keyClick(d.content, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    saved(qtbot, d)
    return d.members[0]


def test_two_people_of_a_group_with_one_id_number_are_told_apart(qtbot, window, session):
    """The member typed with the first citizen's number: said under the member's number (it
    said "Không tìm thấy người này trong sổ." in a box), nothing saved, nothing lost."""
    d = _dialog(qtbot, window)
    member = _group_with_member(qtbot, d, "034185001234", "034185001234")
    assert d.reception is None
    assert "Trần Văn Bình" in member.entry.errors.message("id_number")
    assert d.person.name.text() == "Trần Văn Bình" and member.entry.name.text() == "Nguyễn Thị Cúc"
    assert member.entry.identity.number.hasFocus()


def test_a_member_already_in_the_register_is_offered_to_that_member(qtbot, window, session):
    """The member's number belongs to someone in the register: that person is picked for the
    member, not put in place of the first citizen."""
    from desktop.storage.persons import save_person

    with session.db.write():
        save_person(session.db, full_name="Nguyễn Thị Cúc", id_kind="cccd", id_number="001185000017")
    d = _dialog(qtbot, window)
    member = _group_with_member(qtbot, d, "034185001234", "001185000017")
    assert d.reception is None
    assert d.person.picked is None and d.person.name.text() == "Trần Văn Bình"
    assert member.entry.picked is not None and member.entry.picked.id_number == "001185000017"


def test_the_group_hint_cites_article_29(qtbot, window, session):
    """Representatives of a group: Luật Tiếp công dân 2013, Điều 29 (DOMAIN.md; the help page
    says 29), not Điều 30 as the form said."""
    d = _dialog(qtbot, window)
    d.people_count.setFocus()
    d.people_count.selectAll()
    qtbot.keyClicks(d.people_count, "12")
    assert "Điều 29" in d.group_hint.text() and "không quá 05" in d.group_hint.text()


def test_scrolling_the_form_with_the_wheel_changes_no_choice(qtbot, window, session):
    """The wheel over "Kết quả" while scrolling the form scrolls the form; it changed the outcome
    to "Hướng dẫn" unnoticed (a choice changes by the wheel only once the clerk is in it)."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    d = _dialog(qtbot, window)
    before = d.outcome.currentIndex()
    assert not d.outcome.hasFocus()
    centre = QPointF(d.outcome.rect().center())
    wheel = QWheelEvent(centre, QPointF(d.outcome.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(d.outcome, wheel)
    assert d.outcome.currentIndex() == before
