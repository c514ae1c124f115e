"""Administration commands: init, demo, deadline, calendar, dashboard, verify."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import date

from desktop.cli import default_db_path, add_db_argument, add_json_argument, date_arg, emit, open_db
from desktop.domain.validation import parse_date
from desktop.errors import UserError
from desktop.rules.book import KIND_LABELS, default_rules


# -- init / demo ------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    """Declare the unit, its head, and the administrator's account (password asked twice, or
    ``GIAITRINH_NEW_PASSWORD``). ``--force`` edits the unit afterwards, as the administrator."""
    from desktop.cli import authenticate, new_password
    from desktop.security import accounts
    from desktop.storage.units import has_local_unit, save_officer, save_unit

    db = open_db(args, create=True, login=False)
    with db:
        if has_local_unit(db) and not args.force:
            raise UserError("already_initialised", "Sổ này đã khai báo đơn vị (dùng --force để sửa thông tin đơn vị).")
        if accounts.has_accounts(db):
            authenticate(db, args)
        else:
            password = new_password(f"Mật khẩu cho tài khoản quản trị {args.admin_login}: ")
            from desktop.security import passwords

            accounts.check_login(args.admin_login)  # both checked before anything is written
            passwords.check_strength(password, args.admin_login)
        unit = save_unit(db, code=args.code, name=args.name, governing_body=args.governing_body,
                         abbreviation=args.abbreviation, place_name=args.place, level=args.level,
                         is_remote=args.remote, make_local=True, mode="province" if args.level == "province" else "commune")
        if args.head and not accounts.has_accounts(db):
            save_officer(db, full_name=args.head, title=args.head_title, role="head")
        text = f"Đã khai báo đơn vị: {unit.name} (mã {unit.code}) trong {db.path}"
        if not accounts.has_accounts(db):
            accounts.create_first_admin(db, login=args.admin_login, password=password, full_name=args.admin_name)
            text += f"\nĐã tạo tài khoản quản trị {args.admin_login.strip().lower()} ({args.admin_name})."
        emit(args, asdict(unit), text)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.workflow.demo import DEMO_LOGINS, DEMO_PASSWORD, build_demo

    db = open_db(args, create=True, login=False)
    with db:
        summary = build_demo(db, cases=args.cases, seed=args.seed)
        emit(args, asdict(summary) if hasattr(summary, "__dataclass_fields__") else summary,
             f"Đã tạo sổ mẫu tại {db.path}: {summary}\nTài khoản dùng thử: {', '.join(DEMO_LOGINS)} "
             f"— mật khẩu {DEMO_PASSWORD}")
    return 0


# -- deadline, calendar, dashboard, verify ------------------------------------------------------
def cmd_deadline(args: argparse.Namespace) -> int:
    from desktop.calendar.deadlines import compute_deadline
    from desktop.calendar.workdays import WorkCalendar

    event_on = parse_date(args.date)
    rs = default_rules().for_case(args.kind, date_arg(args.received, event_on))
    if args.step not in rs.steps:
        raise UserError("unknown_step", f"Thủ tục “{rs.label}” không có bước “{args.step}” "
                                        f"(có: {', '.join(rs.steps)}).")
    step = rs.steps[args.step]
    level = args.complexity if args.complexity is not None else int(args.complex)
    days = step.period(extensions=args.extensions, level=level, remote=args.remote)  # refuses extra extensions
    if days is None:
        raise UserError("no_period", f"Bước “{step.label}” không có thời hạn luật định.")
    if args.db:
        from desktop.storage.calendar_repo import load_calendar

        with open_db(args) as db:
            cal = load_calendar(db)
    else:
        cal = WorkCalendar()
    d = compute_deadline(cal, event_on, days, step.day_kind)
    emit(args, {"kind": args.kind, "step": args.step, "rules_id": rs.id, "citation": step.citation,
                "event_on": d.event_on, "days": d.days, "day_kind": d.day_kind, "due": d.due, "trace": d.trace},
         f"{step.label} ({step.citation})\n{d.trace}")
    return 0


def cmd_calendar_list(args: argparse.Namespace) -> int:
    from desktop.storage.calendar_repo import load_calendar

    with open_db(args) as db:
        entries = load_calendar(db).year_days(args.year)
        emit(args, [asdict(e) for e in entries],
             "\n".join(f"{e.day:%d/%m/%Y}  {e.kind:<5} {e.source:<4} {e.name}" for e in entries))
    return 0


def cmd_calendar_add(args: argparse.Namespace) -> int:
    """Add a day; the open deadlines it touches are recounted, each with an event."""
    from desktop.storage.calendar_repo import get_day
    from desktop.workflow.calendar_change import declare_day

    with open_db(args) as db:
        moved = declare_day(db, parse_date(args.day), args.kind, args.name or "",
                            today=date.today())
        day = get_day(db, parse_date(args.day))
        emit(args, {**asdict(day), "moved": [asdict(m) for m in moved]},
             f"Đã thêm {'ngày nghỉ' if day.kind == 'off' else 'ngày làm việc bù'} {day.day:%d/%m/%Y}; "
             f"{len(moved)} hạn đang chạy được tính lại.")
    return 0


def cmd_calendar_remove(args: argparse.Namespace) -> int:
    from desktop.workflow.calendar_change import remove_day

    with open_db(args) as db:
        moved = remove_day(db, parse_date(args.day), today=date.today())
        emit(args, {"removed": args.day, "moved": [asdict(m) for m in moved]},
             f"Đã xóa ngày {args.day}; {len(moved)} hạn đang chạy được tính lại.")
    return 0


def _announced(d) -> dict:
    return {"day": d.day, "kind": d.kind, "listed_kind": d.listed_kind, "name": d.name, "source": d.source,
            "confidence": d.confidence, "uncertain": d.uncertain, "confirmed": d.confirmed}


def cmd_calendar_pending(args: argparse.Namespace) -> int:
    from desktop.storage.calendar_repo import pending_confirmations

    with open_db(args) as db:
        days = pending_confirmations(db, date_arg(args.today, date.today()))
    emit(args, [_announced(d) for d in days], "\n".join(
        [f"{len(days)} ngày cần quản trị viên xác nhận (giaitrinh calendar confirm NGÀY off|work):"] +
        [f"  {d.day:%d/%m/%Y}  đang tính là {'ngày nghỉ' if d.kind == 'off' else 'ngày làm việc'}: {d.name} "
         f"— nguồn: {d.source}" for d in days]) if days else "Không có ngày nào cần xác nhận.")
    return 0


def cmd_calendar_confirm(args: argparse.Namespace) -> int:
    from desktop.storage.calendar_repo import announced_days
    from desktop.workflow.rules_recheck import confirm_and_recount

    day = parse_date(args.day)
    with open_db(args) as db:
        moved = confirm_and_recount(db, day, args.kind, today=date.today())
        d = next(a for a in announced_days(db, day.year) if a.day == day)
    emit(args, {**_announced(d), "moved": [asdict(m) for m in moved]},
         f"Đã xác nhận {d.day:%d/%m/%Y} là {'ngày nghỉ' if d.kind == 'off' else 'ngày làm việc'}; "
         f"{len(moved)} hạn đang chạy được tính lại (mỗi vụ việc ghi một sự kiện).")
    return 0


def cmd_calendar_official(args: argparse.Namespace) -> int:
    from desktop.storage.calendar_repo import announced_days

    with open_db(args) as db:
        days = announced_days(db, args.year)
    emit(args, [_announced(d) for d in days], "\n".join(
        f"{d.day:%d/%m/%Y}  {d.kind:<4} [{d.confidence}]{' (cần xác nhận)' if d.uncertain and not d.confirmed else ''} "
        f"{d.name} — {d.source}" for d in days) or "Không có ngày công bố nào trong năm này.")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from desktop.storage.cases import dashboard

    with open_db(args) as db:
        board = dashboard(db, date_arg(args.today, date.today()))
        text = [f"Quá hạn: {board.overdue_count}   Đến hạn hôm nay: {len(board.due_today)}   "
                f"Đến hạn tuần này: {len(board.due_this_week)}   Chờ thông báo: {len(board.awaiting_notice)}"]
        text += [f"  {i.number:>9} quá {i.days_late} ngày — {i.summary[:60]}" for i in board.overdue[:20]]
        text += [f"  {a.assignee_name or '(chưa giao)'}: {a.open_cases} đang giải quyết, {a.overdue} quá hạn"
                 for a in board.per_assignee]
        emit(args, asdict(board), "\n".join(text))
    return 0


def _verify_progress():
    """Progress of ``verify`` on stderr when a person watches it (a terminal), else nothing.
    Ctrl-C stops the check (``main``: "Đã dừng.", exit 130); the register is left as it was."""
    import sys
    import time

    from desktop.sync.progress import Progress

    if not sys.stderr.isatty():
        return Progress(), False
    last = [0.0]

    def show(done: int, total: int, text: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.3 and done < total:
            return
        last[0] = now
        share = f" {100 * done // total:3d}%" if total else ""
        print(f"\r{text or 'Đang kiểm tra…'}{share}   (Ctrl+C để dừng)", end="", file=sys.stderr, flush=True)

    return Progress(show), True


def cmd_verify(args: argparse.Namespace) -> int:
    import sys

    from desktop.workflow.verify import check_register_file, verify

    check_register_file(args.db or default_db_path())  # a zero-byte file must not become a new register
    with open_db(args) as db:
        progress, shown = _verify_progress()
        try:
            report = verify(db, full=args.full, progress=progress)
        finally:
            if shown:
                print(file=sys.stderr)
        scope = (f"Kiểm tra nhanh những gì thay đổi từ lần kiểm tra đã ký lúc {report.since[:16].replace('T', ' ')} "
                 "(kiểm tra toàn bộ: --full). " if report.mode == "quick" else "")
        note = f"{report.note}\n" if report.note else ""
        text = note + (scope + f"Sổ toàn vẹn: đã kiểm {report.records_checked} bản ghi, {report.ledger_entries} mục "
                       f"nhật ký toàn vẹn, {report.events_checked} sự kiện, {report.cases_checked} vụ việc."
                       if report.ok else "Phát hiện vấn đề:\n" + "\n".join(f"  - {p}" for p in report.problems))
        payload = report.as_dict()
        if report.ok and args.checkpoint:
            from desktop.sync import keys, verified
            from desktop.sync.chain import checkpoint

            from desktop.cli.sync import _passphrase

            passphrase = _passphrase(db)
            keys.ensure_keys(db, passphrase)
            signer = keys.private_key(db, "signing", passphrase)
            head = checkpoint(db, passphrase, signer=signer)
            verified.sign(db, signer, full=report.mode == "full")
            payload["checkpoint"] = head
            text += f"\nĐã ký đầu chuỗi: mục số {head['seq']} ({head['hash'][:16]}…), khóa {head['key_fingerprint']}."
        emit(args, payload, text)
    return 0 if report.ok else 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="tạo sổ mới và khai báo đơn vị")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--code", required=True, help="mã đơn vị hành chính")
    p.add_argument("--name", required=True, help="tên cơ quan, ví dụ “Ủy ban nhân dân xã Thụy Hùng”")
    p.add_argument("--governing-body", default="")
    p.add_argument("--abbreviation", default="UBND")
    p.add_argument("--place", default="", help="địa danh ghi ở dòng ngày tháng")
    p.add_argument("--level", default="commune", choices=["commune", "province", "regional", "other"])
    p.add_argument("--remote", action="store_true", help="xã vùng sâu, vùng xa")
    p.add_argument("--head", default="")
    p.add_argument("--head-title", default="Chủ tịch")
    p.add_argument("--admin-login", default="quantri", help="tên đăng nhập của quản trị hệ thống (mặc định quantri)")
    p.add_argument("--admin-name", default="Quản trị hệ thống", help="họ tên người quản trị hệ thống")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="tạo sổ mẫu của một xã (~300 vụ việc)")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--cases", type=int, default=300)
    p.add_argument("--seed", type=int, default=2026)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("deadline", help="tính thời hạn kèm diễn giải (không cần sổ)")
    add_json_argument(p)
    p.add_argument("--db", default=None, help="dùng cả ngày nghỉ, ngày làm bù đã khai báo trong sổ")
    p.add_argument("--kind", required=True, choices=list(KIND_LABELS))
    p.add_argument("--step", required=True)
    p.add_argument("--date", required=True, help="ngày xảy ra sự kiện (dd/mm/yyyy)")
    p.add_argument("--received", help="ngày nhận đơn, để chọn quy định có hiệu lực (mặc định = --date)")
    p.add_argument("--complex", action="store_true")
    p.add_argument("--remote", action="store_true")
    p.add_argument("--extensions", type=int, default=0)
    p.add_argument("--complexity", type=int, choices=[0, 1, 2], default=None,
                   help="mức độ phức tạp đã quyết định: 1 phức tạp, 2 đặc biệt phức tạp (tố cáo)")
    p.set_defaults(func=cmd_deadline)

    cal = sub.add_parser("calendar", help="lịch ngày nghỉ, ngày làm bù").add_subparsers(dest="cal_command", metavar="LỆNH")
    p = cal.add_parser("list")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--year", type=int, default=date.today().year)
    p.set_defaults(func=cmd_calendar_list)
    p = cal.add_parser("add")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("day")
    p.add_argument("kind", choices=["off", "work"])
    p.add_argument("name", nargs="?")
    p.set_defaults(func=cmd_calendar_add)
    p = cal.add_parser("remove")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("day")
    p.set_defaults(func=cmd_calendar_remove)
    p = cal.add_parser("pending", help="ngày chưa chắc chắn, chờ quản trị viên xác nhận")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--today")
    p.set_defaults(func=cmd_calendar_pending)
    p = cal.add_parser("confirm", help="xác nhận một ngày chưa chắc chắn là ngày nghỉ (off) hay làm việc (work)")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("day")
    p.add_argument("kind", choices=["off", "work"])
    p.set_defaults(func=cmd_calendar_confirm)
    p = cal.add_parser("official", help="ngày nghỉ, làm bù do Chính phủ công bố, kèm nguồn")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--year", type=int, default=date.today().year)
    p.set_defaults(func=cmd_calendar_official)

    p = sub.add_parser("dashboard", help="việc quá hạn, đến hạn")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--today")
    p.set_defaults(func=cmd_dashboard)

    p = sub.add_parser("verify", help="kiểm tra toàn vẹn sổ, nhật ký toàn vẹn và chuỗi sự kiện")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--checkpoint", action="store_true",
                   help="khi sổ toàn vẹn: ký đầu chuỗi bằng khóa ký của sổ (cần cụm mật khẩu của khóa); lần kiểm tra "
                        "sau chỉ cần xem những gì thay đổi từ đây")
    p.add_argument("--full", action="store_true",
                   help="kiểm tra toàn bộ sổ, kể cả khi đã có điểm kiểm tra đã ký (mặc định: chỉ phần thay đổi sau đó)")
    p.set_defaults(func=cmd_verify)

