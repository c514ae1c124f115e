"""``giaitrinh import-old`` (and the other case-file commands): old registers, without a window.

    giaitrinh import-old FILE [--sheet NAME] [--map FIELD=COLUMN …] [--kind KIND] [--dry-run] [--preview]

The mapping of the file's headers to fields is printed first; ``--map`` changes it (a column by
letter, 1-based number or header text; ``FIELD=-`` drops one). ``--preview`` lists every row's
problems and stops; ``--dry-run`` does the whole import in a transaction it rolls back.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop.cli import add_db_argument, add_json_argument, emit, open_db
from desktop.errors import UserError


def _overrides(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise UserError("usage", f"--map cần dạng TRƯỜNG=CỘT (ví dụ full_name=C), không phải “{pair}”.")
        code, where = pair.split("=", 1)
        out[code.strip()] = where.strip()
    return out


class _Dots:
    """Progress on stderr for a person at a terminal; Ctrl+C cancels between batches."""

    cancelled = False

    def report(self, done: int, total: int) -> None:
        if total and sys.stderr.isatty():
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)


def cmd_import_old(args) -> int:
    from desktop.workflow.old_register import mapping, sheet
    from desktop.workflow.old_register.importer import STATUS_LABELS, import_rows, preview

    data = sheet.read_file(args.file, args.sheet)
    with open_db(args) as db:
        m = mapping.resolve(data, db, _overrides(args.map))
        pv = preview(db, data, m, default_kind=args.kind, source=str(args.file))
        lines = [f"Tệp {Path(args.file).name}" + (f", trang “{data.name}”" if data.name else "")
                 + (f" ({data.encoding})" if data.encoding else "") + f": dòng tiêu đề {m.header_row}"
                 + (" — cách ghép cột đã lưu cho mẫu sổ này" if m.remembered else ""),
                 *(f"  {label:<28} ← cột {col} “{header}”" for label, col, header in m.describe())]
        if m.missing():
            raise UserError("mapping_incomplete", "Chưa ghép cột cho: " + ", ".join(m.missing()) + ".")
        problems = pv.problems()
        if problems:
            lines.append("Các vấn đề từng dòng:")
            lines += [f"  Dòng {p.row}{f' cột {p.column}' if p.column else ''}: {p.message}"
                      + (" [KHÔNG NHẬP]" if p.fatal else "") for p in problems]
        counts = pv.counts()
        lines.append("Tổng: " + ", ".join(f"{STATUS_LABELS[k]} {v}" for k, v in counts.items() if v))
        payload = {"header_row": m.header_row, "columns": m.columns, "counts": counts,
                   "problems": [{"row": p.row, "column": p.column, "message": p.message, "fatal": p.fatal}
                                for p in problems]}
        if args.preview:
            emit(args, payload, "\n".join(lines))
            return 0
        summary = import_rows(db, pv, dry_run=args.dry_run, progress=_Dots())
        if sys.stderr.isatty():
            print(file=sys.stderr)
        lines.append(summary.text())
        payload.update(imported=summary.imported, dry_run=summary.dry_run, numbers=list(summary.numbers))
        emit(args, payload, "\n".join(lines))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from desktop.rules.book import KIND_LABELS

    p = sub.add_parser("import-old", help="nhập sổ cũ từ tệp Excel (.xlsx) hoặc CSV",
                       description="Nhập sổ cũ: ghép cột theo tiêu đề, xem trước lỗi từng dòng, chạy thử, nhập. "
                                   "Nhập lại cùng tệp không thêm gì.")
    p.add_argument("file", type=Path, metavar="TỆP")
    p.add_argument("--sheet", help="tên hoặc số thứ tự trang tính (mặc định: trang đầu)")
    p.add_argument("--map", action="append", metavar="TRƯỜNG=CỘT",
                   help="ghép cột: full_name=C, received_on=2, summary=“Nội dung”, notes=- (bỏ); lặp lại được")
    p.add_argument("--kind", default="petition", choices=sorted(KIND_LABELS),
                   help="loại vụ việc khi tệp không có cột loại đơn (mặc định: petition)")
    p.add_argument("--dry-run", action="store_true", help="chạy thử: kiểm tra và đánh số nhưng không ghi vào sổ")
    p.add_argument("--preview", action="store_true", help="chỉ xem trước cách ghép cột và lỗi từng dòng")
    add_db_argument(p)
    add_json_argument(p)
    p.set_defaults(func=cmd_import_old)
    register_publish(sub)
    register_slip(sub)
    register_attach(sub)


# -- giaitrinh publish preview|make|rules ----------------------------------------------------------
def cmd_publish_preview(args) -> int:
    from desktop.publication import notice as notice_mod
    from desktop.publication.publish import parse_period

    start, end = parse_period(args.period)
    with open_db(args) as db:
        n = notice_mod.collect(db, start, end)
    lines = [f"Công khai kết quả {n.period_text}: {len(n.rows)} vụ việc."]
    for i, row in enumerate(n.rows, start=1):
        lines.append(f"{i:>3}. {row.number} | {row.requester} | {row.summary} | {row.result}")
    if n.redactor.removals:
        lines.append("Đã ẩn (không xuất hiện trong thông báo):")
        lines += [f"  {r.where}: “{r.removed}” — {r.reason}" for r in n.redactor.removals]
    payload = {"from": start.isoformat(), "to": end.isoformat(), "rows": [row.cells(i) for i, row in
                                                                          enumerate(n.rows, start=1)],
               "removed": n.redactor.counts()}
    emit(args, payload, "\n".join(lines))
    return 0


def cmd_publish_make(args) -> int:
    from desktop.publication.publish import make, parse_period

    start, end = parse_period(args.period)
    with open_db(args) as db:
        made = make(db, start, end, args.out)
    emit(args, {"publication": made.publication_uuid, "files": [str(p) for p in made.files], "listed": made.listed,
                "newly_published": made.newly_published},
         f"Đã lập thông báo công khai {made.listed} vụ việc ({made.newly_published} vụ việc lần đầu công khai):\n"
         + "\n".join(f"  {p}" for p in made.files))
    return 0


def cmd_rules(args) -> int:
    from desktop.publication import redaction

    with open_db(args) as db:
        if args.rules_action == "add":
            texts = [(r[0], r[1]) for r in db.query("SELECT number, summary FROM cases ORDER BY id DESC LIMIT 2000")]
            hits = redaction.preview_rule(args.pattern, texts)
            if not args.yes:
                shown = "\n".join(f"{w}: {a}\n   → {b}" for w, a, b in hits) or \
                    "Quy tắc này không ẩn gì trong các vụ việc gần đây."
                emit(args, [list(h) for h in hits], shown + "\n(Xem trước; thêm --yes để lưu quy tắc.)")
                return 0
            rule = redaction.add_rule(db, args.pattern, args.reason or "")
            emit(args, {"code": rule.code}, f"Đã thêm quy tắc ẩn {rule.code}.")
        elif args.rules_action == "remove":
            redaction.remove_rule(db, args.id)
            emit(args, {"removed": args.id}, f"Đã xóa quy tắc ẩn số {args.id}.")
        else:
            _, built = redaction.built_in()
            rules = built + redaction.office_rules(db)
            emit(args, [r.__dict__ for r in rules],
                 "\n".join(f"{r.code:<16} {'bật' if r.active else 'tắt'}  {r.reason}" for r in rules))
    return 0


def register_publish(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="công khai kết quả: xem trước, lập thông báo (PDF, CSV, HTML), quy tắc ẩn")
    ps = p.add_subparsers(dest="publish_command", metavar="LỆNH", required=True)
    for name, func, text in (("preview", cmd_publish_preview, "xem trước danh sách và những gì bị ẩn"),
                             ("make", cmd_publish_make, "lập thông báo và ghi nhận đã công khai")):
        q = ps.add_parser(name, help=text)
        q.add_argument("--period", required=True, help="03/2026, Q1/2026, 6T/2026, 2026 hoặc 01/01/2026-31/03/2026")
        if name == "make":
            q.add_argument("--out", type=Path, required=True, help="thư mục ghi các tệp")
        add_db_argument(q)
        add_json_argument(q)
        q.set_defaults(func=func)
    q = ps.add_parser("rules", help="quy tắc ẩn thông tin: list | add MẪU --reason … [--yes] | remove SỐ")
    q.add_argument("rules_action", choices=("list", "add", "remove"))
    q.add_argument("pattern", nargs="?", help="biểu thức chính quy (add)")
    q.add_argument("--reason", help="lý do ẩn (add)")
    q.add_argument("--yes", action="store_true", help="lưu quy tắc sau khi xem trước (add)")
    q.add_argument("--id", type=int, help="số quy tắc (remove)")
    add_db_argument(q)
    add_json_argument(q)
    q.set_defaults(func=cmd_rules)


def cmd_slip(args) -> int:
    from desktop.documents.satisfaction_slip import slip_pdf
    from desktop.storage.cases import get_case

    with open_db(args) as db:
        case = get_case(db, args.case)
        args.out.write_bytes(slip_pdf(db, case.uuid))
    emit(args, {"file": str(args.out)}, f"Đã ghi phiếu lấy ý kiến của vụ việc {case.number}: {args.out}")
    return 0


def register_slip(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("slip", help="in phiếu lấy ý kiến mức độ hài lòng (gửi kèm văn bản trả lời)")
    p.add_argument("case", metavar="VỤ_VIỆC", help="số vụ việc (01/2026) hoặc mã")
    p.add_argument("--out", type=Path, required=True, help="tệp PDF")
    add_db_argument(p)
    add_json_argument(p)
    p.set_defaults(func=cmd_slip)


# -- giaitrinh attach / case-file ----------------------------------------------------------------
def cmd_attach(args) -> int:
    from desktop.storage import attachments as att_repo
    from desktop.storage.cases import get_case
    from desktop.workflow import attach

    with open_db(args) as db:
        if args.check:
            problems = attach.verify_attachments(db)
            emit(args, {"problems": problems}, "\n".join(problems) or "Mọi tệp đính kèm khớp mã băm và chuỗi sự kiện.")
            return 1 if problems else 0
        if not args.case:
            raise UserError("usage", "Cần số vụ việc (hoặc --check).")
        case = get_case(db, args.case)
        added, refused = [], []
        for path in args.files:
            if path.is_dir():
                done, bad = attach.attach_folder(db, path, case_uuid=case.uuid)
                added += done
                refused += bad
            else:
                try:
                    added.append(attach.attach_file(db, path, case_uuid=case.uuid))
                except UserError as exc:
                    refused.append(exc.message)
        listed = att_repo.of_case(db, case.uuid)
        emit(args, {"added": [a.uuid for a in added], "refused": refused,
                    "attachments": [{"file_name": a.file_name, "size": a.size, "sha256": a.sha256} for a in listed]},
             "\n".join([f"Vụ việc {case.number}: {len(listed)} tệp đính kèm"]
                       + [f"  {a.file_name} ({attach.size_text(a.size)}) {a.sha256[:16]}…" for a in listed]
                       + [f"Không đính kèm: {m}" for m in refused]))
    return 1 if refused and not added else 0


def cmd_case_file(args) -> int:
    from desktop.documents.case_file import case_file_pdf
    from desktop.storage.cases import get_case

    with open_db(args) as db:
        case = get_case(db, args.case)
        args.out.write_bytes(case_file_pdf(db, case.uuid))
    emit(args, {"file": str(args.out)}, f"Đã ghi hồ sơ vụ việc {case.number}: {args.out}")
    return 0


def register_attach(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("attach", help="đính kèm bản quét, ảnh, PDF vào vụ việc; liệt kê; kiểm tra mã băm")
    p.add_argument("case", nargs="?", metavar="VỤ_VIỆC")
    p.add_argument("files", nargs="*", type=Path, metavar="TỆP_HOẶC_THƯ_MỤC")
    p.add_argument("--check", action="store_true", help="kiểm tra mọi tệp đính kèm với mã băm và chuỗi sự kiện")
    add_db_argument(p)
    add_json_argument(p)
    p.set_defaults(func=cmd_attach)
    q = sub.add_parser("case-file", help="in hồ sơ vụ việc (diễn biến, văn bản, tài liệu đính kèm) ra PDF")
    q.add_argument("case", metavar="VỤ_VIỆC")
    q.add_argument("--out", type=Path, required=True)
    add_db_argument(q)
    add_json_argument(q)
    q.set_defaults(func=cmd_case_file)
