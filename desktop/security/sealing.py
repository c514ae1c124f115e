"""Sealed identities: a protected person's identifying fields encrypted in the storage layer.

A denouncer's identity is secret (Luật Tố cáo 2018, Art. 9; DOMAIN.md §7). The register has one
sealing key pair (X25519). Its public half sits in the settings, so anyone who records a
denunciation seals the denouncer; its private half is wrapped, per account of the roles that
hold it (``roles.KEY_HOLDERS``), under a key derived from that account's password (argon2id),
and unwrapped at login into ``Principal.seal_key``.

A sealed person row keeps only a placeholder in its clear columns (name, ID number, phone,
address, search text, name key are empty or the placeholder) and the fields in ``persons.seal``:
ChaCha20-Poly1305 under a key agreed with an ephemeral X25519 key (HKDF-SHA256), bound to the
person's uuid. No query can forget the seal because no clear copy exists; the full-text index
holds nothing of it; bundles carry the row as it is, sealed.

A reveal needs ``identity.reveal``, the unwrapped key and a typed reason; it lasts
``REVEAL_MINUTES``, is written to ``identity_reveals`` and the personal-data log, and is an event
(``identity_revealed``) in the case's hash chain when it is made from a case.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop.errors import NotFound, UserError, ValidationError
from desktop.security import roles
from desktop.security.principal import current, require

PUBLIC_KEY_SETTING = "seal_public_key"
PLACEHOLDER = "(giữ bí mật)"
SEALED_FIELDS = ("full_name", "id_number", "phone", "address", "representative")
REVEAL_MINUTES = 10
_INFO = b"giaitrinh-seal-v1"
_RAW = serialization.Encoding.Raw


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(_RAW, serialization.PublicFormat.Raw)


def _private_raw(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())


# -- the register's key pair and its wraps --------------------------------------------------------
def public_key(db) -> X25519PublicKey | None:
    value = db.get_setting(PUBLIC_KEY_SETTING)
    return X25519PublicKey.from_public_bytes(_unb64(value)) if value else None


def _kek(password: str, salt: bytes) -> bytes:
    """The key that wraps the sealing key for one account: argon2id of its password."""
    return hash_secret_raw(password.encode("utf-8"), salt, time_cost=1, memory_cost=47104, parallelism=1,
                           hash_len=32, type=Type.ID)


def wrap(private: X25519PrivateKey, password: str, account_uuid: str) -> str:
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_kek(password, salt)).encrypt(nonce, _private_raw(private), account_uuid.encode())
    return "w1." + ".".join(_b64(x) for x in (salt, nonce, sealed))


def unwrap(stored: str, password: str, account_uuid: str) -> X25519PrivateKey:
    try:
        version, salt, nonce, sealed = stored.split(".")
        if version != "w1":
            raise ValueError(version)
        raw = AESGCM(_kek(password, _unb64(salt))).decrypt(_unb64(nonce), _unb64(sealed), account_uuid.encode())
    except (ValueError, InvalidTag) as exc:
        raise UserError("seal_key_damaged", "Không mở được khóa niêm phong của tài khoản này (dữ liệu khóa bị hỏng). "
                                            "Hãy nhờ quản trị hệ thống đặt lại mật khẩu.") from exc
    return X25519PrivateKey.from_private_bytes(raw)


def create_register_key(db) -> X25519PrivateKey:
    """The register's sealing key pair, made once (with its first administrator)."""
    if public_key(db) is not None:
        raise UserError("seal_key_exists", "Sổ đã có khóa niêm phong.")
    private = X25519PrivateKey.generate()
    db.set_setting(PUBLIC_KEY_SETTING, _b64(_public_raw(private.public_key())))
    return private


def grant_key(db, account_uuid: str, role: str, password: str | None, private: X25519PrivateKey | None) -> str:
    """The wrap to store for an account: the sealing key under its password when its role holds
    the key and the key is at hand (the administrator's, unwrapped at login); else ''."""
    if role not in roles.KEY_HOLDERS or not password or private is None:
        return ""
    return wrap(private, password, account_uuid)


