"""This register's keys and the public keys it trusts.

Every register gets an Ed25519 signing key on first use; a province register also gets an X25519
encryption key. A commune imports the province's key file once (it encrypts to it and checks
receipts with it); the province registers each commune's key file, after reading its short
fingerprint back over the phone, and can revoke it. Private keys stay in the register encrypted
with a passphrase and are never written to any file this module produces.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop.security import require
from desktop.domain.dates import format_stamp
from desktop.errors import UserError
from desktop.storage import sync_repo
from desktop.storage import units as units_repo
from desktop.storage.db import Database
from desktop.sync import crypto
from desktop.sync.files import write_atomically

log = logging.getLogger(__name__)

KEY_FILE_FORMAT = "giaitrinh-public-key"
KEY_FILE_VERSION = 1
MAX_KEY_FILE = 64 * 1024


def now_iso() -> str:
    return datetime.now().isoformat(timespec="seconds")


def register_mode(db: Database) -> str:
    return units_repo.register_mode(db)


def local_unit(db: Database) -> tuple[str, str]:
    """(code, name) of this register's own unit."""
    code = units_repo.local_unit_code(db)
    try:
        return code, units_repo.get_unit(db, code).name
    except UserError:
        return code, code


def ensure_keys(db: Database, passphrase: str | None = None) -> list[sync_repo.OwnKey]:
    """Create the keys this register needs (made on first use); return them."""
    purposes = ["signing"] + (["encryption"] if register_mode(db) == "province" else [])
    made = []
    with db.write():
        for purpose in purposes:
            if sync_repo.get_own_key(db, purpose) is None:
                require(db, "keys.manage")
                key = crypto.generate(purpose, passphrase)
                sync_repo.save_own_key(db, purpose, key.public_raw, key.private_pem, key.fingerprint, now_iso())
                made.append(purpose)
                units_repo.log_access(db, "sync_key_created", target=purpose, detail=key.fingerprint)
    if made:
        log.info("created keys: %s", ", ".join(made))
    return [k for p in purposes if (k := sync_repo.get_own_key(db, p))]


def own_key(db: Database, purpose: str) -> sync_repo.OwnKey:
    key = sync_repo.get_own_key(db, purpose)
    if key is None:
        what = "ký" if purpose == "signing" else "mã hóa của tỉnh"
        raise UserError("no_key", f"Sổ chưa có khóa {what}. Hãy tạo khóa trước (giaitrinh keys init).")
    return key


def private_key(db: Database, purpose: str, passphrase: str | None):
    return crypto.load_private(own_key(db, purpose).private_key_pem, passphrase)


# -- key files ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KeyFile:
    role: str
    unit_code: str
    unit_name: str
    signing_key: bytes
    encryption_key: bytes | None
    fingerprint: str
    encryption_fingerprint: str | None
    created_at: str


def key_file_content(db: Database, passphrase: str | None = None) -> dict:
    """The public key file of this register (public keys only, self-signed)."""
    keys = {k.purpose: k for k in ensure_keys(db, passphrase)}
    code, name = local_unit(db)
    body = {
        "format": KEY_FILE_FORMAT, "format_version": KEY_FILE_VERSION,
        "role": "province" if register_mode(db) == "province" else "commune",
        "unit_code": code, "unit_name": name,
        "signing_public_key": crypto.b64(keys["signing"].public_key),
        "fingerprint": keys["signing"].fingerprint,
        "created_at": now_iso(),
    }
    if "encryption" in keys:
        body["encryption_public_key"] = crypto.b64(keys["encryption"].public_key)
        body["encryption_fingerprint"] = keys["encryption"].fingerprint
    signer = private_key(db, "signing", passphrase)
    return {**body, "signature": crypto.b64(crypto.sign(signer, crypto.canonical_json(body)))}


def write_key_file(db: Database, path: Path, passphrase: str | None = None) -> Path:
    content = key_file_content(db, passphrase)
    return write_atomically(Path(path), json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8"))


def _bad_key_file(detail: str) -> UserError:
    return UserError("bad_key_file", f"Tệp khóa không hợp lệ: {detail}.")


def read_key_file(path: Path) -> KeyFile:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise _bad_key_file("tệp quá lớn")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, UserError):
            raise
        raise _bad_key_file("không đọc được tệp") from exc
    return parse_key_file(data)


