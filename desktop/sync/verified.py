"""Verified checkpoints: the register's word, signed with its key, that it verified clean up to
here (issue #20, item 2).

``giaitrinh verify --checkpoint`` signs, after a check that found nothing, the ledger's head of
the register's own unit (as before, kept in ``ledger_heads``) and a **verified checkpoint**::

    body      = {"format": "giaitrinh-verified-checkpoint", "unit_code": …, "seq": n, "hash": "…",
                 "signed_at": "…", "full": true|false, "marks": {schema_version, ledger_id, event_id, tables}}
    signature = Ed25519(canonical JSON of body), with the register's signing key

kept in the register's settings (``verify_checkpoint``). The next ``verify`` checks only what came
after its marks (``desktop/storage/incremental.py``). A checkpoint whose signature does not hold,
whose key is not the register's, or whose head the ledger no longer holds is refused: the check
says so and reads the whole register instead.
"""

from __future__ import annotations

import json

from desktop.storage import incremental, ledger
from desktop.storage.db import Database
from desktop.sync import crypto, keys

FORMAT = "giaitrinh-verified-checkpoint"
SETTING = "verify_checkpoint"


def sign(db: Database, signer, *, full: bool) -> dict:
    """Sign and keep a verified checkpoint of the register as it is now; returns its body."""
    unit_code = keys.local_unit(db)[0]
    seq, hash_ = ledger.head(db.conn, unit_code)
    body = {"format": FORMAT, "unit_code": unit_code, "seq": seq, "hash": hash_, "signed_at": keys.now_iso(),
            "full": full, "marks": incremental.marks(db.conn)}
    signature = crypto.b64(crypto.sign(signer, crypto.canonical_json(body)))
    fp = keys.own_key(db, "signing").fingerprint
    db.set_setting(SETTING, json.dumps({"body": body, "key_fingerprint": fp, "signature": signature},
                                       ensure_ascii=False))
    return body


def load(db: Database) -> tuple[dict | None, str]:
    """(the body of the register's valid verified checkpoint, '') — or (None, why it is refused)
    — or (None, '') when there is none."""
    raw = db.get_setting(SETTING)
    if not raw:
        return None, ""
    refused = ("Điểm kiểm tra đã ký trong sổ không hợp lệ (chữ ký không khớp khóa của sổ, hoặc đã bị sửa ngoài "
               "ứng dụng): không dùng được, đã kiểm tra toàn bộ sổ.")
    try:
        stored = json.loads(raw)
        body, fp, signature = stored["body"], stored["key_fingerprint"], crypto.unb64(stored["signature"], 64)
        marks = body["marks"]
        ok_shape = (body.get("format") == FORMAT and type(body.get("seq")) is int and isinstance(body.get("hash"), str)
                    and all(type(marks.get(k)) is int for k in ("schema_version", "ledger_id", "event_id"))
                    and isinstance(marks.get("tables"), dict)
                    and all(isinstance(t, str) and type(n) is int for t, n in marks["tables"].items()))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, refused
    public = _own_public(db)
    if not ok_shape or public is None or public[1] != fp or not crypto.verify(public[0], signature,
                                                                           crypto.canonical_json(body)):
        return None, refused
    if body["unit_code"] != keys.local_unit(db)[0]:
        return None, refused
    if body["seq"]:
        entry = db.one("SELECT hash FROM ledger WHERE unit_code = ? AND seq = ?", (body["unit_code"], body["seq"]))
        if entry is None or entry[0] != body["hash"]:
            return None, ("Nhật ký toàn vẹn không còn chứa đầu chuỗi của điểm kiểm tra đã ký (lịch sử bị viết lại "
                          "hoặc bị cắt ngoài ứng dụng): đã kiểm tra toàn bộ sổ.")
    return body, ""


def _own_public(db: Database) -> tuple[bytes, str] | None:
    from desktop.storage import sync_repo

    key = sync_repo.get_own_key(db, "signing")
    return (key.public_key, key.fingerprint) if key is not None else None
