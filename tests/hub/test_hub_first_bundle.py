"""A unit's first bundle goes straight into the record tables (``hub.first``): the same result as
the staged merge, record by record, and the same refusals — another unit's uuid, broken links,
damaged content, all or nothing, replay."""

from __future__ import annotations

import json
import sys
import uuid as uuidlib
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.sync import export
from hub.importer import Keyring, import_bundle
from hub.trust import trust_register

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import Data, bundle_tools, chained  # noqa: E402
from test_hub_import import _count, _snapshot, _trusted  # noqa: E402


@pytest.fixture
def second_hub(pg_cluster, hub_template):
    """Another fresh hub database on the same server."""
    import psycopg

    from hub.storage import db as hub_db

    name = "hub_" + uuidlib.uuid4().hex[:12]
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {hub_template}")
    conn = hub_db.connect(pg_cluster.dsn(name))
    yield conn
    conn.close()
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def _row(db, table, where, *params):
    row = dict(db.one(f"SELECT * FROM {table} WHERE {where}", params))
    row.pop("id", None)
    return row


def _dump(record) -> str:
    return json.dumps(record, ensure_ascii=False)


def _crafted_parts(commune, data):
    """A first bundle holding every way the merge refuses a record beside good ones: bad shapes, a
    duplicate, links to missing records and to refused ones, an unknown type — chained by the
    commune's own app, so the chain check lets them through (a record of another unit it refuses
    whole: test_hub_import)."""
    cases = data.populate(3)
    case = _row(commune, "cases", "uuid = ?", cases[0])
    event = _row(commune, "events", "case_uuid = ? AND seq = 1", cases[0])
    link = _row(commune, "case_people", "case_uuid = ?", cases[0])
    person = _row(commune, "persons", "uuid = ?", link["person_uuid"])
    bad_case = dict(case, uuid="b" * 32, version=0)                     # bad version: refused
    lines = {
        "cases": [_dump(case), _dump(_row(commune, "cases", "uuid = ?", cases[1])), _dump(bad_case),
                  _dump(dict(case, uuid="d" * 32, bogus=1)),             # unknown column
                  _dump(case),                                           # twice in one bundle
                  "[1, 2]"],
        "events": [_dump(event),
                   _dump(dict(event, uuid="e" * 32, case_uuid="9" * 32)),       # no such case
                   _dump(dict(event, uuid="f" * 32, case_uuid="b" * 32))],      # its case was refused
        "persons": [_dump(person)],
        "case_people": [_dump(link),
                        _dump(dict(link, uuid="a1" * 16, case_uuid="b" * 32)),   # refused case
                        _dump(dict(link, uuid="a2" * 16, person_uuid="8" * 32))],  # no such person
        "hub_unknown_type": [_dump({"uuid": "a3" * 16, "unit_code": data.unit})],
    }
    return chained(commune, lines)


def _stored(hub, unit):
    with hub.cursor() as cur:
        cur.execute("""
            SELECT 'cases', uuid, year, version, province_code, data FROM hub.cases WHERE unit_code = %(u)s
            UNION ALL SELECT 'events', uuid, year, version, province_code, data FROM hub.events WHERE unit_code = %(u)s
            UNION ALL SELECT tbl, uuid, NULL, version, province_code, data FROM hub.records
                      WHERE unit_code = %(u)s AND tbl <> 'seed'
            ORDER BY 1, 2""", {"u": unit})
        stored = [(a, b, c, d, e, json.dumps(f, sort_keys=True)) for a, b, c, d, e, f in cur.fetchall()]
        cur.execute("SELECT tbl, uuid, version, kind, reason, incoming::text, local::text FROM hub.conflicts "
                    "WHERE unit_code = %s ORDER BY tbl, uuid, reason", (unit,))
        return stored, cur.fetchall()


