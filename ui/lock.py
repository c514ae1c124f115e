"""The register lock: one window on one computer writes a register at a time.

A lock file next to the register (``so.sqlite.lock``) is held open for the whole session with an
operating-system lock on it (``fcntl.flock`` on Linux and macOS, ``msvcrt.locking`` — LockFileEx —
on Windows). The system lets go of it when the process ends, however it ends (a crash, a power
cut), so the lock is held exactly while the window runs: no guessing from a process id, which
Windows reported dead for another user's window (OpenProcess: access denied) and which a
restarted computer hands to another program (the clerk was locked out). The file also records
who holds it — host, user, process id and the process's start time — for the message.

- The OS lock is taken: ours. A file left with someone's name on it (a crash) is overwritten;
- the OS lock is held by another process on this computer: refused, naming the other window;
- the file names another computer and its OS lock is free (a register carried on a USB stick
  from a computer that crashed): the clerk is asked before the lock is broken (``breakable``).

Qt-free so the CLI may use it too.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import socket
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop.errors import UserError

log = logging.getLogger(__name__)

# Windows locks a byte range and refuses others even reading it: lock one byte far past the
# JSON, so others can still read who holds the register.
_WINDOWS_LOCK_OFFSET = 1 << 20


@dataclass(frozen=True)
class LockOwner:
    host: str
    pid: int
    user: str
    since: str
    started: str = ""   # the process's start time: a pid alone is reused after a restart

    def describe(self) -> str:
        try:
            when = datetime.fromisoformat(self.since).strftime("%H:%M ngày %d/%m/%Y")
        except ValueError:
            when = self.since
        return f"máy “{self.host}” (người dùng {self.user or 'không rõ'}, từ {when})"


class RegisterLocked(UserError):
    """The register is open elsewhere; ``owner`` says where; ``breakable`` when no process holds
    the OS lock (another computer's lock left by a crash), so the clerk may break it."""

    def __init__(self, path: Path, owner: LockOwner | None, *, same_host: bool, breakable: bool = False) -> None:
        where = owner.describe() if owner else "một cửa sổ khác"
        if same_host:
            msg = (f"Sổ “{path.name}” đang được mở trong một cửa sổ Sổ Giải trình khác trên máy này "
                   f"({where}). Hãy dùng cửa sổ đó, hoặc đóng nó rồi mở lại.")
        elif breakable:
            msg = (f"Sổ “{path.name}” được ghi là đang mở trên {where}. Mỗi lúc chỉ một máy được ghi vào sổ. "
                   "Nếu máy đó đã tắt mà chưa đóng sổ, có thể gỡ khóa — chỉ làm khi chắc chắn "
                   "không ai đang dùng sổ.")
        else:
            msg = (f"Sổ “{path.name}” đang được mở trên {where}. Mỗi lúc chỉ một máy được ghi vào sổ. "
                   "Hãy đóng sổ ở máy đó trước.")
        super().__init__("register_locked", msg)
        self.owner = owner
        self.same_host = same_host
        self.breakable = breakable


def process_started(pid: int | None = None) -> str:
    """When this process started (ISO time), from the system; "" where it cannot tell."""
    pid = os.getpid() if pid is None else pid
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            import ctypes
            from ctypes import wintypes

            kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
            handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
            if not handle:
                return ""
            try:
                times = [wintypes.FILETIME() for _ in range(4)]
                if not kernel32.GetProcessTimes(handle, *[ctypes.byref(t) for t in times]):
                    return ""
                ticks = (times[0].dwHighDateTime << 32) | times[0].dwLowDateTime   # 100 ns since 1601
                return datetime.fromtimestamp(ticks / 1e7 - 11644473600).isoformat(timespec="seconds")
            finally:
                kernel32.CloseHandle(handle)
        stat = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])   # field 22: start time after boot
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK")).isoformat(timespec="seconds")
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        return ""


