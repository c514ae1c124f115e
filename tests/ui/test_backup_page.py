"""The backup page (issue #17, item 8): "Sao lưu ngay" writes a checked backup and lists it; the
day's backup is made on its own; a restore chosen in the window is done at the next start."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from desktop.storage import backup
from desktop.storage.db import open_database


def test_backup_now_lists_it_and_a_chosen_restore_happens_at_the_next_start(qtbot, session, tmp_path):
    from ui.views.settings_backup import BackupSettings, apply_pending_restore, backup_folder

    view = BackupSettings(session)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    task = view.backup_now()
    with qtbot.waitSignal(task.done, timeout=30_000):
        pass
    assert view.list.count() == 1 and "sao lưu thủ công" in view.list.item(0).text()
    made = backup.list_backups(backup_folder(session), session.path.stem)[0].path
    assert made.parent == backup_folder(session) and not list(made.parent.glob("*.partial"))
    view.grab().save(str(tmp_path / "trang-sao-luu.png"))
    # Something typed after the backup, then the clerk chooses to go back to it.
    session.db.set_setting("ghi_sau_sao_luu", "1")
    view.list.setCurrentRow(0)
    marker = view.restore_selected(confirm=False)
    assert marker is not None and marker.exists() and "đóng chương trình" in view.status.text()
    path = session.path
    session.tasks.wait()
    session.db.close()
    assert apply_pending_restore(path) == made and not marker.exists()
    db = open_database(path, create=False)
    try:
        assert db.get_setting("ghi_sau_sao_luu") is None
    finally:
        db.close()
    assert any("before-restore" in b.path.name for b in backup.list_backups(made.parent, path.stem))
    session.db = open_database(path, create=False)  # the fixture closes it


def test_the_days_backup_is_made_once(qtbot, session):
    from ui.views.settings_backup import backup_folder, schedule_daily

    folder = backup_folder(session)
    assert backup.due_today(folder, session.path.stem)
    timer = schedule_daily(session)
    qtbot.waitUntil(lambda: not backup.due_today(folder, session.path.stem), timeout=30_000)
    session.tasks.wait()
    timer.stop()
    kinds = [b.reason for b in backup.list_backups(folder, session.path.stem)]
    assert kinds == ["daily"]
    assert date.today() == backup.list_backups(folder, session.path.stem)[0].taken_at.date()
    assert isinstance(folder, Path)
