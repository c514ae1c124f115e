"""Files written to a USB stick or a shared folder: whole or not at all.

The bytes go to ``<name>.partial``, are flushed to the device and renamed over the target; if
anything fails on the way (a full stick, a pulled stick), the partial file is removed and the
target is untouched.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(target: Path, data: bytes) -> Path:
    target = Path(target)
    tmp = target.with_name(target.name + ".partial")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