def _try_os_lock(fd: int) -> bool:
    """Take the OS lock on ``fd`` without waiting; False when another process holds it."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _try_os_lock_soon(fd: int, tries: int = 3, pause: float = 0.1) -> bool:
    """``_try_os_lock``, a few times: Windows frees a dead process's locks "depending upon
    available system resources" (LockFileEx), so a window reopened right after a crash waits a
    moment rather than calling the dead one alive."""
    for attempt in range(tries):
        if _try_os_lock(fd):
            return True
        if attempt + 1 < tries:
            time.sleep(pause)
    return False


def _os_unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


class RegisterLock:
    """``with RegisterLock(db_path):`` or ``acquire()`` / ``release()``."""

    def __init__(self, register: Path) -> None:
        self.register = Path(register)
        self.path = self.register.with_name(self.register.name + ".lock")
        self.held = False
        self._fd: int | None = None

    def read_owner(self) -> LockOwner | None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return LockOwner(str(raw["host"]), int(raw["pid"]), str(raw.get("user", "")), str(raw.get("since", "")),
                             str(raw.get("started", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _me(self) -> LockOwner:
        try:
            user = getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name is not a reason to refuse
            user = ""
        return LockOwner(socket.gethostname(), os.getpid(), user, datetime.now().isoformat(timespec="seconds"),
                         process_started())

    def acquire(self, *, take_over: bool = False) -> None:
        """Take the lock; ``take_over`` breaks another computer's lock whose OS lock is free
        (the clerk was asked)."""
        if self._fd is not None:
            self.held = True
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        me = self._me()
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
            except PermissionError as exc:
                raise UserError("register_lock_failed",
                                f"Không tạo được tệp khóa sổ {self.path}: thư mục không cho ghi.") from exc
            if not _try_os_lock_soon(fd):
                os.close(fd)
                owner = self.read_owner()
                if owner and owner.host == me.host and owner.pid == me.pid and owner.started == me.started:
                    self.held = True  # re-entrant in one process (tests, reopen): the other holder releases
                    return
                raise RegisterLocked(self.register, owner, same_host=owner is None or owner.host == me.host)
            if not self._still_the_file(fd):
                os.close(fd)   # released and removed between our open and our lock: take the new file
                continue
            owner = self._read_fd(fd)
            if owner and owner.host != me.host and not take_over:
                _os_unlock(fd)
                os.close(fd)
                raise RegisterLocked(self.register, owner, same_host=False, breakable=True)
            if owner:
                log.warning("register lock %s left by %s (no process holds it), taking it over", self.path, owner)
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(me.__dict__, ensure_ascii=False).encode("utf-8"))
            os.fsync(fd)
            self._fd = fd
            self.held = True
            log.info("register lock taken: %s", self.path)
            return
        raise UserError("register_lock_failed", f"Không tạo được tệp khóa sổ {self.path}.")

    def _still_the_file(self, fd: int) -> bool:
        try:
            return os.path.samestat(os.fstat(fd), os.stat(self.path))
        except OSError:
            return False

    @staticmethod
    def _read_fd(fd: int) -> LockOwner | None:
        os.lseek(fd, 0, os.SEEK_SET)
        data = b""
        while chunk := os.read(fd, 65536):
            data += chunk
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            raw = json.loads(data.decode("utf-8"))
            return LockOwner(str(raw["host"]), int(raw["pid"]), str(raw.get("user", "")), str(raw.get("since", "")),
                             str(raw.get("started", "")))
        except (ValueError, KeyError, TypeError):
            return None

    def break_lock(self) -> None:
        """Take over another computer's lock that no process holds (the clerk confirmed that
        computer has closed the register). A lock a running process holds cannot be broken."""
        log.warning("register lock broken by user: %s (%s)", self.path, self.read_owner())
        self.acquire(take_over=True)

    def release(self) -> None:
        self.held = False
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)   # a file left behind (Windows) reads as free
            if sys.platform != "win32":
                self._unlink()    # POSIX: remove while still locked, so no one locks a removed file
        finally:
            _os_unlock(fd)
            os.close(fd)
        if sys.platform == "win32":  # pragma: no cover - Windows cannot remove an open file
            self._unlink()

    def _unlink(self) -> None:
        """Remove the lock file; where Windows holds it (another window reading it, an antivirus
        scan) it stays behind empty, which reads as free: never an error for the clerk."""
        for attempt in range(3):
            try:
                self.path.unlink()
                return
            except FileNotFoundError:
                return
            except PermissionError:
                if attempt == 2:
                    log.info("lock file %s is held by another program; left empty", self.path)
                    return
                time.sleep(0.2)
            except OSError as exc:
                log.warning("could not remove lock file %s: %s", self.path, exc)
                return

    def __enter__(self) -> "RegisterLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
