"""The sync keys' passphrase is asked in the window, never read from an environment variable
(issue #17 item 10, #15 item 11): keys made with a typed passphrase are unlocked in a dialog and
then moved to the sealed passphrase; a first passphrase is typed twice and a weak one refused."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.security import accounts, keyring
from desktop.storage.units import save_unit
from desktop.sync import keys
from tests.desktop.sync.conftest import Data, make_register

TODAY = date(2026, 3, 2)
PASSWORD = "so cua xa phai that an toan"   # typed key by key: QTest types ASCII only
TYPED = "cay tre xanh ben bo song"
PROVINCE = "cum mat khau cua tinh thu"


@pytest.fixture
def province(tmp_path, monkeypatch):
    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", PROVINCE)
    tinh = make_register(tmp_path / "tinh.sqlite", code="01", name="UBND tỉnh Thử", mode="province")
    keys.ensure_keys(tinh)
    content = keys.key_file_content(tinh)
    tinh.close()
    monkeypatch.delenv("GIAITRINH_KEY_PASSPHRASE")   # from here on, only what the window asks
    return keys.parse_key_file(content)


def commune(db, province, *, typed: bool):
    """A commune register; ``typed``: its administrator made the register key and its sync keys were
    made with a typed passphrase by an earlier version; else an administrator without the sealing key."""
    from desktop.storage import units as units_repo

    save_unit(db, code="00001", name="UBND xã Thụy Hùng", level="commune", make_local=True, mode="commune")
    units_repo.save_unit(db, code="01", name="UBND tỉnh Thử", level="province")
    if typed:
        accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
        keys.ensure_keys(db, TYPED)
    else:
        accounts.assume_role(db, "admin", login="quantri", password=PASSWORD)
    keys.import_key_file(db, province)
    Data(db).populate(2)
    from ui.session import Session

    return Session(db, today=TODAY)


def dispose(session) -> None:
    """Close a session made here and free its Qt side now, on the GUI thread, as the ``session``
    fixture does: left to the garbage collector it may be freed on a worker's thread, and its
    timers then crashed the next test that made a window (QTimerInfoList::activateTimers)."""
    from shiboken6 import Shiboken

    session.close()
    if Shiboken.isValid(session):
        Shiboken.delete(session)


def modal():
    return QApplication.activeModalWidget()


def type_and_enter(qtbot, edit, text):
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_typed_keys_are_asked_in_a_dialog_then_sealed(qtbot, qapp, db, province, tmp_path):
    from ui.dialogs.passphrase_dialog import PassphraseDialog
    from ui.dialogs.sync_dialogs import ExportDialog

    session = commune(db, province, typed=True)
    fingerprint = keys.own_key(db, "signing").fingerprint
    seen = {}
    dialog = ExportDialog(session)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path))

    def answer_offer():
        box = modal()
        if not isinstance(box, QMessageBox):   # the passphrase is still being checked on a worker
            QTimer.singleShot(10, answer_offer)
            return
        seen["offer"] = box.text()
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)

    def unlock():
        ask = modal()
        assert isinstance(ask, PassphraseDialog) and not ask.new and not ask.confirm.isVisible()
        seen["title"] = ask.windowTitle()
        type_and_enter(qtbot, ask.passphrase, "khong phai cum nay")
        qtbot.waitUntil(lambda: ask.pending is None, timeout=10_000)   # checked on a worker (scrypt)
        seen["wrong"] = ask.errors.general.text() + ask.errors.fields["passphrase"][1].text()
        QTimer.singleShot(0, answer_offer)
        type_and_enter(qtbot, ask.passphrase, TYPED)

    QTimer.singleShot(0, unlock)
    with qtbot.waitSignal(dialog.exported, timeout=20_000):
        qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)
    assert seen["title"] == "Mở khóa đồng bộ của sổ" and "không đúng" in seen["wrong"]
    assert "không cần gõ cụm mật khẩu" in seen["offer"]
    assert keyring.state(db) == "sealed" and keys.own_key(db, "signing").fingerprint == fingerprint
    assert "biến môi trường" not in dialog.message.text()
    # Next time: nothing asked, the login unlocks the keys.
    with qtbot.waitSignal(dialog.exported, timeout=20_000):
        qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)
    dispose(session)


def test_a_first_passphrase_is_typed_twice_and_a_weak_one_refused(qtbot, qapp, db, province, tmp_path):
    from ui.dialogs.passphrase_dialog import PassphraseDialog
    from ui.dialogs.sync_dialogs import ExportDialog

    session = commune(db, province, typed=False)
    assert keyring.state(db) == "none"
    seen = {}
    dialog = ExportDialog(session)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path))

    def set_first():
        ask = modal()
        assert isinstance(ask, PassphraseDialog) and ask.new
        seen["title"] = ask.windowTitle()
        qtbot.keyClicks(ask.passphrase, "123456")
        qtbot.keyClick(ask.passphrase, Qt.Key.Key_Tab)
        type_and_enter(qtbot, ask.confirm, "123456")
        seen["weak"] = ask.errors.fields["passphrase"][1].text()
        type_and_enter(qtbot, ask.passphrase, TYPED)
        ask.confirm.clear()
        type_and_enter(qtbot, ask.confirm, TYPED + "x")
        seen["mismatch"] = ask.errors.fields["confirm"][1].text()
        ask.confirm.clear()
        type_and_enter(qtbot, ask.confirm, TYPED)

    QTimer.singleShot(0, set_first)
    with qtbot.waitSignal(dialog.exported, timeout=20_000):
        qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)
    assert seen["title"] == "Đặt cụm mật khẩu bảo vệ khóa"
    assert "quá ngắn" in seen["weak"] and "không giống nhau" in seen["mismatch"]
    assert keyring.state(db) == "typed" and keys.private_key(db, "signing", TYPED) is not None
    dispose(session)


def test_cancelling_asks_nothing_else_and_names_no_variable(qtbot, qapp, db, province, tmp_path):
    from ui.dialogs.sync_dialogs import ExportDialog

    session = commune(db, province, typed=True)
    dialog = ExportDialog(session)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path))
    QTimer.singleShot(0, lambda: qtbot.keyClick(modal(), Qt.Key.Key_Escape))
    qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)
    assert dialog.button.isEnabled() and dialog.task is None and "biến" not in dialog.message.text()
    assert keyring.state(db) == "typed"
    dispose(session)


def test_the_typed_passphrase_is_checked_off_the_gui_thread(qtbot, qapp, db, province, monkeypatch):
    """scrypt is slow on purpose: the passphrase is checked on a worker while the window keeps
    working; Enter and Escape meanwhile do nothing; the dialog is accepted once it is right."""
    import threading

    from ui.dialogs.passphrase_dialog import PassphraseDialog

    session = commune(db, province, typed=True)
    real, threads, release = keyring.check_typed, [], threading.Event()

    def slow_check(on, typed):
        threads.append(threading.get_ident())
        release.wait(10)
        return real(on, typed)

    monkeypatch.setattr(keyring, "check_typed", slow_check)
    ask = PassphraseDialog(db, new=False)
    qtbot.addWidget(ask, before_close_func=lambda w: w.done(0))
    ask.show()
    ticks: list = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        ask.passphrase.setText(TYPED)
        assert ask.submit()
        qtbot.waitUntil(lambda: bool(threads))
        count = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) > count + 3)   # the window works while scrypt runs
        assert not ask.submit() and not ask.ok.isEnabled()
        ask.reject()
        assert ask.isVisible() and len(threads) == 1
        with qtbot.waitSignal(ask.accepted, timeout=10_000):
            release.set()
    finally:
        release.set()
        timer.stop()
    assert threading.get_ident() not in threads
    dispose(session)


def _held_writer(session, ticks: list, seen: dict):
    """Hold the session's writer with a save that waits, and release it from the window's event
    loop 400 ms later, noting what the person saw meanwhile: returns the release event."""
    import threading

    release = threading.Event()
    session.writer.save(lambda db: release.wait(10))
    start = len(ticks)

    def look() -> None:
        busy = modal()
        seen["busy"] = busy.label.text() if busy is not None and hasattr(busy, "label") else None
        seen["ticked"] = len(ticks) - start
        if busy is not None:
            busy.reject()   # Escape while the write waits: it goes on, the dialog stays
        seen["still_shown"] = busy is not None and busy.isVisible()
        release.set()

    QTimer.singleShot(400, look)
    return release


def _on_threads(monkeypatch, name: str) -> list:
    """Note the thread ``keyring.<name>`` runs on."""
    import threading

    real, threads = getattr(keyring, name), []

    def noted(*args, **kwargs):
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(keyring, name, noted)
    return threads


def test_the_first_sealed_passphrase_is_written_on_the_writer(qtbot, qapp, db, province, monkeypatch, ticks):
    """An administrator holding the sealing key, no keys yet: the random passphrase is sealed and
    kept by the writer while the window paints, "Đang tạo…" shown over it (issue #20, item 1)."""
    import threading

    from ui.dialogs.passphrase_dialog import sync_passphrase

    session = commune(db, province, typed=False)
    db.execute("DELETE FROM accounts")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
    session.signed_in()
    assert keyring.state(db) == "none" and keyring.can_seal(db)
    threads, seen = _on_threads(monkeypatch, "ensure_passphrase"), {}
    release = _held_writer(session, ticks, seen)
    try:
        value = sync_passphrase(session, None)
    finally:
        release.set()
    assert seen["busy"] == "Đang tạo cụm mật khẩu của khóa đồng bộ…" and seen["still_shown"]
    assert seen["ticked"] > 10   # the window kept working while the writer was busy
    assert threads and threading.get_ident() not in threads
    assert keyring.state(db) == "sealed" and keyring.passphrase(db) == value and modal() is None
    dispose(session)


def test_moving_typed_keys_to_the_sealed_passphrase_runs_on_the_writer(qtbot, qapp, db, province, monkeypatch, ticks):
    import threading

    from ui.dialogs.passphrase_dialog import offer_sealing

    session = commune(db, province, typed=True)
    accounts.login_user(db, "quantri", PASSWORD)
    session.signed_in()
    fingerprint = keys.own_key(db, "signing").fingerprint
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    threads, seen = _on_threads(monkeypatch, "adopt_sealed"), {}
    release = _held_writer(session, ticks, seen)
    try:
        value = offer_sealing(session, TYPED, None)
    finally:
        release.set()
    assert seen["busy"].startswith("Đang chuyển khóa đồng bộ") and seen["ticked"] > 10
    assert threads and threading.get_ident() not in threads
    assert keyring.state(db) == "sealed" and keyring.passphrase(db) == value != TYPED
    assert keys.own_key(db, "signing").fingerprint == fingerprint
    dispose(session)


def test_a_move_refused_on_the_writer_keeps_the_typed_keys_and_says_why(qtbot, qapp, db, province, monkeypatch):
    from desktop.errors import UserError
    from ui.dialogs.passphrase_dialog import offer_sealing

    session = commune(db, province, typed=True)
    accounts.login_user(db, "quantri", PASSWORD)
    session.signed_in()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: warned.append(text)))

    def full_disk(on, typed):   # writes half, then the disk is full
        with on.write():
            on.execute("INSERT INTO settings(key, value) VALUES ('half', 'written')")
            raise UserError("disk_full", "Ổ đĩa đã đầy nên không ghi được.")

    monkeypatch.setattr(keyring, "adopt_sealed", full_disk)
    assert offer_sealing(session, TYPED, None) == TYPED
    assert warned == ["Ổ đĩa đã đầy nên không ghi được."]
    assert keyring.state(db) == "typed" and db.get_setting("half") is None
    dispose(session)
