"""Root test configuration: Qt must never need a display; ``--windows-like`` runs the suite as
Windows would, as far as this machine can.

``--windows-like`` (or ``GIAITRINH_WINDOWS_LIKE=1``), used by ``.ci/run`` for a second pass:

- multiprocessing starts children with ``spawn`` only, and ``fork`` does not exist (no
  ``os.fork``, no "fork"/"forkserver" context), as on Windows: a helper process that relies on
  inherited state, or code that forks, fails here instead of on the office's PC;
- the programs the tests start (the CLI run as a subprocess) get the ANSI code page cp1252 and
  no UTF-8 mode, as a redirected Windows console gives them (pytest's own output keeps its encoding).
"""

import os

# Must be set before Qt loads anywhere (pytest-qt has no option for it).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GIAITRINH_TESTING", "1")


def pytest_addoption(parser):
    parser.addoption("--windows-like", action="store_true", default=False,
                     help="spawn-only multiprocessing without fork, child programs on the cp1252 code page")


def windows_like(config) -> bool:
    return bool(config.getoption("--windows-like")) or os.environ.get("GIAITRINH_WINDOWS_LIKE") == "1"


def pytest_configure(config):
    if not windows_like(config):
        return
    import multiprocessing
    import multiprocessing.context

    multiprocessing.set_start_method("spawn", force=True)
    for method in ("fork", "forkserver"):
        multiprocessing.context._concrete_contexts.pop(method, None)   # get_context("fork") → ValueError
    for name in ("fork", "forkpty", "register_at_fork"):
        if hasattr(os, name):
            delattr(os, name)
    os.environ["GIAITRINH_WINDOWS_LIKE"] = "1"   # the spawned children know it too
    os.environ["PYTHONIOENCODING"] = "cp1252"    # for the programs the tests start, not pytest's own output
    os.environ["PYTHONUTF8"] = "0"


def pytest_report_header(config):
    if windows_like(config):
        import multiprocessing

        return (f"windows-like: start method {multiprocessing.get_start_method()}, fork unavailable, "
                "child programs on cp1252 without UTF-8 mode")
    return None
