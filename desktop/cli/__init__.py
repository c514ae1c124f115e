"""``giaitrinh`` without a window: for administrators, the province, tests and support.

Each command module exposes ``register(subparsers)``, adding its subcommands with a ``func``
default taking ``(args) -> int``. Reads accept ``--json``; errors go to stderr with exit code 1
(a ``UserError``: its Vietnamese message) or 2 (usage).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from desktop.errors import UserError, ValidationError

log = logging.getLogger(__name__)

# One module per group of commands; each adds its own subcommands.
COMMAND_MODULES = (
    "desktop.cli.admin",
    "desktop.cli.backup",
    "desktop.cli.casefile",
    "desktop.cli.documents",
    "desktop.cli.register",
    "desktop.cli.reports",
    "desktop.cli.rules",
    "desktop.cli.sync",
    "desktop.cli.users",
)
# Groups shipped beside the core but not in the desktop build: the national hub (PostgreSQL).
OPTIONAL_MODULES = ("hub.cli",)


def default_db_path() -> Path:
    """The window's default too: the computer's shared data folder where chosen (folders.py)."""
    from desktop.storage.folders import default_register_path

    return default_register_path()


PASSWORD_ENV = "GIAITRINH_PASSWORD"      # the password of ``--user``, for scripts
NEW_PASSWORD_ENV = "GIAITRINH_NEW_PASSWORD"  # a password being set (user add, passwd, init), for scripts
USER_ENV = "GIAITRINH_USER"


def open_db(args: argparse.Namespace, *, create: bool = False, login: bool = True):
    """The register named by ``--db`` (or the user's default one), through ``open_database``,
    with ``--user`` logged in (``login=False``: setup commands that log in themselves)."""
    from desktop.storage.db import open_database

    db = open_database(args.db or default_db_path(), create=create)
    if login:
        try:
            authenticate(db, args)
        except BaseException:
            db.close()
            raise
    return db


def authenticate(db, args: argparse.Namespace):
    """Log ``--user`` in with the password from ``GIAITRINH_PASSWORD`` or asked (never echoed).
    There is no free-text actor: every event names the officer who logged in."""
    from desktop.security import accounts

    accounts.require_accounts(db)
    user = getattr(args, "user", None) or os.environ.get(USER_ENV)
    if not user:
        raise UserError("login_required", "Hãy đăng nhập: thêm --user TÊN_ĐĂNG_NHẬP (mật khẩu được hỏi khi chạy; "
                                          f"kịch bản tự động đặt biến môi trường {PASSWORD_ENV}).")
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = ask_password(f"Mật khẩu của {user}: ")
    return accounts.login_user(db, user, password)


def ask_password(prompt: str, *, confirm: bool = False, env: str = PASSWORD_ENV) -> str:
    """A password typed at the terminal, without echo; ``confirm`` asks it twice."""
    import getpass

    try:
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Nhập lại mật khẩu: ") != first:
            raise UserError("password_mismatch", "Hai lần nhập mật khẩu không giống nhau.")
    except EOFError as exc:
        raise UserError("password_missing", f"Chưa nhập mật khẩu (kịch bản: đặt biến môi trường {env}).") from exc
    return first


def new_password(prompt: str) -> str:
    """A password being set: ``GIAITRINH_NEW_PASSWORD``, else asked twice."""
    value = os.environ.get(NEW_PASSWORD_ENV)
    return value if value is not None else ask_password(prompt, confirm=True, env=NEW_PASSWORD_ENV)


def date_arg(text: str | None, default=None):
    """A date typed as dd/mm/yyyy (or ISO); ``default`` when nothing was typed."""
    from desktop.domain.validation import parse_date

    return parse_date(text) if text else default


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, help="tệp sổ (mặc định: thư mục dữ liệu dùng chung của máy nếu đã chọn, nếu không thì của người dùng)")
    parser.add_argument("--user", default=None,
                        help=f"tên đăng nhập (mật khẩu được hỏi, hoặc lấy từ biến {PASSWORD_ENV})")


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")


def emit(args: argparse.Namespace, payload: Any, text: str) -> None:
    """Print a command's result as JSON (``--json``) or as text for a person.

    Never raises: a command emits after its work is committed, so output that cannot be
    written (the reader of a pipe gone, a console closed) must not turn a saved case into a
    reported failure — the clerk would enter it again."""
    out = json.dumps(payload, ensure_ascii=False, indent=2, default=str) if getattr(args, "json", False) else text
    try:
        print(out, flush=True)
    except UnicodeEncodeError:  # a stream this process could not switch to UTF-8 (desktop/console.py)
        try:
            sys.stdout.buffer.write((out + "\n").encode("utf-8", "backslashreplace"))
            sys.stdout.flush()
        except (AttributeError, OSError):
            _silence_stdout()
    except OSError as exc:  # BrokenPipeError; on Windows EINVAL for a pipe closed by its reader
        log.info("output not written (%s); the command's work stands", exc)
        _silence_stdout()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="giaitrinh", description="Sổ Giải trình — dòng lệnh")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for name in OPTIONAL_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:  # the frozen desktop program carries no hub
            continue
        module.register(sub)
    return parser


def _silence_stdout() -> None:
    """After a broken pipe, send what Python still flushes at exit to nowhere (no second error)."""
    import os

    try:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives until exit
    except OSError:  # pragma: no cover
        pass


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    from desktop.console import utf8_stdio

    utf8_stdio()  # before the first print, --help included (desktop/console.py)
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # The reader went away (`giaitrinh case list | more`, then q): whatever the command
        # wrote to the register is committed; its output not being read is not a failure.
        _silence_stdout()
        return 0
    except UserError as exc:
        if getattr(args, "json", False):
            print(json.dumps(exc.as_dict(), ensure_ascii=False), file=sys.stderr)
        elif isinstance(exc, ValidationError) and len(exc.fields) > 1:
            print("Lỗi:\n" + "\n".join(f"  - {m}" for m in exc.fields.values()), file=sys.stderr)
        else:
            print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
