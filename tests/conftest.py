"""Shared fixtures: a fresh register and a populated one, each in a temporary folder; the
packaging script."""

from __future__ import annotations

import importlib.util
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


@pytest.fixture(scope="session")
def installer_build():
    """``installer/build.py``, loaded by path as the spec loads it ("build" is also a PyPI package)."""
    path = Path(__file__).resolve().parents[1] / "installer" / "build.py"
    spec = importlib.util.spec_from_file_location("giaitrinh_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
