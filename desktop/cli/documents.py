"""``giaitrinh doc``: official documents and the outgoing register without a window.

    giaitrinh doc kinds [CASE]                      the templates, or those the case's state calls for
    giaitrinh doc draft CASE KIND [--signer NAME]   save a draft (no number yet)
    giaitrinh doc edit DOC [--summary …] [--body-file F] [--recipient …] [--field NAME=VALUE …]
    giaitrinh doc discard DOC                       throw a draft away (it has no number)
    giaitrinh doc draft-reception RECEPTION [--signer NAME]   written notice of a refusal to receive
    giaitrinh doc issue DOC [--date D] [--copies N] give the next number, store the PDF, link the case
    giaitrinh doc render CASE KIND --format pdf|docx --out FILE   (or: render DOC --format … --out …)
    giaitrinh doc void DOC --reason TEXT            void a number (never reused)
    giaitrinh doc list [CASE] [--date D]
    giaitrinh doc register [--year Y | --from D --to D] [--book outgoing|reception|followup] [--out FILE]
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from desktop.cli import add_db_argument, add_json_argument, date_arg, emit, open_db
from desktop.errors import UserError
from desktop.storage.disks import write_file


def _row(r) -> dict:
    return {"uuid": r.uuid, "case_uuid": r.case_uuid, "kind": r.kind, "label": r.label, "status": r.status,
            "number": r.number, "symbol": r.symbol, "issued_on": r.issued_on, "summary": r.summary,
            "signer": r.signer_name, "recipients": list(r.recipients), "copies": r.copies, "sent_on": r.sent_on,
            "sha256": r.sha256, "void_reason": r.void_reason}


def _row_text(r) -> str:
    number = r.symbol or "(dự thảo)"
    state = {"draft": "dự thảo", "issued": "đã ban hành", "void": f"đã hủy: {r.void_reason}"}[r.status]
    day = f" ngày {r.issued_on:%d/%m/%Y}" if r.issued_on else ""
    return f"{number:<16} {r.label}{day} — {state} [{r.uuid}]"


def cmd_kinds(args) -> int:
    from desktop.documents import outgoing, templates

    if args.case:
        with open_db(args) as db:
            found = outgoing.offered(db, args.case)
    else:
        found = list(templates.load_templates().values())
    payload = [{"kind": t.kind, "label": t.label, "type_code": t.type_code, "legal_basis": list(t.legal_basis),
                "fields": {f: templates.field_label(f) for f in t.fields}} for t in found]
    emit(args, payload, "\n".join(f"{t.kind:<24} {t.label}" for t in found) or "Không có văn bản nào phù hợp.")
    return 0


def _fields(pairs: list[str] | None) -> dict[str, str] | None:
    """``--field legal_grounds="Luật Đất đai năm 2024"``: the document's own content (see ``doc kinds``)."""
    if not pairs:
        return None
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UserError("document_field_syntax", f"“{pair}”: ghi dạng TÊN=NỘI DUNG, ví dụ legal_grounds=\"Luật …\".")
        out[name.strip()] = value
    return out


def cmd_draft(args) -> int:
    from desktop.documents import outgoing
    from desktop.storage.units import find_officer

    with open_db(args) as db:
        signer = find_officer(db, args.signer).uuid if args.signer else None
        rec = outgoing.draft(db, args.case, args.kind, signer_uuid=signer, extra=_fields(args.field))
        if args.body_file:
            rec = outgoing.edit(db, rec.uuid, body_text=Path(args.body_file).read_text(encoding="utf-8"))
        emit(args, _row(rec), f"Đã soạn dự thảo “{rec.label}”: {rec.uuid}")
    return 0


def cmd_edit(args) -> int:
    from desktop.documents import outgoing
    from desktop.storage.units import find_officer

    with open_db(args) as db:
        body = Path(args.body_file).read_text(encoding="utf-8") if args.body_file else None
        signer = find_officer(db, args.signer).uuid if args.signer else None
        rec = outgoing.edit(db, args.doc, summary=args.summary, body_text=body,
                            recipients=args.recipient or None, signer_uuid=signer, fields=_fields(args.field))
        emit(args, _row(rec), f"Đã lưu dự thảo {rec.uuid}")
    return 0


def cmd_draft_reception(args) -> int:
    from desktop.documents import outgoing
    from desktop.storage.units import find_officer

    with open_db(args) as db:
        signer = find_officer(db, args.signer).uuid if args.signer else None
        rec = outgoing.draft_reception(db, args.reception, args.kind, signer_uuid=signer)
        emit(args, _row(rec), f"Đã soạn dự thảo “{rec.label}”: {rec.uuid}")
    return 0


def cmd_discard(args) -> int:
    from desktop.documents import outgoing

    with open_db(args) as db:
        outgoing.discard(db, args.doc)
        emit(args, {"discarded": args.doc}, f"Đã bỏ dự thảo {args.doc}")
    return 0


def cmd_issue(args) -> int:
    from desktop.documents import outgoing

    with open_db(args) as db:
        rec = outgoing.issue(db, args.doc, issued_on=date_arg(args.date, date.today()),
                             copies=args.copies, file_keeper=args.keeper or "")
        emit(args, _row(rec), f"Đã cấp số {rec.symbol} ngày {rec.issued_on:%d/%m/%Y} (SHA-256 {rec.sha256[:16]}…)")
    return 0


def cmd_render(args) -> int:
    from desktop.documents import outgoing

    out = Path(args.out)
    with open_db(args) as db:
        if args.kind:
            doc = outgoing.compose(db, args.target, args.kind)
            if args.format == "pdf":
                from desktop.documents.pdf import render_pdf

                data = render_pdf(doc)
            else:
                from desktop.documents.word import render_docx

                data = render_docx(doc)
        else:
            data = outgoing.render(db, args.target, args.format)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_file(out, data)   # retried while a viewer holds it; Windows' errors in Vietnamese
    emit(args, {"out": str(out), "bytes": len(data)}, f"Đã ghi {out} ({len(data):,} byte)")
    return 0


