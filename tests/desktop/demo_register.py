"""A small demo register on disk, and the sqlite3 shell with some of its guards dropped (as someone
with the file would), for the tests that tamper with a register behind the app and verify it."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from desktop.storage.db import open_database
from desktop.workflow.demo import build_demo

TODAY = date(2026, 3, 2)
LEDGER_GUARDS = ("ledger_no_update", "ledger_no_delete")


def demo_register(folder: Path, *, cases: int = 12) -> Path:
    """A demo register of ``cases`` cases in ``folder``, closed; its path."""
    path = folder / "so.sqlite"
    db = open_database(path)
    build_demo(db, cases=cases, today=TODAY)
    db.close()
    return path


def shell(path: Path, *triggers: str) -> sqlite3.Connection:
    """A plain sqlite3 connection to ``path`` (autocommit) with ``triggers`` dropped."""
    conn = sqlite3.connect(path, isolation_level=None)
    for name in triggers:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    return conn
