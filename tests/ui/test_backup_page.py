"""The backup page (issue #17, item 8): "Sao lưu ngay" writes a checked, encrypted backup and lists
it; the day's backup is made on its own; a restore is chosen by a leader or the administrator who
types the password again, checked at once and done at the next start; a damaged backup, a wrong
password or a role that may not restore changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.security import accounts, files
from desktop.storage import backup
from desktop.storage.db import open_database

PASSWORD = "so cua xa phai that an toan"  # typed key by key: QTest types ASCII only


@pytest.fixture
def keyed(db, office):
    """The office's register with real accounts: an administrator (who made the register key), a
    leader and a reception clerk, all with passwords; the leader logged in."""
    db.principal = None
    with db.write():
        db.execute("DELETE FROM accounts")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
    accounts.create_account(db, login="chutich", password=PASSWORD, role="leader", officer_uuid=office["head"].uuid)
    accounts.create_account(db, login="vanthu", password=PASSWORD, role="reception",
                            officer_uuid=office["clerk"].uuid)
    accounts.login_user(db, "chutich", PASSWORD)
    return db


@pytest.fixture
def page(qtbot, session, keyed):
    from ui.views.settings_backup import BackupSettings

    view = BackupSettings(session)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    return view


def make(qtbot, view) -> Path:
    from ui.views.settings_backup import backup_folder

    task = view.backup_now()
    with qtbot.waitSignal(task.done, timeout=30_000):
        pass
    return backup.list_backups(backup_folder(view.session), view.session.path.stem)[0].path


def choose(qtbot, view, path: Path, password: str):
    """Select ``path`` in the list, press "Khôi phục bản đã chọn…", type the password, press Enter."""
    view.reload()
    row = next(i for i in range(view.list.count()) if view.list.item(i).data(Qt.ItemDataRole.UserRole) == str(path))
    view.list.setCurrentRow(row)
    assert view.restore_button.isEnabled()
    qtbot.mouseClick(view.restore_button, Qt.MouseButton.LeftButton)
    dialog = view.restore_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    return dialog


def test_backup_now_is_encrypted_and_a_chosen_restore_happens_at_the_next_start(qtbot, session, page, tmp_path):
    from ui.views.settings_backup import RESTORE_SUFFIX, apply_pending_restore, backup_folder

    made = make(qtbot, page)
    assert page.list.count() == 1 and "sao lưu thủ công" in page.list.item(0).text()
    assert "(mã hóa)" in page.list.item(0).text() and made.suffix == ".gtbk" and files.is_encrypted(made)
    assert made.parent == backup_folder(session) and not list(made.parent.glob("*.partial"))
    # Something typed after the backup, then the leader chooses to go back to it.
    session.db.set_setting("ghi_sau_sao_luu", "1")
    dialog = choose(qtbot, page, made, PASSWORD)
    marker = session.path.with_name(session.path.name + RESTORE_SUFFIX)
    qtbot.waitUntil(marker.exists, timeout=30_000)
    assert not dialog.isVisible() and "đóng chương trình" in page.status.text()
    path = session.path
    session.tasks.wait()
    session.db.close()
    assert apply_pending_restore(path) == made and not marker.exists()
    assert not list(path.parent.glob("*.khoi-phuc*")), "the clear copy outlived the restore"
    db = open_database(path, create=False)
    try:
        assert db.get_setting("ghi_sau_sao_luu") is None
    finally:
        db.close()
    safety = [b for b in backup.list_backups(made.parent, path.stem) if b.reason == "before-restore"]
    assert len(safety) == 1 and safety[0].sealed and files.is_encrypted(safety[0].path)
    session.db = open_database(path, create=False)  # the fixture closes it


def test_a_wrong_password_or_a_damaged_backup_changes_nothing(qtbot, session, page):
    from ui.views.settings_backup import RESTORE_SUFFIX

    made = make(qtbot, page)
    marker = session.path.with_name(session.path.name + RESTORE_SUFFIX)
    dialog = choose(qtbot, page, made, "khong phai mat khau")
    qtbot.waitUntil(lambda: dialog.task is None, timeout=30_000)   # checked on a worker (issue #20)
    assert dialog.isVisible() and "không đúng" in dialog.errors.general.text() and not marker.exists()
    dialog.reject()
    data = bytearray(made.read_bytes())
    data[len(data) // 2] ^= 0x20      # one bit flipped on the USB stick
    made.write_bytes(bytes(data))
    dialog = choose(qtbot, page, made, PASSWORD)
    qtbot.waitUntil(lambda: "bị hỏng" in dialog.errors.general.text(), timeout=30_000)
    assert dialog.isVisible() and not marker.exists()
    assert not list(session.path.parent.glob("*.khoi-phuc*"))
    dialog.reject()


def test_who_may_restore(qtbot, session, keyed, tmp_path):
    from ui.views.settings_backup import BackupSettings, RESTORE_SUFFIX, backup_folder

    # An old unencrypted backup, as versions before this one wrote it.
    old = backup.make_backup(keyed.conn, session.path, backup_folder(session), sealer=None,
                             now=__import__("datetime").datetime(2026, 1, 5, 9, 0))
    accounts.login_user(keyed, "vanthu", PASSWORD)
    clerk_page = BackupSettings(session)
    qtbot.addWidget(clerk_page)
    clerk_page.list.setCurrentRow(0)
    assert clerk_page.now.isEnabled() and not clerk_page.restore_button.isEnabled()
    accounts.login_user(keyed, "chutich", PASSWORD)
    leader_page = BackupSettings(session)
    qtbot.addWidget(leader_page)
    leader_page.show()
    dialog = choose(qtbot, leader_page, old, PASSWORD)
    qtbot.waitUntil(lambda: dialog.task is None, timeout=30_000)   # checked on a worker (issue #20)
    assert "không được khôi phục sổ từ bản sao lưu cũ không mã hóa" in dialog.errors.general.text()
    dialog.reject()
    accounts.login_user(keyed, "quantri", PASSWORD)
    admin_page = BackupSettings(session)
    qtbot.addWidget(admin_page)
    admin_page.show()
    choose(qtbot, admin_page, old, PASSWORD)
    qtbot.waitUntil(session.path.with_name(session.path.name + RESTORE_SUFFIX).exists, timeout=30_000)


def test_the_days_backup_is_made_once(qtbot, session, keyed):
    from ui.views.settings_backup import backup_folder, schedule_daily

    folder = backup_folder(session)
    assert backup.due_today(folder, session.path.stem)
    timer = schedule_daily(session)
    qtbot.waitUntil(lambda: not backup.due_today(folder, session.path.stem), timeout=30_000)
    session.tasks.wait()
    timer.stop()
    kinds = [b.reason for b in backup.list_backups(folder, session.path.stem)]
    assert kinds == ["daily"]
    made = backup.list_backups(folder, session.path.stem)[0]
    assert date.today() == made.taken_at.date() and made.sealed


def test_the_next_start_says_the_register_was_restored(qtbot, session, page, answer_login):
    """The restore happens at the next start, before the register opens: the leader is told so
    once, naming the backup (it used to be written only to the log)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui import opening
    from ui.views.settings_backup import RESTORE_SUFFIX

    made = make(qtbot, page)
    choose(qtbot, page, made, PASSWORD)
    marker = session.path.with_name(session.path.name + RESTORE_SUFFIX)
    qtbot.waitUntil(marker.exists, timeout=30_000)
    path = session.path
    session.tasks.wait()
    session.db.close()
    seen: list[str] = []

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(10, poll)

    answer_login("chutich", PASSWORD)
    QTimer.singleShot(0, poll)
    reopened = opening.open_register_interactive(path)
    try:
        assert reopened is not None and not marker.exists()
        assert len(seen) == 1 and "khôi phục" in seen[0] and made.name in seen[0]
    finally:
        reopened.close()
    session.db = open_database(path, create=False)  # the fixture closes it


