"""Core commands: init, demo, case, person, reception, deadline, calendar, dashboard, verify."""

from __future__ import annotations

import argparse
import getpass
from dataclasses import asdict
from datetime import date

from desktop.cli import add_db_argument, add_json_argument, default_db_path, emit
from desktop.domain.validation import parse_date
from desktop.errors import UserError
from desktop.rules.book import KIND_LABELS, default_rules
from desktop.storage.db import Database, open_database


def _open(args: argparse.Namespace, *, create: bool = False) -> Database:
    return open_database(args.db or default_db_path(), create=create)


def _actor(args: argparse.Namespace) -> str:
    if getattr(args, "actor", None):
        return args.actor
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user name on some systems
        return "cli"


def _date(text: str | None, default: date | None = None) -> date | None:
    return parse_date(text) if text else default


# -- init / demo ------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from desktop.storage.units import has_local_unit, save_officer, save_unit

    db = _open(args, create=True)
    with db:
        if has_local_unit(db) and not args.force:
            raise UserError("already_initialised", "Sổ này đã khai báo đơn vị (dùng --force để sửa thông tin đơn vị).")
        unit = save_unit(db, code=args.code, name=args.name, governing_body=args.governing_body,
                         abbreviation=args.abbreviation, place_name=args.place, level=args.level,
                         is_remote=args.remote, make_local=True, mode="province" if args.level == "province" else "commune")
        if args.head:
            save_officer(db, full_name=args.head, title=args.head_title, role="head")
        emit(args, asdict(unit), f"Đã khai báo đơn vị: {unit.name} (mã {unit.code}) trong {db.path}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.workflow.demo import build_demo

    db = _open(args, create=True)
    with db:
        summary = build_demo(db, cases=args.cases, seed=args.seed)
        emit(args, asdict(summary) if hasattr(summary, "__dataclass_fields__") else summary,
             f"Đã tạo sổ mẫu tại {db.path}: {summary}")
    return 0


# -- cases ------------------------------------------------------------------------------------
def _person_from_args(db: Database, args: argparse.Namespace) -> str:
    from desktop.storage.persons import find_by_id_number, save_person

    if args.id_number:
        found = find_by_id_number(db, args.id_number)
        if found:
            return found.uuid
    return save_person(db, full_name=args.requester, id_kind=args.id_kind, id_number=args.id_number or "",
                       phone=args.phone or "", address=args.address or "").uuid


def cmd_case_add(args: argparse.Namespace) -> int:
    from desktop.storage.units import find_officer
    from desktop.workflow.receive import CaseInput, receive_case

    db = _open(args)
    with db:
        received = _date(args.received, date.today())
        person = _person_from_args(db, args)
        assignee = find_officer(db, args.assignee).uuid if args.assignee else None
        case = receive_case(db, CaseInput(kind=args.kind, received_on=received, summary=args.summary, content=args.content,
                                          requesters=[person], channel=args.channel, field=args.field,
                                          assignee_uuid=assignee, learned_on=_date(args.learned)), actor=_actor(args))
        emit(args, _case_dict(db, case.uuid), f"Đã tiếp nhận vụ việc số {case.number}; hạn: "
             f"{case.due_on:%d/%m/%Y}" if case.due_on else f"Đã tiếp nhận vụ việc số {case.number}")
    return 0


def _case_dict(db: Database, key: str) -> dict:
    from desktop.storage.cases import case_people, get_case, list_commitments, list_events
    from desktop.workflow.engine import allowed_actions, complaint_is_late

    case = get_case(db, key)
    rs = default_rules().by_id(case.rules_id)
    people = [] if case.confidential else [
        {"role": cp.role, **{k: v for k, v in asdict(cp.person).items() if k != "id"}} for cp in case_people(db, case.uuid)]
    return {
        **{k: v for k, v in asdict(case).items() if k not in ("id",)},
        "kind_label": KIND_LABELS[case.kind], "state_label": rs.state_label(case.state),
        "late_complaint": complaint_is_late(case),
        "people": people,
        "events": [{k: v for k, v in asdict(e).items() if k not in ("id", "prev_hash")} for e in list_events(db, case.uuid)],
        "commitments": [asdict(c) for c in list_commitments(db, case.uuid)],
        "allowed_actions": [{"code": a.code, "label": a.label} for a in allowed_actions(case)],
    }


def cmd_case_show(args: argparse.Namespace) -> int:
    db = _open(args)
    with db:
        d = _case_dict(db, args.case)
        lines = [f"Vụ việc số {d['number']} — {d['kind_label']} — {d['state_label']}",
                 f"Nhận ngày: {date.fromisoformat(str(d['received_on'])):%d/%m/%Y}   Tóm tắt: {d['summary']}"]
        if d["due_on"]:
            lines.append(f"Hạn: {date.fromisoformat(str(d['due_on'])):%d/%m/%Y} — {d['due_trace']}")
        if d["late_complaint"]:
            lines.append("Lưu ý: đơn khiếu nại gửi quá 90 ngày kể từ ngày biết quyết định (Luật Khiếu nại, Điều 9).")
        for p in d["people"]:
            lines.append(f"  {'Người đại diện' if p['role'] == 'representative' else 'Người yêu cầu'}: {p['full_name']}")
        for e in d["events"]:
            lines.append(f"  [{date.fromisoformat(str(e['effective_on'])):%d/%m/%Y}] {e['action']} → {e['to_state']} {e['note']}")
        lines.append("Bước tiếp theo: " + (", ".join(f"{a['code']} ({a['label']})" for a in d["allowed_actions"]) or "—"))
        emit(args, d, "\n".join(lines))
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    from desktop.storage.cases import CaseFilter, page_cases

    db = _open(args)
    with db:
        filt = CaseFilter(kind=args.kind, state=args.state, text=args.text, open_only=args.open)
        page = page_cases(db, filt, sort=args.sort, limit=args.limit)
        rows = [asdict(r) for r in page.rows]
        text = "\n".join(
            f"{r.number:>9}  {r.received_on:%d/%m/%Y}  {KIND_LABELS.get(r.kind, r.kind):<18} {r.state:<10} "
            f"{(r.due_on.strftime('%d/%m/%Y') if r.due_on else ''):<10}  {r.requester_name[:24]:<24} {r.summary[:50]}"
            for r in page.rows) or "Không có vụ việc nào."
        emit(args, rows, text)
    return 0


def cmd_case_act(args: argparse.Namespace) -> int:
    from desktop.workflow.engine import act

    db = _open(args)
    with db:
        from desktop.storage.cases import get_case

        case = get_case(db, args.case)
        data = {}
        if args.commitment:
            data["commitment_uuid"] = args.commitment
        if args.commitment_due:
            data["commitment_due"] = _date(args.commitment_due).isoformat()
        updated = act(db, case.uuid, args.action, actor=_actor(args), effective_on=_date(args.date, date.today()),
                      note=args.note or "", ground=args.ground, satisfaction=args.satisfaction, data=data)
        rs = default_rules().by_id(updated.rules_id)
        due = f"; hạn mới {updated.due_on:%d/%m/%Y}" if updated.due_on else ""
        emit(args, _case_dict(db, updated.uuid),
             f"Vụ việc {updated.number}: {rs.action(args.action).label} → {rs.state_label(updated.state)}{due}")
    return 0


# -- people and receptions --------------------------------------------------------------------
def cmd_person_find(args: argparse.Namespace) -> int:
    from desktop.storage.search import search_persons

    db = _open(args)
    with db:
        people = search_persons(db, args.text, limit=args.limit)
        emit(args, [asdict(p) for p in people],
             "\n".join(f"{p.full_name:<30} {p.id_number:<13} {p.phone:<11} {p.address}" for p in people)
             or "Không tìm thấy ai.")
    return 0


def cmd_reception_add(args: argparse.Namespace) -> int:
    from desktop.workflow.receive import ReceptionInput, record_reception

    db = _open(args)
    with db:
        person = _person_from_args(db, args)
        reception, case = record_reception(db, ReceptionInput(
            received_on=_date(args.received, date.today()), person_uuid=person, content=args.content, kind=args.kind,
            people_count=args.people, case_kind=args.case_kind or "", request=args.request or "", outcome=args.outcome,
            guided_to=args.guided_to or "", forwarded_to=args.forwarded_to or "", summary=args.summary or "",
            field=args.field), actor=_actor(args))
        extra = f"; mở vụ việc số {case.number}" if case else ""
        emit(args, {"reception": asdict(reception), "case_uuid": case.uuid if case else None},
             f"Đã ghi lượt tiếp ngày {reception.received_on:%d/%m/%Y}{extra}")
    return 0


def cmd_reception_list(args: argparse.Namespace) -> int:
    from desktop.storage.receptions import page_receptions

    db = _open(args)
    with db:
        page = page_receptions(db, text=args.text, limit=args.limit)
        emit(args, [asdict(r) for r in page.rows],
             "\n".join(f"{r.received_on:%d/%m/%Y}  {r.person_name:<28} {r.people_count:>3} người  {r.outcome:<10} "
                       f"{r.content[:60]}" for r in page.rows) or "Chưa có lượt tiếp nào.")
    return 0


# -- deadline, calendar, dashboard, verify ------------------------------------------------------
def cmd_deadline(args: argparse.Namespace) -> int:
    from desktop.calendar.deadlines import compute_deadline
    from desktop.calendar.workdays import WorkCalendar

    event_on = parse_date(args.date)
    rs = default_rules().for_case(args.kind, _date(args.received, event_on))
    if args.step not in rs.steps:
        raise UserError("unknown_step", f"Thủ tục “{rs.label}” không có bước “{args.step}” "
                                        f"(có: {', '.join(rs.steps)}).")
    step = rs.steps[args.step]
    days = step.days_for(complex_=args.complex, remote=args.remote)
    if days is None:
        raise UserError("no_period", f"Bước “{step.label}” không có thời hạn luật định.")
    days += args.extensions * step.extension_days
    if args.db:
        from desktop.storage.calendar_repo import load_calendar

        with _open(args) as db:
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

    with _open(args) as db:
        entries = load_calendar(db).year_days(args.year)
        emit(args, [asdict(e) for e in entries],
             "\n".join(f"{e.day:%d/%m/%Y}  {e.kind:<5} {e.source:<4} {e.name}" for e in entries))
    return 0


def cmd_calendar_add(args: argparse.Namespace) -> int:
    from desktop.storage.calendar_repo import add_day
    from desktop.storage.units import local_unit_code

    with _open(args) as db:
        day = add_day(db, parse_date(args.day), args.kind, args.name or "", unit_code=local_unit_code(db))
        emit(args, asdict(day), f"Đã thêm {'ngày nghỉ' if day.kind == 'off' else 'ngày làm việc bù'} {day.day:%d/%m/%Y}")
    return 0


def cmd_calendar_remove(args: argparse.Namespace) -> int:
    from desktop.storage.calendar_repo import remove_day

    with _open(args) as db:
        remove_day(db, parse_date(args.day))
        emit(args, {"removed": args.day}, f"Đã xóa ngày {args.day}")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from desktop.storage.cases import dashboard

    with _open(args) as db:
        board = dashboard(db, _date(args.today, date.today()))
        text = [f"Quá hạn: {board.overdue_count}   Đến hạn hôm nay: {len(board.due_today)}   "
                f"Đến hạn tuần này: {len(board.due_this_week)}   Chờ thông báo: {len(board.awaiting_notice)}"]
        text += [f"  {i.number:>9} quá {i.days_late} ngày — {i.summary[:60]}" for i in board.overdue[:20]]
        text += [f"  {a.assignee_name or '(chưa giao)'}: {a.open_cases} đang giải quyết, {a.overdue} quá hạn"
                 for a in board.per_assignee]
        emit(args, asdict(board), "\n".join(text))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.workflow.verify import verify_register

    with _open(args) as db:
        report = verify_register(db)
        text = (f"Sổ toàn vẹn: đã kiểm {report.events_checked} sự kiện, {report.cases_checked} vụ việc."
                if report.ok else "Phát hiện vấn đề:\n" + "\n".join(f"  - {p}" for p in report.problems))
        emit(args, report.as_dict(), text)
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
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="tạo sổ mẫu của một xã (~300 vụ việc)")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--cases", type=int, default=300)
    p.add_argument("--seed", type=int, default=2026)
    p.set_defaults(func=cmd_demo)

    case = sub.add_parser("case", help="vụ việc").add_subparsers(dest="case_command", metavar="LỆNH")
    p = case.add_parser("add", help="tiếp nhận vụ việc mới")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--kind", required=True, choices=list(KIND_LABELS))
    p.add_argument("--received", help="ngày tiếp nhận (dd/mm/yyyy), mặc định hôm nay")
    p.add_argument("--summary", required=True)
    p.add_argument("--content", default="")
    p.add_argument("--field", default="other")
    p.add_argument("--channel", default="reception")
    _person_args(p)
    p.add_argument("--assignee")
    p.add_argument("--learned", help="khiếu nại: ngày biết được quyết định")
    p.add_argument("--actor")
    p.set_defaults(func=cmd_case_add)
    p = case.add_parser("show", help="xem một vụ việc")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("case", help="số vụ việc (15/2026) hoặc mã")
    p.set_defaults(func=cmd_case_show)
    p = case.add_parser("list", help="danh sách vụ việc")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--kind", choices=list(KIND_LABELS))
    p.add_argument("--state")
    p.add_argument("--text")
    p.add_argument("--open", action="store_true")
    p.add_argument("--sort", default="received", choices=["received", "due", "number", "requester"])
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_case_list)
    p = case.add_parser("act", help="thực hiện một bước của thủ tục")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("case")
    p.add_argument("action")
    p.add_argument("--date", help="ngày thực hiện (dd/mm/yyyy), mặc định hôm nay")
    p.add_argument("--note")
    p.add_argument("--ground")
    p.add_argument("--satisfaction", choices=["satisfied", "partly", "unsatisfied", "unknown"])
    p.add_argument("--commitment")
    p.add_argument("--commitment-due")
    p.add_argument("--actor")
    p.set_defaults(func=cmd_case_act)

    person = sub.add_parser("person", help="người yêu cầu").add_subparsers(dest="person_command", metavar="LỆNH")
    p = person.add_parser("find", help="tìm theo tên, số giấy tờ, điện thoại (không cần dấu)")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_person_find)

    rec = sub.add_parser("reception", help="sổ tiếp công dân").add_subparsers(dest="reception_command", metavar="LỆNH")
    p = rec.add_parser("add", help="ghi một lượt tiếp")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--received")
    p.add_argument("--content", required=True)
    p.add_argument("--kind", default="regular", choices=["regular", "periodic", "adhoc"])
    p.add_argument("--people", type=int, default=1)
    p.add_argument("--outcome", default="recorded", choices=["recorded", "accepted", "guided", "forwarded", "answered"])
    p.add_argument("--case-kind", choices=list(KIND_LABELS))
    p.add_argument("--summary")
    p.add_argument("--field", default="other")
    p.add_argument("--request")
    p.add_argument("--guided-to")
    p.add_argument("--forwarded-to")
    _person_args(p)
    p.add_argument("--actor")
    p.set_defaults(func=cmd_reception_add)
    p = rec.add_parser("list", help="xem sổ tiếp công dân")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--text")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_reception_list)

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

    p = sub.add_parser("dashboard", help="việc quá hạn, đến hạn")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--today")
    p.set_defaults(func=cmd_dashboard)

    p = sub.add_parser("verify", help="kiểm tra toàn vẹn sổ và chuỗi sự kiện")
    add_db_argument(p)
    add_json_argument(p)
    p.set_defaults(func=cmd_verify)


def _person_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--requester", required=True, help="họ tên người yêu cầu / công dân")
    p.add_argument("--id-number", default="")
    p.add_argument("--id-kind", default="", choices=["", "cccd", "cmnd", "passport", "other"])
    p.add_argument("--phone", default="")
    p.add_argument("--address", default="")
