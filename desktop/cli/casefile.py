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

from desktop.cli import actor, add_db_argument, add_json_argument, emit, open_db
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
        summary = import_rows(db, pv, actor=actor(args), dry_run=args.dry_run, progress=_Dots())
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
    p.add_argument("--actor", help=argparse.SUPPRESS)
    add_db_argument(p)
    add_json_argument(p)
    p.set_defaults(func=cmd_import_old)