def test_first_bundle_goes_direct_with_exactly_the_staged_merges_result(hub, second_hub, commune, province,
                                                                        data, outdir):
    path = outdir / "crafted.gtb"
    path.write_bytes(bundle_tools.signed_bundle(commune, province, _crafted_parts(commune, data)))
    _trusted(hub, province)
    trust_register(second_hub, Path(province.path))
    # The second hub already holds something of the unit, so the same bundle takes the staged way.
    with second_hub.transaction():
        second_hub.execute("INSERT INTO hub.records (unit_code, tbl, uuid, province_code, version, data) "
                           "VALUES (%s, 'seed', 'seed', '01', 1, '{}')", (data.unit,))
    direct = import_bundle(hub, path, keyring=Keyring())
    staged = import_bundle(second_hub, path, keyring=Keyring())
    assert direct.direct and not staged.direct and direct.applied and staged.applied
    assert {n: (t.counts, t.samples) for n, t in direct.tables.items()} == \
        {n: (t.counts, t.samples) for n, t in staged.tables.items()}
    counts = {n: (t.counts["new"], t.counts["rejected"]) for n, t in direct.tables.items() if n != "ledger"}
    assert counts == {"cases": (2, 4), "events": (1, 2), "persons": (1, 0), "case_people": (1, 2),
                      "hub_unknown_type": (0, 1)}, counts
    reasons = {r for t in direct.tables.values() for _, _, r in t.samples}
    assert any("Tham chiếu tới bản ghi cases" in r for r in reasons)
    assert any("Tham chiếu tới bản ghi persons" in r for r in reasons)
    assert any("Trùng mã UUID" in r for r in reasons) and any("không có loại bản ghi" in r for r in reasons)
    assert _stored(hub, data.unit) == _stored(second_hub, data.unit)


def _plain_uuid_indexes(hub):
    """The uuid indexes as a Citus cluster has them: not unique (migration 0003 undone)."""
    with hub.transaction():
        for table, cols in (("cases", "uuid, year"), ("events", "uuid, year"), ("records", "tbl, uuid")):
            hub.execute(f"DROP INDEX hub.{table}_uuid")
            hub.execute(f"CREATE INDEX {table}_uuid ON hub.{table} ({cols})")


@pytest.mark.parametrize("unique", [True, False], ids=["unique-indexes", "plain-indexes"])
@pytest.mark.parametrize("kind", ["cases", "events", "persons"])
def test_first_bundle_with_a_uuid_another_unit_uses_takes_the_staged_way(hub, commune_factory, province, outdir,
                                                                         kind, unique):
    """A uuid of another unit is refused whole by the chain check (test_hub_import); one that another
    unit's bundle brought in after this bundle's check (two imports racing) is met by the merge."""
    from hub import importer
    from hub.storage import db as hub_db
    from hub.storage import records

    if not unique:
        _plain_uuid_indexes(hub)
    assert records.uuids_unique(hub.cursor()) is unique
    hub.rollback()
    a, b = commune_factory("00001"), commune_factory("00002", "UBND xã Hai")
    (taken,) = Data(a).populate(1)
    _trusted(hub, province)
    (own,) = Data(b).populate(1)
    case = _row(b, "cases", "uuid = ?", own)
    event = _row(b, "events", "case_uuid = ? AND seq = 1", own)
    person = _row(b, "persons", "uuid = (SELECT person_uuid FROM case_people WHERE case_uuid = ?)", own)
    stolen = {"cases": _row(a, "cases", "uuid = ?", taken)["uuid"],
              "events": _row(a, "events", "case_uuid = ? AND seq = 1", taken)["uuid"],
              "persons": _row(a, "persons", "uuid = (SELECT person_uuid FROM case_people WHERE case_uuid = ?)",
                              taken)["uuid"]}[kind]
    parts = {"cases": [_dump(case)], "events": [_dump(event)], "persons": [_dump(person)]}
    record = {"cases": case, "events": event, "persons": person}[kind]
    parts[kind] = [_dump(dict(record, uuid=stolen))]
    if kind == "cases":     # the event now points at a case this unit does not have: refused too
        parts["events"] = [_dump(dict(event, case_uuid=stolen))]
    path = outdir / "steal.gtb"
    path.write_bytes(bundle_tools.signed_bundle(b, province, chained(b, parts)))
    # B's bundle is prepared and its chain checked (on the batch's second connection) …
    importer.chain.ensure_views(hub)
    trust = importer.Trust.load(hub)
    hub.rollback()
    trust.conn = hub_db.second(hub)
    importer.chain.ensure_views(trust.conn)
    try:
        prepared = importer.prepare(path, trust, Keyring(), check_chain=True)
    finally:
        trust.conn.close()
    assert prepared.checked is not None and prepared.checked.error is None
    # … while A's first bundle, holding that uuid, is imported.
    first = import_bundle(hub, export.export_bundle(a, outdir).path, keyring=Keyring())
    assert first.direct
    report = importer.apply(hub, prepared)
    assert report.applied and not report.direct
    assert report.tables[kind].counts["rejected"] == 1
    assert "đơn vị khác" in report.tables[kind].samples[0][2]
    owners = _count(hub, "SELECT count(DISTINCT unit_code) FROM (SELECT unit_code, uuid FROM hub.cases UNION ALL "
                    "SELECT unit_code, uuid FROM hub.events UNION ALL SELECT unit_code, uuid FROM hub.records) x "
                    "WHERE uuid = %s", stolen)
    assert owners == 1
    # The rest of the bundle is imported as the staged merge judges it.
    assert report.totals()["new"] >= 1