# -- sealing and opening ---------------------------------------------------------------------------
def seal_values(values: dict[str, str], person_uuid: str, public: X25519PublicKey) -> str:
    ephemeral = X25519PrivateKey.generate()
    eph_raw = _public_raw(ephemeral.public_key())
    key = HKDF(hashes.SHA256(), 32, salt=None, info=_INFO + eph_raw + _public_raw(public)).derive(
        ephemeral.exchange(public))
    nonce = os.urandom(12)
    plain = json.dumps({f: values.get(f, "") for f in SEALED_FIELDS}, ensure_ascii=False).encode("utf-8")
    sealed = ChaCha20Poly1305(key).encrypt(nonce, plain, person_uuid.encode())
    return "s1." + ".".join(_b64(x) for x in (eph_raw, nonce, sealed))


def open_values(stored: str, person_uuid: str, private: X25519PrivateKey) -> dict[str, str]:
    try:
        version, eph, nonce, sealed = stored.split(".")
        if version != "s1":
            raise ValueError(version)
        eph_raw = _unb64(eph)
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_raw))
        key = HKDF(hashes.SHA256(), 32, salt=None, info=_INFO + eph_raw + _public_raw(private.public_key())).derive(
            shared)
        return json.loads(ChaCha20Poly1305(key).decrypt(_unb64(nonce), _unb64(sealed), person_uuid.encode()))
    except (ValueError, InvalidTag) as exc:
        raise UserError("seal_damaged", "Dữ liệu niêm phong của người này bị hỏng hoặc không thuộc sổ này: "
                                        "không mở được.") from exc


def seal_persons(db, person_uuids) -> int:
    """Seal these persons' identifying fields where they are still clear (call inside the write
    that recorded them). Without a register key yet (no administrator), they stay clear and
    ``seal_pending`` seals them when the key is made."""
    public = public_key(db)
    if public is None:
        return 0
    done = 0
    for uuid in dict.fromkeys(person_uuids):
        row = db.one("SELECT id, uuid, sealed, search_text, " + ", ".join(SEALED_FIELDS) + " FROM persons "
                     "WHERE uuid = ? AND sealed = 0", (uuid,))
        if row is None:
            continue
        envelope = seal_values({f: row[f] for f in SEALED_FIELDS}, row["uuid"], public)
        with db.write():
            db.execute("UPDATE persons SET sealed = 1, seal = ?, full_name = ?, id_number = '', phone = '', "
                       "address = '', representative = '', search_text = '', name_key = '', "
                       "version = version + 1 WHERE id = ?", (envelope, PLACEHOLDER, row["id"]))
            from desktop.storage import search

            search.fts_delete(db, "persons", row["id"], row["search_text"])
        done += 1
    return done


def seal_pending(db) -> int:
    """Seal every person party to a confidential case or reception who is still clear (a register
    upgraded from 0006, a bulk import): the storage layer never keeps a protected identity clear."""
    if public_key(db) is None:
        return 0
    rows = db.query(
        "SELECT DISTINCT p.uuid FROM persons p WHERE p.sealed = 0 AND p.unit_code = ? AND ("
        " EXISTS (SELECT 1 FROM case_people cp JOIN cases c ON c.uuid = cp.case_uuid "
        "         WHERE cp.person_uuid = p.uuid AND c.confidential = 1)"
        " OR EXISTS (SELECT 1 FROM reception_people rp JOIN receptions r ON r.uuid = rp.reception_uuid "
        "            JOIN cases c ON c.uuid = r.case_uuid WHERE rp.person_uuid = p.uuid AND c.confidential = 1)"
        " OR EXISTS (SELECT 1 FROM receptions r JOIN cases c ON c.uuid = r.case_uuid "
        "            WHERE r.person_uuid = p.uuid AND c.confidential = 1))",
        (db.get_setting("local_unit_code") or "",))
    return seal_persons(db, [r[0] for r in rows])


