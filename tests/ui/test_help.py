"""F1 opens the bundled Vietnamese guide at the page of the screen in use."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.resources import resource_path


def _helped(qtbot):
    qtbot.waitUntil(lambda: getattr(QApplication.instance(), "_giaitrinh_help", None) is not None
                    and QApplication.instance()._giaitrinh_help.isVisible())
    return QApplication.instance()._giaitrinh_help


def test_f1_opens_the_page_of_the_current_screen(qtbot, window, session):
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import CaseInput, receive_case

    window.show_page(2)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.page(2).table, Qt.Key.Key_F1)
    help_ = _helped(qtbot)
    qtbot.addWidget(help_)
    assert help_.page == "so-vu-viec" and "Giao cán bộ cho nhiều vụ việc" in help_.browser.toPlainText()
    person = save_person(session.db, full_name="Trần Thị Đức")
    case = receive_case(session.db, CaseInput(kind="explanation", received_on=date(2026, 3, 2), summary="Giải trình",
                                              requesters=[person.uuid]), today=date(2026, 3, 2))
    window.open_case(case.uuid)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.case_page, Qt.Key.Key_F1)
    assert help_.page == "vu-viec" and "Hoàn tác bước cuối" in help_.browser.toPlainText()
    help_.close()


def test_f1_in_a_dialog_and_every_page_is_bundled_with_its_pictures(qtbot, window, session):
    from ui.dialogs.help import PAGES
    from ui.dialogs.reception_dialog import ReceptionDialog

    d = ReceptionDialog(session, window)
    qtbot.addWidget(d, before_close_func=lambda w: w.done(0))
    d.show()
    d.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is d)
    qtbot.keyClick(d.person.name, Qt.Key.Key_F1)
    help_ = _helped(qtbot)
    qtbot.addWidget(help_)
    assert help_.page == "tiep-cong-dan" and "Đoàn đông người" in help_.browser.toPlainText()
    for page in PAGES:
        html = resource_path("help", f"{page}.html").read_text(encoding="utf-8")
        for img in re.findall(r'src="([^"]+)"', html):
            assert resource_path("help", img).is_file(), (page, img)
        for link in re.findall(r'href="([^"]+)\.html"', html):
            assert link in PAGES, (page, link)
    help_.close()
