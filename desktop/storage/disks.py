"""The disks a register and its files live on: no network shares, clear messages for Windows'
file errors, a short retry where an antivirus briefly holds a file.

**A register on a network location is refused** (a UNC path ``\\\\server\\share``, a mapped
network drive, NFS/CIFS/SMB on Linux). SQLite's WAL mode needs memory shared between the
processes of one computer and does not work over a network file system; without WAL, SQLite over
a share still relies on the share's file locking, which is broken often enough that SQLite's
authors advise against it (https://sqlite.org/useovernet.html, https://sqlite.org/wal.html §
"WAL does not work over a network filesystem"). Opening without WAL would trade a clear message
today for a damaged register of record later, so the clerk is told to keep the register on this
computer's disk; backups and sync bundles may still go to a share (they are copies, written
whole: ``write_file``).

Qt-free; the Windows calls go through ``ctypes``.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path, PureWindowsPath
from typing import TypeVar

from desktop.errors import UserError

log = logging.getLogger(__name__)

T = TypeVar("T")

# File systems that are a network share (Linux /proc/mounts names).
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "sshfs", "fuse.sshfs", "davfs",
    "fuse.davfs2", "fuse.gvfsd-fuse", "glusterfs", "fuse.glusterfs", "ceph", "fuse.ceph", "lustre", "gpfs", "fuse.rclone",
})

# Windows error numbers (winerror) met when writing a file.
ERROR_PATH_NOT_FOUND = 3
ERROR_INVALID_DRIVE = 15
ERROR_NOT_READY = 21
ERROR_SHARING_VIOLATION = 32
ERROR_LOCK_VIOLATION = 33
ERROR_BAD_NETPATH = 53
ERROR_DISK_FULL = 112
ERROR_FILE_TOO_LARGE = 223
ERROR_DEV_NOT_EXIST = 55
DRIVE_REMOTE = 4

FAT32_LIMIT = 4 * 1024**3 - 1   # the largest file FAT32 holds (a USB stick's usual format)

RETRIES = 3
RETRY_PAUSE = 0.2   # seconds: an antivirus scan of a freshly written file takes about this long


# -- network locations -------------------------------------------------------------------------
def _unescape_mount(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def linux_mount_type(path: Path, mounts: str | None = None) -> str:
    """The file-system type of the mount holding ``path`` (from ``/proc/mounts``), or ""."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    target = str(path)
    best, kind = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = _unescape_mount(parts[1])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


def _existing(path: Path) -> Path:
    """``path`` resolved through its nearest existing folder (a register may not exist yet)."""
    p = Path(os.path.abspath(path))
    while not p.exists() and p.parent != p:
        p = p.parent
    try:
        return p.resolve()
    except OSError:
        return p


def _windows_drive_type(root: str) -> int:  # pragma: no cover - Windows only
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)))


def network_location(path: Path | str, *, platform: str | None = None, mounts: str | None = None) -> str | None:
    """Why ``path`` is on a network share (a Vietnamese phrase for the message), or None."""
    platform = sys.platform if platform is None else platform
    text = str(path)
    if platform == "win32":
        if text.startswith(("\\\\?\\UNC\\", "//?/UNC/")):
            return "thư mục dùng chung trên mạng"
        if text.startswith(("\\\\?\\", "//?/")):
            text = text[4:]
        elif text.startswith(("\\\\", "//")):
            return "thư mục dùng chung trên mạng"
        drive = PureWindowsPath(text).drive
        if drive and sys.platform == "win32" and _windows_drive_type(drive + "\\") == DRIVE_REMOTE:
            return f"ổ mạng {drive}"
        return None
    kind = linux_mount_type(_existing(Path(text)) if mounts is None else Path(text), mounts)
    if kind in NETWORK_FILESYSTEMS or kind.startswith(("nfs", "smb", "cifs")):
        return f"ổ mạng ({kind})"
    return None


def refuse_network_location(path: Path | str, *, platform: str | None = None, mounts: str | None = None) -> None:
    """Raise ``UserError("network_location")`` for a register on a network share."""
    where = network_location(path, platform=platform, mounts=mounts)
    if where:
        raise UserError(
            "network_location",
            f"Tệp sổ “{Path(str(path)).name}” nằm trên {where}. Sổ phải nằm trên ổ đĩa của chính máy này: "
            "SQLite không ghi an toàn qua mạng, sổ có thể bị hỏng khi mạng chập chờn hoặc hai máy cùng ghi. "
            "Hãy chép tệp sổ về máy (ví dụ thư mục dữ liệu dùng chung của máy) rồi mở từ đó; "
            "sao lưu và gói đồng bộ vẫn có thể lưu lên ổ mạng.",
            path=str(path))


# -- file errors -------------------------------------------------------------------------------
def _winerror(exc: OSError) -> int | None:
    return getattr(exc, "winerror", None)


