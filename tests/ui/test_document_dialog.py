"""The "Soạn văn bản" dialog: offered documents, draft, edit, preview, issue, save, print, void."""

from __future__ import annotations

from datetime import date

import docx
import pdfplumber
import pytest

from tests.ui.keys import saved

TODAY = date(2026, 3, 2)


@pytest.fixture
def case(office):
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import CaseInput, receive_case

    db = office["db"]
    person = save_person(db, full_name="Nguyễn Văn Ất", address="thôn Đông, xã Thụy Hùng")
    from desktop.workflow.engine import act

    case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 2, 27),
                                      summary="Việc cấp giấy chứng nhận quyền sử dụng đất", requesters=[person.uuid],
                                      assignee_uuid=office["clerk"].uuid), today=TODAY)
    # accepted: the acceptance notice states the explanation period it started (NĐ 59/2019 Art. 11, 13)
    return act(db, case.uuid, "accept", effective_on=TODAY, today=TODAY)


@pytest.fixture
def dialog(qtbot, session, case, monkeypatch):
    monkeypatch.setenv("GIAITRINH_DOCUMENT_FONT", "bundled")
    from ui.dialogs.document_dialog import DocumentDialog

    d = DocumentDialog(session, case.uuid, today=TODAY)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_offers_what_the_state_calls_for_then_drafts_edits_and_issues(qtbot, dialog, office, case, tmp_path):
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

    from desktop.storage.cases import list_events

    labels = [dialog.kinds.item(i).text() for i in range(dialog.kinds.count())]
    assert labels[0] == "Thông báo thụ lý yêu cầu giải trình"
    assert "Văn bản giải trình" in labels and "Thông báo từ chối yêu cầu giải trình" not in labels
    dialog.kinds.setCurrentRow(0)
    dialog.draft_selected()
    saved(qtbot, dialog)
    assert dialog.documents.count() == 1 and dialog.current
    assert "Dự thảo" in dialog.documents.item(0).text()
    assert dialog.pdf.status() == QPdfDocument.Status.Ready and dialog.pdf.pageCount() == 1
    assert dialog.body.isEnabled() and "Nguyễn Văn Ất" in dialog.body.toPlainText()

    dialog.body.setPlainText(dialog.body.toPlainText() + "\nĐoạn bổ sung có chữ ữ ợ ặ đ Đ.")
    assert dialog.issue_current(confirm=False)
    saved(qtbot, dialog)
    item = dialog.documents.item(0).text()
    assert item.startswith("01/TB-UBND") and "đã ban hành" in item
    assert not dialog.body.isEnabled() and not dialog.buttons["issue"].isEnabled()
    # the case was accepted already (the fixture): issuing the notice records no second acceptance
    # (a case awaiting acceptance is accepted by its notice: test_clerk_day, test_assign_correct_undo)
    assert list_events(office["db"], case.uuid)[-1].action == "document_issued"
    assert dialog.performed == []

    pdf_path = dialog.save_as(tmp_path / "tb.pdf", "pdf")
    with pdfplumber.open(pdf_path) as pdf:
        text = pdf.pages[0].extract_text()
    assert "Số: 01/TB-UBND" in text and "Thụy Hùng, ngày 02 tháng 3 năm 2026" in text
    assert "Đoạn bổ sung có chữ ữ ợ ặ đ Đ." in text
    word = docx.Document(str(dialog.save_as(tmp_path / "tb.docx", "docx")))
    assert any(p.text == "Đoạn bổ sung có chữ ữ ợ ặ đ Đ." for p in word.paragraphs)

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog.print_to(printer) == 1
    with pdfplumber.open(tmp_path / "printed.pdf") as printed:
        assert len(printed.pages) == 1

    assert dialog.void_current("Ghi sai nơi nhận")
    saved(qtbot, dialog)
    assert "đã hủy số" in dialog.documents.item(0).text()


def test_an_empty_body_is_refused_and_the_draft_kept(qtbot, dialog, monkeypatch):
    shown = []
    monkeypatch.setattr("ui.dialogs.document_dialog.report", lambda parent, exc: shown.append(exc))
    dialog.draft_selected()
    saved(qtbot, dialog)
    dialog.body.setPlainText("   ")
    assert dialog.save_draft()
    saved(qtbot, dialog)   # refused on the session's writer
    assert shown and shown[0].code == "document_empty_body"
    assert dialog.documents.count() == 1 and dialog.body.toPlainText() == "   "   # nothing typed is lost


def test_batch_print_of_the_day_runs_in_the_background_from_the_main_menu(qtbot, dialog, session, office, tmp_path):
    """"In các văn bản ban hành hôm nay" paints the day's documents off the GUI thread."""
    from PySide6.QtPrintSupport import QPrinter

    from ui.dialogs.document_dialog import print_day_in_background
    for _ in range(3):
        dialog.kinds.setCurrentRow(0)
        dialog.draft_selected()
        saved(qtbot, dialog)
        assert dialog.issue_current(confirm=False)
        saved(qtbot, dialog)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "day.pdf"))
    task = print_day_in_background(None, session, TODAY, printer)
    with qtbot.waitSignal(task.done, timeout=30000) as blocker:
        pass
    assert blocker.args == [3]
    with pdfplumber.open(tmp_path / "day.pdf") as printed:
        assert len(printed.pages) == 3
        # the stored pages as they are (issue #20): text stays text, no page was painted as an image
        assert all("UBND" in p.extract_text() for p in printed.pages)


