"""The ``giaitrinh`` command: no arguments opens the window; a subcommand runs the core's CLI.

Imports no Qt itself, so the headless CLI starts fast and works without a display.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from desktop.console import utf8_stdio

    utf8_stdio()  # the frozen console program too: UTF-8 whatever the Windows code page
    argv = sys.argv[1:] if argv is None else argv
    if argv and not argv[0].startswith("--") or any(a in ("-h", "--help") for a in argv[:1]):
        from desktop.cli import main as cli_main

        return cli_main(argv)
    from ui.app import main as app_main

    return app_main(argv)


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # a large bulk import writes in a helper process (frozen app too)
    sys.exit(main())
