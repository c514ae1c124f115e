"""Every dialog fits the office PC's 1366×768 screen; the main window opens maximized; the
registers' tables need no horizontal scroll bar there.

Qt's offscreen platform is given a 1366×768 screen (``tests/fixtures/screen-1366x768.json``) in
a process of its own, since the other tests run on Qt's default offscreen screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Window decorations the offscreen platform does not draw: a title bar and borders.
FRAME_W, FRAME_H = 16, 48


def test_every_dialog_fits_1366x768(tmp_path):
    screen = HERE.parent / "fixtures" / "screen-1366x768.json"
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen}", "GIAITRINH_TESTING": "1",
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    run = subprocess.run([sys.executable, str(HERE / "fit_probe.py")], env=env, capture_output=True, text=True,
                         timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["main_maximized"]
    assert out["table_scroll"] == {"cases": 0, "receptions": 0}
    too_big = {name: (x, y, w, h) for name, (x, y, w, h) in out["dialogs"].items()
               if x < 0 or y < 0 or x + w + FRAME_W > 1366 or y + h + FRAME_H > 768}
    assert not too_big, f"off the 1366×768 screen: {too_big}"
    assert {"Soạn văn bản", "Tiếp công dân", "Giao cán bộ", "Hoàn tác", "Khai báo ban đầu"} <= set(out["dialogs"])