def test_first_bundle_with_content_postgresql_refuses_writes_nothing(hub, commune, province, data, outdir):
    (case,) = data.populate(1)
    good = _row(commune, "cases", "uuid = ?", case)
    event = _row(commune, "events", "case_uuid = ? AND seq = 1", case)
    parts = {"cases": [_dump(good)],
             # Valid JSON for the commune, not for PostgreSQL's jsonb (a NUL in text), in the last part:
             # the cases were already copied when it fails, and must not stay.
             "events": [_dump(event), _dump(dict(event, uuid="e" * 32, note="a\u0000b"))]}
    path = outdir / "nul.gtb"
    parts = chained(commune, parts)
    path.write_bytes(bundle_tools.signed_bundle(commune, province, parts))
    _trusted(hub, province)
    before = _snapshot(hub)
    with pytest.raises(UserError) as err:
        import_bundle(hub, path, keyring=Keyring())
    assert err.value.code == "bundle_damaged"
    hub.rollback()
    assert _snapshot(hub) == before
    # Once repaired, the unit's first bundle goes in whole.
    parts["events"] = parts["events"][:1]
    path.write_bytes(bundle_tools.signed_bundle(commune, province, parts))
    report = import_bundle(hub, path, keyring=Keyring())
    assert report.direct and report.totals()["new"] == 2 + report.tables["ledger"].counts["new"]


def test_first_bundle_replay_and_the_next_bundle(hub, commune, province, data, outdir):
    (case,) = data.populate(2)[:1]
    first = export.export_bundle(commune, outdir)
    _trusted(hub, province)
    report = import_bundle(hub, first.path, keyring=Keyring())
    assert report.direct and report.totals()["new"] == first.total
    before = _snapshot(hub)
    again = import_bundle(hub, first.path, keyring=Keyring())
    assert again.replay and not again.applied and _snapshot(hub) == before
    forced = import_bundle(hub, first.path, keyring=Keyring(), reimport=True)
    assert not forced.direct and forced.totals()["unchanged"] == first.total and _snapshot(hub) == before
    data.touch_case(case, "Bản mới")
    second = import_bundle(hub, export.export_bundle(commune, outdir).path, keyring=Keyring())
    assert not second.direct and second.tables["cases"].counts["updated"] == 1


def test_first_bundle_dry_run_writes_nothing(hub, commune, province, data, outdir):
    data.populate(2)
    path = export.export_bundle(commune, outdir).path
    _trusted(hub, province)
    before = _snapshot(hub)
    report = import_bundle(hub, path, keyring=Keyring(), dry_run=True)
    assert report.direct and report.totals()["new"] > 0 and not report.applied
    assert _snapshot(hub) == before


@pytest.mark.parametrize("line", [
    '{"uuid":"u1","note":"plain"}',
    '{"uuid":"u1","note":"a \\\\ backslash, a \\" quote, a \\n newline escaped"}',
    '{"uuid":"u1",\t"note":"a raw tab between tokens"}',
    '{"uuid":"u1","note":"a raw carriage return after"}\r',
    '{"uuid":"u1","note":"chữ Việt có dấu ✓ \\u0007"}',
])
@pytest.mark.parametrize("uuid", ["u1", "u\\1", "u\t1"])
def test_a_part_written_whole_is_written_as_value_by_value(line, uuid):
    """``hub.first._rows`` escapes a whole part at once when it may, with the very bytes the value
    by value path writes, for every character COPY's text format treats apart."""
    from hub import first
    from hub.shape import Part, Shaped
    from hub.types import by_name

    for name in ("events", "persons"):
        t = by_name()[name]
        part = Part(name, t, [Shaped(uuid, 3, 2026, None), Shaped("u2", 3, 2026, None)], [line, line], [(), ()])
        whole = first._rows(part, "00001", "01", t.target)
        assert whole == first._rows_each(part, "00001", "01", t.target).encode("utf-8")
        assert whole.count(b"\n") == 2 and whole.count(b"\t") == 10
