"""Every form that writes the register saves on the session's writer (issue #20, item 1): the
reception, a step of a case, assigning, correcting and undoing. For each: the write runs on the
writer's thread while the window keeps working, "Đang lưu…" shows once the save outlasts 150 ms,
Enter pressed again saves nothing more, and the view reloads after; a failure is shown in
Vietnamese over the form as typed, and nothing of it is written."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from desktop.errors import UserError
from desktop.storage.cases import get_case
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, receive_case
from tests.ui.keys import saved

TODAY = date(2026, 3, 2)
FULL = "Ổ đĩa đã đầy nên không ghi được. Không có dữ liệu nào bị ghi dở."


def _case(session, *, accepted: bool = False, assignee: str | None = None):
    from desktop.storage.persons import save_person

    person = save_person(session.db, full_name="Trần Thị Đức", address="Thôn Đông, xã Thụy Hùng")
    case = receive_case(session.db, CaseInput(kind="explanation", received_on=TODAY, summary="Giải trình việc thu phí chợ",
                                              requesters=[person.uuid], assignee_uuid=assignee), today=TODAY)
    return act(session.db, case.uuid, "accept", effective_on=TODAY, today=TODAY) if accepted else case


def _count(session, table: str) -> int:
    return session.db.scalar(f"SELECT count(*) FROM {table}")


# Each form: how it is made and filled, the workflow function it calls (module, name), and what
# the register shows once it is saved.

def _reception(session):
    from ui.dialogs.reception_dialog import ReceptionDialog

    before = _count(session, "receptions")
    d = ReceptionDialog(session)
    d.person.name.setText("Lò Văn Páo")
    d.content.setPlainText("Phản ánh đường liên thôn bị sạt lở")
    return d, ("ui.dialogs.reception_dialog", "record_reception"), lambda: _count(session, "receptions") == before + 1


def _step(session):
    from ui.dialogs.action_dialog import ActionDialog
    from desktop.workflow.engine import rules_of

    case = _case(session)
    d = ActionDialog(session, case, rules_of(case).actions["accept"])
    return d, ("ui.dialogs.action_dialog", "act"), lambda: get_case(session.db, case.uuid).state == "accepted"


def _assign(session):
    from ui.dialogs.case_edits import AssignDialog

    case = _case(session)
    d = AssignDialog(session, [case.uuid], numbers=[case.number])
    officer = d.officer.currentData()
    assert officer
    return d, ("ui.dialogs.case_edits", "assign"), lambda: get_case(session.db, case.uuid).assignee_uuid == officer


def _correct(session):
    from ui.dialogs.case_edits import CorrectCaseDialog

    case = _case(session)
    d = CorrectCaseDialog(session, case)
    d.summary.setText("Giải trình việc thu phí chợ Đông")
    d.reason.setText("Ghi thiếu tên chợ")
    return d, ("ui.dialogs.case_edits", "correct_case"), \
        lambda: get_case(session.db, case.uuid).summary == "Giải trình việc thu phí chợ Đông"


def _undo(session):
    from ui.dialogs.case_edits import UndoDialog

    case = _case(session, accepted=True)
    d = UndoDialog(session, case)
    d.reason.setText("Ghi nhầm bước")
    return d, ("ui.dialogs.case_edits", "undo_last_step"), lambda: get_case(session.db, case.uuid).state == "received"


FORMS = {"reception": _reception, "step": _step, "assign": _assign, "correct": _correct, "undo": _undo}


@pytest.mark.parametrize("form", FORMS)
def test_the_form_saves_on_the_writer_and_says_it_is_saving(qtbot, session, monkeypatch, form):
    import importlib

    dialog, (module, name), written = FORMS[form](session)
    qtbot.addWidget(dialog, before_close_func=lambda w: w.done(0))
    dialog.show()
    real = getattr(importlib.import_module(module), name)
    threads: list[int] = []

    def on_its_thread(db, *args, **kwargs):   # the real workflow, noting the thread it runs on
        threads.append(threading.get_ident())
        return real(db, *args, **kwargs)

    monkeypatch.setattr(f"{module}.{name}", on_its_thread)
    release = threading.Event()
    session.writer.save(lambda db: release.wait(10))   # a save before it holds the writer
    dialog.save()
    qtbot.waitUntil(dialog.saving.isVisible, timeout=5000)   # "Đang lưu…" after 150 ms; the window works
    assert dialog.saving.text() == "Đang lưu…"
    assert dialog.pending is not None and dialog.result() == 0 and not written()
    dialog.save()                                             # Enter again while saving: nothing more
    dialog.reject()                                           # Escape while saving: the form waits for it
    assert dialog.isVisible()
    with qtbot.waitSignal(session.changed, timeout=10000):   # the views reload after the save
        release.set()
    saved(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted and not dialog.saving.isVisible()
    assert written() and threads and threads[0] != threading.get_ident() and len(threads) == 1


@pytest.mark.parametrize("form", FORMS)
def test_a_failed_save_is_shown_in_vietnamese_over_the_form_and_nothing_is_written(qtbot, session, monkeypatch, form):
    dialog, (module, name), written = FORMS[form](session)
    qtbot.addWidget(dialog, before_close_func=lambda w: w.done(0))
    shown: list[str] = []
    monkeypatch.setattr("ui.dialogs.reception_dialog.report", lambda parent, exc: shown.append(exc.message))
    monkeypatch.setattr("ui.dialogs.case_edits.report", lambda parent, exc: shown.append(exc.message))
    monkeypatch.setattr("ui.dialogs.action_dialog.report", lambda parent, exc: shown.append(exc.message))
    typed = {id(w): value for w, value in ((w, _value(w)) for w in dialog._fields())}

    def full_disk(db, *args, **kwargs):   # writes half, then the disk is full
        with db.write():
            db.execute("INSERT INTO settings(key, value) VALUES ('half', 'written')")
            raise UserError("disk_full", FULL)

    persons = _count(session, "persons")
    monkeypatch.setattr(f"{module}.{name}", full_disk)
    dialog.save()
    saved(qtbot, dialog)
    assert FULL in shown or dialog.errors.general.text() == FULL
    assert dialog.result() == 0 and dialog.pending is None
    assert {id(w): _value(w) for w in dialog._fields()} == typed          # the form as it was typed
    assert session.db.get_setting("half") is None and not written()      # nothing half-written
    assert _count(session, "persons") == persons                         # not the citizen typed either


def _value(widget):
    from ui.dialogs.guarded import _value as value

    return value(widget)


# -- the documents dialog: draft, edit, issue on the writer ---------------------------------------------

def _documents(qtbot, session, monkeypatch):
    from ui.dialogs.document_dialog import DocumentDialog

    monkeypatch.setenv("GIAITRINH_DOCUMENT_FONT", "bundled")
    case = _case(session, accepted=True, assignee=session.actor_uuid)
    d = DocumentDialog(session, case.uuid, today=TODAY)
    qtbot.addWidget(d)
    d.show()
    d.kinds.setCurrentRow(0)
    assert d.draft_selected()
    saved(qtbot, d)
    assert d.current
    return d


def test_issuing_runs_on_the_writer_with_the_draft_as_typed(qtbot, session, monkeypatch):
    from desktop.storage.documents_repo import get_document

    d = _documents(qtbot, session, monkeypatch)
    d.body.setPlainText(d.body.toPlainText() + "\nĐoạn bổ sung khi ký.")
    release = threading.Event()
    session.writer.save(lambda db: release.wait(10))   # a save before it holds the writer
    assert d.issue_current(confirm=False)
    qtbot.waitUntil(d.saving.isVisible, timeout=5000)   # "Đang lưu…"; the window works meanwhile
    assert not d.buttons["issue"].isEnabled() and not d.issue_current(confirm=False)   # once
    d.done(0)                                            # "Đóng" while saving: the dialog waits
    assert d.isVisible() and get_document(session.db, d.current).is_draft
    with qtbot.waitSignal(session.changed, timeout=10000):
        release.set()
    saved(qtbot, d)
    record = get_document(session.db, d.current)
    assert record.status == "issued" and record.symbol.startswith("01/")
    assert "Đoạn bổ sung khi ký." in [p.text for p in record.document.body]
    assert not d.saving.isVisible() and "đã ban hành" in d.documents.item(0).text()


def test_a_refused_issue_keeps_the_draft_as_typed_and_writes_nothing(qtbot, session, monkeypatch):
    from desktop.storage.documents_repo import get_document

    d = _documents(qtbot, session, monkeypatch)
    stored = get_document(session.db, d.current).document.body
    d.body.setPlainText(d.body.toPlainText() + "\nĐoạn bổ sung khi ký.")
    shown: list[str] = []
    monkeypatch.setattr("ui.dialogs.document_dialog.report", lambda parent, exc: shown.append(exc.message))

    def full_disk(db, *args, **kwargs):
        db.execute("INSERT INTO settings(key, value) VALUES ('half', 'written')")
        raise UserError("disk_full", FULL)

    monkeypatch.setattr("desktop.workflow.documents_flow.issue_document", full_disk)
    assert d.issue_current(confirm=False)
    saved(qtbot, d)
    assert shown == [FULL] and d.isVisible()
    assert d.body.toPlainText().endswith("Đoạn bổ sung khi ký.") and d.buttons["issue"].isEnabled()
    record = get_document(session.db, d.current)
    assert record.is_draft and record.document.body == stored   # the draft's edit went with the failed issue
    assert session.db.get_setting("half") is None
