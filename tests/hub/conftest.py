"""Fixtures for the hub: a real PostgreSQL server started for the session, a fresh database per
test, and the sync tests' commune and province registers (tests/desktop/sync/conftest.py)."""

from __future__ import annotations

import importlib.util
import os
import tempfile
import uuid
from pathlib import Path

import pytest

from hub.devserver import Cluster, server_bindir

_spec = importlib.util.spec_from_file_location(
    "hub_sync_fixtures", Path(__file__).resolve().parents[1] / "desktop" / "sync" / "conftest.py")
_sync = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sync)
passphrase, province, commune_factory, commune, data, outdir = (
    _sync.passphrase, _sync.province, _sync.commune_factory, _sync.commune, _sync.data, _sync.outdir)
Data, make_register, PASS = _sync.Data, _sync.make_register, _sync.PASS

_tools_spec = importlib.util.spec_from_file_location(
    "hub_sync_bundle_tools", Path(__file__).resolve().parents[1] / "desktop" / "sync" / "sync_bundle_tools.py")
bundle_tools = importlib.util.module_from_spec(_tools_spec)
_tools_spec.loader.exec_module(bundle_tools)


@pytest.fixture(scope="session")
def pg_cluster():
    if server_bindir() is None and not (os.environ.get("CI") or os.environ.get("GIAITRINH_REQUIRE_PG")):
        pytest.skip("PostgreSQL server not installed here (CI installs it and runs these tests)")
    root = Path(tempfile.mkdtemp(prefix="giaitrinh-pg-"))
    cluster = Cluster(root).start()
    yield cluster
    cluster.stop()
    import shutil

    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def hub_template(pg_cluster):
    """A database with the hub schema applied once, copied for each test (CREATE … TEMPLATE)."""
    import psycopg

    from hub.storage import db as hub_db

    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE hub_template")
    with hub_db.connect(pg_cluster.dsn("hub_template")) as conn:
        hub_db.migrate(conn)
    return "hub_template"


@pytest.fixture
def hub_dsn(pg_cluster, hub_template):
    """A new database on the session's server, with the hub schema applied."""
    import psycopg

    name = "hub_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {hub_template}")
    dsn = pg_cluster.dsn(name)
    yield dsn
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def hub(hub_dsn):
    from hub.storage import db as hub_db

    conn = hub_db.connect(hub_dsn)
    yield conn
    conn.close()
