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
             "PrivilegesRequiredOverrideAllUsers", "PrivilegesRequiredOverrideCurrentUser", "DiskSpaceMBLabel",
             "ReadyMemoGroup", "StatusCreateIniEntries", "WinVersionTooLowError", "WindowsVersionNotSupported",
             "ErrorCloseApplications", "UninstalledAndNeedsRestart", "YesRadio", "NoRadio")
    assert [m for m in usual if m not in messages] == []
    assert len(re.findall(r"^vi\.\w+=", text, flags=re.M)) == len(messages)  # each message once
    # the placeholders Inno Setup fills in are kept where the English has them
    for name in ("SetupWindowTitle", "ConfirmUninstall", "UninstallStatusLabel", "UninstalledAll", "DirExists"):
        assert "%1" in messages[name], name
    for name in ("SelectDirDesc", "ReadyLabel1", "InstallingLabel"):
        assert "[name]" in messages[name], name
    assert "Cài đặt" in messages["ButtonInstall"] and "Hủy" == messages["ButtonCancel"]


def _section(name: str) -> list[str]:
    """The entry lines of one ``[Section]`` of the script (comments and blank lines left out)."""
    text = _iss()
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", text, flags=re.M | re.S)
    return [ln for ln in (match.group(1).splitlines() if match else []) if ln.strip() and not ln.startswith(";")]


def test_the_installer_defaults_to_the_computers_shared_data_folder():
    from desktop.storage import folders

    tasks = {re.search(r'Name: "(\w+)"', ln).group(1): ln for ln in _section("Tasks")}
    assert "unchecked" not in tasks["shareddata"]   # on unless the clerk unticks it
    [ini] = _section("INI")
    assert 'Filename: "{commonappdata}\\SoGiaiTrinh\\giaitrinh.ini"' in ini and "Tasks: shareddata" in ini
    assert 'Section: "data"; Key: "folder"; String: "{commonappdata}\\SoGiaiTrinh"' in ini
    # ... exactly where the app looks: %ProgramData% is what Inno Setup calls {commonappdata}
    env = {"ProgramData": "{commonappdata}", "LOCALAPPDATA": "C:\\Users\\mai\\AppData\\Local"}
    assert str(folders.machine_config_path(env, "win32")) == "{commonappdata}\\SoGiaiTrinh\\giaitrinh.ini"
    assert str(folders.shared_data_dir(env, "win32")) == "{commonappdata}\\SoGiaiTrinh"
    [folder] = _section("Dirs")
    assert "users-modify" in folder   # every Windows account of the PC may write the register


def test_uninstall_keeps_the_register_and_its_backups():
    text = _iss()
    assert not _section("UninstallDelete") and not _section("UninstallRun")
    [folder] = _section("Dirs")
    assert "uninsneveruninstall" in folder
    assert all("uninsdelete" not in ln for ln in _section("INI"))   # the machine's setting stays too
    data_places = ("{commonappdata}", "{localappdata}", "{userappdata}", "{app}\\..")
    assert all(place not in ln for ln in _section("Files") for place in data_places)
    assert "được giữ lại" in dict(re.findall(r"^vi\.(\w+)=(.*)$", text, flags=re.M))["ConfirmUninstall"]


def test_windows_older_than_10_1809_is_refused_in_vietnamese_by_the_installer_and_the_program():
    from ui.launch import MIN_WINDOWS_BUILD, windows_too_old

    assert re.search(r"^MinVersion=10\.0\.17763$", _iss(), flags=re.M) and MIN_WINDOWS_BUILD == 17763
    messages = dict(re.findall(r"^vi\.(\w+)=(.*)$", _iss(), flags=re.M))
    assert "%1" in messages["WinVersionTooLowError"] and "%2" in messages["WinVersionTooLowError"]
    assert "1809" in messages["WindowsVersionNotSupported"]
    assert windows_too_old((10, 0, 17763)) is None and windows_too_old((10, 0, 22631)) is None   # 11 is 10.0.22xxx
    old = windows_too_old((10, 0, 17134))   # 10 version 1803
    assert old and "Windows 10 bản 1809" in old and "17134" in old
    assert windows_too_old((6, 3, 9600))    # 8.1
    assert windows_too_old() is None        # this machine (not Windows, or new enough)


def test_the_program_and_the_installer_have_an_icon_of_several_sizes(installer_build):
    import struct

    ico = installer_build.ICON.read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind) == (0, 1)
    sizes = {(ico[6 + 16 * i] or 256) for i in range(count)}   # 0 stands for 256 in an ICO directory
    assert {16, 24, 32, 48, 256} <= sizes
    setup_icon = re.search(r"^SetupIconFile=(.+)$", _iss(), flags=re.M).group(1).strip()
    assert (ISS.parent / setup_icon.replace("\\", "/")).resolve() == installer_build.ICON.resolve()
    spec = (ROOT / "installer" / "giaitrinh.spec").read_text(encoding="utf-8")
    assert "icon=ICON" in spec and "_build.ICON" in spec
    from desktop.resources import resource_path

    assert resource_path("icons", "giaitrinh.png").stat().st_size > 0   # the window's icon


def test_the_version_resource_carries_pyprojects_version(installer_build):
    import ast

    build = installer_build
    assert build.version_numbers("0.1.0") == (0, 1, 0, 0) and build.version_numbers("1.2.3rc1") == (1, 2, 3, 0)
    text = build.version_resource("1.4.2")
    tree = ast.parse(text, mode="eval")   # PyInstaller reads the file as this expression
    calls = {node.func.id: node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert set(calls) >= {"VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
                          "VarFileInfo", "VarStruct"}
    ffi = {kw.arg: ast.literal_eval(kw.value) for kw in calls["FixedFileInfo"].keywords}
    assert ffi["filevers"] == ffi["prodvers"] == (1, 4, 2, 0)
    strings = dict(ast.literal_eval(ast.Tuple(elts=list(n.args), ctx=ast.Load()))
                   for n in ast.walk(tree) if isinstance(n, ast.Call) and n.func.id == "StringStruct")
    assert strings["ProductVersion"] == strings["FileVersion"] == "1.4.2" and strings["ProductName"] == "Sổ Giải trình"
    assert build.version_resource().count(build.version()) == 2
    spec = (ROOT / "installer" / "giaitrinh.spec").read_text(encoding="utf-8")
    assert "_build.version_resource(VERSION)" in spec and "version=str(VERSION_FILE)" in spec
