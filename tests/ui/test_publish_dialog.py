"""The public-notice dialog: preview shows what is hidden; making writes the files and records it."""

from __future__ import annotations

from datetime import date

from desktop.storage.persons import save_person
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, receive_case


def test_preview_then_make(qtbot, session, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    from ui.dialogs.publish_dialog import PublishDialog

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    db = session.db
    p = save_person(db, full_name="Nguyễn Văn An", id_number="001203012345")
    c = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 1, 5), requesters=[p.uuid],
                                   summary="Ông Nguyễn Văn An kiến nghị sửa đường"),
                     today=date(2026, 3, 2))
    act(db, c.uuid, "accept", effective_on=date(2026, 1, 6), today=date(2026, 3, 2))
    act(db, c.uuid, "reply", effective_on=date(2026, 2, 2), today=date(2026, 3, 2))
    dlg = PublishDialog(session)
    qtbot.addWidget(dlg)
    dlg.period.setText("02/2026")
    dlg.folder.setText(str(tmp_path / "ck"))
    assert dlg.preview()   # read on a worker
    qtbot.waitUntil(lambda: dlg.previewing is None)
    text = dlg.text.toPlainText()
    assert "1 vụ việc" in text and "Ông [đã ẩn] kiến nghị sửa đường" in text and "“Nguyễn Văn An”" in text
    assert dlg.make()      # on the writer
    qtbot.waitUntil(lambda: dlg.pending is None)
    assert "Đã lập thông báo công khai 1 vụ việc" in dlg.message.text()
    assert (tmp_path / "ck" / "cong-khai-20260201-20260228.html").exists()
    assert db.scalar("SELECT published_on FROM cases WHERE uuid = ?", (c.uuid,)) == "2026-03-02"
    dlg.period.setText("quý 5")
    assert not dlg.make()  # refused before anything is sent
    assert "không hợp lệ" in dlg.message.text()
