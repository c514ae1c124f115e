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


def test_a_large_register_is_written_by_the_helper_process_started_from_the_worker(qtbot, session, window, tmp_path,
                                                                                  monkeypatch):
    """From ``HELPER_ROWS`` rows the import starts the bulk path's helper process from the worker
    thread (as a 10,000-row register does); the wizard reports it as any import."""
    from desktop.workflow import bulk
    from desktop.workflow.old_register import importer
    from ui.dialogs.old_register_dialog import OldRegisterWizard

    monkeypatch.setattr(importer, "HELPER_ROWS", 50)
    monkeypatch.setattr(importer, "HELPER_BATCH", 20)
    helpers = []
    real_writer = bulk._Writer

    def writer(*args, **kw):
        w = real_writer(*args, **kw)
        helpers.append(w.pool is not None)
        return w

    monkeypatch.setattr(bulk, "_Writer", writer)
    path = samples.write_xlsx(tmp_path / "so-lon.xlsx", samples.large_rows(60, today=session.today()), merged_date_rows=None)
    w = OldRegisterWizard(session, window)
    qtbot.addWidget(w)
    w.show()
    w.file_page.path.setText(str(path))
    w.file_page.load()
    qtbot.waitUntil(w.file_page.isComplete, timeout=10000)
    w.next()
    w.next()
    qtbot.waitUntil(w.preview_page.isComplete, timeout=10000)
    assert "Sẽ nhập: 60" in w.preview_page.counts.text()
    w.next()
    ip = w.import_page
    with qtbot.waitSignal(session.changed, timeout=60000):
        ip.start.click()
    qtbot.waitUntil(ip.isComplete, timeout=60000)
    assert ip.result.text().startswith("Đã nhập 60 vụ việc") and helpers == [True]
    assert session.db.scalar("SELECT count(*) FROM cases") == 60
    w.close()
