"""Typing or scanning a receipt's lookup code into the case register's search box opens the case."""

from __future__ import annotations

from datetime import date

from desktop.storage import lookup
from desktop.storage.persons import save_person
from desktop.workflow.receive import CaseInput, receive_case


def test_the_code_opens_the_case_at_once(qtbot, window, session, office):
    db = session.db
    person = save_person(db, full_name="Trần Thị Đức", id_number="034185001234")
    case = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Kiến nghị sửa đường",
                                      requesters=[person.uuid]), today=date(2026, 3, 2))
    code = lookup.ensure_case_code(db, case.uuid)
    page = next(i for i in range(window.page_count()) if window.nav.item(i).text().startswith("Sổ vụ việc"))
    window.show_page(page)
    view = window.pages[page]
    view.search.setText(lookup.display(code).lower())  # as a scanner or a clerk types it
    view.search.flush()                                  # Enter
    qtbot.waitUntil(lambda: window.case_page is not None and window.stack.currentWidget() is window.case_page)
    assert window.case_page.case.uuid == case.uuid
    assert view.search.text() == ""
    # Any other text searches the register as before.
    view.search.setText("sửa đường")
    view.search.flush()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