# -- revealing -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Revealed:
    person_uuid: str
    full_name: str
    id_number: str
    phone: str
    address: str
    representative: str
    until: str


@dataclass(frozen=True)
class Reveal:
    officer_name: str
    reason: str
    at: str
    until: str
    person_uuid: str
    case_uuid: str | None


def reveal(db, person_uuid: str, reason: str, *, case_uuid: str | None = None, minutes: int = REVEAL_MINUTES,
           now: datetime | None = None) -> Revealed:
    """Open a sealed identity for the logged-in leader, with a reason; logged and, from a case,
    an event of its chain. Lasts ``minutes`` (``revealed`` answers until then)."""
    who = require(db, "identity.reveal")
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationError({"reason": "Hãy ghi rõ lý do xem danh tính (ít nhất 5 ký tự): việc xem được ghi nhật ký."})
    if who.seal_key is None:
        raise UserError("no_seal_key", "Tài khoản này chưa được cấp khóa niêm phong (đăng nhập bằng mật khẩu, hoặc "
                                       "nhờ quản trị hệ thống đặt lại mật khẩu để cấp khóa).")
    row = db.one("SELECT uuid, sealed, seal FROM persons WHERE uuid = ?", (person_uuid,))
    if row is None:
        raise NotFound("person_not_found", "Không tìm thấy người này trong sổ.")
    if not row["sealed"]:
        raise UserError("not_sealed", "Danh tính người này không được niêm phong.")
    values = open_values(row["seal"], person_uuid, who.seal_key)
    now = now or datetime.now()
    until = (now + timedelta(minutes=minutes)).isoformat(timespec="seconds")
    from desktop.storage.units import local_unit_code, log_access, new_uuid

    with db.write():
        db.execute("INSERT INTO identity_reveals(uuid, unit_code, person_uuid, case_uuid, officer_uuid, officer_name, "
                   "reason, at, until) VALUES (?,?,?,?,?,?,?,?,?)",
                   (new_uuid(), local_unit_code(db), person_uuid, case_uuid, who.officer_uuid, who.officer_name,
                    reason, now.isoformat(timespec="seconds"), until))
        log_access(db, "reveal_identity", target=case_uuid or person_uuid, detail=reason, person_uuid=person_uuid)
        if case_uuid:
            from desktop.workflow.events import append_event

            append_event(db, case_uuid, "identity_revealed", effective_on=now.date(),
                         note=f"Xem danh tính người được giữ bí mật: {reason}",
                         data={"person_uuid": person_uuid, "until": until})
    return Revealed(person_uuid=person_uuid, until=until, **{f: values.get(f, "") for f in SEALED_FIELDS})


def revealed(db, person_uuid: str, *, now: datetime | None = None) -> Revealed | None:
    """The identity the logged-in officer revealed and may still see (None once it lapsed)."""
    who = current(db)
    if who is None or who.seal_key is None:
        return None
    now = (now or datetime.now()).isoformat(timespec="seconds")
    row = db.one("SELECT r.until, p.seal FROM identity_reveals r JOIN persons p ON p.uuid = r.person_uuid "
                 "WHERE r.person_uuid = ? AND r.officer_uuid = ? AND r.until > ? AND p.sealed = 1 "
                 "ORDER BY r.id DESC LIMIT 1", (person_uuid, who.officer_uuid, now))
    if row is None:
        return None
    values = open_values(row["seal"], person_uuid, who.seal_key)
    return Revealed(person_uuid=person_uuid, until=row["until"], **{f: values.get(f, "") for f in SEALED_FIELDS})


def reveals_of_case(db, case_uuid: str) -> list[Reveal]:
    """Who saw a sealed identity of this case, when and why (the case view lists them)."""
    return [Reveal(officer_name=r["officer_name"], reason=r["reason"], at=r["at"], until=r["until"],
                   person_uuid=r["person_uuid"], case_uuid=r["case_uuid"])
            for r in db.query("SELECT * FROM identity_reveals WHERE case_uuid = ? ORDER BY id", (case_uuid,))]
