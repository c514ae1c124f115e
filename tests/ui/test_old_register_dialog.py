"""The old-register wizard: file → mapping → preview (with a dry run) → import, on the worker."""

from __future__ import annotations

import os
from pathlib import Path

from desktop.workflow.old_register import samples


def test_wizard_imports_an_old_register_and_finds_it_again(qtbot, session, window, tmp_path):
    from PySide6.QtWidgets import QWizard

    from ui.dialogs.old_register_dialog import OldRegisterWizard

    qtbot.waitUntil(lambda: "&Hồ sơ" in [a.text() for a in window.menuBar().actions()])
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Hồ sơ")
    assert any(a.text().startswith("Nhập sổ cũ") for a in menu.actions())

    path = samples.write_xlsx(tmp_path / "so-2024.xlsx")
    w = OldRegisterWizard(session, window)
    qtbot.addWidget(w)
    w.show()
    page = w.file_page
    page.path.setText(str(path))
    page.load()
    qtbot.waitUntil(page.isComplete, timeout=10000)
    assert "Đã đọc 12 dòng" in page.info.text() and "3 vùng ô gộp" in page.info.text()
    w.next()
    mp = w.mapping_page
    assert "Dòng tiêu đề: dòng 4" in mp.note.text() and mp.isComplete()
    assert mp.boxes[2].currentText() == "C — Họ và tên"
    if os.environ.get("GIAITRINH_SHOTS"):
        w.grab().save(str(Path(os.environ["GIAITRINH_SHOTS"]) / "old-register-mapping.png"))
    mp.boxes[2].setCurrentIndex(0)  # unmapping a required field blocks the next step
    assert not mp.isComplete()
    mp.boxes[2].setCurrentIndex(mp.boxes[2].findData(2))
    w.next()
    pv = w.preview_page
    qtbot.waitUntil(pv.isComplete, timeout=10000)
    assert "Sẽ nhập: 4" in pv.counts.text()
    texts = [pv.table.item(r, 2).text() for r in range(pv.table.rowCount())]
    assert any("khôi phục thành 001203012345" in t for t in texts)
    pv.dry.click()
    qtbot.waitUntil(lambda: "Chạy thử" in pv.dry_result.text(), timeout=10000)
    assert session.db.scalar("SELECT count(*) FROM cases") == 0
    if os.environ.get("GIAITRINH_SHOTS"):
        w.grab().save(str(Path(os.environ["GIAITRINH_SHOTS"]) / "old-register-preview.png"))
    w.next()
    ip = w.import_page
    with qtbot.waitSignal(session.changed, timeout=15000):
        ip.start.click()
    qtbot.waitUntil(ip.isComplete, timeout=10000)
    assert ip.result.text().startswith("Đã nhập 4 vụ việc")
    assert session.db.scalar("SELECT count(*) FROM cases") == 4
    assert w.button(QWizard.WizardButton.FinishButton).isVisible()
    w.close()

    again = OldRegisterWizard(session, window)  # the same file again: remembered layout, nothing new
    qtbot.addWidget(again)
    again.show()
    again.file_page.path.setText(str(path))
    again.file_page.load()
    qtbot.waitUntil(again.file_page.isComplete, timeout=10000)
    again.next()
    assert "đã lưu" in again.mapping_page.note.text()
    again.next()
    qtbot.waitUntil(again.preview_page.isComplete, timeout=10000)
    assert "Đã nhập trước đây: 4" in again.preview_page.counts.text()
