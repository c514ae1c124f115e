"""The window never waits on a write (issue #20, item 1): a save runs on the writer's own thread
and connection while the GUI thread keeps processing events; "Đang lưu…" shows only when a save
takes longer than 150 ms; a failed save shows its Vietnamese message and loses nothing."""

from __future__ import annotations

import threading
from datetime import date

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from desktop.errors import UserError
from desktop.workflow.receive import CaseInput, receive_case
from ui.writer import SAVING_TEXT


def _case() -> CaseInput:
    from desktop.workflow.receive import PersonInput

    return CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Kiến nghị về đường làng",
                     content="Nội dung", requesters=[PersonInput(full_name="Trần Thị Đức")], field="land")


def test_a_save_runs_on_the_writer_while_the_window_keeps_working(qtbot, session):
    gui = threading.get_ident()
    release = threading.Event()
    seen: dict = {}
    ticks: list[int] = []

    def job(db):
        seen["thread"] = threading.get_ident()
        seen["own_connection"] = db is not session.db
        assert release.wait(10)  # held until the GUI thread has run its timers
        return db.scalar("SELECT count(*) FROM cases")

    timer = QTimer(interval=1)
    timer.timeout.connect(lambda: (ticks.append(1), len(ticks) >= 5 and release.set()))
    timer.start()
    with qtbot.waitSignal(session.changed, timeout=10000):
        save = session.writer.save(job)
    timer.stop()
    assert len(ticks) >= 5                      # the GUI thread processed events during the save
    assert seen["thread"] != gui and seen["own_connection"]
    assert save.finished


def test_saving_indicator_shows_after_150_ms_and_hides_at_the_end(qtbot, session):
    label = QLabel(SAVING_TEXT)
    qtbot.addWidget(label)
    label.hide()
    release = threading.Event()
    save = session.writer.save(lambda db: release.wait(10), indicator=label)
    qtbot.waitUntil(label.isVisible, timeout=5000)  # the save outlived 150 ms: "Đang lưu…"
    release.set()
    qtbot.waitUntil(lambda: save.finished, timeout=5000)
    assert not label.isVisible()


def test_a_quick_save_never_shows_the_indicator(qtbot, session):
    label = QLabel(SAVING_TEXT)
    qtbot.addWidget(label)
    label.hide()
    save = session.writer.save(lambda db: 1, indicator=label)
    qtbot.waitUntil(lambda: save.finished, timeout=5000)
    assert not label.isVisible() and not save._timer.isActive()


def test_a_case_saved_by_the_writer_is_in_the_register(qtbot, session):
    saved: list = []
    with qtbot.waitSignal(session.changed, timeout=10000):
        session.writer.save(lambda db: receive_case(db, _case(), today=date(2026, 3, 2)), on_done=saved.append)
    case = saved[0]
    assert session.db.scalar("SELECT summary FROM cases WHERE uuid = ?", (case.uuid,)) == "Kiến nghị về đường làng"
    actor = session.db.scalar("SELECT actor FROM events WHERE case_uuid = ?", (case.uuid,))
    assert actor == session.actor_name   # the writer acts for the officer logged in to the window


def test_an_error_in_the_writer_is_shown_in_vietnamese_and_nothing_is_written(qtbot, session, monkeypatch):
    shown: list[BaseException] = []
    monkeypatch.setattr("ui.errors.report", lambda parent, exc: shown.append(exc))
    before = session.db.scalar("SELECT count(*) FROM cases")

    def failing(db):
        with db.write():
            db.execute("INSERT INTO settings(key, value) VALUES ('half', 'written')")
            raise UserError("disk_full", "Ổ đĩa đã đầy nên không ghi được.")

    save = session.writer.save(failing)
    qtbot.waitUntil(lambda: save.finished, timeout=5000)
    assert [e.message for e in shown] == ["Ổ đĩa đã đầy nên không ghi được."]
    assert session.db.get_setting("half") is None          # the failed save's transaction rolled back
    assert session.db.scalar("SELECT count(*) FROM cases") == before


# -- the new-case dialog saves on the writer -----------------------------------------------------------

def _filled_dialog(qtbot, session):
    from ui.dialogs.case_dialog import CaseDialog

    d = CaseDialog(session)
    qtbot.addWidget(d)
    d.kind.setCurrentIndex(d.kind.findData("petition"))
    d.summary.setText("Kiến nghị sửa đường liên thôn")
    d.person.name.setText("Mùa A Sử")
    return d


def test_the_case_dialog_saves_on_the_writer_and_says_it_is_saving(qtbot, session):
    d = _filled_dialog(qtbot, session)
    d.show()
    release = threading.Event()
    session.writer.save(lambda db: release.wait(10))   # a save before it holds the writer
    d.save()
    qtbot.waitUntil(d.saving.isVisible, timeout=5000)    # "Đang lưu…" after 150 ms; the window works meanwhile
    assert d.saving.text() == "Đang lưu…" and not d.save_button.isEnabled()
    d.save()                                             # Enter again while saving: no second case
    release.set()
    qtbot.waitUntil(lambda: d.case is not None, timeout=10000)
    assert not d.saving.isVisible() and d.result() == d.DialogCode.Accepted
    assert session.db.scalar("SELECT count(*) FROM cases WHERE summary = ?", ("Kiến nghị sửa đường liên thôn",)) == 1


def test_a_refused_save_keeps_the_form_and_says_why_in_vietnamese(qtbot, session, monkeypatch):
    shown: list[BaseException] = []
    monkeypatch.setattr("ui.dialogs.case_dialog.report", lambda parent, exc: shown.append(exc))

    def full_disk(db, data, today=None):
        raise UserError("disk_full", "Ổ đĩa đã đầy nên không ghi được. Không có dữ liệu nào bị ghi dở.")

    monkeypatch.setattr("ui.dialogs.case_dialog.receive_case", full_disk)
    persons = session.db.scalar("SELECT count(*) FROM persons")
    d = _filled_dialog(qtbot, session)
    d.save()
    qtbot.waitUntil(lambda: d.pending is None, timeout=10000)
    assert [e.message for e in shown] == ["Ổ đĩa đã đầy nên không ghi được. Không có dữ liệu nào bị ghi dở."]
    assert d.case is None and d.save_button.isEnabled()
    assert d.summary.text() == "Kiến nghị sửa đường liên thôn" and d.person.name.text() == "Mùa A Sử"
    assert session.db.scalar("SELECT count(*) FROM persons") == persons   # the requester typed was not half-saved
