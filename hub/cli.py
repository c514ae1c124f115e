"""``giaitrinh hub …``: the national consolidation service from the command line.

    giaitrinh hub init                       create or upgrade the schema on the server
    giaitrinh hub trust --register tinh.sqlite   trust a province's bundle key and its communes' keys
    giaitrinh hub import GÓI.gtb …           verify and load bundles (--dry-run, --accept-sequence)
    giaitrinh hub status                     per province and commune: bundles, last one, cases
    giaitrinh hub reader ROLE --province MÃ  a role that reads one province only

The server: ``--dsn`` or ``GIAITRINH_HUB_DSN`` (a libpq connection string; the usual ``PG*``
variables fill in what it leaves out).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from desktop.cli import add_json_argument, emit
from desktop.errors import UserError


def _connect(args):
    from hub.storage import db

    return db.connect(args.dsn)


def cmd_init(args) -> int:
    from hub.storage import db

    with _connect(args) as conn:
        names = db.migrate(conn)
    emit(args, {"applied": names}, "Đã khởi tạo cơ sở dữ liệu tổng hợp." if names else
         "Cơ sở dữ liệu tổng hợp đã ở phiên bản mới nhất.")
    return 0


def cmd_trust(args) -> int:
    from hub.storage import db
    from hub.trust import trust_register

    with _connect(args) as conn:
        db.require_schema(conn)
        got = trust_register(conn, args.register)
    emit(args, got, f"Đã nạp khóa nhận gói của tỉnh {got['province_name']} ({got['recipient']}) và "
         f"{got['keys']} khóa của {got['communes']} xã.")
    return 0


def _passphrases(args) -> dict[str, str]:
    if not args.passphrases:
        return {}
    try:
        data = json.loads(Path(args.passphrases).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError("bad_passphrases_file", "Không đọc được tệp cụm mật khẩu (JSON: mã tỉnh → cụm mật khẩu).") \
            from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UserError("bad_passphrases_file", "Tệp cụm mật khẩu phải là JSON: mã tỉnh → cụm mật khẩu.")
    return data


def cmd_import(args) -> int:
    from hub.importer import Keyring, import_files
    from hub.storage import db

    keyring = Keyring(_passphrases(args))
    files = [Path(p) for p in args.files]
    with _connect(args) as conn:
        db.require_schema(conn)
        results = import_files(conn, files, keyring=keyring, accept_sequence=args.accept_sequence,
                               reimport=args.reimport, dry_run=args.dry_run)
    refused = [r for r in results if isinstance(r, UserError)]
    payload = [r.as_dict() for r in results]
    lines = [(f"{r.details.get('file', '')}: bị từ chối — {r.message}" if isinstance(r, UserError) else r.text())
             for r in results]
    emit(args, payload, "\n".join(lines))
    return 1 if refused else 0


def cmd_status(args) -> int:
    from hub.storage import db, registry

    with _connect(args) as conn:
        db.require_schema(conn)
        with conn.cursor() as cur:
            rows = registry.status(cur)
    lines = [f"{r['province_code']:>6} {r['unit_code']:>8} {r['name'][:40]:<40} gói: {r['bundles']:>3} "
             f"(số cuối {r['last_seq'] or '-'}, {r['last_import'] or 'chưa nhập'}) vụ việc: {r['cases']}"
             + (f", giữ lại: {r['conflicts']}" if r["conflicts"] else "") for r in rows]
    emit(args, rows, "\n".join(lines) or "Chưa có đơn vị nào (giaitrinh hub trust …).")
    return 0


def cmd_reader(args) -> int:
    from hub.storage import db
    from hub.trust import add_reader

    with _connect(args) as conn:
        db.require_schema(conn)
        add_reader(conn, args.role, args.province, os.environ.get("GIAITRINH_HUB_READER_PASSWORD"))
    emit(args, {"role": args.role, "province_code": args.province},
         f"Vai trò {args.role} chỉ đọc được dữ liệu của tỉnh {args.province}.")
    return 0


def cmd_reports(args) -> int:
    from desktop.reports.periods import period
    from hub.reports import make_reports
    from hub.storage import db

    p = period(args.period)
    with _connect(args) as conn:
        db.require_schema(conn)
        reports = make_reports(conn, p, province=args.province, form_keys=args.form or None)
    if args.xlsx:
        from desktop.reports.xlsx import write_forms

        write_forms(reports, Path(args.xlsx), unit_name=reports[0].unit_name if reports else "", consolidated=True)
    payload = {"period": p.as_dict(), "forms": [r.as_dict() for r in reports]}
    lines = [f"{p.label} — {reports[0].unit_name if reports else ''}"]
    for r in reports:
        total = r.total.values if r.total else {}
        shown = ", ".join(f"({no}) {v}" for no, v in list(total.items())[:8] if v is not None)
        lines.append(f"  {r.form.code}: {len(r.rows)} đơn vị; tổng: {shown} …")
    if args.xlsx:
        lines.append(f"Đã ghi {args.xlsx}")
    emit(args, payload, "\n".join(lines))
    return 0


def cmd_completeness(args) -> int:
    from desktop.reports.periods import period
    from hub.reports import completeness
    from hub.storage import db

    p = period(args.period)
    with _connect(args) as conn:
        db.require_schema(conn)
        rows = completeness(conn, p, province=args.province)
    lines = [f"{s.province_code:>4} {s.unit_code:>8} {s.unit_name[:40]:<40} {s.label:<10} hạn {s.due_on:%d/%m/%Y}"
             + (f", nộp {s.issued_on:%d/%m/%Y} ({s.symbol})" if s.issued_on else "") for s in rows]
    emit(args, [s.as_dict() for s in rows], "\n".join(lines) or "Chưa có xã nào.")
    return 0


def register(sub) -> None:
    hub = sub.add_parser("hub", help="hệ thống tổng hợp toàn quốc trên PostgreSQL")
    cmds = hub.add_subparsers(dest="hub_command", metavar="LỆNH", required=True)

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = cmds.add_parser(name, help=help_text)
        p.add_argument("--dsn", default=None, help="chuỗi kết nối PostgreSQL (mặc định: biến GIAITRINH_HUB_DSN)")
        add_json_argument(p)
        p.set_defaults(func=func)
        return p

    add("init", cmd_init, "tạo hoặc nâng cấp cấu trúc cơ sở dữ liệu")
    p = add("trust", cmd_trust, "nạp khóa của một tỉnh và các xã từ sổ cấp tỉnh")
    p.add_argument("--register", type=Path, required=True, help="tệp sổ cấp tỉnh")
    p = add("import", cmd_import, "kiểm tra và nhập các gói đồng bộ")
    p.add_argument("files", nargs="+", help="các tệp gói .gtb")
    p.add_argument("--passphrases", default=None,
                   help="tệp JSON: mã tỉnh → cụm mật khẩu khóa nhận gói (mặc định: GIAITRINH_PASSPHRASE)")
    p.add_argument("--accept-sequence", action="store_true", help="chấp nhận gói thiếu số thứ tự hoặc không nối tiếp")
    p.add_argument("--reimport", action="store_true", help="đối chiếu lại gói đã nhập (không thay đổi gì)")
    p.add_argument("--dry-run", action="store_true", help="xem trước, không ghi gì")
    add("status", cmd_status, "tình hình nhận gói theo tỉnh và xã")
    p = add("reports", cmd_reports, "các biểu báo cáo của một kỳ, theo tỉnh hoặc toàn quốc")
    p.add_argument("--period", required=True, help="kỳ báo cáo, ví dụ 2026-H1, 2026-Y")
    p.add_argument("--province", default=None, help="mã tỉnh (mặc định: toàn quốc)")
    p.add_argument("--form", action="append", default=[], help="chỉ biểu này (mã hoặc số hiệu), có thể lặp lại")
    p.add_argument("--xlsx", default=None, help="ghi các biểu ra tệp .xlsx")
    p = add("completeness", cmd_completeness, "xã nào đã nộp báo cáo kỳ này: đúng hạn, muộn, chưa nộp")
    p.add_argument("--period", required=True, help="kỳ báo cáo, ví dụ 2026-H1")
    p.add_argument("--province", default=None, help="mã tỉnh (mặc định: toàn quốc)")
    p = add("reader", cmd_reader, "tạo vai trò chỉ đọc dữ liệu của một tỉnh")
    p.add_argument("role", help="tên vai trò PostgreSQL")
    p.add_argument("--province", required=True, help="mã tỉnh")
