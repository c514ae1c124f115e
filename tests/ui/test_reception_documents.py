"""A reception that opened no case has its documents in the window (issue #15's last dead end,
#18 item 4): from the reception register, "Văn bản…" (or Enter on the line) drafts the written
notice of a refusal to receive (NĐ 154/2026 Art. 4(3)) or the receipt with the reception's
lookup code, issues and prints it, as the CLI's ``doc draft-reception`` did alone."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from desktop.security import accounts
from desktop.storage import documents_repo
from desktop.storage.lookup import display, ensure_reception_code
from desktop.workflow.receive import PersonInput, ReceptionInput, record_reception
from tests.ui.keys import saved
from ui.dialogs.document_dialog import KIND_ROLE

DAY = date(2026, 7, 29)   # NĐ 154/2026's grounds of refusal are in force (from 01/07/2026)


@pytest.fixture
def session(qapp, office):
    """The window's session on the Monday after DAY."""
    from ui.app import create_application
    from ui.session import Session

    create_application()
    s = Session(office["db"], today=date(2026, 8, 3))
    yield s
    s.tasks.wait()


def _row_of(view, uuid: str) -> int:
    return next(r for r in range(view.model.rowCount()) if view.model.row_at(r).uuid == uuid)


def test_a_refused_reception_gets_its_written_notice_from_the_register(qtbot, session, office):
    from ui.views.receptions import ReceptionsView

    db = office["db"]
    refused, _ = record_reception(db, ReceptionInput(
        received_on=DAY, person_uuid=PersonInput("Nguyễn Văn Ất", address="thôn Đông"), content="Kiến nghị lại việc làm đường",
        outcome="refused", refusal_ground="answered_petition"), today=DAY)
    view = ReceptionsView(session)
    qtbot.addWidget(view)
    view.reload()
    view.table.setCurrentIndex(view.model.index(_row_of(view, refused.uuid), 0))
    dialog = view.documents_dialog()
    qtbot.addWidget(dialog)
    assert "lượt tiếp công dân ngày 29/07/2026" in dialog.windowTitle()
    kinds = [dialog.kinds.item(i).data(KIND_ROLE) for i in range(dialog.kinds.count())]
    assert kinds[0] == "reception_refusal" and "reception_receipt" in kinds
    dialog.kinds.setCurrentRow(0)
    assert dialog.draft_selected()
    saved(qtbot, dialog)                                                   # on the session's writer
    drafts = documents_repo.list_documents(db, reception_uuid=refused.uuid)
    assert [d.kind for d in drafts] == ["reception_refusal"] and drafts[0].case_uuid is None
    assert dialog.documents.count() == 1 and dialog.current == drafts[0].uuid
    accounts.assume_role(db, "leader", officer_uuid=office["head"].uuid)    # the chairman issues it
    dialog.show_document(dialog.current)
    assert dialog.issue_current(confirm=False)
    saved(qtbot, dialog)
    issued = documents_repo.get_document(db, drafts[0].uuid)
    assert issued.status == "issued" and issued.symbol.endswith("/TB-UBND")
    assert dialog.buttons["print"].isEnabled()


def test_enter_on_a_reception_without_a_case_opens_its_receipt_with_the_lookup_code(qtbot, session, office):
    from ui.views.receptions import ReceptionsView

    db = office["db"]
    guided, _ = record_reception(db, ReceptionInput(
        received_on=DAY, person_uuid=PersonInput("Trần Thị Bé"), content="Hỏi thủ tục cấp sổ đỏ", outcome="guided",
        guided_to="Văn phòng đăng ký đất đai"), today=DAY)
    view = ReceptionsView(session)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    view.reload()
    opened = []

    def answer(tries: int = 200):
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        from ui.dialogs.document_dialog import DocumentDialog

        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentDialog) and w.isVisible()),
                      None)
        if dialog is None:
            if tries:
                QTimer.singleShot(25, lambda: answer(tries - 1))
            return
        opened.append(dialog.windowTitle())
        opened.append([dialog.kinds.item(i).data(KIND_ROLE) for i in range(dialog.kinds.count())])
        dialog.draft_selected()
        qtbot.waitUntil(lambda: dialog.pending is None)
        opened.append(dialog.current)
        dialog.accept()

    answer()
    view.table.setCurrentIndex(view.model.index(_row_of(view, guided.uuid), 0))
    view.activateWindow()
    qtbot.waitActive(view)
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(opened) == 3)
    assert "lượt tiếp công dân ngày 29/07/2026" in opened[0] and opened[1] == ["reception_receipt"]
    receipt = documents_repo.get_document(db, opened[2])
    code = ensure_reception_code(db, guided.uuid)
    assert receipt.kind == "reception_receipt" and receipt.document.meta["lookup_code"] == code
    import io

    import pdfplumber

    from desktop.documents import outgoing

    with pdfplumber.open(io.BytesIO(outgoing.render(db, receipt.uuid, "pdf"))) as pdf:
        assert display(code) in "\n".join(page.extract_text() or "" for page in pdf.pages)
