"""Receipts: the province signs the list of bundles it imported; the commune checks it and marks
those bundles acknowledged, so that its next incremental bundle leaves their records out.

A receipt holds no personal data (sequence numbers, file hashes, counts) and travels in clear,
signed with the province register's Ed25519 key, which the commune knows from the province key file.
"""

from __future__ import annotations

import json
import logging
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from desktop.security import require
from desktop.errors import UserError
from desktop.reports.submit import apply_receipt_reviews, reviews_for_receipt
from desktop.storage import sync_repo
from desktop.storage import units as units_repo
from desktop.storage.db import Database
from desktop.sync import crypto, keys
from desktop.sync.files import write_atomically

log = logging.getLogger(__name__)

FORMAT = "giaitrinh-receipt"
FORMAT_VERSION = 1
MAX_RECEIPT = 4 * 1024 * 1024


@dataclass
class ReceiptResult:
    province: str
    acknowledged: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    unknown: int = 0

    def text(self) -> str:
        parts = [f"Biên nhận của {self.province}."]
        parts.append(f"Đánh dấu đã nhận: {', '.join(map(str, self.acknowledged)) or 'không có gói mới'}.")
        if self.already:
            parts.append(f"Đã đánh dấu từ trước: {', '.join(map(str, self.already))}.")
        if self.unknown:
            parts.append(f"{self.unknown} gói trong biên nhận không có trong sổ này (bỏ qua).")
        return " ".join(parts)


def receipt_content(db: Database, unit_code: str, passphrase: str | None = None) -> dict:
    require(db, "bundle.export")
    if keys.register_mode(db) != "province":
        raise UserError("wrong_mode", "Chỉ sổ cấp tỉnh mới lập biên nhận.")
    rows = sync_repo.inbox_for_unit(db, unit_code)
    if not rows:
        raise UserError("nothing_to_acknowledge", f"Tỉnh chưa nhập gói nào của đơn vị {unit_code}.")
    code, name = keys.local_unit(db)
    body = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "province": {"unit_code": code, "unit_name": name,
                     "key_fingerprint": keys.own_key(db, "signing").fingerprint},
        "unit_code": unit_code, "issued_at": keys.now_iso(),
        "bundles": [{"sequence": r["seq"], "bundle_sha256": r["bundle_sha256"], "imported_at": r["imported_at"],
                     "result": json.loads(r["result"])} for r in rows],
        "report_reviews": reviews_for_receipt(db, unit_code),   # acceptance of reports (issue #14)
    }
    signer = keys.private_key(db, "signing", passphrase)
    return {**body, "signature": crypto.b64(crypto.sign(signer, crypto.canonical_json(body)))}


def write_receipt(db: Database, unit_code: str, path: Path, passphrase: str | None = None) -> Path:
    content = receipt_content(db, unit_code, passphrase)
    path = Path(path)
    if path.is_dir():
        safe = "".join(ch for ch in unit_code if ch.isalnum() or ch in "-_")
        path = path / f"bien-nhan-{safe}-{content['bundles'][-1]['sequence']:06d}.json"
    return write_atomically(path, json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8"))


def _bad(detail: str) -> UserError:
    return UserError("bad_receipt", f"Biên nhận không hợp lệ: {detail}. Sổ không thay đổi.")


def import_receipt(db: Database, path: Path) -> ReceiptResult:
    require(db, "bundle.import")
    path = Path(path)
    try:
        if path.stat().st_size > MAX_RECEIPT:
            raise _bad("tệp quá lớn")
        data = json.loads(path.read_text(encoding="utf-8"))
    except UserError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _bad("không đọc được tệp") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad("không phải biên nhận của Sổ Giải trình")
    if data.get("format_version") != FORMAT_VERSION:
        raise _bad("phiên bản biên nhận không được hỗ trợ")
    province = data.get("province")
    if not isinstance(province, dict):
        raise _bad("thiếu thông tin tỉnh")
    peer = sync_repo.get_peer_key(db, str(province.get("key_fingerprint")))
    if peer is None or peer.role != "province" or peer.revoked_at:
        raise _bad("ký bằng khóa không phải khóa của tỉnh đã nhập vào sổ")
    body = {k: v for k, v in data.items() if k != "signature"}
    try:
        signature = crypto.unb64(data.get("signature"), 64)
    except ValueError as exc:
        raise _bad("thiếu chữ ký") from exc
    if not crypto.verify(peer.signing_key, signature, crypto.canonical_json(body)):
        raise _bad("chữ ký không đúng — tệp đã bị sửa")
    code, _ = keys.local_unit(db)
    if data.get("unit_code") != code:
        raise _bad(f"biên nhận dành cho đơn vị {str(data.get('unit_code'))[:40]}, không phải đơn vị này")
    bundles = data.get("bundles")
    if not isinstance(bundles, list):
        raise _bad("thiếu danh sách gói")
    result = ReceiptResult(str(province.get("unit_name") or province.get("unit_code")))
    text = json.dumps(data, ensure_ascii=False)
    with db.write():
        for entry in bundles:
            if not isinstance(entry, dict):
                raise _bad("mục gói không hợp lệ")
            row = sync_repo.outbox_by_sha(db, str(entry.get("bundle_sha256")))
            if row is None or row["seq"] != entry.get("sequence"):
                result.unknown += 1
                continue
            if row["acknowledged_at"]:
                result.already.append(row["seq"])
                continue
            items = zlib.decompress(sync_repo.outbox_items(db, row["seq"])).decode("utf-8")
            sync_repo.upsert_acked(db, (_item(line) for line in items.split("\n") if line))
            sync_repo.mark_acknowledged(db, row["seq"], str(entry.get("imported_at") or keys.now_iso()), text)
            result.acknowledged.append(row["seq"])
        apply_receipt_reviews(db, data.get("report_reviews"))
        units_repo.log_access(db, "import_receipt", target=code,
                              detail=f"acknowledged {result.acknowledged}")
    log.info("receipt: acknowledged %s", result.acknowledged)
    return result


def _item(line: str) -> tuple[str, str, int]:
    tbl, uuid, version = line.split("\t")
    return tbl, uuid, int(version)
