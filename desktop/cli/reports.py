"""``giaitrinh report``: periodic reports without a window.

    giaitrinh report periods [--year Y]                       the periods, their days and due dates
    giaitrinh report forms                                    the forms, unverified / approximate columns
    giaitrinh report make --period P [--form F …] [--xlsx F] [--pdf F] [--docx F] [--json]
    giaitrinh report cells --period P --form F --col N [--row KEY]   what a cell counts
    giaitrinh report opening --kind K --as-of D --unhandled N --unresolved M   kê khai đầu kỳ (once)
    giaitrinh report manual --period P --form F --col N --value V     a figure entered by hand
    giaitrinh report issue --period P [--date D] [--pdf F] [--docx F]  number the BÁO CÁO, store figures
    giaitrinh report list [--period P]                        issued reports and the province's decisions
    giaitrinh report accept REPORT | reopen REPORT --reason T (province)
    giaitrinh report completeness --period P                  (province) on time / late / missing
    giaitrinh report consolidate --period P [--xlsx F] [--pdf F]      (province) sum of accepted reports
    giaitrinh report export cases|receptions|outgoing --out F [--from D] [--to D] [--kind K]
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from desktop.cli import add_db_argument, add_json_argument, date_arg, emit, open_db


def _period(args, db=None):
    from desktop.reports.periods import period

    province = None
    if db is not None:
        from desktop.storage.units import local_unit

        province = local_unit(db).parent_code
    return period(args.period, province)


def _table_text(report) -> str:
    leaves = report.form.leaves()
    lines = [f"Biểu {report.form.code} — {report.form.title}", f"{report.period.label} — {report.unit_name}"]
    for row in report.all_rows():
        cells = ", ".join(f"({leaf.no}) {'' if row.values.get(leaf.no) is None else row.values.get(leaf.no)}"
                          for leaf in leaves)
        lines.append(f"  {row.label}: {cells}")
    lines += [f"  ! {w}" for w in report.warnings]
    return "\n".join(lines)


def cmd_periods(args) -> int:
    from desktop.reports.periods import due_date, periods_of_year
    from desktop.storage.calendar_repo import load_calendar

    year = args.year or date.today().year
    with open_db(args) as db:
        cal = load_calendar(db)
        found = periods_of_year(year)
        payload = [{**p.as_dict(), "due_on": due_date(p, cal).isoformat()} for p in found]
        text = "\n".join(f"{p.code:<10} {p.label} — hạn nộp {due_date(p, cal):%d/%m/%Y}" for p in found)
    emit(args, payload, text)
    return 0


def cmd_forms(args) -> int:
    from desktop.reports.forms import all_forms, approximate_columns, unverified_columns

    forms = all_forms()
    unverified, approx = unverified_columns(), approximate_columns()
    payload = {"forms": [{"code": f.code, "id": f.id, "title": f.title, "columns": len(f.leaves()),
                          "identities": [i.text for i in f.identities], "source": f.source} for f in forms],
               "unverified": [u.__dict__ for u in unverified], "approximate": [u.__dict__ for u in approx]}
    lines = [f"{f.code:<10} {f.title} ({len(f.leaves())} cột)" for f in forms]
    lines.append(f"Cột chưa đối chiếu văn bản: {len(unverified)}" + "".join(
        f"\n  {u.form} ({u.no}) {u.label} — {u.source}" for u in unverified))
    lines.append(f"Cột sổ chỉ tính gần đúng: {len(approx)}" + "".join(
        f"\n  {u.form} ({u.no}) {u.label}: {u.note}" for u in approx))
    emit(args, payload, "\n".join(lines))
    return 0


def cmd_make(args) -> int:
    from desktop.reports import written, xlsx
    from desktop.reports.engine import make_reports

    with open_db(args) as db:
        p = _period(args, db)
        reports = make_reports(db, p, args.form or None, unit_code=args.unit)
        if args.xlsx:
            xlsx.write_forms(reports, Path(args.xlsx))
        if args.pdf or args.docx:
            b = written.bundle(db, p, reports)
            doc = written.compose(b, _signer(db))
            if args.pdf:
                Path(args.pdf).write_bytes(written.render_pdf(doc, b))
            if args.docx:
                Path(args.docx).write_bytes(written.render_docx(doc, b))
        emit(args, [r.as_dict() for r in reports], "\n\n".join(_table_text(r) for r in reports))
    return 0


def _signer(db):
    from desktop.storage.units import signers

    return next(iter(signers(db)), None)


def cmd_cells(args) -> int:
    from desktop.reports.engine import ReportRun

    with open_db(args) as db:
        p = _period(args, db)
        cell = ReportRun(db, p, args.unit).explain(args.form, args.col, args.row)
        names = _labels(db, cell.entity, cell.uuids)
        payload = {**cell.as_dict(), "items": names}
        lines = [f"Biểu {cell.form}, cột ({cell.no}) “{cell.label}”: {cell.value if cell.value is not None else ''}",
                 cell.meaning]
        lines += [f"  {x['number']}  {x['text']}" for x in names]
        lines += [f"  Kê khai đầu kỳ: {n}" for _, n in cell.openings]
        emit(args, payload, "\n".join(lines))
    return 0


def _labels(db, entity: str, uuids) -> list[dict]:
    out = []
    for uuid in uuids:
        if entity == "case":
            r = db.one("SELECT number, summary, received_on FROM cases WHERE uuid = ?", (uuid,))
            out.append({"uuid": uuid, "number": r[0], "text": f"{r[2]} {r[1]}"})
        elif entity == "reception":
            r = db.one("SELECT received_on, content FROM receptions WHERE uuid = ?", (uuid,))
            out.append({"uuid": uuid, "number": r[0], "text": r[1][:80]})
        else:
            r = db.one("SELECT k.number, c.content FROM commitments c JOIN cases k ON k.uuid = c.case_uuid "
                       "WHERE c.uuid = ?", (uuid,))
            out.append({"uuid": uuid, "number": r[0], "text": r[1][:80]})
    return out


def cmd_opening(args) -> int:
    from desktop.reports.openings import enter_opening

    with open_db(args) as db:
        o = enter_opening(db, kind=args.kind, as_of=date_arg(args.as_of), unhandled=args.unhandled,
                          unresolved=args.unresolved, note=args.note or "")
        emit(args, o.__dict__, o.label)
    return 0


def cmd_manual(args) -> int:
    from desktop.reports.engine import set_manual_value

    with open_db(args) as db:
        p = _period(args, db)
        set_manual_value(db, p, args.form, args.col, args.value, row_key=args.row)
        emit(args, {"ok": True}, f"Đã ghi cột ({args.col}) biểu {args.form} kỳ {p.label}.")
    return 0


def cmd_issue(args) -> int:
    from desktop.reports import submit

    with open_db(args) as db:
        p = _period(args, db)
        issued = submit.issue_report(db, p, issued_on=date_arg(args.date))
        if args.pdf:
            Path(args.pdf).write_bytes(submit.render(db, issued, "pdf"))
        if args.docx:
            Path(args.docx).write_bytes(submit.render(db, issued, "docx"))
        emit(args, issued.as_dict(), f"Đã ban hành báo cáo {issued.symbol} — {issued.period_label}. "
             f"Số liệu gửi tỉnh trong gói đồng bộ tiếp theo (mã kiểm tra {issued.digest[:16]}).")
    return 0


def cmd_list(args) -> int:
    from desktop.reports import submit

    with open_db(args) as db:
        found = submit.list_issued(db, period_code=_period(args, db).code if args.period else None)
        decision = {"accepted": "tỉnh đã chấp nhận", "reopened": "tỉnh mở lại", None: "chờ tỉnh xem xét"}
        emit(args, [r.as_dict() for r in found], "\n".join(
            f"{r.symbol:<14} {r.unit_code} {r.period_label} (lần {r.revision}) — {decision[r.decision]}"
            + (f": {r.reason}" if r.reason else "") + f" [{r.uuid}]" for r in found) or "Chưa có báo cáo nào.")
    return 0


def cmd_accept(args) -> int:
    from desktop.reports import submit

    with open_db(args) as db:
        r = submit.accept(db, args.report, reason=args.reason or "")
        emit(args, r.as_dict(), f"Đã chấp nhận báo cáo {r.symbol} của đơn vị {r.unit_code} ({r.period_label}). "
             "Biên nhận tiếp theo gửi xã sẽ mang quyết định này; kỳ báo cáo của xã được khóa.")
    return 0


def cmd_reopen(args) -> int:
    from desktop.reports import submit

    with open_db(args) as db:
        r = submit.reopen(db, args.report, reason=args.reason)
        emit(args, r.as_dict(), f"Đã mở lại kỳ {r.period_label} của đơn vị {r.unit_code}: {args.reason}")
    return 0


def cmd_completeness(args) -> int:
    from desktop.reports import submit

    with open_db(args) as db:
        p = _period(args, db)
        board = submit.completeness(db, p)
        emit(args, [x.as_dict() for x in board], "\n".join(
            [f"{p.label} — hạn nộp {board[0].due_on:%d/%m/%Y}" if board else p.label]
            + [f"  {x.unit_code:<8} {x.unit_name:<40} {x.label}" for x in board]))
    return 0


def cmd_consolidate(args) -> int:
    from desktop.reports import submit, written, xlsx

    with open_db(args) as db:
        p = _period(args, db)
        merged = submit.consolidate(db, p)
        if args.xlsx:
            xlsx.write_forms(merged.reports, Path(args.xlsx), consolidated=True)
        if args.pdf:
            b = written.bundle(db, p, merged.reports)
            Path(args.pdf).write_bytes(written.render_pdf(written.compose(b, _signer(db)), b))
        payload = {"reports": [r.as_dict() for r in merged.reports],
                   "missing": [{"unit_code": c, "unit_name": n} for c, n in merged.missing]}
        text = "\n\n".join(_table_text(r) for r in merged.reports)
        if merged.missing:
            text += "\n\nChưa có báo cáo được chấp nhận: " + ", ".join(n or c for c, n in merged.missing)
        emit(args, payload, text)
    return 0


def cmd_export(args) -> int:
    from desktop.reports import exports
    from desktop.storage.cases import CaseFilter

    start, end = date_arg(args.date_from), date_arg(args.date_to)
    with open_db(args) as db:
        if args.book == "cases":
            n = exports.export_cases(db, Path(args.out), CaseFilter(kind=args.kind, date_from=start, date_to=end,
                                                                    text=args.text))
        elif args.book == "receptions":
            n = exports.export_receptions(db, Path(args.out), date_from=start, date_to=end, kind=args.kind)
        else:
            today = date.today()
            n = exports.export_outgoing(db, Path(args.out), start or date(today.year, 1, 1), end or today)
        emit(args, {"file": args.out, "rows": n}, f"Đã ghi {n} dòng vào {args.out}.")
    return 0


def register(subparsers) -> None:
    report = subparsers.add_parser("report", help="báo cáo định kỳ: biểu, báo cáo bằng văn bản, gửi tỉnh")
    sub = report.add_subparsers(dest="report_command", metavar="LỆNH", required=True)

    def cmd(name: str, func, help_: str, period: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        add_db_argument(p)
        add_json_argument(p)
        if period:
            p.add_argument("--period", required=True, help="kỳ: 2026-H1, 2026-Y, 2026-Q2, 2026-M03, 2026-9M, "
                                                           "2026-H2 hoặc 2026-01-01..2026-06-30")
        p.set_defaults(func=func)
        return p

    p = cmd("periods", cmd_periods, "các kỳ báo cáo của một năm")
    p.add_argument("--year", type=int)
    cmd("forms", cmd_forms, "các biểu, cột chưa đối chiếu, cột tính gần đúng")
    p = cmd("make", cmd_make, "lập các biểu của kỳ", period=True)
    p.add_argument("--form", action="append", help="mã biểu (lặp lại; mặc định: mọi biểu)")
    p.add_argument("--unit", help="(tỉnh) số liệu của một xã trong sổ tỉnh, theo mã đơn vị")
    p.add_argument("--xlsx")
    p.add_argument("--pdf")
    p.add_argument("--docx")
    p = cmd("cells", cmd_cells, "vụ việc, lượt tiếp mà một ô đếm", period=True)
    p.add_argument("--form", required=True)
    p.add_argument("--col", type=int, required=True)
    p.add_argument("--row", help="dòng (mã đơn vị, mã cán bộ); mặc định: cả đơn vị")
    p.add_argument("--unit", help="(tỉnh) một xã trong sổ tỉnh, theo mã đơn vị")
    p = cmd("opening", cmd_opening, "kê khai đầu kỳ (sổ bắt đầu dùng giữa kỳ; nhập một lần)")
    p.add_argument("--kind", required=True)
    p.add_argument("--as-of", required=True)
    p.add_argument("--unhandled", type=int, default=0)
    p.add_argument("--unresolved", type=int, default=0)
    p.add_argument("--note")
    p = cmd("manual", cmd_manual, "nhập tay số liệu sổ không theo dõi", period=True)
    p.add_argument("--form", required=True)
    p.add_argument("--col", type=int, required=True)
    p.add_argument("--value", type=float)
    p.add_argument("--row")
    p = cmd("issue", cmd_issue, "ban hành báo cáo của kỳ (cấp số BC, lưu số liệu)", period=True)
    p.add_argument("--date", help="ngày ban hành (mặc định hôm nay)")
    p.add_argument("--pdf")
    p.add_argument("--docx")
    p = cmd("list", cmd_list, "báo cáo đã ban hành và quyết định của tỉnh")
    p.add_argument("--period")
    p = cmd("accept", cmd_accept, "(tỉnh) chấp nhận báo cáo của xã")
    p.add_argument("report", help="mã hoặc số ký hiệu báo cáo")
    p.add_argument("--reason")
    p = cmd("reopen", cmd_reopen, "(tỉnh) mở lại kỳ báo cáo của xã")
    p.add_argument("report")
    p.add_argument("--reason", required=True)
    cmd("completeness", cmd_completeness, "(tỉnh) xã nộp đúng hạn, muộn, chưa nộp", period=True)
    p = cmd("consolidate", cmd_consolidate, "(tỉnh) tổng hợp báo cáo đã chấp nhận", period=True)
    p.add_argument("--xlsx")
    p.add_argument("--pdf")
    p = cmd("export", cmd_export, "xuất sổ ra Excel")
    p.add_argument("book", choices=("cases", "receptions", "outgoing"))
    p.add_argument("--out", required=True)
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--kind")
    p.add_argument("--text")
