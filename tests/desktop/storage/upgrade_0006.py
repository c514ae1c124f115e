"""The released 0006 register (tests/fixtures), copied for a migration's upgrade test."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "register-0006.sqlite"
# The schema just before 0020 (tests/fixtures/make_fixtures.py 0019): the same demo register.
FIXTURE_0019 = FIXTURE.with_name("register-0019.sqlite")


def counts(conn, tables) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def copy_0006(tmp_path: Path, tables, fixture: Path = FIXTURE) -> tuple[Path, dict[str, int]]:
    """A copy of the fixture (the 0006 register unless told), not yet opened by the app, and the
    row counts of ``tables`` in it."""
    path = tmp_path / "register.sqlite"
    shutil.copy(fixture, path)
    raw = sqlite3.connect(path)
    try:
        return path, counts(raw, tables)
    finally:
        raw.close()
