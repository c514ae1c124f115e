"""Core commands: init, demo, case, person, reception, deadline, calendar, dashboard, verify."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from datetime import date

from desktop.cli import add_db_argument, add_json_argument, date_arg, emit, open_db
from desktop.rules.book import KIND_LABELS, default_rules
from desktop.storage.db import Database


# -- cases ------------------------------------------------------------------------------------
def _person_from_args(db: Database, args: argparse.Namespace):
    """The person found by ID number, or the one typed: created with the case or reception, in its
    transaction (a refused entry leaves no orphan person)."""
    from desktop.storage.persons import find_by_id_number
    from desktop.workflow.receive import PersonInput

    if args.id_number:
        found = find_by_id_number(db, args.id_number)
        if found:
            return found.uuid
    return PersonInput(full_name=args.requester, id_kind=args.id_kind, id_number=args.id_number or "",
                       phone=args.phone or "", address=args.address or "")


def cmd_case_add(args: argparse.Namespace) -> int:
    from desktop.storage.cases import get_case
    from desktop.storage.units import find_officer
    from desktop.workflow.receive import CaseInput, receive_case

    db = open_db(args)
    with db:
        received = date_arg(args.received, date.today())
        person = _person_from_args(db, args)
        assignee = find_officer(db, args.assignee).uuid if args.assignee else None
        case = receive_case(db, CaseInput(kind=args.kind, received_on=received, summary=args.summary, content=args.content,
                                          requesters=[person], channel=args.channel, field=args.field,
                                          assignee_uuid=assignee, learned_on=date_arg(args.learned)))
        from desktop.storage.duplicates import find_case_duplicates

        person = db.scalar("SELECT person_uuid FROM case_people WHERE case_uuid = ? ORDER BY id LIMIT 1", (case.uuid,))
        dups = find_case_duplicates(db, kind=case.kind, person_uuids=[person], summary=case.summary,
                                    exclude_uuid=case.uuid)
        for case_id, reason in dups:
            print(f"Lưu ý: có thể trùng vụ việc {get_case(db, case_id).number} ({reason}).", file=sys.stderr)
        payload = _case_dict(db, case.uuid)
        payload["possible_duplicates"] = [get_case(db, i).number for i, _ in dups]
        emit(args, payload, f"Đã tiếp nhận vụ việc số {case.number}; hạn: "
             f"{case.due_on:%d/%m/%Y}" if case.due_on else f"Đã tiếp nhận vụ việc số {case.number}")
    return 0


def _case_dict(db: Database, key: str, *, reveal: bool = False, revealed: dict | None = None) -> dict:
    from desktop.storage.cases import case_people, get_case, list_commitments, list_events
    from desktop.workflow.engine import allowed_actions, complaint_is_late, late_complaint_note

    case = get_case(db, key)
    rs = default_rules().by_id(case.rules_id)
    revealed = revealed or {}

    def person(cp) -> dict:
        values = {k: v for k, v in asdict(cp.person).items() if k != "id"}
        opened = revealed.get(cp.person.uuid)  # a sealed identity, opened by a logged reveal
        if opened:
            values.update({f: getattr(opened, f) for f in ("full_name", "id_number", "phone", "address")},
                          revealed_until=opened.until)
        return {"role": cp.role, **values}

    people = [] if case.confidential and not reveal else [person(cp) for cp in case_people(db, case.uuid)]
    return {
        **{k: v for k, v in asdict(case).items() if k not in ("id",)},
        "kind_label": KIND_LABELS[case.kind], "state_label": rs.state_label(case.state),
        "late_complaint": complaint_is_late(case), "late_note": late_complaint_note(case),
        "people": people,
        "events": [{k: v for k, v in asdict(e).items() if k not in ("id", "prev_hash")} for e in list_events(db, case.uuid)],
        "commitments": [asdict(c) for c in list_commitments(db, case.uuid)],
        "allowed_actions": [{"code": a.code, "label": a.label} for a in allowed_actions(case)],
    }


def cmd_case_show(args: argparse.Namespace) -> int:
    db = open_db(args)
    opened: dict = {}
    with db:
        if args.reveal:
            from desktop.storage.cases import get_case
            from desktop.storage.units import log_access

            from desktop.errors import ValidationError
            from desktop.security import require, sealing
            from desktop.storage.cases import case_people

            # Revealing a denouncer needs the role and a reason, and is logged (Luật Tố cáo 2018,
            # Art. 9; DOMAIN.md §7); each sealed identity is opened by a reveal, an event of the case.
            case = get_case(db, args.case)
            if case.confidential:
                require(db, "identity.reveal")
                if not (args.reason or "").strip():
                    raise ValidationError({"reason": "Hãy ghi lý do xem danh tính người tố cáo (--reason)."})
                log_access(db, "reveal_denouncer", target=case.number, detail=f"{case.uuid}: {args.reason.strip()}")
                for cp in case_people(db, case.uuid):
                    if db.scalar("SELECT sealed FROM persons WHERE uuid = ?", (cp.person.uuid,)):
                        opened[cp.person.uuid] = sealing.reveal(db, cp.person.uuid, args.reason, case_uuid=case.uuid)
        d = _case_dict(db, args.case, reveal=args.reveal, revealed=opened)
        from desktop.security.privacy import note_view

        with db.write():
            note_view(db, [p["uuid"] for p in d["people"]], target=d["number"])
        lines = [f"Vụ việc số {d['number']} — {d['kind_label']} — {d['state_label']}",
                 f"Nhận ngày: {date.fromisoformat(str(d['received_on'])):%d/%m/%Y}   Tóm tắt: {d['summary']}"]
        if d["due_on"]:
            lines.append(f"Hạn: {date.fromisoformat(str(d['due_on'])):%d/%m/%Y} — {d['due_trace']}")
        if d["confidential"] and not d["people"]:
            lines.append("Danh tính người tố cáo được giữ bí mật (xem bằng --reveal, việc xem được ghi nhật ký).")
        if d["late_complaint"]:
            lines.append(f"Lưu ý: {d['late_note']}")
        for p in d["people"]:
            lines.append(f"  {'Người đại diện' if p['role'] == 'representative' else 'Người yêu cầu'}: {p['full_name']}")
        for e in d["events"]:
            lines.append(f"  [{date.fromisoformat(str(e['effective_on'])):%d/%m/%Y}] {e['action']} → {e['to_state']} {e['note']}")
        lines.append("Bước tiếp theo: " + (", ".join(f"{a['code']} ({a['label']})" for a in d["allowed_actions"]) or "—"))
        emit(args, d, "\n".join(lines))
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    from desktop.storage.cases import CaseFilter, page_cases

    db = open_db(args)
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

    db = open_db(args)
    with db:
        from desktop.storage.cases import get_case

        case = get_case(db, args.case)
        data = {}
        if args.commitment:
            data["commitment_uuid"] = args.commitment
        if args.commitment_due:
            data["commitment_due"] = date_arg(args.commitment_due).isoformat()
        updated = act(db, case.uuid, args.action, effective_on=date_arg(args.date, date.today()),
                      note=args.note or "", ground=args.ground, satisfaction=args.satisfaction, data=data)
        rs = default_rules().by_id(updated.rules_id)
        due = f"; hạn mới {updated.due_on:%d/%m/%Y}" if updated.due_on else ""
        emit(args, _case_dict(db, updated.uuid),
             f"Vụ việc {updated.number}: {rs.action(args.action).label} → {rs.state_label(updated.state)}{due}")
    return 0


# -- people and receptions --------------------------------------------------------------------
def cmd_person_find(args: argparse.Namespace) -> int:
    from desktop.storage.search import search_persons

    db = open_db(args)
    with db:
        people = search_persons(db, args.text, limit=args.limit)
        from desktop.security.privacy import note_view

        with db.write():
            note_view(db, [p.uuid for p in people], target=f"tìm: {args.text}")
        emit(args, [asdict(p) for p in people],
             "\n".join(f"{p.full_name:<30} {p.id_number:<13} {p.phone:<11} {p.address}" for p in people)
             or "Không tìm thấy ai.")
    return 0


def cmd_reception_add(args: argparse.Namespace) -> int:
    from desktop.workflow.receive import ReceptionInput, record_reception

    db = open_db(args)
    with db:
        person = _person_from_args(db, args)
        reception, case = record_reception(db, ReceptionInput(
            received_on=date_arg(args.received, date.today()), person_uuid=person, content=args.content, kind=args.kind,
            people_count=args.people, case_kind=args.case_kind or "", request=args.request or "", outcome=args.outcome,
            guided_to=args.guided_to or "", forwarded_to=args.forwarded_to or "", summary=args.summary or "",
            field=args.field, refusal_ground=args.refusal_ground or ""))
        extra = f"; mở vụ việc số {case.number}" if case else ""
        if args.outcome == "refused":
            extra = f"; {reception.notes} {reception.follow_up}".rstrip()
        emit(args, {"reception": asdict(reception), "case_uuid": case.uuid if case else None},
             f"Đã ghi lượt tiếp ngày {reception.received_on:%d/%m/%Y}{extra}")
    return 0


def cmd_reception_list(args: argparse.Namespace) -> int:
    from desktop.storage.receptions import page_receptions

    db = open_db(args)
    with db:
        page = page_receptions(db, text=args.text, limit=args.limit)
        emit(args, [asdict(r) for r in page.rows],
             "\n".join(f"{r.received_on:%d/%m/%Y}  {r.person_name:<28} {r.people_count:>3} người  {r.outcome:<10} "
                       f"{r.content[:60]}" for r in page.rows) or "Chưa có lượt tiếp nào.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
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
    p.set_defaults(func=cmd_case_add)
    p = case.add_parser("show", help="xem một vụ việc")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("case", help="số vụ việc (15/2026) hoặc mã")
    p.add_argument("--reveal", action="store_true", help="hiện danh tính người tố cáo (được ghi nhật ký)")
    p.add_argument("--reason", help="lý do xem danh tính (bắt buộc với --reveal)")
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
    p.add_argument("--outcome", default="recorded",
                   choices=["recorded", "accepted", "guided", "forwarded", "answered", "refused"])
    p.add_argument("--refusal-ground", help="với --outcome refused: mã lý do từ chối tiếp (giaitrinh rules grounds reception)")
    p.add_argument("--case-kind", choices=list(KIND_LABELS))
    p.add_argument("--summary")
    p.add_argument("--field", default="other")
    p.add_argument("--request")
    p.add_argument("--guided-to")
    p.add_argument("--forwarded-to")
    _person_args(p)
    p.set_defaults(func=cmd_reception_add)
    p = rec.add_parser("list", help="xem sổ tiếp công dân")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--text")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_reception_list)



def _person_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--requester", required=True, help="họ tên người yêu cầu / công dân")
    p.add_argument("--id-number", default="")
    p.add_argument("--id-kind", default="", choices=["", "cccd", "cmnd", "passport", "other"])
    p.add_argument("--phone", default="")
    p.add_argument("--address", default="")
