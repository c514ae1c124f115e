"""Fixtures for the hub: a real PostgreSQL server started for the session, a fresh database per
test, and the sync tests' commune and province registers (tests/desktop/sync/conftest.py)."""

from __future__ import annotations

import importlib.util
import json
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


def chained(commune, parts: dict[str, list[str]]) -> dict[str, list[str]]:
    """``parts`` as the commune's own app would send them: each JSON line canonical, and each record
    of the commune's unit (of a type the ledger covers, with every covered column) given an entry
    at the end of the commune's record ledger, which ``bundle_tools.signed_bundle`` then carries
    with a head signed over it. What a person holding the register and its key could make: the
    province's chain check lets such records through, and only the merge judges them."""
    from desktop.storage import ledger

    unit = commune.get_setting("local_unit_code")
    columns = ledger.covered_columns(commune.conn)
    out: dict[str, list[str]] = {}
    seq, prev = ledger.head(commune.conn, unit)
    rows = []
    for table, lines in parts.items():
        out[table] = []
        for line in lines:
            record = json.loads(line)
            out[table].append(ledger.canonical(record))
            if not (isinstance(record, dict) and record.get("unit_code") == unit and table in columns
                    and isinstance(record.get("uuid"), str)):
                continue
            try:
                digest = ledger.record_digest(record, columns[table])
            except KeyError:
                continue
            version = record.get("version", 0) if type(record.get("version", 0)) is int else 0
            seq += 1
            h = ledger.link_hash(unit, seq, table, record["uuid"], version, digest, prev)
            rows.append((uuid.uuid4().hex, unit, seq, table, record["uuid"], version, digest, prev, h))
            prev = h
    with commune.write():
        commune.conn.executemany("INSERT INTO ledger(uuid, unit_code, seq, tbl, record_uuid, version, digest, prev_hash, "
                            "hash) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    return out
