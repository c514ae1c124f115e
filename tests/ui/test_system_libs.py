"""Before Qt starts: missing X11 libraries are named with the exact apt command."""

from __future__ import annotations

import io

from ui import system_libs


def test_missing_xcb_libraries_give_the_apt_command(monkeypatch):
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    assert system_libs.missing_packages(lambda so: so not in absent) == ["libxcb-icccm4", "libxcb-keysyms1"]
    monkeypatch.setattr(system_libs, "_loads", lambda so: so not in absent)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(system_libs.sys, "platform", "linux")
    out = io.StringIO()
    assert not system_libs.check_before_qt(out)
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in out.getvalue()


def test_launch_stops_before_qt_when_libraries_are_missing(monkeypatch, capsys):
    from ui import launch

    monkeypatch.setattr(system_libs, "check_before_qt", lambda: (print("thiếu"), False)[1])
    assert launch.main([]) == 3


def test_other_platforms_and_this_machine():
    assert not system_libs.uses_xcb({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":1"}, "linux")
    assert not system_libs.uses_xcb({"DISPLAY": ":1"}, "win32")
    assert system_libs.uses_xcb({"DISPLAY": ":1"}, "linux")
    # the libraries loaded by the system's loader, as Qt's plugin loads them: none missing here
    assert system_libs.missing_packages() == []
