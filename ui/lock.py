"""The register lock: one window on one computer writes a register at a time.

A lock file next to the register (``so.sqlite.lock``) holds the host, the process id, the user
and when it was taken. It is created atomically (``O_EXCL``). A lock left by a process that no
longer runs on this computer is stale and is taken over; a lock held on another computer cannot
be checked from here, so the clerk is told who holds it and may break it on purpose after
making sure that computer has closed the register (SQLite's own locking still prevents
corruption meanwhile; the lock exists to give a clear message instead of "database is locked").

Qt-free so the CLI may use it too.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop.errors import UserError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LockOwner:
    host: str
    pid: int
    user: str
    since: str

    def describe(self) -> str:
        try:
            when = datetime.fromisoformat(self.since).strftime("%H:%M ngày %d/%m/%Y")
        except ValueError:
            when = self.since
        return f"máy “{self.host}” (người dùng {self.user or 'không rõ'}, từ {when})"


class RegisterLocked(UserError):
    """The register is open elsewhere; ``owner`` says where."""

    def __init__(self, path: Path, owner: LockOwner | None, *, same_host: bool) -> None:
        where = owner.describe() if owner else "một cửa sổ khác"
        if same_host:
            msg = (f"Sổ “{path.name}” đang được mở trong một cửa sổ Sổ Giải trình khác trên máy này "
                   f"({where}). Hãy dùng cửa sổ đó, hoặc đóng nó rồi mở lại.")
        else:
            msg = (f"Sổ “{path.name}” đang được mở trên {where}. Mỗi lúc chỉ một máy được ghi vào sổ. "
                   "Hãy đóng sổ ở máy đó trước. Nếu máy đó đã tắt mà chưa đóng sổ, "
                   "có thể gỡ khóa — chỉ làm khi chắc chắn không ai đang dùng sổ.")
        super().__init__("register_locked", msg)
        self.owner = owner
        self.same_host = same_host


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RegisterLock:
    """``with RegisterLock(db_path):`` or ``acquire()`` / ``release()``."""

    def __init__(self, register: Path) -> None:
        self.register = Path(register)
        self.path = self.register.with_name(self.register.name + ".lock")
        self.held = False

    def read_owner(self) -> LockOwner | None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return LockOwner(str(raw["host"]), int(raw["pid"]), str(raw.get("user", "")), str(raw.get("since", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _me(self) -> LockOwner:
        try:
            user = getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name is not a reason to refuse
            user = ""
        return LockOwner(socket.gethostname(), os.getpid(), user, datetime.now().isoformat(timespec="seconds"))

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        me = self._me()
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self.read_owner()
                if owner is None or (owner.host == me.host and not _pid_alive(owner.pid)):
                    log.warning("stale register lock %s (%s), taking it over", self.path, owner)
                    self._unlink()
                    continue
                if owner.host == me.host and owner.pid == me.pid:
                    self.held = True  # re-entrant in one process (tests, reopen)
                    return
                raise RegisterLocked(self.register, owner, same_host=owner.host == me.host) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(me.__dict__, fh, ensure_ascii=False)
            self.held = True
            log.info("register lock taken: %s", self.path)
            return
        raise UserError("register_lock_failed", f"Không tạo được tệp khóa sổ {self.path}.")

    def break_lock(self) -> None:
        """Remove someone else's lock (the clerk confirmed that computer has closed the register)."""
        log.warning("register lock broken by user: %s (%s)", self.path, self.read_owner())
        self._unlink()

    def _unlink(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

    def release(self) -> None:
        if not self.held:
            return
        owner = self.read_owner()
        if owner is None or (owner.host == socket.gethostname() and owner.pid == os.getpid()):
            self._unlink()
        self.held = False

    def __enter__(self) -> "RegisterLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
