"""Before Qt starts on Linux: are the X11 (xcb) libraries its platform plugin needs installed?

Without them Qt stops with "could not load the Qt platform plugin xcb", which names neither the
missing library nor the fix. A stock Debian/Ubuntu desktop lacks some (libxcb-icccm4 and
libxcb-keysyms1 were missing on the one this was found on). Each library is loaded by its exact
name with the system's loader, as Qt's plugin would; the missing ones are named with the
``apt install`` command that brings them. Imports no Qt.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

# The libraries libqxcb.so links (``ldd``, Qt 6.12), with the Debian/Ubuntu package of each.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: dict[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether Qt will start with its X11 plugin (Linux, no other platform asked for)."""
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return False
    asked = env.get("QT_QPA_PLATFORM", "")
    return "xcb" in asked if asked else bool(env.get("DISPLAY"))


def missing_packages(loads: Callable[[str], bool] | None = None) -> list[str]:
    """Debian/Ubuntu packages of the xcb libraries that cannot be loaded, in a stable order."""
    loads = loads or _loads
    return sorted({pkg for soname, pkg in XCB_LIBRARIES.items() if not loads(soname)})


def install_command(packages: list[str]) -> str:
    return "sudo apt install " + " ".join(packages)


def message(packages: list[str]) -> str:
    return ("Máy còn thiếu thư viện hiển thị X11 (xcb) mà Qt cần để mở cửa sổ: " + ", ".join(packages) + ".\n"
            "Hãy cài bằng lệnh sau rồi mở lại chương trình:\n\n    " + install_command(packages) + "\n\n"
            "(The X11 libraries Qt's xcb platform plugin needs are missing; install them with the command above.)")


def check_before_qt(stream=None) -> bool:
    """True when Qt may start; otherwise print what to install and return False."""
    if not uses_xcb():
        return True
    packages = missing_packages()
    if not packages:
        return True
    print(message(packages), file=stream or sys.stderr)
    return False
