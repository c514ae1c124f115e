"""Rules commands: ``giaitrinh rules list|updates|export-update|import-update|recheck``.

``list`` shows the rule sets in force with their sources, confidence and in-force dates;
``export-update`` signs new rule sets and announced calendar days into an update file (the
province or the maintainers); ``import-update`` checks and keeps such a file (a commune), through
the same key trust as bundles; ``recheck`` lists (``--apply``: recounts, each with an event) the
open deadlines that the rules or calendar as they now stand would put elsewhere.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import date
from pathlib import Path

from desktop.cli import add_db_argument, add_json_argument, date_arg, emit, open_db
from desktop.rules.book import KIND_LABELS


def _passphrase(db=None):
    from desktop.cli.sync import _passphrase as ask

    return ask(db)


def _fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "nay"


def cmd_list(args: argparse.Namespace) -> int:
    from desktop.rules.updates import rules_in_force

    on = date_arg(args.on)
    if args.db:
        with open_db(args) as db:
            rows = rules_in_force(db, on)
    else:
        rows = rules_in_force(None, on)
    text = [f"{r.kind_label:<20} {r.rules_id:<22} {_fmt(r.effective_from)}–{_fmt(r.effective_to):<10} "
            f"[{r.confidence}] {r.basis}\n{'':<21}nguồn: {r.source} ({r.origin})" for r in rows]
    emit(args, [asdict(r) for r in rows], "\n".join(text) or "Không có quy định nào.")
    return 0


def cmd_grounds(args: argparse.Namespace) -> int:
    from desktop.rules.book import default_rules

    on = date_arg(args.on, date.today())
    rb = default_rules()
    if args.kind == "reception":
        rows = [{"list": "refusal", "code": g.code, "label": g.label, "citation": g.citation,
                 "written_notice": g.written_notice} for g in rb.reception_for(on).grounds]
    else:
        rs = rb.for_case(args.kind, on)
        rows = [{"list": name, "code": g.code, "label": g.label, "citation": g.citation}
                for name, gs in rs.grounds.items() for g in gs]
    emit(args, rows, "\n".join(f"{r['list']:<12} {r['code']:<28} {r['label']} ({r['citation']})" for r in rows))
    return 0


def cmd_updates(args: argparse.Namespace) -> int:
    from desktop.storage.rule_updates_repo import list_updates

    with open_db(args) as db:
        rows = [{"uuid": u.uuid, "title": u.title, "issued_at": u.issued_at, "issuer": u.issuer_name or u.issuer_code,
                 "fingerprint": u.fingerprint, "imported_at": u.imported_at,
                 "rule_sets": [r.get("id") for r in u.body.get("rule_sets", [])],
                 "calendar_days": len(u.body.get("calendar_days", []))} for u in list_updates(db)]
    emit(args, rows, "\n".join(f"{r['imported_at'][:10]}  {r['title']} — {r['issuer']} ({r['fingerprint']}): "
                               f"{', '.join(r['rule_sets']) or 'không có bộ quy tắc'}; {r['calendar_days']} ngày lịch"
                               for r in rows) or "Sổ chưa nhập bản cập nhật quy tắc nào.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from desktop.rules.updates import build_update, read_json_list, write_update

    rule_sets = read_json_list(args.rules, "rule_sets") if args.rules else []
    reception = read_json_list(args.rules, "reception_rules") if args.rules else []
    days = read_json_list(args.calendar, "days") if args.calendar else []
    with open_db(args) as db:
        content = build_update(db, title=args.title, rule_sets=rule_sets, reception_rules=reception,
                               calendar_days=days, passphrase=_passphrase(db))
    path = write_update(args.out, content)
    emit(args, {"file": str(path), "uuid": content["uuid"], "fingerprint": content["issuer"]["fingerprint"]},
         f"Đã ghi bản cập nhật “{content['title']}” vào {path} (ký bằng khóa {content['issuer']['fingerprint']}).")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.rules.updates import import_update

    with open_db(args) as db:
        result = import_update(db, args.file)
    if result.already:
        text = f"Bản cập nhật “{result.title}” đã được nhập trước đây; không có gì thay đổi."
    else:
        text = (f"Đã nhập bản cập nhật “{result.title}” ({result.signer}): "
                f"{', '.join(result.rule_sets) or 'không có bộ quy tắc'}; {result.calendar_days} ngày lịch. "
                "Vụ việc đã tiếp nhận giữ quy định cũ; hãy chạy “giaitrinh rules recheck” để xem hạn cần tính lại.")
    emit(args, asdict(result), text)
    return 0


def cmd_recheck(args: argparse.Namespace) -> int:
    from desktop.workflow.rules_recheck import recount, stale_deadlines

    with open_db(args) as db:
        if args.apply:
            moved = recount(db, effective_on=date.today(),
                            reason=args.reason or "tính lại theo quy định và lịch hiện hành")
        else:
            moved = stale_deadlines(db)
    rows = [asdict(s) for s in moved]
    head = "Đã tính lại" if args.apply else "Cần tính lại"
    emit(args, rows, "\n".join([f"{head} {len(rows)} hạn:"] + [
        f"  {s.number:>9} {s.step}: {_fmt(s.stored)} → {_fmt(s.counted)}" for s in moved])
        if rows else "Mọi hạn đang chạy khớp với quy định và lịch hiện hành.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    grp = sub.add_parser("rules", help="quy định áp dụng, bản cập nhật quy tắc có chữ ký").add_subparsers(
        dest="rules_command", metavar="LỆNH")
    p = grp.add_parser("list", help="các bộ quy tắc với nguồn và ngày hiệu lực")
    p.add_argument("--db", type=Path, default=None, help="kể cả bộ quy tắc đã nhập vào sổ")
    add_json_argument(p)
    p.add_argument("--on", help="chỉ bộ quy tắc áp dụng cho đơn nhận ngày này (dd/mm/yyyy)")
    p.set_defaults(func=cmd_list)
    p = grp.add_parser("grounds", help="mã các lý do theo quy định (từ chối, tạm đình chỉ, đình chỉ …)")
    add_json_argument(p)
    p.add_argument("kind", choices=["reception", *KIND_LABELS])
    p.add_argument("--on", help="ngày tiếp nhận (dd/mm/yyyy), mặc định hôm nay")
    p.set_defaults(func=cmd_grounds)
    p = grp.add_parser("updates", help="các bản cập nhật đã nhập vào sổ")
    add_db_argument(p)
    add_json_argument(p)
    p.set_defaults(func=cmd_updates)
    p = grp.add_parser("export-update", help="ký và ghi một bản cập nhật quy tắc, lịch nghỉ (tỉnh, nhóm bảo trì)")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--title", required=True, help="tên bản cập nhật, ví dụ “Nghị định 155/2026/NĐ-CP”")
    p.add_argument("--rules", type=Path, help="tệp JSON các bộ quy tắc (định dạng procedures.json)")
    p.add_argument("--calendar", type=Path, help="tệp JSON các ngày nghỉ, làm bù (định dạng official-days.json)")
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_export)
    p = grp.add_parser("import-update", help="kiểm chữ ký và nhập một bản cập nhật quy tắc")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_import)
    p = grp.add_parser("recheck", help="các hạn đang chạy khác với quy định, lịch hiện hành")
    add_db_argument(p)
    add_json_argument(p)
    p.add_argument("--apply", action="store_true", help="tính lại, mỗi vụ việc ghi một sự kiện")
    p.add_argument("--reason", default="")
    p.set_defaults(func=cmd_recheck)
