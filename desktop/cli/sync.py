"""Sync commands: ``giaitrinh keys init|show|export|import|revoke`` and
``giaitrinh bundle export|inspect|import|receipt``.

The key passphrase comes from ``GIAITRINH_KEY_PASSPHRASE`` or, at a terminal, from a prompt;
it is never a command-line argument (it would show in the process list).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from desktop.cli import add_db_argument, add_json_argument, emit, open_db
from desktop.domain.dates import format_stamp
from desktop.errors import UserError
from desktop.storage.disks import write_file
from desktop.storage import sync_repo
from desktop.sync import crypto, export, importer, keys, receipts
from desktop.sync.verify import inspect_bundle


def _passphrase(db=None) -> str | None:
    """The keys' passphrase: the one sealed to the register key when the logged-in leader or
    administrator holds it (desktop.security.keyring: nothing to type), else the variable or a prompt."""
    if db is not None:
        from desktop.security import keyring

        sealed = keyring.passphrase(db)
        if sealed:
            return sealed
        if keyring.can_seal(db):   # no keys yet: made under a sealed random passphrase, as in the window
            return keyring.ensure_passphrase(db)
    if os.environ.get(crypto.PASSPHRASE_ENV) or not sys.stdin.isatty():
        return None                      # crypto reads the variable, or explains what is missing
    return getpass.getpass("Cụm mật khẩu bảo vệ khóa: ")


def _peer_dict(p: sync_repo.PeerKey) -> dict:
    return {"fingerprint": p.fingerprint, "role": p.role, "unit_code": p.unit_code, "unit_name": p.unit_name,
            "encryption_fingerprint": p.encryption_fingerprint, "registered_at": p.registered_at,
            "revoked_at": p.revoked_at, "revoked_reason": p.revoked_reason}


# -- keys ----------------------------------------------------------------------------------------

def cmd_keys_init(args) -> int:
    with open_db(args) as db:
        made = keys.ensure_keys(db, _passphrase(db))
        emit(args, [{"purpose": k.purpose, "fingerprint": k.fingerprint} for k in made],
             "\n".join(f"Khóa {'ký' if k.purpose == 'signing' else 'mã hóa'}: {k.fingerprint}" for k in made))
    return 0


def cmd_keys_show(args) -> int:
    with open_db(args) as db:
        own = [k for p in ("signing", "encryption") if (k := sync_repo.get_own_key(db, p))]
        peers = sync_repo.list_peer_keys(db)
        payload = {"own": [{"purpose": k.purpose, "fingerprint": k.fingerprint, "created_at": k.created_at}
                           for k in own], "peers": [_peer_dict(p) for p in peers]}
        lines = [f"Khóa của sổ ({'ký' if k.purpose == 'signing' else 'mã hóa'}): {k.fingerprint}" for k in own]
        lines += [f"{'Tỉnh' if p.role == 'province' else 'Xã'} {p.unit_code} {p.unit_name}: {p.fingerprint}"
                  + ("" if p.active else f" (đã thu hồi {p.revoked_at[:10]})") for p in peers]
        emit(args, payload, "\n".join(lines) or "Sổ chưa có khóa nào.")
    return 0


def cmd_keys_export(args) -> int:
    with open_db(args) as db:
        path = keys.write_key_file(db, args.out, _passphrase(db))
        fp = keys.own_key(db, "signing").fingerprint
        emit(args, {"file": str(path), "fingerprint": fp},
             f"Đã ghi tệp khóa công khai {path}. Dấu vân tay để đọc qua điện thoại: {fp}")
    return 0


def cmd_keys_import(args) -> int:
    with open_db(args) as db:
        peer = keys.import_key_file(db, keys.read_key_file(args.file), expect_fingerprint=args.fingerprint)
        slip = keys.registration_slip(peer)
        if args.slip and args.slip.suffix.lower() == ".pdf":  # the slip in the state format, to print
            from desktop.documents.pdf import render_pdf

            write_file(args.slip, render_pdf(keys.registration_slip_document(db, peer)))
        elif args.slip:
            write_file(args.slip, (slip + "\n").encode("utf-8"))
        emit(args, _peer_dict(peer), slip)
    return 0


def cmd_keys_revoke(args) -> int:
    with open_db(args) as db:
        peer = keys.revoke(db, args.fingerprint, args.reason)
        emit(args, _peer_dict(peer), f"Đã thu hồi khóa {peer.fingerprint} của {peer.unit_name or peer.unit_code}.")
    return 0


# -- bundles -------------------------------------------------------------------------------------

def cmd_bundle_export(args) -> int:
    with open_db(args) as db:
        result = export.export_bundle(db, args.out, full=args.full, passphrase=_passphrase(db),
                                      period_label=args.period_label)
        emit(args, {"file": str(result.path), "sequence": result.sequence, "kind": result.kind,
                    "counts": result.counts, "bundle_sha256": result.bundle_sha256, "size": result.size},
             f"Đã xuất gói số {result.sequence} ({'toàn bộ' if result.kind == 'full' else 'phần thay đổi'}, "
             f"{result.total} bản ghi) vào {result.path}")
    return 0


def cmd_bundle_inspect(args) -> int:
    with open_db(args) as db:
        info = inspect_bundle(db, args.file, passphrase=_passphrase(db) if keys.register_mode(db) == "province"
                              else None)
        m = info.get("manifest") or {}
        lines = [f"Tệp: {info['file']} ({info['size']} byte)", f"SHA-256: {info['bundle_sha256']}"]
        if m:
            issuer = m.get("issuer", {})
            lines += [f"Đơn vị gửi: {issuer.get('unit_name')} ({issuer.get('unit_code')})",
                      f"Gói số: {m.get('sequence')} — {'toàn bộ' if m.get('kind') == 'full' else 'phần thay đổi'}",
                      f"Kỳ: {format_stamp(m.get('period', {}).get('from'), with_time=True) or 'từ đầu'} → "
                      f"{format_stamp(m.get('period', {}).get('to'), with_time=True)}",
                      "Số bản ghi: " + ", ".join(f"{k} {v}" for k, v in m.get("counts", {}).items() if v)]
        lines.append("Đã kiểm tra chữ ký và mã băm: hợp lệ." if info["verified"] else
                     "Chưa giải mã (chỉ sổ cấp tỉnh nhận gói mới giải mã được).")
        emit(args, info, "\n".join(lines))
    return 0


def cmd_bundle_import(args) -> int:
    """One or many bundle files; the province key is unlocked once for all of them."""
    with open_db(args) as db:
        secret = _passphrase(db)
        private = keys.private_key(db, "encryption", secret) if keys.register_mode(db) == "province" else None
        payloads, texts, failed = [], [], 0
        for path in args.files:
            try:
                if args.dry_run:
                    report = importer.preview(db, path, passphrase=secret, private=private)
                else:
                    report = importer.apply(db, path, passphrase=secret, accept_sequence=args.accept_gap,
                                            reimport=args.reimport, private=private)
            except UserError as exc:
                if len(args.files) == 1:
                    raise
                failed += 1
                payloads.append({"file": path.name, **exc.as_dict()})
                texts.append(f"{path.name}: Lỗi: {exc.message}")
                continue
            payload, text = report.as_dict(), report.text()
            if report.applied and args.receipt:
                receipt = receipts.write_receipt(db, report.unit_code, args.receipt, secret)
                payload["receipt"] = str(receipt)
                text += f"\nĐã ghi biên nhận {receipt} — gửi lại cho xã."
            payloads.append(payload)
            texts.append(text)
        emit(args, payloads[0] if len(payloads) == 1 else payloads, "\n\n".join(texts))
    return 1 if failed else 0


def cmd_bundle_receipt(args) -> int:
    with open_db(args) as db:
        if args.file:
            result = receipts.import_receipt(db, args.file)
            emit(args, {"acknowledged": result.acknowledged, "already": result.already,
                        "unknown": result.unknown}, result.text())
        else:
            if not args.unit or not args.out:
                raise UserError("usage", "Cần --unit và --out để lập biên nhận (ở tỉnh), hoặc tên tệp biên nhận (ở xã).")
            path = receipts.write_receipt(db, args.unit, args.out, _passphrase(db))
            emit(args, {"file": str(path)}, f"Đã ghi biên nhận {path}.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    k = subparsers.add_parser("keys", help="khóa ký và mã hóa của gói đồng bộ")
    ks = k.add_subparsers(dest="keys_command", metavar="VIỆC", required=True)
    p = ks.add_parser("init", help="tạo khóa của sổ (nếu chưa có)")
    add_db_argument(p), add_json_argument(p), p.set_defaults(func=cmd_keys_init)
    p = ks.add_parser("show", help="xem khóa của sổ và các khóa đã đăng ký")
    add_db_argument(p), add_json_argument(p), p.set_defaults(func=cmd_keys_show)
    p = ks.add_parser("export", help="ghi tệp khóa công khai để gửi tỉnh/xã")
    p.add_argument("--out", type=Path, required=True)
    add_db_argument(p), add_json_argument(p), p.set_defaults(func=cmd_keys_export)
    p = ks.add_parser("import", help="nhập khóa của tỉnh (ở xã) hoặc đăng ký khóa của xã (ở tỉnh)")
    p.add_argument("file", type=Path)
    p.add_argument("--fingerprint", help="dấu vân tay đã đọc qua điện thoại, để đối chiếu")
    p.add_argument("--slip", type=Path, help="ghi phiếu đăng ký khóa ra tệp để in (.pdf: đúng thể thức; khác: văn bản)")
    add_db_argument(p), add_json_argument(p), p.set_defaults(func=cmd_keys_import)
    p = ks.add_parser("revoke", help="thu hồi một khóa đã đăng ký")
    p.add_argument("fingerprint")
    p.add_argument("--reason", default="")
    add_db_argument(p), add_json_argument(p), p.set_defaults(func=cmd_keys_revoke)

    b = subparsers.add_parser("bundle", help="gói đồng bộ xã → tỉnh")
    bs = b.add_subparsers(dest="bundle_command", metavar="VIỆC", required=True)
    p = bs.add_parser("export", help="xuất gói (phần thay đổi, hoặc toàn bộ với --full)")
    p.add_argument("--out", type=Path, required=True, help="thư mục (ví dụ ổ USB) hoặc tên tệp .gtb")
    p.add_argument("--full", action="store_true")
    p.add_argument("--period-label", default="", help="tên kỳ, ví dụ “6 tháng đầu năm 2026”")
    add_db_argument(p), add_json_argument(p), p.set_defaults(func=cmd_bundle_export)
    p = bs.add_parser("inspect", help="xem bản kê của một gói")
    p.add_argument("file", type=Path)
    add_db_argument(p), add_json_argument(p), p.set_defaults(func=cmd_bundle_inspect)
    p = bs.add_parser("import", help="nhập gói của xã (ở tỉnh); nhiều tệp thì mở khóa một lần")
    p.add_argument("files", type=Path, nargs="+", metavar="file")
    p.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không ghi gì")
    p.add_argument("--accept-gap", action="store_true", help="vẫn nhập khi thiếu gói trước hoặc trùng số thứ tự")
    p.add_argument("--reimport", action="store_true", help="đối chiếu lại một gói đã nhập")
    p.add_argument("--receipt", type=Path, help="ghi biên nhận vào thư mục/tệp này sau khi nhập")
    add_db_argument(p), add_json_argument(p), p.set_defaults(func=cmd_bundle_import)
    p = bs.add_parser("receipt", help="ở tỉnh: lập biên nhận (--unit, --out); ở xã: nhập tệp biên nhận")
    p.add_argument("file", type=Path, nargs="?")
    p.add_argument("--unit", help="mã đơn vị xã cần lập biên nhận")
    p.add_argument("--out", type=Path)
    add_db_argument(p), add_json_argument(p), p.set_defaults(func=cmd_bundle_receipt)