def parse_key_file(data: object) -> KeyFile:
    if not isinstance(data, dict) or data.get("format") != KEY_FILE_FORMAT:
        raise _bad_key_file("không phải tệp khóa của Sổ Giải trình")
    if data.get("format_version") != KEY_FILE_VERSION:
        raise _bad_key_file("phiên bản tệp khóa không được hỗ trợ")
    body = {k: v for k, v in data.items() if k != "signature"}
    try:
        signing = crypto.unb64(data["signing_public_key"], 32)
        encryption = crypto.unb64(data["encryption_public_key"], 32) if "encryption_public_key" in data else None
        signature = crypto.unb64(data["signature"], 64)
        role, code, name = data["role"], str(data["unit_code"]), str(data.get("unit_name", ""))
    except (KeyError, ValueError) as exc:
        raise _bad_key_file("thiếu hoặc sai khóa công khai") from exc
    if role not in ("commune", "province") or not code:
        raise _bad_key_file("thiếu vai trò hoặc mã đơn vị")
    if role == "province" and encryption is None:
        raise _bad_key_file("tệp khóa của tỉnh thiếu khóa mã hóa")
    if not crypto.verify(signing, signature, crypto.canonical_json(body)):
        raise _bad_key_file("chữ ký của tệp khóa không đúng")
    fp = crypto.fingerprint(signing, "signing")
    efp = crypto.fingerprint(encryption, "encryption") if encryption else None
    if data.get("fingerprint") not in (None, fp):
        raise _bad_key_file("dấu vân tay ghi trong tệp không khớp với khóa")
    return KeyFile(role, code, name, signing, encryption, fp, efp, str(data.get("created_at", "")))


def import_key_file(db: Database, key: KeyFile, *, expect_fingerprint: str | None = None) -> sync_repo.PeerKey:
    """Register a peer's public key: the province's at a commune, a commune's at the province."""
    require(db, "keys.manage")
    mode = register_mode(db)
    wanted = "commune" if mode == "province" else "province"
    if key.role != wanted:
        raise UserError("wrong_key_role", "Sổ cấp tỉnh chỉ đăng ký khóa của xã; sổ cấp xã chỉ nhập khóa của tỉnh."
                        if mode == "province" else "Sổ cấp xã chỉ nhập khóa của tỉnh; tệp này là khóa của xã.")
    if expect_fingerprint and normalise_fingerprint(expect_fingerprint) != key.fingerprint:
        raise UserError("fingerprint_mismatch",
                        f"Dấu vân tay của tệp khóa là {key.fingerprint}, không khớp với dấu vân tay "
                        "đã đọc qua điện thoại. Không đăng ký khóa này.")
    own = sync_repo.get_own_key(db, "signing")
    if own is not None and own.fingerprint == key.fingerprint:
        raise UserError("own_key", "Đây là khóa của chính sổ này, không cần đăng ký.")
    if key.unit_code == units_repo.local_unit_code(db):
        # A key under this register's own code would let a file speak for this unit (issue #17).
        raise UserError("key_own_unit", f"Tệp khóa ghi mã đơn vị {key.unit_code}, là mã của chính sổ này. Không đăng "
                        "ký khóa nào dưới mã của đơn vị mình; hãy kiểm tra lại tệp khóa.")
    existing = sync_repo.get_peer_key(db, key.fingerprint)
    if existing is not None:
        if existing.revoked_at:
            raise UserError("key_revoked", f"Khóa {key.fingerprint} đã bị thu hồi ngày {existing.revoked_at[:10]}; "
                            "hãy yêu cầu đơn vị tạo khóa mới.")
        if existing.unit_code != key.unit_code:
            raise UserError("key_other_unit", f"Khóa {key.fingerprint} đã được đăng ký cho đơn vị "
                            f"{existing.unit_code}, không thể dùng cho {key.unit_code}.")
        return existing
    replaced = [old for old in sync_repo.list_peer_keys(db, key.role)
                if old.active and (key.role == "province" or old.unit_code == key.unit_code)]
    if replaced and not expect_fingerprint:
        # A key file alone never replaces a registered key: a rogue file would take the unit over.
        old = replaced[-1]
        raise UserError("fingerprint_required",
                        f"{old.unit_name or old.unit_code} đã có khóa {old.fingerprint} đang dùng. Muốn thay bằng khóa "
                        f"{key.fingerprint}, hãy gọi điện cho đơn vị, đọc lại dấu vân tay của khóa mới và nhập vào ô "
                        "đối chiếu (dòng lệnh: --fingerprint). Chưa thay khóa nào.",
                        current=old.fingerprint, offered=key.fingerprint)
    at = now_iso()
    with db.write():
        # One active key per unit: a new key replaces the old one (key rotation).
        for old in sync_repo.list_peer_keys(db, key.role):
            if old.active and (key.role == "province" or old.unit_code == key.unit_code):
                sync_repo.revoke_peer_keys(db, fingerprint=old.fingerprint, reason="Thay bằng khóa mới", at=at)
        sync_repo.save_peer_key(db, fingerprint=key.fingerprint, role=key.role, unit_code=key.unit_code,
                                unit_name=key.unit_name, signing_key=key.signing_key,
                                encryption_key=key.encryption_key, encryption_fingerprint=key.encryption_fingerprint,
                                at=at)
        units_repo.log_access(db, "sync_key_registered", target=key.unit_code, detail=key.fingerprint)
    return sync_repo.get_peer_key(db, key.fingerprint)


