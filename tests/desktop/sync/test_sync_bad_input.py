"""Every bad bundle is refused with a Vietnamese UserError and the province file untouched."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from desktop.errors import UserError
from desktop.sync import export, importer, keys
from tests.desktop.sync import sync_bundle_tools as bt
from tests.desktop.sync.conftest import file_digest, make_register, snapshot

VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")


@pytest.fixture
def good(commune, province, data, outdir):
    data.populate(3)
    return export.export_bundle(commune, outdir)


def refused(province, path, code: str | None = None) -> UserError:
    """Both preview and apply refuse; the province file and its tables are unchanged."""
    before_file, before_rows = file_digest(province), snapshot(province)
    for action in (importer.preview, importer.apply):
        with pytest.raises(UserError) as err:
            action(province, path)
        if code:
            assert err.value.code == code, err.value.message
        assert VIETNAMESE.search(err.value.message), err.value.message
    assert snapshot(province) == before_rows
    assert file_digest(province) == before_file
    return err.value


def write(outdir, data: bytes, name="bad.gtb"):
    path = outdir / name
    path.write_bytes(data)
    return path


def test_truncated_file(province, good, outdir):
    data = good.path.read_bytes()
    for cut in (5, 40, len(data) // 2, len(data) - 1):
        refused(province, write(outdir, data[:cut]), "bundle_damaged")


def test_not_a_bundle_and_empty_file(province, outdir):
    refused(province, write(outdir, b""), "bundle_damaged")
    refused(province, write(outdir, b"PK\x03\x04 not ours"), "bundle_damaged")


def test_flipped_byte_anywhere(province, good, outdir):
    data = bytearray(good.path.read_bytes())
    for pos in (len(bt.crypto.MAGIC) + 30, len(data) // 2, len(data) - 3):
        mutated = bytearray(data)
        mutated[pos] ^= 0x01
        refused(province, write(outdir, bytes(mutated)))


def test_wrong_format_version_in_envelope_and_in_manifest(commune, province, good, outdir):
    data = good.path.read_bytes().replace(b'"format_version":2', b'"format_version":9', 1)
    assert refused(province, write(outdir, data), "unsupported_version").message.startswith("Gói dùng phiên bản")
    newer = bt.signed_bundle(commune, province, {"cases": []}, format_version=3)
    refused(province, write(outdir, newer, "v2.gtb"), "unsupported_version")


def test_swapped_payload(province, good, outdir):
    items = bt.members(bt.unseal(province, good.path.read_bytes()))
    items["records/cases.jsonl"], items["records/persons.jsonl"] = (
        items["records/persons.jsonl"], items["records/cases.jsonl"])
    refused(province, write(outdir, bt.reseal(province, bt.rezip(items))), "bundle_damaged")


def test_extra_or_missing_member(province, good, outdir):
    items = bt.members(bt.unseal(province, good.path.read_bytes()))
    extra = dict(items, **{"records/secret.jsonl": b"{}\n"})
    refused(province, write(outdir, bt.reseal(province, bt.rezip(extra)), "extra.gtb"), "bundle_damaged")
    del items["records/events.jsonl"]
    refused(province, write(outdir, bt.reseal(province, bt.rezip(items)), "missing.gtb"), "bundle_damaged")


@pytest.mark.parametrize("name", ["../../evil.jsonl", "records/../../x.jsonl", "/etc/passwd",
                                  "C:\\Windows\\x.jsonl", "records/CASES.jsonl", "records/a/b.jsonl"])
def test_paths_that_escape_are_refused_and_never_written(province, good, outdir, tmp_path, name):
    items = bt.members(bt.unseal(province, good.path.read_bytes()))
    items[name] = b'{"uuid":"x"}\n'
    path = write(outdir, bt.reseal(province, bt.rezip(items)))

    def files():
        return sorted(str(p) for p in tmp_path.parent.rglob("*") if not p.name.endswith(("-wal", "-shm")))

    before = files()
    refused(province, path, "bundle_damaged")
    assert files() == before


def test_zip_bomb_is_refused_without_inflating(province, good, outdir):
    items = bt.members(bt.unseal(province, good.path.read_bytes()))
    items["records/cases.jsonl"] = b"\n" * (64 * 1024 * 1024)   # compresses about 1000:1
    refused(province, write(outdir, bt.reseal(province, bt.rezip(items))), "bundle_damaged")


def test_bundle_for_another_province(commune, province, data, outdir, tmp_path):
    other = make_register(tmp_path / "tinh-khac.sqlite", code="02", name="UBND tỉnh Khác", mode="province")
    keys.ensure_keys(other)
    key = keys.parse_key_file(keys.key_file_content(other))
    keys.import_key_file(commune, key, expect_fingerprint=key.fingerprint)   # commune now sends to 02
    data.populate(1)
    path = export.export_bundle(commune, outdir).path
    err = refused(province, path, "other_province")
    assert "tỉnh khác" in err.message
    other.close()


def test_unknown_key_and_revoked_key(commune_factory, province, outdir):
    stranger = commune_factory("00099", "UBND xã Lạ", register=False)
    refused(province, write(outdir, bt.signed_bundle(stranger, province, {"cases": []})), "unknown_key")
    known = commune_factory("00002", "UBND xã Quen")
    path = write(outdir, bt.signed_bundle(known, province, {"cases": []}), "known.gtb")
    keys.revoke(province, keys.own_key(known, "signing").fingerprint, "Máy tính bị mất")
    refused(province, path, "key_revoked")


def test_signed_by_the_wrong_key(commune, province, outdir):
    fake = bt.signed_bundle(commune, province, {"cases": []}, signer=Ed25519PrivateKey.generate())
    refused(province, write(outdir, fake), "bad_signature")


def test_records_for_a_table_the_province_lacks_are_rejected_not_crashing(commune, province, outdir):
    unit = commune.get_setting("local_unit_code")
    path = write(outdir, bt.signed_bundle(commune, province, {"spaceships": [f'{{"unit_code":"{unit}","uuid":"a"}}']}))
    report = importer.apply(province, path)
    assert report.merge.tables["spaceships"].counts["rejected"] == 1
