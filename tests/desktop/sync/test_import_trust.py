"""Import trusts a commune only with its own records (issue #17, item 6).

Each refused bundle leaves the province register exactly as it was and says why in Vietnamese.
The hostile bundles below are made the way an attacker holding a commune's register (and its
key) would make them: rows written into the commune's own register, which its app then chains
and signs, so that only the province's checks stand in the way.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from desktop.errors import UserError
from desktop.storage import ledger
from desktop.sync import crypto, export, importer, keys
from tests.desktop.sync import sync_bundle_tools as bt
from tests.desktop.sync.conftest import NOW, Data, snapshot


def refused(province, path, code: str) -> UserError:
    before = snapshot(province)
    with pytest.raises(UserError) as err:
        importer.apply(province, path, accept_sequence=True)
    assert err.value.code == code, (err.value.code, err.value.message)
    assert "Gói bị từ chối" in err.value.message
    assert snapshot(province) == before, "a refused bundle changed the province register"
    return err.value


@pytest.fixture
def two(commune_factory, province, outdir):
    """Communes A and B; B's records already at the province."""
    a, b = commune_factory("00001", "UBND xã A"), commune_factory("00002", "UBND xã B")
    data_b = Data(b)
    person_b = data_b.person("Người của xã B", id_number="034090009999")
    case_b = data_b.case(person_b)
    importer.apply(province, export.export_bundle(b, outdir / "b.gtb").path)
    return a, b, case_b, person_b


def _copy_foreign_row(a, b, table: str, uuid: str) -> None:
    """Put B's row into A's register, still owned by B (A's chain never names it)."""
    row = dict(b.one(f"SELECT * FROM {table} WHERE uuid = ?", (uuid,)))
    row.pop("id")
    with a.write():
        a.execute(f"INSERT INTO {table}({','.join(row)}) VALUES ({','.join('?' * len(row))})", list(row.values()))


def test_an_event_on_another_units_case_is_refused(two, province, outdir):
    a, b, case_b, _ = two
    _copy_foreign_row(a, b, "cases", case_b)
    with a.write():
        a.execute("INSERT INTO events(uuid, unit_code, case_uuid, seq, action, to_state, at, effective_on, prev_hash, "
                  "hash) VALUES ('su-kien-la', '00001', ?, 9, 'close', 'closed', ?, '2026-03-02', ?, ?)",
                  (case_b, NOW, "0" * 64, "1" * 64))
    err = refused(province, export.export_bundle(a, outdir).path, "chain_cross_unit")
    assert "events" in err.message and "00002" in err.message and "đơn vị khác" in err.message


def test_a_link_to_another_units_person_is_refused(two, province, outdir):
    a, b, _, person_b = two
    _copy_foreign_row(a, b, "persons", person_b)
    case_a = Data(a).case()
    with a.write():
        a.execute("INSERT INTO case_people(case_uuid, person_uuid, role, uuid, unit_code, updated_at) VALUES "
                  "(?, ?, 'requester', 'lien-ket-la', '00001', ?)", (case_a, person_b, NOW))
    err = refused(province, export.export_bundle(a, outdir).path, "chain_cross_unit")
    assert "case_people" in err.message and "persons" in err.message


def test_a_change_to_another_units_record_is_refused(two, province, outdir):
    a, b, case_b, _ = two
    row = dict(b.one("SELECT * FROM cases WHERE uuid = ?", (case_b,)))
    row.pop("id")
    row.update(unit_code="00001", version=7, summary="Xã A sửa vụ việc của xã B")
    with a.write():  # A's own chain now names B's case
        a.execute(f"INSERT INTO cases({','.join(row)}) VALUES ({','.join('?' * len(row))})", list(row.values()))
    err = refused(province, export.export_bundle(a, outdir).path, "chain_cross_unit")
    assert "00002" in err.message
    assert province.scalar("SELECT summary FROM cases WHERE uuid = ?", (case_b,)) == "Đề nghị giải trình việc thu phí"


def test_a_record_edited_behind_the_communes_app_is_refused(commune, province, data, outdir):
    (case,) = data.populate(1)
    commune.execute("DROP TRIGGER ledger_au_cases")
    commune.execute("UPDATE cases SET summary = 'sửa lén' WHERE uuid = ?", (case,))
    err = refused(province, export.export_bundle(commune, outdir).path, "chain_records")
    assert "không khớp nhật ký toàn vẹn" in err.message and case[:8] in err.message


