"""The sync keys' passphrase kept under the logins (issue #17, item 10).

A register's signing (and, at a province, encryption) key is stored encrypted with a passphrase
(``desktop.sync.crypto``: scrypt, then PKCS#8). Instead of a passphrase typed by someone or read
from an environment variable, the register makes a random one, seals it to its sealing key and
keeps only the sealed form: a leader or the administrator logged in with a password (who holds
the sealing key) unlocks the sync keys without typing anything, and nobody else can.

A register whose keys were made earlier with a typed passphrase (``state`` is ``"typed"``) has
the window ask for it (``ui/dialogs/passphrase_dialog.py``, never an environment variable), and
``adopt_sealed`` moves it to a random sealed passphrase once it is typed right: the keys stay the
same (their fingerprints, registered at the province, do not change), only their wrapping does.
"""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives import serialization

from desktop.errors import UserError
from desktop.security import sealing
from desktop.security.principal import current, may, require

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


def state(db) -> str:
    """How this register's sync keys are protected: ``"sealed"`` (a random passphrase sealed to
    the register key), ``"typed"`` (keys made earlier with a passphrase someone typed) or
    ``"none"`` (no keys yet)."""
    from desktop.storage import sync_repo

    if has_passphrase(db):
        return "sealed"
    return "typed" if sync_repo.get_own_key(db, "signing") is not None else "none"


def check_typed(db, typed: str) -> None:
    """``wrong_passphrase`` unless ``typed`` unlocks this register's keys (slow on purpose: scrypt)."""
    from desktop.storage import sync_repo
    from desktop.sync import crypto

    for purpose in ("signing", "encryption"):
        key = sync_repo.get_own_key(db, purpose)
        if key is not None:
            crypto.load_private(key.private_key_pem, typed)


def _holds_and_manages(db) -> bool:
    who = current(db)
    return (may(db, "keys.manage") and who is not None and who.seal_key is not None
            and sealing.public_key(db) is not None)


def can_seal(db) -> bool:
    """No keys yet, and the login can make them under a sealed random passphrase."""
    return state(db) == "none" and _holds_and_manages(db)


def may_adopt(db) -> bool:
    """The login may move typed keys to the sealed passphrase (manages keys and holds the seal key)."""
    return state(db) == "typed" and _holds_and_manages(db)


def adopt_sealed(db, typed: str) -> str:
    """Re-wrap this register's own private keys from the typed passphrase to a new random one sealed
    to the register key, in one transaction; returns the new passphrase. The keys themselves (and
    their fingerprints) do not change."""
    from desktop.storage import sync_repo
    from desktop.storage.units import log_access
    from desktop.sync import crypto

    require(db, "keys.manage")
    if state(db) != "typed":
        raise UserError("not_typed", "Khóa đồng bộ của sổ này không dùng cụm mật khẩu riêng.")
    public = sealing.public_key(db)
    if public is None or current(db).seal_key is None:
        raise UserError("no_seal_key", "Tài khoản chưa giữ khóa niêm phong: hãy đăng nhập bằng mật khẩu quản trị.")
    value = secrets.token_urlsafe(32)
    rewrapped = {}
    for purpose in ("signing", "encryption"):
        key = sync_repo.get_own_key(db, purpose)
        if key is not None:
            rewrapped[purpose] = _wrap(crypto.load_private(key.private_key_pem, typed), value)
    with db.write():
        for purpose, pem in rewrapped.items():
            sync_repo.rewrap_own_key(db, purpose, pem)
        db.set_setting(SETTING, sealing.seal_values({"full_name": value}, _AAD, public))
        log_access(db, "sync_key_sealed", target=",".join(rewrapped), detail="typed passphrase replaced")
    return value


def _wrap(key, passphrase: str) -> bytes:
    """A private key stored as ``desktop.sync.crypto.generate`` stores it (scrypt, then PKCS#8)."""
    import os

    from desktop.sync import crypto

    salt = os.urandom(16)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(
                                crypto._stretch(passphrase.encode("utf-8"), salt, crypto.SCRYPT_N)))
    return b"%s %d %s\n" % (crypto.KEY_PREFIX, crypto.SCRYPT_N, crypto.b64(salt).encode("ascii")) + pem
