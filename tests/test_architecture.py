"""The core never imports Qt: every ``desktop`` module imports with Qt made unimportable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import importlib, pkgutil, sys

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
            raise ImportError(f"Qt is not allowed in desktop/: {name}")
        return None

sys.meta_path.insert(0, BlockQt())
import desktop
names = [m.name for m in pkgutil.walk_packages(desktop.__path__, "desktop.") if not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
assert not any(m.split(".")[0] in ("PySide6", "shiboken6") for m in sys.modules)
print(len(names))
"""


def test_desktop_imports_without_qt():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 5


def test_qt_blocker_really_blocks():
    """The probe would pass vacuously if the blocker did not work: prove it fails on Qt."""
    code = PROBE.replace("import desktop\n", "import desktop\nimport PySide6.QtCore\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode != 0 and "Qt is not allowed" in out.stderr


HUB_PROBE = PROBE.replace('"PyQt5", "PyQt6")', '"PyQt5", "PyQt6", "ui")').replace(
    "import desktop\nnames = [m.name for m in pkgutil.walk_packages(desktop.__path__, \"desktop.\")",
    "import hub\nnames = [m.name for m in pkgutil.walk_packages(hub.__path__, \"hub.\")")


def test_hub_imports_without_qt_or_the_window():
    """The national hub (issue #19) imports the core and never ``ui`` or Qt."""
    assert "import hub" in HUB_PROBE and '"ui")' in HUB_PROBE
    out = subprocess.run([sys.executable, "-c", HUB_PROBE], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 6
