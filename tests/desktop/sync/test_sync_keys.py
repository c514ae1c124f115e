"""Keys: made on first use, protected by a passphrase, exchanged as public key files, revocable,
and never written into any file the register produces."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives import serialization

from desktop.errors import UserError
from desktop.storage import sync_repo
from desktop.sync import export, keys, receipts
from tests.desktop.sync import sync_bundle_tools as bt

FP = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$")


def secret_forms(db, purpose: str) -> list[bytes]:
    key = keys.private_key(db, purpose, None)
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    pem = keys.own_key(db, purpose).private_key_pem
    return [raw, raw.hex().encode(), base64.b64encode(raw), pem, pem[60:100]]


def test_keys_are_made_once_and_protected(commune, province):
    first = keys.ensure_keys(commune)
    assert [k.purpose for k in first] == ["signing"]
    assert [k.purpose for k in keys.ensure_keys(province)] == ["signing", "encryption"]
    assert keys.ensure_keys(commune) == first
    assert FP.match(first[0].fingerprint)
    assert b"ENCRYPTED PRIVATE KEY" in first[0].private_key_pem


def test_wrong_or_missing_passphrase(commune, monkeypatch):
    with pytest.raises(UserError) as err:
        keys.private_key(commune, "signing", "sai mật khẩu")
    assert err.value.code == "wrong_passphrase"
    monkeypatch.delenv("GIAITRINH_KEY_PASSPHRASE")
    with pytest.raises(UserError) as err:
        keys.private_key(commune, "signing", None)
    assert err.value.code == "passphrase_required"


def test_private_keys_never_appear_in_any_export(commune, province, data, outdir, tmp_path):
    data.populate(3)
    bundle = export.export_bundle(commune, outdir)
    from desktop.sync import importer

    importer.apply(province, bundle.path)
    receipt = receipts.write_receipt(province, data.unit, outdir)
    files = {
        "bundle": bundle.path.read_bytes(),
        "archive": bt.unseal(province, bundle.path.read_bytes()),
        "commune key file": keys.write_key_file(commune, tmp_path / "xa.json").read_bytes(),
        "province key file": keys.write_key_file(province, tmp_path / "tinh.json").read_bytes(),
        "receipt": receipt.read_bytes(),
        "outbox copy": sync_repo.outbox_bundle(commune, 1),
    }
    secrets = secret_forms(commune, "signing") + secret_forms(province, "signing") + \
        secret_forms(province, "encryption")
    for what, content in files.items():
        for secret in secrets:
            assert secret not in content, f"a private key leaked into the {what}"
    assert "sync_own_keys" not in {t.name for t in sync_repo.synced_tables(commune)}


def test_key_file_round_trip_and_tampering(commune, province, tmp_path):
    path = keys.write_key_file(commune, tmp_path / "xa.json")
    parsed = keys.read_key_file(path)
    assert parsed.role == "commune" and parsed.fingerprint == keys.own_key(commune, "signing").fingerprint
    path.write_text(path.read_text(encoding="utf-8").replace("UBND xã Thụy Hùng", "UBND xã Giả"), encoding="utf-8")
    with pytest.raises(UserError) as err:
        keys.read_key_file(path)
    assert err.value.code == "bad_key_file"


def test_registration_checks_the_fingerprint_read_over_the_phone(commune_factory, province):
    other = commune_factory("00003", "UBND xã Hòa Bình", register=False)
    key = keys.parse_key_file(keys.key_file_content(other))
    with pytest.raises(UserError) as err:
        keys.import_key_file(province, key, expect_fingerprint="AAAA-AAAA-AAAA-AAAA")
    assert err.value.code == "fingerprint_mismatch"
    peer = keys.import_key_file(province, key, expect_fingerprint=key.fingerprint.lower().replace("-", " "))
    slip = keys.registration_slip(peer)
    assert "PHIẾU ĐĂNG KÝ KHÓA" in slip and key.fingerprint in slip and "UBND xã Hòa Bình" in slip


def test_roles_are_enforced(commune_factory, province):
    a = commune_factory("00004", "UBND xã A", register=False)
    b = commune_factory("00005", "UBND xã B", register=False)
    with pytest.raises(UserError) as err:
        keys.import_key_file(a, keys.parse_key_file(keys.key_file_content(b)))
    assert err.value.code == "wrong_key_role"


def test_new_key_for_a_unit_revokes_the_old_one(commune, province):
    old = keys.own_key(commune, "signing").fingerprint
    with commune.write():
        commune.execute("DELETE FROM sync_own_keys")
    key = keys.parse_key_file(keys.key_file_content(commune))
    keys.import_key_file(province, key, expect_fingerprint=key.fingerprint)  # a replacement needs it (issue #17)
    new = keys.own_key(commune, "signing").fingerprint
    peers = {p.fingerprint: p for p in sync_repo.list_peer_keys(province, "commune")}
    assert peers[new].active and not peers[old].active
    revoked = keys.revoke(province, new, "Mất máy")
    assert not revoked.active and revoked.revoked_reason == "Mất máy"
    with pytest.raises(UserError):
        keys.import_key_file(province, keys.parse_key_file(keys.key_file_content(commune)))
