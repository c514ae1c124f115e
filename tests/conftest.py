"""Shared fixtures: a fresh register and a populated one, each in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.storage.db import Database, open_database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "so-giai-trinh.sqlite"


@pytest.fixture
def db(db_path: Path) -> Database:
    database = open_database(db_path)
    yield database
    database.close()
