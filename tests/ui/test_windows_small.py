"""Small Windows matters: the fingerprint's fixed-width font, a self-test that leaves no folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QFontInfo, QFontMetrics

ROOT = Path(__file__).resolve().parents[2]


def test_the_fingerprint_font_is_fixed_width_and_one_windows_has(qapp):
    from ui.widgets.fonts import FIXED_FAMILIES, fixed_font

    assert FIXED_FAMILIES[:2] == ("Consolas", "Courier New")   # on every Windows 10 and 11
    font = fixed_font(16, bold=True)
    assert QFontInfo(font).fixedPitch() and font.bold() and font.pointSize() == 16
    metrics = QFontMetrics(font)
    assert metrics.horizontalAdvance("IIII-1111") == metrics.horizontalAdvance("MMMM-WWWW")
    have = set(QFontDatabase.families())
    expected = next((f for f in FIXED_FAMILIES if f in have), None)
    assert expected is None or QFontInfo(font).family() == expected


def test_the_self_test_leaves_no_temporary_folder(tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "ui.launch", "--self-test"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0 and "self-test: OK" in out.stdout, out.stderr
    assert list(temp.iterdir()) == []
