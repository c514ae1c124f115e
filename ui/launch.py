"""The ``giaitrinh`` command: no arguments opens the window; a subcommand runs the core's CLI.

Imports no Qt itself, so the headless CLI starts fast and works without a display.
"""

from __future__ import annotations

import sys

# Qt 6.8 and later run on Windows 10 version 1809 (build 17763) and later; below it the window
# would not start, or fail in ways a clerk cannot read. The installer has the same floor
# (MinVersion in installer/windows/giaitrinh.iss).
MIN_WINDOWS_BUILD = 17763
TOO_OLD = ("Sổ Giải trình cần Windows 10 bản 1809 (build 17763) trở lên; máy này đang chạy Windows {version} "
           "(build {build}). Hãy cập nhật Windows hoặc dùng máy khác.")


def windows_too_old(version: tuple[int, int, int] | None = None) -> str | None:
    """The Vietnamese message when this Windows is older than 10 version 1809, else None.
    ``version`` is (major, minor, build) as ``sys.getwindowsversion()`` gives it."""
    if version is None:
        if sys.platform != "win32":
            return None
        v = sys.getwindowsversion()
        version = (v.major, v.minor, v.build)
    major, minor, build = version
    if (major, build) >= (10, MIN_WINDOWS_BUILD):
        return None
    return TOO_OLD.format(version=f"{major}.{minor}", build=build)


def _refuse_old_windows(message: str) -> int:  # pragma: no cover - Windows only
    """Say it where the clerk sees it: a message box (the window program has no console) and stderr."""
    try:
        import ctypes

        ctypes.windll.user32.MessageBoxW(None, message, "Sổ Giải trình", 0x10)  # MB_ICONERROR
    except Exception:  # noqa: BLE001 - the console line below still says it
        pass
    if sys.stderr is not None:
        print(message, file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    from desktop.console import utf8_stdio

    utf8_stdio()  # the frozen console program too: UTF-8 whatever the Windows code page
    too_old = windows_too_old()
    if too_old:  # pragma: no cover - Windows only
        return _refuse_old_windows(too_old)
    argv = sys.argv[1:] if argv is None else argv
    if argv and not argv[0].startswith("--") or any(a in ("-h", "--help") for a in argv[:1]):
        from desktop.cli import main as cli_main

        return cli_main(argv)
    from ui.system_libs import check_before_qt

    if not check_before_qt():   # Qt's own message ("could not load … xcb") names no fix
        return 3
    from ui.app import main as app_main

    return app_main(argv)


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # a large bulk import writes in a helper process (frozen app too)
    sys.exit(main())
