"""Where the register lives: the computer's shared folder where chosen, resolved from simulated
Windows and Linux environments (every function takes ``env`` and ``platform``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.storage import folders

ROOT = Path(__file__).resolve().parents[3]

WINDOWS = {
    "USERPROFILE": "C:\\Users\\mai", "LOCALAPPDATA": "C:\\Users\\mai\\AppData\\Local",
    "APPDATA": "C:\\Users\\mai\\AppData\\Roaming", "ProgramData": "C:\\ProgramData",
}


def _win(**changes) -> dict[str, str]:
    return {**WINDOWS, **changes}


def test_windows_without_a_machine_setting_uses_the_users_own_folder():
    env = _win(ProgramData="Z:\\no-such-folder-here")   # nothing to read: no machine setting
    assert str(folders.data_dir(env, "win32")) == "C:\\Users\\mai\\AppData\\Local\\SoGiaiTrinh"
    assert str(folders.shared_data_dir(env, "win32")) == "Z:\\no-such-folder-here\\SoGiaiTrinh"
    assert str(folders.machine_config_path(env, "win32")) == "Z:\\no-such-folder-here\\SoGiaiTrinh\\giaitrinh.ini"
    assert not folders.uses_shared_folder(env, "win32")


def test_the_machine_setting_written_by_the_installer_gives_every_user_one_register(tmp_path):
    # The INI as the installer writes it ([INI] section of giaitrinh.iss: a BOM, %ProgramData%).
    # Read through the Linux location here (this machine cannot open "C:\\..."), with the same text.
    program_data = tmp_path / "ProgramData"
    config = tmp_path / "xdg" / "SoGiaiTrinh" / "giaitrinh.ini"
    config.parent.mkdir(parents=True)
    config.write_bytes("\ufeff[data]\nfolder = %PROGRAMDATA%/SoGiaiTrinh\n".encode("utf-8"))
    registers = set()
    for user in ("mai", "hung"):   # two Windows accounts on the office PC
        env = {"HOME": f"/home/{user}", "XDG_CONFIG_DIRS": str(tmp_path / "xdg"), "ProgramData": str(program_data)}
        assert folders.uses_shared_folder(env, "linux")
        registers.add(folders.default_register_path(env, "linux"))
    assert registers == {program_data / "SoGiaiTrinh" / "so-giai-trinh.sqlite"}


def test_windows_paths_in_the_setting_are_expanded_case_blind():
    assert folders.expand("%programdata%\\SoGiaiTrinh", WINDOWS) == "C:\\ProgramData\\SoGiaiTrinh"
    assert folders.expand("%NOT_SET%\\x", WINDOWS) == "%NOT_SET%\\x"


def test_linux_keeps_the_xdg_default_and_honours_the_same_setting(tmp_path):
    env = {"HOME": "/home/mai", "XDG_CONFIG_DIRS": str(tmp_path / "etc-xdg")}
    assert folders.data_dir(env, "linux") == Path("/home/mai/.local/share/SoGiaiTrinh")
    assert folders.data_dir({**env, "XDG_DATA_HOME": "/data/mai"}, "linux") == Path("/data/mai/SoGiaiTrinh")
    shared = tmp_path / "srv" / "so"
    written = folders.choose_machine_data_dir(shared, env, "linux")
    assert written == tmp_path / "etc-xdg" / "SoGiaiTrinh" / "giaitrinh.ini"
    assert folders.data_dir(env, "linux") == shared and shared.is_dir()
    assert folders.data_dir({**env, "GIAITRINH_DATA_DIR": "/mnt/usb/so"}, "linux") == Path("/mnt/usb/so")


def test_a_machine_setting_the_user_may_not_write_is_a_vietnamese_message(tmp_path):
    blocker = tmp_path / "etc-xdg"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(UserError) as info:
        folders.choose_machine_data_dir(tmp_path / "shared", {"XDG_CONFIG_DIRS": str(blocker)}, "linux")
    assert info.value.code == "machine_setting_denied" and "quyền" in info.value.message


def test_a_broken_machine_setting_falls_back_to_the_users_folder(tmp_path):
    (tmp_path / "SoGiaiTrinh").mkdir()
    (tmp_path / "SoGiaiTrinh" / "giaitrinh.ini").write_text("folder without a section")
    env = {"HOME": "/home/mai", "XDG_CONFIG_DIRS": str(tmp_path)}
    assert folders.data_dir(env, "linux") == Path("/home/mai/.local/share/SoGiaiTrinh")


@pytest.mark.parametrize("profile, temporary", [
    ("C:\\Users\\TEMP", True), ("C:\\Users\\TEMP.MAY-XA", True), ("C:\\Users\\temp.UBND.001", True),
    ("C:\\Users\\mai", False), ("C:\\Users\\Temperance", False), ("", False),
])
def test_a_temporary_windows_profile_is_recognised(profile, temporary):
    assert folders.temporary_profile(_win(USERPROFILE=profile), "win32") is temporary
    assert folders.temporary_profile({"USERPROFILE": profile, "HOME": "/tmp"}, "linux") is False


def test_the_users_folder_is_inside_the_profile_and_the_shared_one_is_not():
    env = _win(USERPROFILE="C:\\Users\\TEMP", LOCALAPPDATA="C:\\Users\\TEMP\\AppData\\Local")
    assert folders.inside_profile(folders.user_data_dir(env, "win32"), env, "win32")
    assert not folders.inside_profile(folders.shared_data_dir(env, "win32"), env, "win32")
    assert folders.inside_profile(Path("c:\\users\\temp\\Desktop\\so.sqlite"), env, "win32")   # case-blind


@pytest.mark.skipif(sys.platform == "win32", reason="Windows reads %ProgramData%: the Windows workflow installs and checks it")
def test_the_cli_default_register_follows_the_machine_setting(tmp_path):
    shared = tmp_path / "chung"
    folders.choose_machine_data_dir(shared, {"XDG_CONFIG_DIRS": str(tmp_path / "xdg")}, "linux")
    env = {k: v for k, v in os.environ.items() if k != "GIAITRINH_DATA_DIR"}
    env.update(XDG_CONFIG_DIRS=str(tmp_path / "xdg"), XDG_DATA_HOME=str(tmp_path / "own"), PYTHONPATH=str(ROOT),
               GIAITRINH_NEW_PASSWORD="sổ của xã Thụy Hùng")  # init creates the administrator (issue #17)
    proc = subprocess.run([sys.executable, "-m", "desktop.cli", "init", "--code", "11230", "--name",
                           "Ủy ban nhân dân xã Thụy Hùng", "--place", "Thụy Hùng", "--head", "Nguyễn Văn Hùng"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (shared / "so-giai-trinh.sqlite").exists()
    assert not (tmp_path / "own").exists()
