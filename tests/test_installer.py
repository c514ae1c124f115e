"""The Windows packaging, checked where it can be without Windows: which programs the one-folder
build makes (``installer/build.py``, read by the spec) and what the Inno Setup script starts."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ISS = ROOT / "installer" / "windows" / "giaitrinh.iss"


def _iss() -> str:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the script must keep its UTF-8 BOM (Inno Setup before 6.3)"
    return raw.decode("utf-8-sig")


def test_windows_gets_a_console_program_for_the_cli_and_a_window_program_for_the_shortcuts(installer_build):
    build = installer_build
    on_windows = dict(build.programs(windows=True))
    assert on_windows[build.CLI_NAME] is True     # `giaitrinh verify` in cmd prints there
    assert on_windows[build.GUI_NAME] is False    # no black console behind the window
    assert build.programs(windows=False) == [(build.CLI_NAME, True)]


def test_the_installer_starts_the_window_program_and_ships_both(installer_build):
    build = installer_build
    windowed = {f"{name}.exe" for name, console in build.programs(windows=True) if not console}
    started = re.findall(r'Filename: "\{app\}\\([^"]+)"', _iss())
    assert len(started) == 3  # the Start menu and desktop shortcuts, and "Mở Sổ Giải trình" at the end
    assert set(started) <= windowed
    assert re.search(r'Source: "\{#SourceDir\}\\\*"', _iss())  # the whole folder: both programs


def test_the_installer_speaks_vietnamese_on_the_usual_path():
    text = _iss()
    messages = dict(re.findall(r"^vi\.(\w+)=(.*)$", text, flags=re.M))
    usual = ("SetupWindowTitle", "ButtonNext", "ButtonBack", "ButtonCancel", "ButtonInstall", "ButtonFinish",
             "ButtonBrowse", "WizardSelectDir", "SelectDirDesc", "SelectDirLabel3", "SelectDirBrowseLabel",
             "WizardSelectTasks", "SelectTasksDesc", "SelectTasksLabel2", "WizardReady", "ReadyLabel1",
             "ReadyLabel2a", "ReadyMemoDir", "ReadyMemoTasks", "WizardInstalling", "InstallingLabel",
             "FinishedHeadingLabel", "FinishedLabel", "ClickFinish", "ExitSetupTitle", "ExitSetupMessage",
             "ConfirmUninstall", "UninstallStatusLabel", "UninstalledAll", "PrivilegesRequiredOverrideInstruction",
             "PrivilegesRequiredOverrideAllUsers", "PrivilegesRequiredOverrideCurrentUser")
    assert [m for m in usual if m not in messages] == []
    assert len(re.findall(r"^vi\.\w+=", text, flags=re.M)) == len(messages)  # each message once
    # the placeholders Inno Setup fills in are kept where the English has them
    for name in ("SetupWindowTitle", "ConfirmUninstall", "UninstallStatusLabel", "UninstalledAll", "DirExists"):
        assert "%1" in messages[name], name
    for name in ("SelectDirDesc", "ReadyLabel1", "InstallingLabel"):
        assert "[name]" in messages[name], name
    assert "Cài đặt" in messages["ButtonInstall"] and "Hủy" == messages["ButtonCancel"]