def test_the_board_lists_only_this_units_drafts_for_signing(qtbot, dialog, office):
    """At a province, a commune's drafts arrive in its bundles: they are the commune's to sign."""
    from desktop.storage.documents_repo import list_documents
    from ui.views.dashboard import drafts_awaiting_signature

    dialog.kinds.setCurrentRow(0)
    dialog.draft_selected()
    saved(qtbot, dialog)
    db = office["db"]
    columns = [r[1] for r in db.query("PRAGMA table_info(documents)") if r[1] not in ("id", "uuid", "unit_code")]
    with db.write():  # the row as a bundle's merge writes it: the commune's uuid and unit
        db.execute(f"INSERT INTO documents({', '.join(columns)}, uuid, unit_code) "
                   f"SELECT {', '.join(columns)}, 'c0ffee00c0ffee00c0ffee00c0ffee00', '99999' FROM documents")
    assert len(list_documents(db, status="draft")) == 2
    assert [d.uuid for d in drafts_awaiting_signature(db)] == [dialog.current]


def test_a_draft_is_discarded_not_voided_and_a_voided_document_previews_marked(qtbot, dialog, office, monkeypatch):
    from desktop.storage.documents_repo import get_pdf, list_documents

    monkeypatch.setattr("ui.dialogs.document_dialog.QMessageBox.question",
                        lambda *a, **k: __import__("PySide6.QtWidgets").QtWidgets.QMessageBox.StandardButton.Yes)
    dialog.kinds.setCurrentRow(0)
    dialog.draft_selected()
    saved(qtbot, dialog)
    assert dialog.buttons["discard"].isEnabled() and not dialog.buttons["void"].isEnabled()
    assert dialog.discard_current()
    saved(qtbot, dialog)
    assert dialog.documents.count() == 0 and list_documents(office["db"]) == []

    dialog.kinds.setCurrentRow(0)
    dialog.draft_selected()
    saved(qtbot, dialog)
    assert dialog.issue_current(confirm=False)
    saved(qtbot, dialog)
    assert dialog.buttons["void"].isEnabled() and not dialog.buttons["discard"].isEnabled()
    stored = bytes(get_pdf(office["db"], dialog.current))
    assert dialog.void_current("Ghi sai nơi nhận")
    saved(qtbot, dialog)
    assert bytes(get_pdf(office["db"], dialog.current)) == stored   # the register's hashed file stays
    assert dialog._pdf_bytes != stored
    import io

    with pdfplumber.open(io.BytesIO(dialog._pdf_bytes)) as shown:
        page = shown.pages[0]
        text = page.extract_text()
        big = "".join(c["text"] for c in page.chars if c["size"] > 40 and c["text"].strip())
    assert big == "ĐÃHỦY"   # across the page
    assert "Ghi sai nơi nhận" in text and "không có giá trị" in text


def test_the_reply_asks_for_its_own_fields(qtbot, dialog, office, monkeypatch):
    def fail(parent, exc):
        raise exc

    monkeypatch.setattr("ui.dialogs.document_dialog.report", fail)
    labels = [dialog.kinds.item(i).text() for i in range(dialog.kinds.count())]
    dialog.kinds.setCurrentRow(labels.index("Văn bản giải trình"))
    dialog.draft_selected()
    saved(qtbot, dialog)
    assert dialog.fields_box.isVisible()
    assert set(dialog.field_edits) == {"meeting_result", "legal_grounds", "explanation"}
    dialog.field_edits["legal_grounds"].setPlainText("Luật Đất đai năm 2024.")
    dialog.field_edits["explanation"].setPlainText("Hồ sơ đã chuyển đến Văn phòng đăng ký đất đai.")
    dialog.field_edits["meeting_result"].setPlainText("Không tổ chức làm việc trực tiếp.")
    assert dialog.save_draft()
    saved(qtbot, dialog)
    assert "3. Căn cứ pháp lý: Luật Đất đai năm 2024." in dialog.body.toPlainText()
    assert dialog.issue_current(confirm=False)
    saved(qtbot, dialog)
    assert dialog.documents.item(0).text().startswith("01/UBND")


def test_the_dialog_and_its_buttons_fit_the_screen(qtbot, dialog):
    """At 1366×768 the 1200×800 dialog put its buttons below the screen's edge."""
    screen = dialog.screen().availableGeometry()
    assert dialog.height() <= screen.height() - 40
    assert dialog.minimumSizeHint().height() <= 768 - 40 - 40   # the taskbar, the title bar
    assert dialog.minimumSizeHint().width() <= 1366 - 40
    for button in dialog.buttons.values():
        bottom = button.mapTo(dialog, button.rect().bottomLeft()).y()
        assert bottom < dialog.height(), button.text()


def test_fit_screen_at_1366_by_768():
    from PySide6.QtCore import QRect, QSize

    from ui.widgets.screen import fit_screen

    assert fit_screen(QSize(1200, 800), QRect(0, 0, 1366, 728)) == QSize(1200, 668)
    assert fit_screen(QSize(1200, 800), QRect(0, 0, 1920, 1040)) == QSize(1200, 800)


def test_a_handler_drafts_but_is_not_offered_to_issue(qtbot, session, office, case, monkeypatch):
    """The handler of the case drafts its notice; numbering it is the head's (document.issue)."""
    monkeypatch.setenv("GIAITRINH_DOCUMENT_FONT", "bundled")
    from desktop.security import accounts
    from ui.dialogs.document_dialog import DocumentDialog

    accounts.assume_role(office["db"], "handler", officer_uuid=office["clerk"].uuid)
    d = DocumentDialog(session, case.uuid, today=TODAY)
    qtbot.addWidget(d)
    d.kinds.setCurrentRow(0)
    d.draft_selected()
    saved(qtbot, d)
    assert d.current and d.buttons["save"].isEnabled() and d.buttons["discard"].isEnabled()
    assert not d.buttons["issue"].isEnabled() and "Chủ tịch" in d.buttons["issue"].toolTip()
