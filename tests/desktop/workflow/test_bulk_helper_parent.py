"""The bulk import's helper process ends with its parent, even a parent killed with SIGKILL
(issue #17, item 12): a helper left behind would hold the register's write lock alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PARENT = r"""
import sys, time
from desktop.storage.db import open_database
from desktop.storage.units import save_unit
from desktop.workflow.bulk import _Writer

db = open_database(sys.argv[1])
save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng")
writer = _Writer(db, "11230", helper=True)
writer.pool.submit(int).result()          # the helper is up
print(*writer.pool._processes, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie nobody reaped (no init in a container) has ended too
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_helper_ends_when_its_parent_is_killed(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "so.sqlite")], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        helpers = [int(p) for p in parent.stdout.readline().split()]
        assert helpers and all(_alive(p) for p in helpers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in helpers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in helpers), "the helper outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
