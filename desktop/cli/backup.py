"""``giaitrinh backup list|make|restore``: the register's backups from the command line.

Every command logs in like the others (``--user``, ``GIAITRINH_USER`` / ``GIAITRINH_PASSWORD``).
Backups are encrypted to the register's key; a restore needs a leader or the administrator (an
old unencrypted backup: the administrator), checked on the register being replaced, or against
the backup itself when that register is lost (``desktop.security.backups``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from desktop.cli import (PASSWORD_ENV, USER_ENV, add_db_argument, add_json_argument, ask_password, default_db_path,
                         emit, open_db)
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
    from desktop.security.principal import require
    from desktop.storage.backup import list_backups

    register = _register(args)
    with open_db(args) as db:
        require(db, "register.read")
    folder = _folder(args, register)
    found = list_backups(folder, register.stem)
    emit(args, [{"file": str(b.path), "taken_at": b.taken_at.isoformat(), "reason": b.reason, "sealed": b.sealed,
                 "size": b.size} for b in found],
         "\n".join(f"{b.path.name}  {b.label}" for b in found) or f"Chưa có bản sao lưu nào trong {folder}.")
    return 0


def cmd_make(args: argparse.Namespace) -> int:
    from desktop.security.backups import make_now
    from desktop.storage.backup import rotate

    register = _register(args)
    folder = _folder(args, register)
    with open_db(args) as db:
        path = make_now(db, folder)  # encrypted to the register's key
    removed = rotate(folder, register.stem)
    emit(args, {"file": str(path), "sealed": path.suffix == ".gtbk", "removed": [str(p) for p in removed]},
         f"Đã sao lưu, kiểm tra và mã hóa: {path}" + (f"\nĐã xóa {len(removed)} bản sao lưu cũ theo lịch giữ."
                                                     if removed else ""))
    return 0


def _opener(args: argparse.Namespace, register: Path, backup: Path):
    """Log in on the register being replaced when it still opens; else against the backup itself
    (the register is lost). Either way a leader or the administrator, per the roles matrix."""
    from desktop.security import backups

    if backups.register_usable(register):
        with open_db(args) as db:
            return backups.opener(db, backup)
    user = getattr(args, "user", None) or os.environ.get(USER_ENV)
    if not user:
        raise UserError("login_required", "Sổ hiện tại không mở được: hãy đăng nhập bằng tài khoản lãnh đạo hoặc quản "
                                          "trị có trong bản sao lưu (--user TÊN_ĐĂNG_NHẬP; mật khẩu được hỏi khi chạy).")
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = ask_password(f"Mật khẩu của {user} (lúc sao lưu): ")
    return backups.offline_opener(backup, user, password)


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop.security import backups
    from desktop.storage.backup import restore
    from desktop.workflow.verify import verify_register

    register = _register(args)
    chosen = Path(args.file)
    if not chosen.is_file():
        raise UserError("backup_missing", f"Không tìm thấy tệp sao lưu {chosen}.")
    sealer = _opener(args, register, chosen)
    if not args.yes:
        warning = backups.older_than_sent(sealer, chosen, register) if register.exists() else None
        raise UserError("confirm_needed", f"Khôi phục sẽ thay sổ {register} bằng bản sao lưu {chosen.name} "
                        "(sổ hiện tại được sao lưu trước). Hãy đóng chương trình trên máy này rồi chạy lại với --yes."
                        + (f" Lưu ý: {warning}" if warning else ""))
    safety = restore(chosen, register, sealer=sealer, folder=_folder(args, register))
    with open_db(args, login=False) as db:   # the restored register, checked whole
        report = verify_register(db)
    text = f"Đã khôi phục sổ từ {chosen.name}."
    if safety:
        text += f" Sổ trước khi khôi phục được giữ (mã hóa) ở {safety}."
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