def cmd_void(args) -> int:
    from desktop.documents import outgoing

    with open_db(args) as db:
        rec = outgoing.void(db, args.doc, args.reason, on=date_arg(args.date, date.today()))
        emit(args, _row(rec), f"Đã hủy số {rec.symbol or rec.uuid}: {rec.void_reason}")
    return 0


def cmd_list(args) -> int:
    from desktop.storage import documents_repo as repo

    with open_db(args) as db:
        case_uuid = None
        if args.case:
            from desktop.storage.cases import get_case

            case_uuid = get_case(db, args.case).uuid
        rows = repo.list_documents(db, case_uuid=case_uuid, issued_on=date_arg(args.date))
        emit(args, [_row(r) for r in rows], "\n".join(_row_text(r) for r in rows) or "Chưa có văn bản nào.")
    return 0


def cmd_register(args) -> int:
    from desktop.documents import registers

    if args.year and (args.date_from or args.date_to):
        raise UserError("register_bad_period", "Chọn --year hoặc --from/--to, không dùng cả hai.")
    year = args.year or date.today().year
    start = date_arg(args.date_from, date(year, 1, 1))
    end = date_arg(args.date_to, date(year, 12, 31))
    with open_db(args) as db:
        if args.out:
            data = registers.render_register(db, args.book, start, end)
            write_file(Path(args.out), data)
            emit(args, {"out": args.out, "bytes": len(data)}, f"Đã ghi {args.out} ({len(data):,} byte)")
            return 0
        sheet = registers.SHEETS.get(args.book)
        if sheet is None:
            raise UserError("register_unknown", f"Không có sổ \"{args.book}\".")
        s = sheet(db, start, end)
        payload = {"title": s.title, "period": s.period, "header": list(s.header), "rows": [list(r) for r in s.rows]}
        text = "\n".join([f"{s.title} — {s.period}", *(" | ".join(r[:4]) for r in s.rows)])
        emit(args, payload, text)
    return 0


def register(subparsers) -> None:
    doc = subparsers.add_parser("doc", help="văn bản: soạn, cấp số, in, sổ đăng ký văn bản đi")
    sub = doc.add_subparsers(dest="doc_command", metavar="LỆNH", required=True)

    def cmd(name: str, func, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        add_db_argument(p)
        add_json_argument(p)
        p.set_defaults(func=func)
        return p

    p = cmd("kinds", cmd_kinds, "các mẫu văn bản (hoặc những mẫu vụ việc đang cần)")
    p.add_argument("case", nargs="?", help="số hoặc mã vụ việc")
    p = cmd("draft", cmd_draft, "soạn dự thảo văn bản cho vụ việc")
    p.add_argument("case")
    p.add_argument("kind")
    p.add_argument("--signer", help="người ký (họ tên hoặc mã)")
    p.add_argument("--body-file", help="tệp văn bản UTF-8 thay cho nội dung mẫu (mỗi dòng một đoạn)")
    p.add_argument("--field", action="append", metavar="TÊN=NỘI DUNG",
                   help="nội dung riêng của văn bản (căn cứ pháp lý, nội dung giải trình …; xem “doc kinds --json”)")
    p = cmd("edit", cmd_edit, "sửa dự thảo")
    p.add_argument("doc")
    p.add_argument("--summary")
    p.add_argument("--body-file")
    p.add_argument("--recipient", action="append", help="một nơi nhận (lặp lại cho nhiều nơi)")
    p.add_argument("--signer")
    p.add_argument("--field", action="append", metavar="TÊN=NỘI DUNG", help="nội dung riêng của văn bản")
    p = cmd("draft-reception", cmd_draft_reception, "soạn thông báo từ chối tiếp công dân từ một lượt tiếp")
    p.add_argument("reception", help="mã lượt tiếp")
    p.add_argument("kind", nargs="?", default="reception_refusal")
    p.add_argument("--signer")
    p = cmd("discard", cmd_discard, "bỏ dự thảo (chưa cấp số)")
    p.add_argument("doc")
    p = cmd("issue", cmd_issue, "cấp số và ban hành (sau khi ký)")
    p.add_argument("doc")
    p.add_argument("--date", help="ngày ban hành (mặc định hôm nay)")
    p.add_argument("--copies", type=int, default=1)
    p.add_argument("--keeper", help="đơn vị, người nhận bản lưu")
    p = cmd("render", cmd_render, "xuất PDF hoặc DOCX")
    p.add_argument("target", help="vụ việc (kèm KIND) hoặc mã/số ký hiệu văn bản")
    p.add_argument("kind", nargs="?")
    p.add_argument("--format", choices=("pdf", "docx"), default="pdf")
    p.add_argument("--out", required=True)
    p = cmd("void", cmd_void, "hủy số văn bản (không dùng lại)")
    p.add_argument("doc")
    p.add_argument("--reason", required=True)
    p.add_argument("--date")
    p = cmd("list", cmd_list, "liệt kê văn bản")
    p.add_argument("case", nargs="?")
    p.add_argument("--date", help="chỉ văn bản ban hành ngày này")
    p = cmd("register", cmd_register, "in sổ: văn bản đi, tiếp công dân, theo dõi giải quyết")
    p.add_argument("--book", choices=("outgoing", "reception", "followup"), default="outgoing")
    p.add_argument("--year", type=int)
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--out", help="tệp PDF để in (không có: liệt kê)")