def test_a_record_missing_from_the_chain_is_refused(commune, province, data, outdir):
    data.populate(1)
    line = ledger.canonical({"uuid": "khong-co", "unit_code": "00001", "version": 1, "updated_at": NOW,
                             "full_name": "Người không có trong chuỗi"})
    path = outdir / "x.gtb"
    path.write_bytes(bt.signed_bundle(commune, province, {"persons": [line]}))
    err = refused(province, path, "chain_records")
    assert "không có trong nhật ký toàn vẹn" in err.message


def test_a_chain_entry_with_a_wrong_hash_is_refused(commune, province, data, outdir):
    data.populate(1)
    lines = bt.ledger_lines(commune)
    entry = json.loads(lines[-1])
    entry["digest"] = "f" * 64
    lines[-1] = ledger.canonical(entry)
    path = outdir / "x.gtb"
    path.write_bytes(bt.signed_bundle(commune, province, {"ledger": lines}))
    err = refused(province, path, "chain_rewritten")
    assert "mã băm sai" in err.message


def test_a_head_that_does_not_match_the_chain_is_refused(commune, province, data, outdir):
    data.populate(1)
    signer = keys.private_key(commune, "signing", None)
    path = outdir / "x.gtb"
    path.write_bytes(bt.signed_bundle(commune, province, {}, head=bt.signed_head(commune, signer, seq=2)))
    refused(province, path, "chain_rewritten")
    path.write_bytes(bt.signed_bundle(commune, province, {}, head={"format": "x"}))
    refused(province, path, "chain_bad_head")


def test_a_chain_that_skips_entries_is_refused(commune, province, data, outdir):
    data.populate(2)
    lines = bt.ledger_lines(commune)
    del lines[3]
    path = outdir / "x.gtb"
    path.write_bytes(bt.signed_bundle(commune, province, {"ledger": lines}))
    err = refused(province, path, "chain_rewritten")
    assert "không nối tiếp" in err.message


def test_non_canonical_json_is_refused(commune, province, data, outdir):
    data.populate(1)
    good = export.export_bundle(commune, outdir).path.read_bytes()
    items = bt.members(bt.unseal(province, good))
    # A record line with its keys out of order (same content, other bytes): refused.
    name = "records/persons.jsonl"
    record = json.loads(items[name].decode().splitlines()[0])
    items[name] = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    m = json.loads(items["manifest.json"])
    for part in m["parts"]:
        if part["name"] == name:
            part["size"], part["sha256"] = len(items[name]), hashlib.sha256(items[name]).hexdigest()
    signer = keys.private_key(commune, "signing", None)
    items["manifest.json"] = crypto.canonical_json(m)
    items["manifest.sig"] = crypto.sign(signer, items["manifest.json"])
    path = outdir / "x.gtb"
    path.write_bytes(bt.reseal(province, bt.rezip(items)))
    refused(province, path, "bundle_not_canonical")
    # A manifest with a duplicated key, signed as it is: two readers would see two manifests.
    items = bt.members(bt.unseal(province, good))
    text = items["manifest.json"].decode()
    items["manifest.json"] = ('{"kind":"full",' + text[1:]).encode()
    items["manifest.sig"] = crypto.sign(signer, items["manifest.json"])
    path.write_bytes(bt.reseal(province, bt.rezip(items)))
    with pytest.raises(UserError) as err:
        importer.apply(province, path)
    assert err.value.code == "bundle_damaged" and "JSON chuẩn" in err.value.message


def _resigned(commune, province, items, name):
    m = json.loads(items["manifest.json"])
    for part in m["parts"]:
        if part["name"] == name:
            part["size"], part["sha256"] = len(items[name]), hashlib.sha256(items[name]).hexdigest()
    signer = keys.private_key(commune, "signing", None)
    items["manifest.json"] = crypto.canonical_json(m)
    items["manifest.sig"] = crypto.sign(signer, items["manifest.json"])
    return bt.reseal(province, bt.rezip(items))


@pytest.mark.parametrize("name", ["records/events.jsonl", "records/ledger.jsonl"])
def test_lines_that_are_canonical_only_when_joined_are_refused(commune, province, data, outdir, name):
    """Each line must be one record's canonical JSON: here the part, read as one text, parses to
    records whose canonical JSON is that whole text again, but the first record spans two lines
    and the third line holds two records (a check of the part as a whole would pass it)."""
    data.populate(2)
    good = export.export_bundle(commune, outdir).path.read_bytes()
    items = bt.members(bt.unseal(province, good))
    lines = items[name].decode().splitlines()
    assert len(lines) >= 3
    joined = [lines[0][:-1] + ',"zz":"', '"}', lines[1] + "," + lines[2], *lines[3:]]
    records = json.loads("[" + ",".join(joined) + "]")
    assert len(records) == len(joined) and ",".join(ledger.canonical(r) for r in records) == ",".join(joined)
    items[name] = "".join(line + "\n" for line in joined).encode()
    path = outdir / "x.gtb"
    path.write_bytes(_resigned(commune, province, items, name))
    refused(province, path, "bundle_not_canonical")


