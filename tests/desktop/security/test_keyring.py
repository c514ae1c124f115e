"""Sync keys made with a typed passphrase (before the sealed one existed) are moved to a random
passphrase sealed to the register key, keeping the keys themselves (issue #17, item 10)."""

from __future__ import annotations

import pytest

from desktop.errors import UserError
from desktop.security import accounts, keyring
from desktop.storage.units import save_officer, save_unit
from desktop.sync import keys

PASSWORD = "bầu trời xanh ngắt mùa thu"
TYPED = "cây tre xanh bên bờ sông"


@pytest.fixture
def typed_register(db, monkeypatch):
    monkeypatch.delenv("GIAITRINH_KEY_PASSPHRASE", raising=False)
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
    accounts.create_account(db, login="chutich", password=PASSWORD, role="leader", officer_uuid=head.uuid)
    accounts.create_account(db, login="vanthu", password=PASSWORD, role="reception", full_name="Lê Thị Mai")
    keys.ensure_keys(db, TYPED)         # as a register made by an earlier version
    return db


def test_typed_keys_are_moved_to_the_sealed_passphrase_keeping_the_keys(typed_register):
    db = typed_register
    fingerprint = keys.own_key(db, "signing").fingerprint
    assert keyring.state(db) == "typed" and keyring.passphrase(db) is None
    with pytest.raises(UserError) as exc:
        keyring.check_typed(db, "không phải cụm này")
    assert exc.value.code == "wrong_passphrase"
    keyring.check_typed(db, TYPED)
    accounts.login_user(db, "vanthu", PASSWORD)
    assert not keyring.may_adopt(db)
    with pytest.raises(UserError) as exc:
        keyring.adopt_sealed(db, TYPED)
    assert exc.value.code == "not_permitted"
    accounts.login_user(db, "quantri", PASSWORD)
    assert keyring.may_adopt(db)
    with pytest.raises(UserError):                  # a wrong passphrase changes nothing
        keyring.adopt_sealed(db, "không phải cụm này")
    assert keyring.state(db) == "typed"
    secret = keyring.adopt_sealed(db, TYPED)
    assert keyring.state(db) == "sealed" and keyring.passphrase(db) == secret
    assert keys.own_key(db, "signing").fingerprint == fingerprint   # the province need not register it again
    assert keys.private_key(db, "signing", secret) is not None
    with pytest.raises(UserError):
        keys.private_key(db, "signing", TYPED)      # the old passphrase no longer opens anything
    accounts.login_user(db, "chutich", PASSWORD)     # a leader unlocks them without typing
    assert keyring.passphrase(db) == secret


def test_the_cli_makes_and_unlocks_sealed_keys_with_the_login(db, db_path, tmp_path, monkeypatch, capsys):
    from desktop.cli import main

    monkeypatch.delenv("GIAITRINH_KEY_PASSPHRASE", raising=False)
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
    accounts.create_account(db, login="chutich", password=PASSWORD, role="leader", officer_uuid=head.uuid)
    monkeypatch.setenv("GIAITRINH_PASSWORD", PASSWORD)
    monkeypatch.setenv("GIAITRINH_USER", "quantri")
    assert main(["keys", "init", "--db", str(db_path)]) == 0, capsys.readouterr().err
    assert keyring.state(db) == "sealed"          # nothing typed, no variable: sealed to the register key
    monkeypatch.setenv("GIAITRINH_USER", "chutich")
    assert main(["keys", "export", "--db", str(db_path), "--out", str(tmp_path / "khoa.json")]) == 0, \
        capsys.readouterr().err
    assert (tmp_path / "khoa.json").exists()
