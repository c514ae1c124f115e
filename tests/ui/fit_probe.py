"""Run by ``test_fits_screen.py`` in its own process, on an offscreen screen of 1366×768 (the
office PC): opens the main window and every dialog over a small register and prints, as JSON,
each one's geometry and whether the registers' tables scroll sideways. Not a test module."""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

TODAY = date(2026, 3, 2)


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from ui.app import create_application

    app = create_application()
    from desktop.storage.db import open_database
    from desktop.storage.persons import save_person
    from desktop.storage.units import save_officer, save_unit
    from desktop.workflow.engine import act
    from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception
    from ui.session import Session

    db = open_database(Path(tempfile.mkdtemp()) / "so.sqlite")
    from desktop.security import accounts

    save_unit(db, code="12345", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head", can_sign=True)
    clerk = save_officer(db, full_name="Lê Thị Mai", title="Công chức Văn phòng - Thống kê")
    accounts.assume_role(db, "leader", officer_uuid=clerk.uuid)
    person = save_person(db, full_name="Trần Thị Đức", id_kind="cccd", id_number="034185001234",
                         address="Thôn Đông, xã Thụy Hùng, tỉnh Hưng Yên")
    reception, case = record_reception(db, ReceptionInput(
        received_on=TODAY, person_uuid=person.uuid, content="Đề nghị giải trình việc thu phí vệ sinh môi trường năm 2026",
        outcome="accepted", case_kind="explanation", summary="Giải trình việc thu phí vệ sinh môi trường năm 2026",
        previous_handling="UBND xã đã trả lời bằng văn bản", notes="Công dân mang theo biên lai"), today=TODAY)
    for i in range(3):
        receive_case(db, CaseInput(kind="complaint_1", received_on=TODAY, summary=f"Khiếu nại quyết định thu hồi đất {i}",
                                   requesters=[person.uuid], assignee_uuid=clerk.uuid), today=TODAY)
    act(db, case.uuid, "accept", effective_on=TODAY, today=TODAY)
    session = Session(db, today=TODAY)
    session.set_actor(clerk.uuid, clerk.full_name)

    from ui.main_window import MainWindow

    out: dict[str, object] = {}
    window = MainWindow(session)
    window.show_as_last_left()
    for _ in range(20):
        app.processEvents()
    out["main_maximized"] = window.isMaximized()
    scroll = {}
    for index, name in ((2, "cases"), (1, "receptions")):
        window.show_page(index)
        for _ in range(10):
            app.processEvents()
        table = window.page(index).table
        scroll[name] = table.horizontalScrollBar().maximum()
    out["table_scroll"] = scroll

    def dialogs():
        from ui.dialogs.action_dialog import ActionDialog
        from ui.dialogs.case_dialog import CaseDialog
        from ui.dialogs.case_edits import (AssignDialog, CorrectCaseDialog, CorrectPersonDialog,
                                           CorrectReceptionDialog, UndoDialog)
        from ui.dialogs.document_dialog import DocumentDialog
        from ui.dialogs.reception_dialog import ReceptionDialog
        from ui.dialogs.sync_dialogs import ExportDialog, ImportDialog, KeyDialog
        from ui.dialogs.wizard import SetupWizard
        from ui.views.settings_calendar import AddDayDialog
        from ui.views.settings_unit import OfficerDialog
        from desktop.storage.cases import get_case
        from desktop.storage.receptions import get_reception
        from desktop.workflow.engine import allowed_actions

        current = get_case(db, case.uuid)
        yield "Tiếp công dân", lambda: ReceptionDialog(session, window)
        yield "Vụ việc mới", lambda: CaseDialog(session, window)
        for action in allowed_actions(current):
            yield f"Bước: {action.label}", lambda a=action: ActionDialog(session, current, a, window)
        yield "Soạn văn bản", lambda: DocumentDialog(session, case.uuid, window, today=TODAY)
        yield "Giao cán bộ", lambda: AssignDialog(session, [case.uuid], window, numbers=[case.number])
        yield "Đính chính vụ việc", lambda: CorrectCaseDialog(session, current, window)
        yield "Đính chính người", lambda: CorrectPersonDialog(session, person, window)
        yield "Đính chính lượt tiếp", lambda: CorrectReceptionDialog(session, get_reception(db, reception.uuid), window)
        yield "Hoàn tác", lambda: UndoDialog(session, current, window)
        yield "Thêm ngày nghỉ", lambda: AddDayDialog(session, 2026, window)
        yield "Cán bộ", lambda: OfficerDialog(session, None, window)
        yield "Khai báo ban đầu", lambda: SetupWizard(open_database(Path(tempfile.mkdtemp()) / "n.sqlite"), window)
        yield "Xuất gói", lambda: ExportDialog(session, window)
        yield "Nhập gói", lambda: ImportDialog(session, window)
        yield "Khóa", lambda: KeyDialog(session, window)
        for extra in EXTRA:
            yield from extra(session, window, case)

    shapes = {}
    for name, make in dialogs():
        dialog = make()
        dialog.show()
        for _ in range(5):
            app.processEvents()
        g = dialog.geometry()
        shapes[name] = [g.x(), g.y(), g.width(), g.height()]
        dialog.done(0)
        dialog.deleteLater()
    out["dialogs"] = shapes
    print(json.dumps(out, ensure_ascii=False))
    QApplication.closeAllWindows()


def _more(session, window, case):
    """Dialogs of later features, when present."""
    try:
        from ui.dialogs.register_print import RegisterPrintDialog
    except ImportError:
        return
    yield "In sổ", lambda: RegisterPrintDialog(session, window)


def _help(session, window, case):
    try:
        from ui.dialogs.help import HelpDialog
    except ImportError:
        return
    yield "Trợ giúp", lambda: HelpDialog("vu-viec", window)


EXTRA = [_more, _help]

if __name__ == "__main__":
    main()
