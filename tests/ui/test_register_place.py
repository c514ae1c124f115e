"""Opening the register from the window: a last register that is gone is asked about (never
silently replaced by another), a temporary Windows profile is warned about, the computer's
shared folder is offered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.storage import folders
from desktop.storage.db import open_database
from desktop.storage.units import save_officer, save_unit
from ui import opening
from ui.settings import WindowState


def answer(*clicks: str, seen: list[str] | None = None, before=None) -> None:
    """Click, in order, the button labelled ``clicks[i]`` of each message box that opens; record
    each box's text in ``seen``; ``before(i)`` runs just before click ``i``. A window without such
    a button (today's code opened the wizard instead) is rejected, so the test fails, not hangs."""
    pending = list(clicks)

    def click() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, click)
            return
        label = pending.pop(0)
        if seen is not None:
            seen.append(box.text() if isinstance(box, QMessageBox) else type(box).__name__)
        if before:
            before(len(clicks) - len(pending) - 1)
        buttons = [b for b in box.buttons() if b.text() == label] if isinstance(box, QMessageBox) else []
        if buttons:
            buttons[0].click()
        else:
            box.reject()
        if pending:
            QTimer.singleShot(10, click)

    QTimer.singleShot(0, click)


def _register(path: Path) -> None:
    db = open_database(path)
    save_unit(db, code="12345", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    db.close()


def test_a_missing_last_register_is_asked_about_and_nothing_else_is_opened(qapp, tmp_path, isolated_folders):
    usb = tmp_path / "E" / "so-giai-trinh.sqlite"   # the stick came back as F:
    WindowState()[WindowState.last_register] = str(usb)
    seen: list[str] = []
    answer("Thoát", seen=seen)
    assert opening.open_register_interactive(None) is None
    assert len(seen) == 1 and str(usb) in seen[0] and "Không tìm thấy sổ" in seen[0]
    assert not (isolated_folders / "so-giai-trinh.sqlite").exists()   # no second register made
    assert WindowState()[WindowState.last_register] == str(usb)


def test_retry_opens_the_register_once_the_drive_is_back(qapp, tmp_path, isolated_folders):
    usb = tmp_path / "E" / "so-giai-trinh.sqlite"
    WindowState()[WindowState.last_register] = str(usb)
    plugged = tmp_path / "plugged.sqlite"
    _register(plugged)

    def plug_in(click: int) -> None:
        if click == 1:   # after the first "Thử lại" the drive is still missing; then it is back
            usb.parent.mkdir()
            plugged.rename(usb)

    seen: list[str] = []
    answer("Thử lại", "Thử lại", seen=seen, before=plug_in)
    session = opening.open_register_interactive(None)
    try:
        assert session is not None and Path(session.db.path) == usb
        assert len(seen) == 2
    finally:
        session.close()


def test_a_temporary_windows_profile_is_warned_about(qapp):
    temp = {"USERPROFILE": "C:\\Users\\TEMP", "LOCALAPPDATA": "C:\\Users\\TEMP\\AppData\\Local",
            "ProgramData": "C:\\ProgramData"}
    own = folders.default_register_path(temp, "win32")
    seen: list[str] = []
    answer("OK", seen=seen)
    assert opening.warn_temporary_profile(own, env=temp, platform="win32")
    assert "hồ sơ tạm thời" in seen[0] and str(own) in seen[0]
    shared = folders.shared_data_dir(temp, "win32") / "so-giai-trinh.sqlite"
    assert not opening.warn_temporary_profile(shared, env=temp, platform="win32")
    normal = {**temp, "USERPROFILE": "C:\\Users\\mai"}
    assert not opening.warn_temporary_profile(own, env=normal, platform="win32")


def test_the_shared_folder_offered_becomes_the_machines_setting(qapp, tmp_path):
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_DIRS": str(tmp_path / "xdg")}
    seen: list[str] = []
    answer("Dùng thư mục chung (nên chọn)", seen=seen)
    shared = tmp_path / "var-lib" / "SoGiaiTrinh"   # /var/lib/SoGiaiTrinh on a real Linux office PC
    assert opening.offer_shared_folder(env=env, platform="linux", shared=shared)
    assert "dùng chung" in seen[0] and str(shared) in seen[0]
    assert folders.uses_shared_folder(env, "linux")
    assert folders.data_dir(env, "linux") == shared and shared.is_dir()
    answer("Chỉ cho tài khoản này")
    assert not opening.offer_shared_folder(env={"HOME": "/h", "XDG_CONFIG_DIRS": str(tmp_path / "other")},
                                           platform="linux", shared=tmp_path / "other-shared")
    assert not (tmp_path / "other").exists()
