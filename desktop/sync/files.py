"""Files written to a USB stick or a shared folder: whole or not at all.

The bytes go to ``<name>.partial``, are flushed to the device and renamed over the target; if
anything fails on the way (a full stick, a pulled stick), the partial file is removed and the
target is untouched. The operating system's error becomes a ``UserError`` a clerk can act on
(``file_error``): a full stick, a write-protected one, one pulled out.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from desktop.errors import UserError


def file_error(exc: OSError, target: Path) -> UserError:
    """What a clerk reads when ``target`` could not be written (the file is left as it was)."""
    name = Path(target).name
    if exc.errno == errno.ENOSPC:
        why = "USB hoặc ổ đĩa đã đầy. Hãy xóa bớt tệp hoặc dùng USB khác rồi thử lại."
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        why = "USB hoặc thư mục đang bị khóa ghi, hoặc máy không có quyền ghi vào đó. Hãy chọn nơi khác."
    else:
        why = "USB có thể đã bị rút ra hoặc thư mục không còn. Hãy kiểm tra rồi thử lại."
    return UserError("file_write_failed", f"Không ghi được tệp “{name}”: {why}", path=str(target), errno=exc.errno)


def write_atomically(target: Path, data: bytes) -> Path:
    target = Path(target)
    tmp = target.with_name(target.name + ".partial")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise file_error(exc, target) from exc
        raise
    return target
