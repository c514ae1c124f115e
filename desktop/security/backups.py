"""Encrypted backups wired to the accounts: who may restore, and with which key (issue #17, item 8).

Writing needs no login: ``writer(conn)`` reads the register's sealing public key and its key
holders' wraps (``files.key_material``) and encrypts every backup to them, so the window's
automatic backups (on close, daily), ``giaitrinh backup make`` and the safety copy made before a
restore are all encrypted whoever is logged in.

Restoring replaces the register, so it needs ``backup.restore`` (leaders and the administrator,
``roles.MATRIX``) and, for an old unencrypted backup made before this version,
``backup.restore_plain`` (the administrator alone: nothing proves whose such a file is). The
person logs in:

* on the register being replaced, when it still opens: the login's role is checked there and the
  sealing key it unwrapped opens the backup (even a backup made before the person's last change
  of password: the register key never changes);
* when that register is lost (missing, empty, damaged): against the backup itself — an
  encrypted backup opens only with a login and password whose wrap its header carries (a key
  holder when the backup was made); a plain one only with an administrator's login and password
  found in the backup's own accounts.

A damaged, cut, altered or foreign file is refused with ``backup_damaged`` / ``backup_other_unit``
before anything is replaced (``backup.restore`` checks the opened copy).
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.errors import UserError
from desktop.security import files, passwords, roles
from desktop.security.principal import NotPermitted, require
from desktop.storage import backup as store


@dataclass
class RegisterSealer:
    """``backup.Sealer`` for one register: encrypts to its key, opens with a key or a login."""

    public_raw: bytes | None = None
    wraps: list[dict] | None = None
    key: Any = None                 # the sealing key a key holder unwrapped at login
    login: str | None = None
    password: str | None = None

    def seal(self, src: Path, dst: Path) -> None:
        if self.public_raw is None:
            raise UserError("no_seal_key", "Sổ chưa có khóa niêm phong: chưa mã hóa được bản sao lưu.")
        files.encrypt_for(self.public_raw, self.wraps or [], src, dst)

    def open(self, src: Path, dst: Path) -> None:
        files.decrypt_file(src, dst, self.login, self.password, key=self.key)


def writer(conn) -> RegisterSealer | None:
    """The sealer that encrypts copies of the register on ``conn`` (None: it has no key yet)."""
    material = files.key_material(conn)
    if material is None:
        return None
    return RegisterSealer(public_raw=material[0], wraps=material[1])


def seal_copy(conn, plain: Path) -> Path:
    """Encrypt a clear copy just written (the copy taken before a migration) into ``.gtbk`` beside
    it and remove the clear one; a register without a key yet keeps its copy clear."""
    sealer = writer(conn)
    if sealer is None:
        return plain
    sealed = Path(plain).with_suffix(store.SEALED)
    try:
        sealer.seal(Path(plain), sealed)
    finally:
        Path(plain).unlink(missing_ok=True)
    return sealed


def make_now(db, folder: Path, *, reason: str = "manual") -> Path:
    """A backup asked for by the logged-in person (``backup.make``), encrypted to the register's key.
    The automatic ones (on close, daily) are made whoever is logged in and need no permission."""
    require(db, "backup.make")
    return store.make_backup(db.conn, Path(db.path), Path(folder), reason=reason)


def opener(db, backup: Path) -> RegisterSealer:
    """The logged-in person (on the register ``db``) may restore ``backup``: its kind's permission
    is checked, and the sealer returned opens it with the key unwrapped at login."""
    kind = store.file_kind(Path(backup))
    who = require(db, "backup.restore_plain" if kind in ("plain", "empty") else "backup.restore")
    if kind == "sealed" and who.seal_key is None:
        raise UserError("no_seal_key", "Tài khoản này chưa giữ khóa niêm phong: hãy đăng nhập bằng mật khẩu (nếu vừa "
                                       "được cấp tài khoản, nhờ quản trị hệ thống đặt lại mật khẩu để cấp khóa).")
    return RegisterSealer(key=who.seal_key)


def offline_opener(backup: Path, login: str, password: str) -> RegisterSealer:
    """The register is lost: the person proves the right to restore against the backup itself."""
    backup = Path(backup)
    kind = store.file_kind(backup)
    if kind == "sealed":
        sealer = RegisterSealer(login=login, password=password)
        return sealer   # the header's wraps are the check: only key holders have one
    if kind != "plain":
        return RegisterSealer()   # empty or foreign: ``restore`` refuses it with its own message
    _check_plain_admin(backup, login, password)
    return RegisterSealer()


def _check_plain_admin(backup: Path, login: str, password: str) -> None:
    refused = NotPermitted(f"Chỉ quản trị hệ thống được {roles.PERMISSIONS['backup.restore_plain']}: tên đăng nhập "
                           "hoặc mật khẩu không đúng, hoặc không phải tài khoản quản trị trong bản sao lưu này.")
    try:
        conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            has_accounts = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'accounts'"
                                        ).fetchone()
            row = conn.execute("SELECT role, password_hash FROM accounts WHERE login = ? AND active = 1",
                               ((login or "").strip().lower(),)).fetchone() if has_accounts else None
            any_account = conn.execute("SELECT count(*) FROM accounts").fetchone()[0] if has_accounts else 0
        finally:
            conn.close()
    except sqlite3.Error:
        return   # not a register: ``restore`` refuses it with its own message
    if not any_account:
        return   # a register from before accounts (schema 0006): nobody to check against
    if row is None or not roles.allows(row[0], "backup.restore_plain") or not row[1] or \
            not passwords.verify_password(row[1], password):
        if row is None:
            passwords.burn_time(password)
        raise refused


def register_usable(register: Path) -> bool:
    """The register to be replaced still opens and has accounts (so the person logs in on it)."""
    register = Path(register)
    if not register.exists() or register.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"file:{register}?mode=ro", uri=True)
        try:
            return bool(conn.execute("SELECT count(*) FROM accounts").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def stage(sealer: RegisterSealer, backup: Path, staged: Path, register: Path) -> Path:
    """Open ``backup`` into ``staged`` (plain, 0600) and check it is a whole register of this
    unit, now, while its opener is at hand (the window restores it at the next start)."""
    backup, staged = Path(backup), Path(staged)
    kind = store.file_kind(backup)
    if kind == "sealed":
        sealer.open(backup, staged)
    elif kind == "other":
        raise UserError("backup_damaged", f"Bản sao lưu {backup.name} bị hỏng hoặc không phải tệp sổ: không khôi phục.")
    else:
        import shutil

        shutil.copyfile(backup, staged)
        files.owner_only(staged)
    try:
        unit = store.unit_of(register)
        store.check_copy(staged, {"unit": unit, "ledger": 0, "cases": 0} if unit else None)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def older_than_sent(sealer: RegisterSealer, backup: Path, register: Path) -> str | None:
    """``backup.older_than_sent`` for an encrypted backup too (read from a temporary clear copy)."""
    backup = Path(backup)
    if store.file_kind(backup) != "sealed":
        return store.older_than_sent(backup, register)
    with tempfile.TemporaryDirectory(prefix="giaitrinh-") as tmp:
        plain = Path(tmp) / "copy.sqlite"
        sealer.open(backup, plain)
        return store.older_than_sent(plain, register)
