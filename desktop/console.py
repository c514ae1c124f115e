"""The CLI's output on any console, file or pipe: UTF-8, whatever the Windows code page.

Redirected to a file or pipe, or captured by PowerShell, Python on Windows writes in the ANSI code
page (cp1252, cp1258), which has no "ổ", "ệ" or "ầ": every command died with UnicodeEncodeError —
``case add`` after saving, so the clerk's retry made a duplicate case. ``utf8_stdio`` is called
at every entry point (``desktop.cli.main``, the frozen program's ``ui.launch.main``) before
anything is printed. A console window itself is unaffected: Python writes to it in UTF-16.
"""

from __future__ import annotations

import io
import sys


def utf8_stdio() -> None:
    """Make ``sys.stdout`` and ``sys.stderr`` write UTF-8; a character that still cannot be
    written (a lone surrogate from a file name) is escaped rather than raising."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if stream is None:  # the window program (pythonw, console=False) has no console
            continue
        if isinstance(stream, io.TextIOWrapper) and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
