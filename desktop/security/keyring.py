"""The sync keys' passphrase kept under the logins (issue #17, item 10).

A register's signing (and, at a province, encryption) key is stored encrypted with a passphrase
(``desktop.sync.crypto``: scrypt, then PKCS#8). Instead of a passphrase typed by someone or read
from an environment variable, the register makes a random one, seals it to its sealing key and
keeps only the sealed form: a leader or the administrator logged in with a password (who holds
the sealing key) unlocks the sync keys without typing anything, and nobody else can.
"""

from __future__ import annotations

import secrets

from desktop.errors import UserError
from desktop.security import sealing
from desktop.security.principal import current, require

SETTING = "sync_passphrase_sealed"
_AAD = "sync-passphrase"


def has_passphrase(db) -> bool:
    return bool(db.get_setting(SETTING))


def passphrase(db) -> str | None:
    """The sync keys' passphrase for the logged-in key holder; None when this register has none
    (its keys were made with a typed passphrase) or the login holds no sealing key."""
    stored = db.get_setting(SETTING)
    who = current(db)
    if not stored or who is None or who.seal_key is None:
        return None
    return sealing.open_values(stored, _AAD, who.seal_key)["full_name"]


def ensure_passphrase(db) -> str:
    """The register's sync passphrase, made on first use by the administrator (``keys.manage``)."""
    value = passphrase(db)
    if value:
        return value
    if has_passphrase(db):
        raise UserError("no_seal_key", "Khóa đồng bộ được bảo vệ bằng tài khoản lãnh đạo hoặc quản trị: hãy đăng nhập "
                                       "bằng mật khẩu của tài khoản đó.")
    require(db, "keys.manage")
    public = sealing.public_key(db)
    if public is None or current(db).seal_key is None:
        raise UserError("no_seal_key", "Tài khoản chưa giữ khóa niêm phong: hãy đăng nhập bằng mật khẩu quản trị.")
    value = secrets.token_urlsafe(32)
    db.set_setting(SETTING, sealing.seal_values({"full_name": value}, _AAD, public))
    return value
