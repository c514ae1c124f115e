"""Backups encrypted for the key holders, refused when cut or changed; files owner-only."""

from __future__ import annotations

import os
import sqlite3

import pytest

from desktop.errors import UserError
from desktop.security import accounts, files
from desktop.storage.db import backup_to
from desktop.storage.units import save_unit

PASSWORD = "bản sao của xã an toàn"


@pytest.fixture
def register(db):
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
    return db


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_registers_and_copies_are_owner_only(register, db_path, tmp_path):
    assert db_path.stat().st_mode & 0o777 == 0o600
    copy = backup_to(register.conn, tmp_path / "backups" / "copy.sqlite")
    assert copy.stat().st_mode & 0o777 == 0o600


def test_an_encrypted_backup_restores_only_with_a_key_holders_password(register, tmp_path):
    copy = backup_to(register.conn, tmp_path / "plain.sqlite")
    sealed = files.encrypt_file(register, copy, tmp_path / "backup.gtbk")
    data = sealed.read_bytes()
    assert data.startswith(files.MAGIC) and b"SQLite format 3" not in data and b"Thuy Hung" not in data
    if os.name == "posix":
        assert sealed.stat().st_mode & 0o777 == 0o600
    with pytest.raises(UserError) as exc:
        files.decrypt_file(sealed, tmp_path / "x.sqlite", "quantri", "sai mật khẩu")
    assert exc.value.code == "backup_wrong_password" and "không mở được" in exc.value.message
    with pytest.raises(UserError) as exc:
        files.decrypt_file(sealed, tmp_path / "x.sqlite", "khac", PASSWORD)
    assert exc.value.code == "backup_no_key"
    restored = files.decrypt_file(sealed, tmp_path / "restored.sqlite", "quantri", PASSWORD)
    assert restored.read_bytes() == copy.read_bytes()
    # The key a key holder unwrapped at login opens it without the password being typed again.
    key = accounts.login_user(register, "quantri", PASSWORD).seal_key
    assert files.decrypt_file(sealed, tmp_path / "by-key.sqlite", key=key).read_bytes() == copy.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    assert sqlite3.connect(restored).execute("SELECT name FROM units").fetchone()[0].endswith("Thụy Hùng")


@pytest.mark.parametrize("damage", ["cut", "flip", "tail", "drop_last"])
def test_a_damaged_encrypted_backup_is_refused(register, tmp_path, damage):
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(files.CHUNK * 2 + 123))
    sealed = files.encrypt_file(register, src, tmp_path / "b.gtbk")
    data = bytearray(sealed.read_bytes())
    if damage == "cut":
        data = data[:-500]
    elif damage == "flip":
        data[-(files.CHUNK + 10)] ^= 1
    elif damage == "tail":
        data += b"x"
    else:
        data = data[:-(123 + 16)]  # the whole last chunk removed: the file ends on a full chunk
    sealed.write_bytes(bytes(data))
    with pytest.raises(UserError) as exc:
        files.decrypt_file(sealed, tmp_path / "out.bin", "quantri", PASSWORD)
    assert exc.value.code == "backup_damaged"
    assert not (tmp_path / "out.bin").exists() and not (tmp_path / "out.bin.tmp").exists()


def test_a_key_of_another_register_does_not_open_it(register, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    src = tmp_path / "a.bin"
    src.write_bytes(b"x" * 1000)
    sealed = files.encrypt_file(register, src, tmp_path / "a.gtbk")
    with pytest.raises(UserError) as exc:
        files.decrypt_file(sealed, tmp_path / "out.bin", key=X25519PrivateKey.generate())
    assert exc.value.code == "backup_other_register" and "sổ khác" in exc.value.message
    # A register made again after a loss has another key: the backup's own wraps still open it.
    out = files.decrypt_file(sealed, tmp_path / "out.bin", "quantri", PASSWORD, key=X25519PrivateKey.generate())
    assert out.read_bytes() == src.read_bytes()