def normalise_fingerprint(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def revoke(db: Database, fingerprint: str, reason: str = "") -> sync_repo.PeerKey:
    require(db, "keys.manage")
    fp = normalise_fingerprint(fingerprint)
    peer = sync_repo.get_peer_key(db, fp)
    if peer is None:
        raise UserError("unknown_key", f"Không có khóa nào có dấu vân tay {fp} trong sổ.")
    if peer.revoked_at:
        return peer
    with db.write():
        sync_repo.revoke_peer_keys(db, fingerprint=fp, reason=reason or "Thu hồi", at=now_iso())
        units_repo.log_access(db, "sync_key_revoked", target=peer.unit_code, detail=f"{fp} {reason}".strip())
    return sync_repo.get_peer_key(db, fp)


def province_key(db: Database) -> sync_repo.PeerKey:
    active = [k for k in sync_repo.list_peer_keys(db, "province") if k.active]
    if not active:
        raise UserError("no_province_key", "Sổ chưa có khóa của tỉnh. Hãy nhập tệp khóa do tỉnh gửi "
                        "(giaitrinh keys import) trước khi xuất gói.")
    return active[-1]


def _slip_fields(peer: sync_repo.PeerKey) -> list[tuple[str, str]]:
    fields = [("Đơn vị", peer.unit_name or peer.unit_code), ("Mã đơn vị", peer.unit_code),
              ("Vai trò", "Tỉnh" if peer.role == "province" else "Xã/phường"),
              ("Dấu vân tay khóa ký", peer.fingerprint)]
    if peer.encryption_fingerprint:
        fields.append(("Dấu vân tay khóa mã hóa", peer.encryption_fingerprint))
    fields += [("Ngày đăng ký", format_stamp(peer.registered_at)),
               ("Trạng thái", "Đang dùng" if peer.active else "Đã thu hồi ngày " + format_stamp(peer.revoked_at))]
    return fields


def registration_slip_document(db: Database, peer: sync_repo.PeerKey, registered_by: str = ""):
    """The slip as an official document (NĐ 30/2020 layout, ``desktop.documents``) for both sides
    to sign: the registering unit's header, the key's fields, two signature blocks."""
    from desktop.documents.model import Document, Paragraph, Signer, Table
    from desktop.documents.templates import split_unit_name

    unit = units_repo.local_unit(db)
    return Document(
        kind="key_registration", issuing_body=split_unit_name(unit.name), issuer_abbr=unit.abbreviation,
        place=unit.place_name, type_name="PHIẾU ĐĂNG KÝ",  # no type code of its own in NĐ 30/2020
        numbered=False,  # not in the outgoing register: no "Số: …/…" line (NĐ 30/2020 Appendix III)
        summary="Khóa đồng bộ dữ liệu tiếp công dân, xử lý đơn và giải trình",
        issued_on=_day(peer.registered_at),
        body=(
            Paragraph(f"{unit.name} đăng ký khóa đồng bộ của đơn vị dưới đây. Hai bên đã đọc và đối chiếu "
                      "dấu vân tay của khóa qua điện thoại; gói dữ liệu ký bằng khóa khác sẽ bị từ chối."),
            Table(header=("Nội dung", "Thông tin"), rows=tuple(_slip_fields(peer)), widths=(0.38, 0.62)),
        ),
        signer=Signer(title="NGƯỜI ĐĂNG KÝ", name=registered_by),
        counter_signer=Signer(title="ĐẠI DIỆN ĐƠN VỊ GỬI KHÓA"),
    )


def _day(iso: str | None):
    from datetime import date

    return date.fromisoformat(iso[:10]) if iso else None


def registration_slip(peer: sync_repo.PeerKey, registered_by: str = "") -> str:
    """A printable key registration slip (phiếu đăng ký khóa), plain text."""
    lines = ["PHIẾU ĐĂNG KÝ KHÓA ĐỒNG BỘ", "", *(f"{k}: {v}" for k, v in _slip_fields(peer)), ""]
    lines += [
        "Hai bên đã đọc và đối chiếu dấu vân tay qua điện thoại.",
        "",
        f"Người đăng ký: {registered_by}",
        "Người đọc dấu vân tay (đơn vị gửi khóa): ........................",
        "Ký, ghi rõ họ tên: ........................",
    ]
    return "\n".join(lines)
