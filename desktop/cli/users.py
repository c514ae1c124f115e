"""``giaitrinh user add|list|passwd|disable|enable``: the register's accounts (issue #17, item 1).

While a register has no account (new, or upgraded from schema 0006), ``user add --role admin``
creates its administrator without a login; afterwards the administrator logs in (``--user``).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict

from desktop.cli import add_db_argument, add_json_argument, authenticate, emit, new_password, open_db
from desktop.security import roles

ROLE_HELP = "; ".join(f"{r.value}: {roles.label(r)}" for r in roles.Role)


def _line(a) -> str:
    state = "" if a.active else " (đã khóa)"
    return f"{a.login:<20} {roles.label(a.role):<34} {a.officer_name}{state}"


def cmd_user_add(args: argparse.Namespace) -> int:
    from desktop.security import accounts

    with open_db(args, login=False) as db:
        if accounts.has_accounts(db):
            authenticate(db, args)
        elif args.role != roles.Role.ADMIN:
            from desktop.errors import UserError

            raise UserError("no_accounts", "Sổ chưa có tài khoản nào: tài khoản đầu tiên phải là quản trị hệ thống "
                                           "(--role admin).")
        officer = None
        if args.officer:
            from desktop.storage.units import find_officer

            officer = find_officer(db, args.officer).uuid
        password = new_password(f"Mật khẩu cho {args.login}: ")
        account = accounts.create_account(db, login=args.login, password=password, role=args.role,
                                          officer_uuid=officer, full_name=args.name, title=args.title or "")
        emit(args, asdict(account), f"Đã tạo tài khoản {account.login} ({roles.label(account.role)}) cho "
                                    f"{account.officer_name}.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from desktop.security import accounts

    with open_db(args) as db:
        items = accounts.list_accounts(db)
        emit(args, [asdict(a) for a in items], "\n".join(_line(a) for a in items))
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from desktop.cli import PASSWORD_ENV
    from desktop.security import accounts

    with open_db(args) as db:
        me = db.principal
        target = (args.login or me.login).strip().lower()
        password = new_password(f"Mật khẩu mới cho {target}: ")
        if target == me.login:
            import os

            from desktop.cli import ask_password

            current = os.environ.get(PASSWORD_ENV) or ask_password("Mật khẩu hiện tại: ")
            accounts.change_password(db, current, password)
        else:
            accounts.set_password(db, target, password)
        emit(args, {"login": target}, f"Đã đổi mật khẩu của {target}.")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    from desktop.security import accounts

    with open_db(args) as db:
        account = accounts.set_active(db, args.login, args.func is cmd_user_enable)
        emit(args, asdict(account), f"Tài khoản {account.login} {'đã mở lại' if account.active else 'đã bị khóa'}.")
    return 0


def cmd_user_enable(args: argparse.Namespace) -> int:
    return cmd_user_disable(args)


def register(subparsers) -> None:
    register_privacy(subparsers)
    user = subparsers.add_parser("user", help="tài khoản người dùng").add_subparsers(dest="user_command",
                                                                                     metavar="LỆNH", required=True)
    p = user.add_parser("add", help="thêm tài khoản (mật khẩu được hỏi hai lần, hoặc GIAITRINH_NEW_PASSWORD)")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--login", required=True, help="tên đăng nhập mới (chữ không dấu, ví dụ mai.lt)")
    p.add_argument("--role", required=True, choices=[r.value for r in roles.Role], help=ROLE_HELP)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--officer", help="cán bộ đã có trong sổ (họ tên hoặc mã)")
    who.add_argument("--name", help="họ tên cán bộ mới")
    p.add_argument("--title", help="chức vụ của cán bộ mới")
    p.set_defaults(func=cmd_user_add)
    p = user.add_parser("list", help="danh sách tài khoản")
    add_db_argument(p)
    add_json_argument(p)
    p.set_defaults(func=cmd_user_list)
    p = user.add_parser("passwd", help="đổi mật khẩu (của mình, hoặc quản trị đặt lại cho người khác)")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("login", nargs="?", help="tài khoản cần đặt lại (mặc định: chính mình)")
    p.set_defaults(func=cmd_user_passwd)
    for name, func, help_ in (("disable", cmd_user_disable, "khóa tài khoản"),
                              ("enable", cmd_user_enable, "mở lại tài khoản đã khóa")):
        p = user.add_parser(name, help=help_)
        add_db_argument(p)
        add_json_argument(p)
        p.add_argument("login")
        p.set_defaults(func=func)


# -- personal data (Luật 91/2025/QH15, NĐ 356/2025) -------------------------------------------------
def cmd_privacy_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.security import privacy
    from desktop.security.files import owner_only

    with open_db(args) as db:
        data = privacy.export_person_json(db, args.person)
        out = Path(args.out)
        out.write_bytes(data)
        owner_only(out)
        emit(args, {"file": str(out), "bytes": len(data)}, f"Đã xuất dữ liệu của người này vào {out} (đã ghi nhật ký).")
    return 0


def cmd_privacy_log(args: argparse.Namespace) -> int:
    from desktop.security import privacy

    with open_db(args) as db:
        lines = privacy.access_log(db, person_uuid=args.person, limit=args.limit)
        emit(args, [asdict(x) for x in lines],
             "\n".join(f"{x.at}  {x.actor:<24} {x.action:<20} {x.target} {x.detail}" for x in lines) or "Chưa có dòng nào.")
    return 0


def cmd_privacy_retention(args: argparse.Namespace) -> int:
    from desktop.security import privacy

    with open_db(args) as db:
        plan = privacy.retention(db, years=args.years, dry_run=not args.apply)
        emit(args, {"cutoff": plan.cutoff, "dry_run": plan.dry_run, "cases": plan.cases, "persons": plan.persons},
             str(plan) + ("" if args.apply else " (chạy thử: chưa thay đổi gì; thêm --apply để thực hiện)"))
    return 0


def cmd_privacy_breach(args: argparse.Namespace) -> int:
    from datetime import datetime

    from desktop.security import privacy

    with open_db(args) as db:
        when = datetime.strptime(args.discovered, "%d/%m/%Y %H:%M") if args.discovered else datetime.now()
        text = privacy.breach_notice(db, discovered_at=when, what=args.what or "", records=args.records or "",
                                     measures=args.measures or "", contact=args.contact or "")
        if args.out:
            from pathlib import Path

            Path(args.out).write_text(text, encoding="utf-8")
        emit(args, {"text": text}, text)
    return 0


def register_privacy(subparsers) -> None:
    group = subparsers.add_parser("privacy", help="dữ liệu cá nhân: xuất theo yêu cầu, nhật ký, lưu trữ, thông báo "
                                                  "vi phạm").add_subparsers(dest="privacy_command", metavar="LỆNH",
                                                                            required=True)
    p = group.add_parser("export", help="xuất toàn bộ dữ liệu của một người theo yêu cầu của họ (JSON)")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("person", help="mã người (uuid)")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_privacy_export)
    p = group.add_parser("log", help="nhật ký ai xem, xuất dữ liệu của ai")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--person")
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(func=cmd_privacy_log)
    p = group.add_parser("retention", help="ẩn danh người của vụ việc đã kết thúc quá thời hạn lưu trữ (chạy thử trước)")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--years", type=int, required=True, help="thời hạn lưu trữ theo quy định của cơ quan (năm)")
    p.add_argument("--apply", action="store_true", help="thực hiện (không có: chỉ chạy thử)")
    p.set_defaults(func=cmd_privacy_retention)
    p = group.add_parser("breach-notice", help="mẫu thông báo vi phạm dữ liệu cá nhân (trong 72 giờ)")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--discovered", help="thời điểm phát hiện: dd/mm/yyyy HH:MM (mặc định: bây giờ)")
    p.add_argument("--what")
    p.add_argument("--records")
    p.add_argument("--measures")
    p.add_argument("--contact")
    p.add_argument("--out")
    p.set_defaults(func=cmd_privacy_breach)