def test_a_rogue_key_file_never_replaces_a_registered_key(commune_factory, province):
    commune = commune_factory("00001", "UBND xã A")
    registered = keys.own_key(commune, "signing").fingerprint
    from tests.desktop.sync.conftest import make_register

    fake = make_register(commune.path.with_name("gia.sqlite"), code="00001", name="UBND xã A", mode="commune")
    keys.ensure_keys(fake)
    rogue = keys.parse_key_file(keys.key_file_content(fake))
    before = snapshot(province)
    with pytest.raises(UserError) as err:
        keys.import_key_file(province, rogue)                   # no fingerprint read back: refused
    assert err.value.code == "fingerprint_required" and registered in err.value.message
    with pytest.raises(UserError) as err:
        keys.import_key_file(province, rogue, expect_fingerprint=registered)  # the old one read: mismatch
    assert err.value.code == "fingerprint_mismatch"
    assert snapshot(province) == before
    assert [p.fingerprint for p in keys.sync_repo.list_peer_keys(province, "commune") if p.active] == [registered]
    fake.close()


def test_no_key_is_registered_under_the_provinces_own_code(province, tmp_path):
    from tests.desktop.sync.conftest import make_register

    impostor = make_register(tmp_path / "gia.sqlite", code="01", name="UBND tỉnh giả", mode="commune")
    keys.ensure_keys(impostor)
    key = keys.parse_key_file(keys.key_file_content(impostor))
    with pytest.raises(UserError) as err:
        keys.import_key_file(province, key, expect_fingerprint=key.fingerprint)
    assert err.value.code == "key_own_unit" and "mã của chính sổ này" in err.value.message
    assert not keys.sync_repo.list_peer_keys(province, "commune")
    impostor.close()


def test_deletions_reach_the_province_and_the_chains_stay_whole(commune, province, outdir):
    from datetime import date

    from desktop.storage.calendar_repo import add_day, remove_day
    from desktop.workflow.verify import verify_register

    add_day(commune, date(2026, 12, 31), "off", "Nghỉ bù")
    importer.apply(province, export.export_bundle(commune, outdir / "1.gtb").path)
    assert province.scalar("SELECT count(*) FROM calendar_days WHERE unit_code = '00001'") == 1
    remove_day(commune, date(2026, 12, 31))
    importer.apply(province, export.export_bundle(commune, outdir / "2.gtb").path)
    assert province.scalar("SELECT count(*) FROM calendar_days WHERE unit_code = '00001'") == 0
    report = verify_register(province)
    assert report.ok, report.problems
    heads = province.query("SELECT unit_code, seq, source FROM ledger_heads ORDER BY id")
    assert [tuple(h) for h in heads][-1] == ("00001", ledger.head(province.conn, "00001")[0], "import")


@pytest.mark.parametrize("field, value", [("tbl", "settings"), ("tbl", 'cases" --'), ("seq", "1"), ("digest", 5),
                                          ("record_uuid", ""), ("seq", 0), ("seq", 1.0), ("version", True),
                                          ("version", None), ("record_uuid", "x" * 65), ("digest", "ab"),
                                          ("hash", None), ("uuid", 7), ("prev_hash", ["0" * 64])])
def test_a_malformed_chain_entry_is_refused_cleanly(commune, province, data, outdir, field, value):
    data.populate(1)
    lines = bt.ledger_lines(commune)
    entry = json.loads(lines[0])
    entry[field] = value
    lines[0] = ledger.canonical(entry)
    path = outdir / "x.gtb"
    path.write_bytes(bt.signed_bundle(commune, province, {"ledger": lines}))
    err = refused(province, path, "chain_bad_entry")
    assert "sai định dạng" in err.message


@pytest.mark.parametrize("change", ["unit", "extra key", "missing key", "last entry"])
def test_a_chain_entry_of_another_unit_or_shape_is_refused(commune, province, data, outdir, change):
    data.populate(1)
    lines = bt.ledger_lines(commune)
    at = -1 if change == "last entry" else 0
    entry = json.loads(lines[at])
    if change in ("unit", "last entry"):
        entry["unit_code"] = "00002"
    elif change == "extra key":
        entry["note"] = "x"
    else:
        del entry["version"]
    lines[at] = ledger.canonical(entry)
    path = outdir / "x.gtb"
    path.write_bytes(bt.signed_bundle(commune, province, {"ledger": lines}))
    err = refused(province, path, "chain_foreign")
    assert "không phải của xã" in err.message