def _held_by_another_program(exc: OSError) -> bool:
    return _winerror(exc) in (ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION) or isinstance(exc, PermissionError)


def _missing_drive(target: Path) -> str | None:
    """The drive letter of ``target`` when that drive is gone (a pulled USB stick, a network
    drive disconnected), else None."""
    drive = PureWindowsPath(str(target)).drive
    if sys.platform == "win32" and drive and not os.path.exists(drive + "\\"):  # pragma: no cover - Windows
        return drive
    return None


def file_error(exc: OSError, target: Path | str, *, size: int | None = None) -> UserError:
    """What a clerk reads when ``target`` could not be written (it is left as it was)."""
    target = Path(target)
    name = target.name
    win = _winerror(exc)
    code = "file_write_failed"
    if exc.errno == errno.ENOSPC or win == ERROR_DISK_FULL:
        why = "USB hoặc ổ đĩa đã đầy. Hãy xóa bớt tệp hoặc dùng USB khác rồi thử lại."
    elif exc.errno == errno.EFBIG or win == ERROR_FILE_TOO_LARGE or (size is not None and size > FAT32_LIMIT):
        code = "file_too_large"
        why = ("tệp lớn hơn 4 GB mà ổ đĩa này (thường là USB định dạng FAT32) không chứa được tệp lớn như vậy. "
               "Hãy ghi vào ổ đĩa của máy hoặc USB định dạng exFAT/NTFS.")
    elif (drive := _missing_drive(target)) or win in (ERROR_INVALID_DRIVE, ERROR_NOT_READY, ERROR_DEV_NOT_EXIST,
                                                      ERROR_BAD_NETPATH):
        code = "drive_missing"
        why = (f"không còn ổ {drive or PureWindowsPath(str(target)).drive or 'đĩa này'} — USB đã bị rút ra hoặc "
               "ổ mạng mất kết nối. Hãy cắm lại ổ (có thể mang chữ ổ đĩa khác) hoặc chọn nơi khác.")
    elif isinstance(exc, FileNotFoundError) or win == ERROR_PATH_NOT_FOUND:
        code = "folder_missing"
        why = (f"thư mục “{target.parent}” không còn (USB có thể đã bị rút ra hoặc thư mục đã bị xóa). "
               "Hãy kiểm tra rồi thử lại, hoặc chọn nơi khác.")
    elif exc.errno == errno.EROFS:
        why = "USB hoặc ổ đĩa đang bị khóa ghi. Hãy mở khóa hoặc chọn nơi khác."
    elif _held_by_another_program(exc):
        code = "file_in_use"
        why = ("tệp đang được mở trong chương trình khác (Word, Acrobat, trình xem PDF…), hoặc USB/thư mục "
               "đang bị khóa ghi hay máy không có quyền ghi vào đó. Hãy đóng tệp rồi thử lại, hoặc lưu với tên khác.")
    else:
        why = "USB có thể đã bị rút ra hoặc thư mục không còn. Hãy kiểm tra rồi thử lại."
    return UserError(code, f"Không ghi được tệp “{name}”: {why}", path=str(target), errno=exc.errno, winerror=win)


def retry_while_held(action: Callable[[], T], *, retries: int = RETRIES, pause: float = RETRY_PAUSE) -> T:
    """Run ``action``; while it fails because another program holds the file (an antivirus
    scanning what was just written, the Windows search indexer), wait ``pause`` and try again,
    ``retries`` times in all. The last failure is raised as it came."""
    for attempt in range(1, retries + 1):
        try:
            return action()
        except OSError as exc:
            if attempt == retries or not _held_by_another_program(exc):
                raise
            log.info("file held by another program (%s), retry %s/%s", exc, attempt, retries - 1)
            time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover


def write_file(target: Path | str, data: bytes, *, private: bool = False) -> Path:
    """Write ``data`` whole or not at all: to ``<name>.partial``, flushed to the device, then
    renamed over ``target`` — retried while an antivirus or a viewer briefly holds it. Any
    failure leaves ``target`` as it was and becomes a Vietnamese ``UserError``. ``private``:
    readable by its owner only from its first byte on (files beside the register: see
    ``desktop.security.files``)."""
    target = Path(target)
    tmp = target.with_name(target.name + ".partial")

    def attempt() -> None:
        if private:
            tmp.unlink(missing_ok=True)   # an older leftover keeps its mode
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(tmp, flags, 0o600 if private else 0o666), "wb") as fh:
            if private and os.name == "posix":
                os.fchmod(fh.fileno(), 0o600)   # whatever the umask
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        retry_while_held(lambda: os.replace(tmp, target))

    try:
        retry_while_held(attempt)
    except BaseException as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # pragma: no cover - the stick is gone: nothing to remove
            pass
        if isinstance(exc, OSError):
            raise file_error(exc, target, size=len(data)) from exc
        raise
    return target
