"""The hub checks a bundle's record ledger and signed head with the province's own code
(``desktop.sync.chain.check_bundle`` through ``hub.chain``), keeps the entries and heads, and
refuses what the province refuses — same code, same Vietnamese message, nothing written — while
the bundles the province accepts go in at both."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from desktop.errors import UserError
from desktop.security import accounts
from desktop.storage import ledger
from desktop.storage.db import open_database
from desktop.sync import export, importer as province_importer, keys
from hub import chain, importer
from hub.importer import Keyring, import_bundle, import_files
from hub.storage import db as hub_db

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import bundle_tools, chained  # noqa: E402
from test_hub_import import _count, _refused_alike, _snapshot, _trusted  # noqa: E402
from tests.desktop.sync.conftest import ADMIN_PASSWORD, Data  # noqa: E402


def _both_accept(hub, province, path, **kw):
    report = import_bundle(hub, path, keyring=Keyring(), **kw)
    province_importer.apply(province, path, **kw)
    return report


def _hub_chain(hub, unit):
    with hub.cursor() as cur:
        cur.execute("SELECT seq, tbl, record_uuid, version, digest, prev_hash, hash FROM hub.ledger "
                    "WHERE unit_code = %s ORDER BY seq", (unit,))
        return [tuple(r) for r in cur.fetchall()]


def _province_chain(province, unit):
    return [tuple(r) for r in province.query("SELECT seq, tbl, record_uuid, version, digest, prev_hash, hash "
                                             "FROM ledger WHERE unit_code = ? ORDER BY seq", (unit,))]


def test_the_ledger_and_signed_heads_are_kept_as_the_province_keeps_them(hub, commune, province, data, outdir):
    (case,) = data.populate(1)
    _trusted(hub, province)
    first = _both_accept(hub, province, export.export_bundle(commune, outdir).path)
    data.touch_case(case, "Bản mới")
    second = _both_accept(hub, province, export.export_bundle(commune, outdir).path)
    assert first.tables["ledger"].counts["new"] > 0 and second.tables["ledger"].counts["new"] == 1
    assert _hub_chain(hub, data.unit) == _province_chain(province, data.unit) == _province_chain(commune, data.unit)
    with hub.cursor() as cur:
        cur.execute("SELECT seq, hash, signature FROM hub.ledger_heads WHERE unit_code = %s ORDER BY id",
                    (data.unit,))
        heads = cur.fetchall()
        cur.execute("SELECT count(*) FROM hub.records WHERE tbl = 'ledger'")
        assert cur.fetchone()[0] == 0, "entries are kept in hub.ledger, not as records"
    province_heads = province.query("SELECT seq, hash, signature FROM ledger_heads WHERE unit_code = ? AND "
                                    "source = 'import' ORDER BY id", (data.unit,))
    assert [tuple(h) for h in heads] == [tuple(h) for h in province_heads] and len(heads) == 2
    assert heads[-1][:2] == ledger.head(commune.conn, data.unit)


def test_a_forged_ledger_entry_is_refused_alike(hub, commune, province, data, outdir):
    data.populate(1)
    _trusted(hub, province)
    lines = bundle_tools.ledger_lines(commune)
    entry = json.loads(lines[-1])
    entry["digest"] = "f" * 64                       # the entry changed, its hash not
    lines[-1] = ledger.canonical(entry)
    path = outdir / "forged.gtb"
    path.write_bytes(bundle_tools.signed_bundle(commune, province, {"ledger": lines}))
    err = _refused_alike(hub, province, path, "chain_rewritten")
    assert "mã băm sai" in err.message


def test_a_broken_chain_is_refused_alike(hub, commune, province, data, outdir):
    data.populate(2)
    _trusted(hub, province)
    lines = bundle_tools.ledger_lines(commune)
    del lines[3]
    path = outdir / "broken.gtb"
    path.write_bytes(bundle_tools.signed_bundle(commune, province, {"ledger": lines}))
    err = _refused_alike(hub, province, path, "chain_rewritten")
    assert "không nối tiếp" in err.message


def test_a_head_signed_by_another_key_is_refused_alike(hub, commune, province, data, outdir):
    data.populate(1)
    _trusted(hub, province)
    head = bundle_tools.signed_head(commune, Ed25519PrivateKey.generate())
    path = outdir / "other-key.gtb"
    path.write_bytes(bundle_tools.signed_bundle(commune, province, {}, head=head))
    err = _refused_alike(hub, province, path, "chain_bad_head")
    assert "khóa đã đăng ký của xã" in err.message
    # A head naming an entry the chain does not end with, and a bundle with no head at all.
    signer = keys.private_key(commune, "signing", None)
    path.write_bytes(bundle_tools.signed_bundle(commune, province, {},
                                                head=bundle_tools.signed_head(commune, signer, seq=2)))
    _refused_alike(hub, province, path, "chain_rewritten")
    path.write_bytes(bundle_tools.signed_bundle(commune, province, {}, head={"format": "x"}))
    _refused_alike(hub, province, path, "chain_bad_head")


def _copy_register(db, path: Path):
    """A copy of the register as it is now (a backup), opened like the app opens it."""
    with sqlite3.connect(path) as dst:
        db.conn.backup(dst)
    dst.close()
    copy = open_database(path, create=False)
    accounts.assume_role(copy, "admin", login="quantri", password=ADMIN_PASSWORD)
    return copy


def test_a_history_rewritten_between_two_bundles_is_refused_at_the_next_import(hub, commune, province, data, outdir,
                                                                              tmp_path):
    data.populate(1)
    backup = _copy_register(commune, tmp_path / "sao-luu.sqlite")
    data.populate(1)
    _trusted(hub, province)
    _both_accept(hub, province, export.export_bundle(commune, outdir / "1.gtb").path)
    # The register is put back to the backup and goes on with other records: the app itself chains
    # them, from the entry the backup ended with, so its own checks find nothing wrong.
    try:
        Data(backup).populate(1)
        assert ledger.verify_ledger(backup.conn)[2] == []
        path = export.export_bundle(backup, outdir / "2.gtb").path
    finally:
        backup.close()
    err = _refused_alike(hub, province, path, "chain_rewritten")
    assert "lịch sử đã bị viết lại" in err.message


@pytest.mark.parametrize("workers", [2, 0], ids=["processes", "thread"])
def test_in_one_batch_a_bundle_checked_ahead_is_checked_again_when_its_chain_moved(hub, commune, province, data,
                                                                                    outdir, tmp_path, workers):
    """``import_files`` checks the next bundle's chain while the server merges the current one; a
    bundle of the same unit is checked again against the chain its predecessor left."""
    (case,) = data.populate(1)
    backup = _copy_register(commune, tmp_path / "sao-luu.sqlite")
    one = export.export_bundle(commune, outdir / "1.gtb").path
    data.touch_case(case, "Bản mới")
    two = export.export_bundle(commune, outdir / "2.gtb").path
    try:
        Data(backup).touch_case(case, "Bản khác")
        rewritten = export.export_bundle(backup, outdir / "3.gtb").path   # also number 2, after bundle 1
    finally:
        backup.close()
    _trusted(hub, province)
    # Checked ahead of bundles 1 and 2, the rewritten one holds a chain of its own that is whole …
    chain.ensure_views(hub)
    trust = importer.Trust.load(hub)
    hub.rollback()
    trust.conn = hub_db.second(hub)
    chain.ensure_views(trust.conn)
    try:
        ahead = importer.prepare(rewritten, trust, Keyring(), check_chain=True)
    finally:
        trust.conn.close()
    assert ahead.checked.error is None
    before = _snapshot(hub)
    import_files(hub, [one, two], keyring=Keyring())
    # … but by the time it is applied, bundles 1 and 2 are in: checked again, it is refused.
    with pytest.raises(UserError) as err:
        importer.apply(hub, ahead, accept_sequence=True)
    assert err.value.code == "chain_rewritten"
    hub.rollback()
    with hub.transaction():
        hub.execute("DELETE FROM hub.ledger_heads; DELETE FROM hub.ledger; DELETE FROM hub.bundles; "
                    "DELETE FROM hub.cases; DELETE FROM hub.events; DELETE FROM hub.records")
    assert _snapshot(hub) == before
    results = import_files(hub, [one, two, rewritten], keyring=Keyring(), accept_sequence=True, workers=workers)
    assert results[0].applied and results[1].applied and results[1].tables["ledger"].counts["new"] == 1
    assert isinstance(results[2], UserError) and results[2].code == "chain_rewritten"
    assert _hub_chain(hub, data.unit) == _province_chain(commune, data.unit)
    assert _count(hub, "SELECT count(*) FROM hub.ledger_heads") == 2


def test_deletions_named_by_the_chain_reach_the_hub(hub, commune, province, outdir):
    from datetime import date

    from desktop.storage.calendar_repo import add_day, remove_day

    unit = commune.get_setting("local_unit_code")
    add_day(commune, date(2026, 12, 31), "off", "Nghỉ bù")
    _trusted(hub, province)
    _both_accept(hub, province, export.export_bundle(commune, outdir / "1.gtb").path)
    held = "SELECT count(*) FROM hub.records WHERE tbl = 'calendar_days' AND unit_code = %s"
    assert _count(hub, held, unit) == 1
    remove_day(commune, date(2026, 12, 31))
    _both_accept(hub, province, export.export_bundle(commune, outdir / "2.gtb").path)
    assert _count(hub, held, unit) == 0
    assert province.scalar("SELECT count(*) FROM calendar_days WHERE unit_code = ?", (unit,)) == 0
    assert _hub_chain(hub, unit) == _province_chain(province, unit)


def test_dry_run_and_replay_keep_no_entry_or_head(hub, commune, province, data, outdir):
    data.populate(1)
    path = export.export_bundle(commune, outdir).path
    _trusted(hub, province)
    before = _snapshot(hub)
    assert import_bundle(hub, path, keyring=Keyring(), dry_run=True).tables["ledger"].counts["new"] > 0
    assert _snapshot(hub) == before
    import_bundle(hub, path, keyring=Keyring())
    after = _snapshot(hub)
    forced = import_bundle(hub, path, keyring=Keyring(), reimport=True)
    assert forced.tables["ledger"].counts["new"] == 0 and forced.tables["ledger"].counts["unchanged"] > 0
    assert _snapshot(hub) == after


def test_migration_0004_moves_the_entries_kept_as_records(pg_cluster):
    """A hub upgraded from 0003: the entries its imports kept in hub.records move to hub.ledger,
    typed; a malformed one stays where it was."""
    import psycopg

    from hub.storage import db

    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE hub_0004_check")
    conn = db.connect(pg_cluster.dsn("hub_0004_check"))
    try:
        files = db.migration_files()
        assert db.migrate(conn, before="0004") == [p.stem for p in files if p.stem < "0004"]
        with conn.transaction(), conn.cursor() as cur:
            entry = {"uuid": "e1", "unit_code": "00001", "seq": 1, "tbl": "cases", "record_uuid": "c1",
                     "version": 1, "digest": "a" * 64, "prev_hash": "0" * 64, "hash": "b" * 64}
            bad = dict(entry, uuid="e2", seq="hai")
            for e in (entry, bad):
                cur.execute("INSERT INTO hub.records (unit_code, tbl, uuid, province_code, version, data) "
                            "VALUES ('00001', 'ledger', %s, '01', 0, %s)", (e["uuid"], json.dumps(e)))
            cur.execute("INSERT INTO hub.records (unit_code, tbl, uuid, province_code, version, data) "
                        "VALUES ('00001', 'persons', 'p1', '01', 1, '{}')")
        assert db.migrate(conn) == [p.stem for p in files if p.stem >= "0004"]
        with conn.cursor() as cur:
            cur.execute("SELECT unit_code, seq, province_code, uuid, tbl, record_uuid, version, digest, prev_hash, "
                        "hash FROM hub.ledger")
            assert cur.fetchall() == [("00001", 1, "01", "e1", "cases", "c1", 1, "a" * 64, "0" * 64, "b" * 64)]
            cur.execute("SELECT tbl, uuid FROM hub.records ORDER BY uuid")
            assert cur.fetchall() == [("ledger", "e2"), ("persons", "p1")]
    finally:
        conn.close()
        with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
            admin.execute("DROP DATABASE hub_0004_check WITH (FORCE)")


def test_a_reader_sees_only_its_provinces_entries_and_heads(hub, commune, province, data, outdir):
    from hub.trust import add_reader

    data.populate(1)
    _trusted(hub, province)
    import_bundle(hub, export.export_bundle(commune, outdir).path, keyring=Keyring())
    add_reader(hub, "hub_doc_01", "01")
    add_reader(hub, "hub_doc_02", "02")
    with hub.transaction(), hub.cursor() as cur:
        seen = {}
        for role in ("hub_doc_01", "hub_doc_02"):
            cur.execute(f"SET LOCAL ROLE {role}")
            cur.execute("SELECT (SELECT count(*) FROM hub.ledger), (SELECT count(*) FROM hub.ledger_heads)")
            seen[role] = cur.fetchone()
            cur.execute("RESET ROLE")
    assert seen["hub_doc_01"][0] > 0 and seen["hub_doc_01"][1] == 1 and seen["hub_doc_02"] == (0, 0)


def test_entries_with_characters_copy_escapes_are_kept_as_sent(hub, commune, province, data, outdir):
    """A uuid may hold a tab or a backslash (the chain check allows any text): kept as is."""
    data.populate(1)
    odd = "a\tb\\c"
    person = dict(commune.one("SELECT * FROM persons LIMIT 1"))
    person.pop("id")
    line = ledger.canonical(dict(person, uuid=odd))
    path = outdir / "odd.gtb"
    path.write_bytes(bundle_tools.signed_bundle(commune, province, chained(commune, {"persons": [line]})))
    _trusted(hub, province)
    import_bundle(hub, path, keyring=Keyring())
    assert _hub_chain(hub, data.unit) == _province_chain(commune, data.unit)
    assert _count(hub, "SELECT count(*) FROM hub.ledger WHERE record_uuid = %s", odd) == 1
    assert _count(hub, "SELECT count(*) FROM hub.records WHERE tbl = 'persons' AND uuid = %s", odd) == 1


@pytest.mark.parametrize("values", [
    ["a", "b"], ["0190a1b2c3d4e5f6"], [""], ["NULL", "null"], ['say "hi"', "back\\slash", "\\\"", "a,b", "{x}",
                                                            " spaced ", "Nguyễn Văn Hải", "tab\tnew\nline"],
    [1, 2, 3], [-5, 0, 2**62], ["\x00a"], [1, "a"], [None, "a"], [True],
], ids=repr)
def test_the_lists_the_chain_check_sends_reach_the_server_as_they_are(hub, values):
    """``IN (?, …)`` of the province's SQL becomes one array: each value arrives as it was."""
    sql, params = chain._pg("SELECT ? IN (" + ",".join("?" * len(values)) + ")", [values[0], *values])
    assert sql == "SELECT %s = ANY(%s)"
    kind = "bigint" if all(type(v) is int for v in values) else "text"
    if any(v is None or type(v) is bool or (type(v) is str and "\x00" in v) for v in values) or len(
            {type(v) for v in values}) > 1:
        assert params[1] == values          # left to psycopg as a list
        return
    with hub.cursor() as cur:
        cur.execute(f"SELECT x FROM unnest(%s::{kind}[]) WITH ORDINALITY AS u(x, n) ORDER BY n", (params[1],))
        assert [r[0] for r in cur.fetchall()] == values
        cur.execute(f"SELECT %s::{kind} = ANY(%s)", (values[-1], params[1]))
        assert cur.fetchone()[0] is True
    hub.rollback()


def test_which_record_types_exist_is_asked_once_per_connection(hub):
    chain.ensure_views(hub)
    view = chain.RegisterView(hub)
    assert view.one(chain._TABLE_EXISTS, ("cases",)) == (1,)
    assert view.one(chain._TABLE_EXISTS, ("settings",)) is None
    assert view.query(chain._TABLE_EXISTS, ("cases",)) == [(1,)]
    assert chain._TABLES[hub] == {"cases": [(1,)], "settings": []}
    with hub.cursor() as cur:                  # the very view the province's statement reads
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        names = [r[0] for r in cur.fetchall()]
    assert "cases" in names and "events" in names and "settings" not in names
    hub.rollback()
