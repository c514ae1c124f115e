"""The hub against a real PostgreSQL server (issue #19): import, merge, conflict, replay, gap,
forged and damaged bundles, records of another unit, row-level security between two provinces,
and the same result as the province's own SQLite import."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.sync import export, importer as province_importer, keys
from hub.importer import Keyring, import_bundle, import_files
from hub.trust import add_reader, trust_register

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import Data, bundle_tools, chained, make_register  # noqa: E402


def _trusted(hub, province):
    province.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return trust_register(hub, Path(province.path))


def _count(hub, sql, *params):
    with hub.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def _stored(hub, unit):
    """(type, uuid, version) of every record the hub holds for ``unit``."""
    with hub.cursor() as cur:
        cur.execute("SELECT 'cases', uuid, version FROM hub.cases WHERE unit_code = %s UNION ALL "
                    "SELECT 'events', uuid, 0 FROM hub.events WHERE unit_code = %s UNION ALL "
                    "SELECT tbl, uuid, version FROM hub.records WHERE unit_code = %s UNION ALL "
                    "SELECT 'ledger', uuid, 0 FROM hub.ledger WHERE unit_code = %s", (unit, unit, unit, unit))
        return sorted(cur.fetchall())


def _snapshot(hub):
    with hub.cursor() as cur:
        out = {}
        for table in ("cases", "events", "records", "bundles", "conflicts", "units", "peer_keys", "ledger",
                      "ledger_heads"):
            cur.execute(f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                        f"FROM hub.{table} t")
            out[table] = cur.fetchone()
        return out


def test_commune_bundle_is_imported_with_the_same_records_as_the_province_import(hub, commune, province, data,
                                                                                  outdir):
    data.populate(5)
    result = export.export_bundle(commune, outdir)
    got = _trusted(hub, province)
    assert got["province_code"] == "01" and got["keys"] == 1

    report = import_bundle(hub, result.path, keyring=Keyring())
    assert report.applied and report.sequence.status == "first" and report.province_code == "01"
    assert report.totals()["new"] == result.total and report.totals()["rejected"] == 0
    assert _count(hub, "SELECT count(*) FROM hub.cases WHERE unit_code = %s AND province_code = '01'",
                  data.unit) == 5
    assert _count(hub, "SELECT count(*) FROM hub.bundles") == 1

    # The province's own import of the same file holds exactly the same records and versions.
    province_importer.apply(province, result.path)
    sqlite_rows = []
    from desktop.storage import sync_repo
    for table in sync_repo.synced_tables(province):
        version = "version" if table.versioned else "0"
        sqlite_rows += [(table.name, u, v) for u, v in province.query(
            f'SELECT uuid, {version} FROM "{table.name}" WHERE unit_code = ?', (data.unit,))]
    assert _stored(hub, data.unit) == sorted(sqlite_rows)


def test_replay_changes_nothing_and_reimport_finds_everything_unchanged(hub, commune, province, data, outdir):
    data.populate(3)
    path = export.export_bundle(commune, outdir).path
    _trusted(hub, province)
    import_bundle(hub, path, keyring=Keyring())
    before = _snapshot(hub)
    again = import_bundle(hub, path, keyring=Keyring())
    assert again.replay and not again.applied and again.sequence.status == "replay"
    forced = import_bundle(hub, path, keyring=Keyring(), reimport=True)
    totals = forced.totals()
    assert totals["unchanged"] > 0 and totals["new"] == totals["updated"] == totals["conflict"] == 0
    assert _snapshot(hub) == before


def test_newer_version_wins_and_older_never_overwrites(hub, commune, province, data, outdir):
    (case,) = data.populate(1)
    first = export.export_bundle(commune, outdir)
    data.touch_case(case, "Bản mới")
    second = export.export_bundle(commune, outdir)
    _trusted(hub, province)
    with pytest.raises(UserError) as err:          # bundle 2 before bundle 1: a gap, nothing written
        import_bundle(hub, second.path, keyring=Keyring())
    assert err.value.code == "sequence_gap" and err.value.details["missing"] == [1]
    hub.rollback()
    assert _count(hub, "SELECT count(*) FROM hub.cases") == 0
    import_bundle(hub, second.path, keyring=Keyring(), accept_sequence=True)
    late = import_bundle(hub, first.path, keyring=Keyring())
    assert late.sequence.status == "late" and late.tables["cases"].counts["older"] == 1
    assert _count(hub, "SELECT count(*) FROM hub.cases WHERE data->>'summary' = 'Bản mới' AND version = 2") == 1


def test_same_version_other_content_is_a_conflict_kept_aside(hub, commune, province, data, outdir):
    (case,) = data.populate(1)
    first = export.export_bundle(commune, outdir, full=True)
    with commune.write():                          # changed without a new version: a true conflict
        commune.execute("UPDATE cases SET summary = 'Sửa không tăng phiên bản' WHERE uuid = ?", (case,))
    second = export.export_bundle(commune, outdir, full=True)
    _trusted(hub, province)
    import_bundle(hub, first.path, keyring=Keyring())
    report = import_bundle(hub, second.path, keyring=Keyring())
    assert report.tables["cases"].counts["conflict"] == 1
    assert _count(hub, "SELECT count(*) FROM hub.cases WHERE data->>'summary' = 'Sửa không tăng phiên bản'") == 0
    with hub.cursor() as cur:
        cur.execute("SELECT kind, incoming->>'summary', local->>'summary' FROM hub.conflicts")
        assert cur.fetchall() == [("conflict", "Sửa không tăng phiên bản", "Vụ việc số 0")]


@pytest.mark.parametrize("damage", ["flipped_byte", "truncated", "empty"])
def test_damaged_bundle_is_refused_and_nothing_written(hub, commune, province, data, outdir, damage):
    data.populate(2)
    path = export.export_bundle(commune, outdir).path
    raw = bytearray(path.read_bytes())
    if damage == "flipped_byte":
        raw[len(raw) // 2] ^= 0x40
    elif damage == "truncated":
        raw = raw[: len(raw) - 100]
    else:
        raw = bytearray()
    path.write_bytes(bytes(raw))
    _trusted(hub, province)
    before = _snapshot(hub)
    with pytest.raises(UserError) as err:
        import_bundle(hub, path, keyring=Keyring())
    assert err.value.code.startswith("bundle_") and err.value.message[:1].isupper()
    hub.rollback()
    assert _snapshot(hub) == before


def test_forged_signature_unknown_key_and_other_province_are_refused(hub, commune_factory, province, tmp_path,
                                                                     outdir):
    registered = commune_factory("00001")
    stranger = commune_factory("00002", "UBND xã Lạ", register=False)   # its key never registered
    Data(registered).populate(1)
    Data(stranger).populate(1)
    _trusted(hub, province)
    before = _snapshot(hub)
    with pytest.raises(UserError) as err:
        import_bundle(hub, export.export_bundle(stranger, outdir).path, keyring=Keyring())
    assert err.value.code == "unknown_key"
    hub.rollback()
    # Signed with the stranger's key but claiming the registered commune's fingerprint.
    forged = bundle_tools.signed_bundle(registered, province, {"cases": []},
                                        signer=keys.private_key(stranger, "signing", None))
    (outdir / "forged.gtb").write_bytes(forged)
    with pytest.raises(UserError) as err:
        import_bundle(hub, outdir / "forged.gtb", keyring=Keyring())
    assert err.value.code == "bad_signature"
    hub.rollback()
    # A bundle for a province the hub has no key of.
    other = make_register(tmp_path / "tinh2.sqlite", code="02", name="UBND tỉnh Khác", mode="province")
    keys.ensure_keys(other)
    (outdir / "other.gtb").write_bytes(bundle_tools.signed_bundle(registered, other, {"cases": []}))
    with pytest.raises(UserError) as err:
        import_bundle(hub, outdir / "other.gtb", keyring=Keyring())
    assert err.value.code == "other_province"
    hub.rollback()
    assert _snapshot(hub) == before
    other.close()


def test_bad_shapes_and_broken_links_are_rejected_one_by_one(hub, commune, province, data, outdir):
    (case,) = data.populate(1)
    _trusted(hub, province)
    import_bundle(hub, export.export_bundle(commune, outdir).path, keyring=Keyring())
    row = dict(commune.one("SELECT * FROM cases WHERE uuid = ?", (case,)))
    row.pop("id")
    good = dict(row, uuid="a" * 32, version=1)
    lines = [
        json.dumps(good, ensure_ascii=False),                                    # accepted
        json.dumps(dict(row, uuid="c" * 32, bogus=1), ensure_ascii=False),        # unknown column
        json.dumps(dict(row, uuid="d" * 32, version=0), ensure_ascii=False),      # bad version
        json.dumps(dict(row, uuid="e" * 32, summary=["x"]), ensure_ascii=False),  # nested value
        json.dumps(good, ensure_ascii=False),                                     # twice in one bundle
        "[1, 2]",                                                                 # not a record
    ]
    event = dict(commune.one("SELECT * FROM events WHERE case_uuid = ?", (case,)))
    event.pop("id")
    events = [json.dumps(dict(event, uuid="f" * 32, case_uuid="9" * 32), ensure_ascii=False)]  # no such case
    path = outdir / "crafted.gtb"
    prev = hub.execute("SELECT bundle_sha256 FROM hub.bundles").fetchone()[0]
    hub.rollback()
    # Chained by the commune's own app: the province's chain check lets them through to the merge.
    raw = bundle_tools.signed_bundle(commune, province, chained(commune, {"cases": lines, "events": events}),
                                     sequence=2)
    path.write_bytes(raw)
    report = import_bundle(hub, path, keyring=Keyring(), accept_sequence=True)
    assert prev  # the first bundle is on record
    assert report.tables["cases"].counts["new"] == 1 and report.tables["cases"].counts["rejected"] == 5
    assert report.tables["events"].counts["rejected"] == 1
    reasons = {r for (_, _, r) in report.tables["cases"].samples}
    assert any("Có cột" in r for r in reasons) and any("phiên bản" in r for r in reasons)
    assert any("Trùng mã UUID" in r for r in reasons) and any("không phải số hoặc chữ" in r for r in reasons)
    assert "Tham chiếu" in report.tables["events"].samples[0][2]
    assert _count(hub, "SELECT count(*) FROM hub.conflicts WHERE kind = 'rejected'") == 6


def _refused_alike(hub, province, path, code):
    """The province's SQLite import and the hub refuse ``path`` with the same code and message, and
    neither writes anything."""
    from tests.desktop.sync.conftest import snapshot

    before_hub, before_province = _snapshot(hub), snapshot(province)
    with pytest.raises(UserError) as at_province:
        province_importer.apply(province, path, accept_sequence=True)
    with pytest.raises(UserError) as at_hub:
        import_bundle(hub, path, keyring=Keyring(), accept_sequence=True)
    hub.rollback()
    assert at_province.value.code == at_hub.value.code == code, (at_province.value.message, at_hub.value.message)
    assert at_hub.value.message == at_province.value.message and "Gói bị từ chối" in at_hub.value.message
    assert _snapshot(hub) == before_hub and snapshot(province) == before_province
    return at_hub.value


def test_records_of_another_unit_are_refused_whole_as_at_the_province(hub, commune_factory, province, outdir):
    a, b = commune_factory("00001"), commune_factory("00002", "UBND xã Hai")
    (case,) = Data(a).populate(1)
    Data(b).populate(1)
    _trusted(hub, province)
    for db in (a, b):
        path = export.export_bundle(db, outdir).path
        import_bundle(hub, path, keyring=Keyring())
        province_importer.apply(province, path)
    row = dict(a.one("SELECT * FROM cases WHERE uuid = ?", (case,)))
    row.pop("id")
    foreign = json.dumps(dict(row, uuid="b" * 32), ensure_ascii=False)   # a record of unit 00001 in B's bundle
    path = outdir / "foreign.gtb"
    path.write_bytes(bundle_tools.signed_bundle(b, province, chained(b, {"cases": [foreign]}), sequence=2))
    err = _refused_alike(hub, province, path, "chain_records")
    assert "không thuộc xã" in err.message and "00001" in err.message
    # A's case taken over by B, chained in B's own ledger: a change to another unit's record.
    stolen = json.dumps(dict(row, unit_code="00002", version=9, summary="Ghi đè"), ensure_ascii=False)
    path = outdir / "steal.gtb"
    path.write_bytes(bundle_tools.signed_bundle(b, province, chained(b, {"cases": [stolen]}), sequence=2))
    err = _refused_alike(hub, province, path, "chain_cross_unit")
    assert "đơn vị khác" in err.message
    assert _count(hub, "SELECT count(*) FROM hub.cases WHERE data->>'summary' = 'Ghi đè'") == 0


def test_dry_run_writes_nothing(hub, commune, province, data, outdir):
    data.populate(2)
    path = export.export_bundle(commune, outdir).path
    _trusted(hub, province)
    before = _snapshot(hub)
    report = import_bundle(hub, path, keyring=Keyring(), dry_run=True)
    assert report.dry_run and not report.applied and report.totals()["new"] > 0
    assert _snapshot(hub) == before


def test_row_level_security_keeps_each_province_to_its_own_rows(hub, tmp_path, outdir, monkeypatch):
    from desktop.storage.db import open_database  # noqa: F401

    provinces, communes = [], []
    for code, name in (("01", "UBND tỉnh Một"), ("02", "UBND tỉnh Hai")):
        p = make_register(tmp_path / f"tinh-{code}.sqlite", code=code, name=name, mode="province")
        keys.ensure_keys(p)
        c = make_register(tmp_path / f"xa-{code}.sqlite", code=f"{code}001", name=f"UBND xã {code}", mode="commune")
        keys.ensure_keys(c)
        keys.import_key_file(c, keys.parse_key_file(keys.key_file_content(p)))
        keys.import_key_file(p, keys.parse_key_file(keys.key_file_content(c)))
        Data(c).populate(2 if code == "01" else 3)
        provinces.append(p)
        communes.append(c)
    out = []
    for p, c in zip(provinces, communes):
        _trusted(hub, p)
        out.append(export.export_bundle(c, outdir / f"{keys.local_unit(c)[0]}.gtb").path)
    results = import_files(hub, out, keyring=Keyring())
    assert all(r.applied for r in results)
    add_reader(hub, "hub_tinh_01", "01")
    add_reader(hub, "hub_tinh_02", "02")
    with hub.transaction(), hub.cursor() as cur:
        counts = {}
        for role in ("hub_tinh_01", "hub_tinh_02"):
            cur.execute(f"SET LOCAL ROLE {role}")
            cur.execute("SELECT province_code, count(*) FROM hub.cases GROUP BY 1")
            counts[role] = cur.fetchall()
            cur.execute("SELECT count(*) FROM hub.events WHERE province_code <> %s", (role[-2:],))
            assert cur.fetchone()[0] == 0
            cur.execute("RESET ROLE")
        assert counts == {"hub_tinh_01": [("01", 2)], "hub_tinh_02": [("02", 3)]}
    for db in provinces + communes:
        db.close()


def test_cli_init_trust_import_status(hub_dsn, commune, province, data, outdir, capsys):
    from desktop.cli import main

    data.populate(2)
    path = export.export_bundle(commune, outdir).path
    province.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert main(["hub", "init", "--dsn", hub_dsn]) == 0
    assert "mới nhất" in capsys.readouterr().out
    assert main(["hub", "trust", "--dsn", hub_dsn, "--register", str(province.path)]) == 0
    assert "1 khóa của 1 xã" in capsys.readouterr().out
    assert main(["hub", "import", "--dsn", hub_dsn, str(path), "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["applied"] and result["totals"]["new"] > 0
    assert main(["hub", "status", "--dsn", hub_dsn, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    commune_row = next(r for r in rows if r["unit_code"] == data.unit)
    assert commune_row["bundles"] == 1 and commune_row["cases"] == 2
    assert main(["hub", "import", "--dsn", hub_dsn, str(outdir / "missing.gtb")]) == 1
    assert "Không tìm thấy" in capsys.readouterr().out


def test_unreachable_server_is_a_clear_message(tmp_path):
    from hub.storage import db

    with pytest.raises(UserError) as err:
        db.connect(f"host={tmp_path} dbname=none user=nobody connect_timeout=2")
    assert err.value.code == "hub_unreachable" and "PostgreSQL" in err.value.message


def test_init_commits_the_schema_on_its_own(pg_cluster):
    """``migrate`` commits: a caller that rolls back afterwards (as an import batch does) keeps it."""
    import psycopg

    from hub.storage import db

    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE hub_commit_check")
    conn = db.connect(pg_cluster.dsn("hub_commit_check"))
    try:
        names = db.migrate(conn)
        assert names == [p.stem for p in db.migration_files()] and names[:2] == ["0001_hub", "0002_report_rows"]
        conn.rollback()
        db.require_schema(conn)
        assert db.migrate(conn) == []
    finally:
        conn.close()
        with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
            admin.execute("DROP DATABASE hub_commit_check WITH (FORCE)")
