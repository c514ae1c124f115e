"""``giaitrinh backup list|make|restore``: the register's backups from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli import add_db_argument, add_json_argument, default_db_path, emit
from desktop.errors import UserError

FOLDER_KEY = "backup_folder"  # the same setting the window's backup page writes


def _register(args: argparse.Namespace) -> Path:
    return Path(args.db or default_db_path())


def _folder(args: argparse.Namespace, register: Path) -> Path:
    """``--folder``, else the folder set in the register, else ``backups`` beside it."""
    if args.folder:
        return Path(args.folder)
    from desktop.storage.db import connect

    if register.exists() and register.stat().st_size:
        conn = connect(register)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (FOLDER_KEY,)).fetchone()
        except Exception:  # noqa: BLE001 - not a register: its own message comes later
            row = None
        finally:
            conn.close()
        if row and row[0]:
            return Path(row[0])
    return register.parent / "backups"


def cmd_list(args: argparse.Namespace) -> int:
    from desktop.storage.backup import list_backups

    register = _register(args)
    folder = _folder(args, register)
    found = list_backups(folder, register.stem)
    emit(args, [{"file": str(b.path), "taken_at": b.taken_at.isoformat(), "reason": b.reason, "sealed": b.sealed,
                 "size": b.size} for b in found],
         "\n".join(f"{b.path.name}  {b.label}" for b in found) or f"Chưa có bản sao lưu nào trong {folder}.")
    return 0


def cmd_make(args: argparse.Namespace) -> int:
    from desktop.storage.backup import make_backup, rotate
    from desktop.storage.db import open_database

    register = _register(args)
    folder = _folder(args, register)
    db = open_database(register, create=False)
    try:
        path = make_backup(db.conn, register, folder, reason="manual")
    finally:
        db.close()
    removed = rotate(folder, register.stem)
    emit(args, {"file": str(path), "removed": [str(p) for p in removed]},
         f"Đã sao lưu và kiểm tra: {path}" + (f"\nĐã xóa {len(removed)} bản sao lưu cũ theo lịch giữ." if removed else ""))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop.storage.backup import restore
    from desktop.storage.db import open_database
    from desktop.workflow.verify import verify_register

    from desktop.storage.backup import older_than_sent

    register = _register(args)
    warning = older_than_sent(Path(args.file), register) if register.exists() else None
    if not args.yes:
        raise UserError("confirm_needed", f"Khôi phục sẽ thay sổ {register} bằng bản sao lưu {Path(args.file).name} "
                        "(sổ hiện tại được sao lưu trước). Hãy đóng chương trình trên máy này rồi chạy lại với --yes."
                        + (f" Lưu ý: {warning}" if warning else ""))
    safety = restore(Path(args.file), register, folder=_folder(args, register))
    db = open_database(register, create=False)
    try:
        report = verify_register(db)
    finally:
        db.close()
    text = f"Đã khôi phục sổ từ {Path(args.file).name}."
    if safety:
        text += f" Sổ trước khi khôi phục được giữ ở {safety}."
    text += " Kiểm tra sổ: toàn vẹn." if report.ok else "\nKiểm tra sổ phát hiện vấn đề:\n" + "\n".join(
        f"  - {p}" for p in report.problems)
    emit(args, {"restored_from": str(args.file), "safety_copy": str(safety) if safety else None,
                "verify": report.as_dict()}, text)
    return 0 if report.ok else 3


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("backup", help="sao lưu và khôi phục sổ").add_subparsers(dest="backup_command",
                                                                                  metavar="LỆNH")
    for name, func, help_ in (("list", cmd_list, "các bản sao lưu, mới nhất trước"),
                              ("make", cmd_make, "sao lưu ngay (ghi, kiểm tra rồi mới đặt tên)"),
                              ("restore", cmd_restore, "thay sổ bằng một bản sao lưu")):
        p = group.add_parser(name, help=help_)
        add_db_argument(p)
        add_json_argument(p)
        p.add_argument("--folder", type=Path, default=None, help="thư mục sao lưu (mặc định: như trong cài đặt)")
        if name == "restore":
            p.add_argument("file", help="tệp sao lưu")
            p.add_argument("--yes", action="store_true", help="xác nhận thay sổ")
        p.set_defaults(func=func)