def test_closing_backs_up_off_the_ui_thread_and_only_when_changed(qtbot, session, keyed, tmp_path):
    """The backup on close runs while the window keeps processing events (at a million cases it
    takes minutes: the window must not freeze, issue #20), and is not made again when nothing
    changed since the newest backup."""
    from PySide6.QtCore import QTimer

    from desktop.workflow.receive import CaseInput, PersonInput, receive_case
    from ui.main_window import MainWindow
    from ui.views.settings_backup import BACKUP_KEY

    folder = tmp_path / "sao-luu"
    session.db.set_setting(BACKUP_KEY, str(folder))

    def close_window() -> list[int]:
        window = MainWindow(session)
        qtbot.addWidget(window)
        seen: list[int] = []   # how many backups existed when the event loop first turned
        QTimer.singleShot(0, lambda: seen.append(len(backup.list_backups(folder, session.path.stem))))
        window.close()
        qtbot.waitUntil(lambda: bool(seen))
        return seen

    assert close_window() == [0]                      # the loop turned before the backup was in place
    assert [b.reason for b in backup.list_backups(folder, session.path.stem)] == ["close"]
    made = backup.list_backups(folder, session.path.stem)[0].path
    written = made.stat().st_mtime_ns
    close_window()                                    # nothing changed: nothing copied again
    assert backup.list_backups(folder, session.path.stem)[0].path == made and made.stat().st_mtime_ns == written
    receive_case(session.db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Trước khi đóng",
                                       requesters=[PersonInput("Người cuối ngày")]), today=date(2026, 11, 23))
    assert backup.unchanged_since(session.db.conn, session.path, folder) is None
    close_window()                                    # a change: copied (a new name, or the same second's)
    assert backup.unchanged_since(session.db.conn, session.path, folder) is not None


def test_the_restore_checks_the_password_off_the_gui_thread(qtbot, session, page, monkeypatch):
    """argon2 is slow on purpose: the password typed again is checked on a worker while the window
    keeps working, Enter and Escape pressed meanwhile do nothing, and the restore goes on after."""
    import threading

    from PySide6.QtCore import QTimer

    from desktop.security import passwords
    from ui.views.settings_backup import RESTORE_SUFFIX

    made = make(qtbot, page)
    real, threads, release = passwords.verify_password, [], threading.Event()

    def slow_verify(stored, typed):
        threads.append(threading.get_ident())
        release.wait(10)
        return real(stored, typed)

    monkeypatch.setattr(passwords, "verify_password", slow_verify)
    ticks: list = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        dialog = choose(qtbot, page, made, PASSWORD)
        qtbot.waitUntil(lambda: bool(threads))
        count = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) > count + 3)   # the window works while the password is checked
        assert dialog.task is not None and not dialog.ok.isEnabled()
        dialog.submit()                                  # Enter again: one check
        dialog.reject()                                  # Escape: the dialog waits for the answer
        assert dialog.isVisible() and len(threads) == 1
    finally:
        release.set()
        timer.stop()
    qtbot.waitUntil(session.path.with_name(session.path.name + RESTORE_SUFFIX).exists, timeout=30_000)
    assert threading.get_ident() not in threads and session.db.principal.login == "chutich"
