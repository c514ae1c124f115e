"""The case view's attachments tab: files dropped or chosen are attached on the worker and listed."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktop.storage.persons import save_person
from desktop.workflow.receive import CaseInput, receive_case


def test_dropped_files_are_attached_listed_and_chained(qtbot, window, session, tmp_path):
    db = session.db
    p = save_person(db, full_name="Trần Thị Đức")
    case = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Kiến nghị sửa đường",
                                      requesters=[p.uuid]), today=date(2026, 3, 2))
    window.open_case(case.uuid)
    view = window.case_page
    panel = view.attachments
    view.tabs.setCurrentWidget(panel)
    assert panel.table.rowCount() == 0 and not panel.open_button.isEnabled()
    files = []
    for name, data in (("don-trang-1.jpg", b"\xff\xd8\xff" + b"1" * 500), ("don.pdf", b"%PDF-1.4 x"),
                       ("rong.png", b"")):
        f = tmp_path / name
        f.write_bytes(data)
        files.append(f)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    errors = []
    import ui.widgets.attachments_panel as module

    module_show = module.show_user_error
    module.show_user_error = lambda parent, exc: errors.append(exc.message)
    try:
        with qtbot.waitSignal(panel.attached, timeout=10000) as blocker:
            panel.dropEvent(event)
    finally:
        module.show_user_error = module_show
    assert blocker.args == [2] and errors and "rỗng" in errors[0]
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2)
    assert panel.table.item(0, 0).text() == "don-trang-1.jpg" and panel.open_button.isEnabled()
    labels = [view.events.data(view.events.index(r, 2)) for r in range(view.events.rowCount())]
    assert "Đính kèm tài liệu" in " ".join(str(x) for x in labels) or db.scalar(
        "SELECT count(*) FROM events WHERE action = 'attach'") == 2
    if os.environ.get("GIAITRINH_SHOTS"):
        window.grab().save(str(Path(os.environ["GIAITRINH_SHOTS"]) / "case-attachments.png"))
