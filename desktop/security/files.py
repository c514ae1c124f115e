"""Files the register writes: readable by their owner only, and backups encrypted.

On POSIX a register, its backups and copies are created with mode 0600. On Windows a file
created in the user's profile (``%LOCALAPPDATA%``, the default data folder) inherits an ACL that
gives the user, SYSTEM and Administrators access only; a register on a shared or network folder
keeps that folder's ACL, which the administrator should restrict (the window says so).

``encrypt_file`` encrypts a backup or copy so that only an account holding the sealing key can
restore it: the content is encrypted to the register's sealing public key (X25519 → HKDF-SHA256 →
ChaCha20-Poly1305 in 1 MiB chunks, each bound to its number and to the header, the last one
marked, so a cut or reordered file is refused), and the header carries the key-holding accounts'
wraps of the private key (each under its own password). ``decrypt_file`` uses the key a key
holder unwrapped at login, or a login and its password checked against the header's wraps (the
register itself is lost). The format is in ``docs/security.md``; ``desktop.security.backups``
wires it to the backups.
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
MAX_HEADER = 1 << 20
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


def key_material(conn) -> tuple[bytes, list[dict]] | None:
    """What encrypting a copy of this register needs, read from it with no login: the sealing
    public key and the key holders' wraps. ``conn`` is a ``sqlite3`` connection or a ``Database``.
    None while the register has no sealing key (no administrator yet)."""
    conn = getattr(conn, "conn", conn)
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (sealing.PUBLIC_KEY_SETTING,)).fetchone()
    if not row or not row[0]:
        return None
    wraps = [{"account": r[0], "login": r[1], "wrap": r[2]}
             for r in conn.execute("SELECT uuid, login, key_wrap FROM accounts WHERE key_wrap <> '' AND active = 1 "
                                   "ORDER BY id")]
    return sealing._unb64(row[0]), wraps


def encrypt_file(db, src: Path, dst: Path) -> Path:
    """Write ``dst``: ``src`` encrypted for the register's key holders (0600). Refused while the
    register has no sealing key (no administrator yet)."""
    material = key_material(db)
    if material is None:
        raise UserError("no_seal_key", "Sổ chưa có khóa niêm phong (chưa tạo tài khoản quản trị): chưa mã hóa được bản sao.")
    return encrypt_for(*material, src, dst)


def encrypt_for(public_raw: bytes, wraps: list[dict], src: Path, dst: Path) -> Path:
    """``src`` encrypted to the sealing public key ``public_raw``, the ``wraps`` in its header."""
    public = X25519PublicKey.from_public_bytes(public_raw)
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
    try:
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
    finally:
        tmp.unlink(missing_ok=True)  # a full disk: nothing half-written stays
    return dst


def _refuse(detail: str) -> UserError:
    return UserError("backup_damaged", f"Bản sao lưu mã hóa bị hỏng hoặc đã bị sửa, không dùng được: {detail}. "
                                       "Sổ đang dùng không bị thay đổi; hãy chọn bản sao lưu khác.")


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def read_header(fin) -> tuple[dict, bytes]:
    """The header of an encrypted copy open at its start; every malformed field is ``backup_damaged``."""
    if fin.read(len(MAGIC)) != MAGIC:
        raise _refuse("không phải bản sao mã hóa của Sổ Giải trình")
    raw_length = fin.read(4)
    if len(raw_length) != 4:
        raise _refuse("tệp bị cắt cụt")
    (length,) = struct.unpack(">I", raw_length)
    if length > MAX_HEADER:
        raise _refuse("phần đầu tệp quá lớn")
    header_bytes = fin.read(length)
    try:
        header = json.loads(header_bytes.decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != "giaitrinh-encrypted-backup":
            raise ValueError("format")
        if header.get("version") != 1:
            raise _refuse("phiên bản định dạng không được hỗ trợ")
        if header.get("chunk") != CHUNK:
            raise ValueError("chunk")
        for field_ in ("public", "ephemeral"):
            if len(sealing._unb64(str(header[field_]))) != 32:
                raise ValueError(field_)
        if not isinstance(header.get("wraps"), list) or not all(
                isinstance(w, dict) and {"account", "login", "wrap"} <= set(w) for w in header["wraps"]):
            raise ValueError("wraps")
    except UserError:
        raise
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise _refuse("phần đầu tệp không đúng định dạng") from exc
    return header, header_bytes


def header_of(path: Path) -> dict:
    with open(path, "rb") as fin:
        return read_header(fin)[0]


def decrypt_file(src: Path, dst: Path, login: str | None = None, password: str | None = None, *,
                 key: X25519PrivateKey | None = None) -> Path:
    """Restore ``src`` into ``dst`` (0600) with the register's sealing key in hand (a key holder
    logged in), else with a key holder's login and password (their wrap in the header). Nothing
    is left at ``dst`` unless every chunk checked."""
    tmp = dst.with_name(dst.name + ".tmp")
    try:
        with open(src, "rb") as fin:
            header, header_bytes = read_header(fin)
            public_raw = sealing._unb64(header["public"])
            if key is None or sealing._public_raw(key.public_key()) != public_raw:
                key = _key_from_wraps(header, public_raw, login, password, other_register=key is not None)
            eph_raw = sealing._unb64(header["ephemeral"])
            try:
                shared = key.exchange(X25519PublicKey.from_public_bytes(eph_raw))
            except ValueError as exc:  # a low-order point in a forged header
                raise _refuse("khóa tạm trong phần đầu tệp không hợp lệ") from exc
            aead = ChaCha20Poly1305(_key(shared, eph_raw, public_raw))
            aad = hashlib.sha256(header_bytes).digest()
            prefix = fin.read(8)
            if len(prefix) != 8:
                raise _refuse("tệp bị cắt cụt")
            index, last = 0, False
            with open(tmp, "wb") as fout:
                owner_only(tmp)
                while not last:
                    block = fin.read(CHUNK + 16)
                    if not block:
                        raise _refuse("tệp bị cắt cụt")
                    for flag in (False, True):
                        try:
                            plain = aead.decrypt(_nonce(prefix, index, flag), block,
                                                 aad + struct.pack(">Q?", index, flag))
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
                fout.flush()
                os.fsync(fout.fileno())
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    return dst


def _key_from_wraps(header: dict, public_raw: bytes, login: str | None, password: str | None, *,
                    other_register: bool) -> X25519PrivateKey:
    if login is None or password is None:
        if other_register:
            raise UserError("backup_other_register", "Bản sao lưu này được mã hóa bằng khóa của một sổ khác: hãy "
                                                     "nhập tên đăng nhập và mật khẩu lãnh đạo hoặc quản trị của sổ đó.")
        raise UserError("backup_sealed", "Bản sao lưu này được mã hóa: chỉ lãnh đạo hoặc quản trị hệ thống đăng nhập "
                                         "bằng mật khẩu mới mở được.")
    wrap = next((w for w in header["wraps"] if w["login"] == login.strip().lower()), None)
    if wrap is None:
        raise UserError("backup_no_key", "Tài khoản này không giữ khóa của bản sao (chỉ lãnh đạo và quản trị hệ "
                                         "thống mở được bản sao mã hóa).")
    try:
        private = sealing.unwrap(str(wrap["wrap"]), password, str(wrap["account"]))
    except UserError as exc:
        raise UserError("backup_wrong_password", f"Mật khẩu của {wrap['login']} không mở được bản sao lưu này (mật "
                                                 "khẩu lúc sao lưu, nếu đã đổi mật khẩu sau đó).") from exc
    if sealing._public_raw(private.public_key()) != public_raw:
        raise _refuse("khóa trong phần đầu tệp không khớp")
    return private
