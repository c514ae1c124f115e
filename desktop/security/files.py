"""Files the register writes: readable by their owner only, and backups encrypted.

On POSIX a register, its backups and copies are created with mode 0600. On Windows a file
created in the user's profile (``%LOCALAPPDATA%``, the default data folder) inherits an ACL that
gives the user, SYSTEM and Administrators access only; a register on a shared or network folder
keeps that folder's ACL, which the administrator should restrict (the window says so).

``encrypt_file`` encrypts a backup or copy so that only an account holding the sealing key can
restore it: the content is encrypted to the register's sealing public key (X25519 → HKDF-SHA256 →
ChaCha20-Poly1305 in 1 MiB chunks, each bound to its number and to the header, the last one
marked, so a cut or reordered file is refused), and the header carries the key-holding accounts'
wraps of the private key (each under its own password). ``decrypt_file`` asks a login and its
password, like the window's login.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop.errors import UserError
from desktop.security import sealing

MAGIC = b"GIAITRINH-ENCRYPTED-BACKUP\n"
CHUNK = 1 << 20
_INFO = b"giaitrinh-backup-v1"


def owner_only(path: Path) -> Path:
    """Make ``path`` readable and writable by its owner only (POSIX; see the module note for Windows)."""
    if os.name == "posix":
        os.chmod(path, 0o600)
    return path


def _key(shared: bytes, eph_raw: bytes, public_raw: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=None, info=_INFO + eph_raw + public_raw).derive(shared)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    """12 bytes: the file's random 8, the chunk number (31 bits) and the last-chunk flag."""
    return prefix + struct.pack(">I", (index << 1) | int(last))


def encrypt_file(db, src: Path, dst: Path) -> Path:
    """Write ``dst``: ``src`` encrypted for the register's key holders (0600). Refused while the
    register has no sealing key (no administrator yet)."""
    public = sealing.public_key(db)
    if public is None:
        raise UserError("no_seal_key", "Sổ chưa có khóa niêm phong (chưa tạo tài khoản quản trị): chưa mã hóa được bản sao.")
    public_raw = sealing._public_raw(public)
    wraps = [{"account": r["uuid"], "login": r["login"], "wrap": r["key_wrap"]}
             for r in db.query("SELECT uuid, login, key_wrap FROM accounts WHERE key_wrap <> '' AND active = 1")]
    ephemeral = X25519PrivateKey.generate()
    eph_raw = sealing._public_raw(ephemeral.public_key())
    header = json.dumps({"format": "giaitrinh-encrypted-backup", "version": 1, "public": sealing._b64(public_raw),
                         "ephemeral": sealing._b64(eph_raw), "chunk": CHUNK, "wraps": wraps},
                        ensure_ascii=False, sort_keys=True).encode("utf-8")
    aead = ChaCha20Poly1305(_key(ephemeral.exchange(public), eph_raw, public_raw))
    aad = hashlib.sha256(header).digest()
    prefix = os.urandom(8)
    tmp = dst.with_name(dst.name + ".tmp")
    size = src.stat().st_size
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        owner_only(tmp)
        fout.write(MAGIC + struct.pack(">I", len(header)) + header + prefix)
        index, done = 0, 0
        while True:
            block = fin.read(CHUNK)
            done += len(block)
            last = done >= size
            fout.write(aead.encrypt(_nonce(prefix, index, last), block, aad + struct.pack(">Q?", index, last)))
            index += 1
            if last:
                break
        fout.flush()
        os.fsync(fout.fileno())
    os.replace(tmp, dst)
    return dst


def _refuse(detail: str) -> UserError:
    return UserError("backup_damaged", f"Bản sao mã hóa không đọc được: {detail}.")


def decrypt_file(src: Path, dst: Path, login: str, password: str) -> Path:
    """Restore ``src`` into ``dst`` (0600) with a key holder's login and password."""
    with open(src, "rb") as fin:
        if fin.read(len(MAGIC)) != MAGIC:
            raise _refuse("không phải bản sao mã hóa của Sổ Giải trình")
        (length,) = struct.unpack(">I", fin.read(4))
        if length > 1 << 20:
            raise _refuse("phần đầu tệp quá lớn")
        header_bytes = fin.read(length)
        header = json.loads(header_bytes)
        wrap = next((w for w in header["wraps"] if w["login"] == login.strip().lower()), None)
        if wrap is None:
            raise UserError("backup_no_key", "Tài khoản này không giữ khóa của bản sao (chỉ lãnh đạo và quản trị hệ "
                                             "thống mở được bản sao mã hóa).")
        private = sealing.unwrap(wrap["wrap"], password, wrap["account"])
        eph_raw = sealing._unb64(header["ephemeral"])
        public_raw = sealing._public_raw(private.public_key())
        aead = ChaCha20Poly1305(_key(private.exchange(X25519PublicKey.from_public_bytes(eph_raw)), eph_raw, public_raw))
        aad = hashlib.sha256(header_bytes).digest()
        prefix = fin.read(8)
        tmp = dst.with_name(dst.name + ".tmp")
        index, last = 0, False
        with open(tmp, "wb") as fout:
            owner_only(tmp)
            while not last:
                block = fin.read(header["chunk"] + 16)
                if not block:
                    raise _refuse("tệp bị cắt cụt")
                for flag in (False, True):
                    try:
                        plain = aead.decrypt(_nonce(prefix, index, flag), block, aad + struct.pack(">Q?", index, flag))
                    except InvalidTag:
                        continue
                    last = flag
                    break
                else:
                    raise _refuse(f"khối {index + 1} bị sửa hoặc hỏng")
                fout.write(plain)
                index += 1
            if fin.read(1):
                raise _refuse("có dữ liệu thừa sau khối cuối")
        os.replace(tmp, dst)
    return dst
