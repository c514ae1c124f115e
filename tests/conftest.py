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


@pytest.fixture
def login(db: Database):
    """Log the ``db`` register in, in one line: ``login("handler", officer_uuid=...)`` (the register
    needs its unit declared). Returns the principal; ``login(None)`` logs out."""
    from desktop.security import accounts

    def log_in(role: str | None, *, officer_uuid: str | None = None, on: Database | None = None):
        target = on or db
        if role is None:
            accounts.logout(target)
            return None
        return accounts.assume_role(target, role, officer_uuid=officer_uuid)

    return log_in


CLI_PASSWORD = "mật khẩu thử dòng lệnh"


@pytest.fixture
def cli_user(monkeypatch):
    """An account the CLI (run in-process or as a child) logs in with, through the environment:
    ``cli_user(db, "leader", officer_uuid=...)`` returns its login."""
    from desktop.security import accounts

    def make(database: Database, role: str, *, officer_uuid: str | None = None) -> str:
        saved = database.principal
        who = accounts.assume_role(database, role, officer_uuid=officer_uuid, login=f"cli-{role}",
                                   password=CLI_PASSWORD)
        database.principal = saved
        monkeypatch.setenv("GIAITRINH_USER", who.login)
        monkeypatch.setenv("GIAITRINH_PASSWORD", CLI_PASSWORD)
        return who.login

    return make


@pytest.fixture(scope="session")
def installer_build():
    """``installer/build.py``, loaded by path as the spec loads it ("build" is also a PyPI package)."""
    path = Path(__file__).resolve().parents[1] / "installer" / "build.py"
    spec = importlib.util.spec_from_file_location("giaitrinh_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
