"""The page anchors of the last scan of each register view, kept beside the register.

A scroll-bar jump into the middle of a large register needs the cursor of the page it lands on
(``PagedModel``'s anchors). Reading them takes one pass over an index: about a second at
1,000,000 cases (issue #20: "scroll-bar jump to any depth ≤ 16 ms from the first paint"). The
anchors of the last scan are therefore kept in ``<register>.anchors.json`` and used until the
fresh scan arrives. A kept anchor is still a real keyset cursor, so a jump shows real rows; they
may sit a few rows off their position when cases were added since, and the model replaces them
as soon as the new scan arrives.

Only cursors without personal data are kept: receipt dates, deadlines and case numbers (never
the requester-name order). The file is written whole, owner-only, and replaced atomically;
anything unreadable in it is ignored (it is a cache: the scan is the truth).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from desktop.errors import UserError
from desktop.storage.disks import write_file

log = logging.getLogger(__name__)

SUFFIX = ".anchors.json"
VERSION = 1
MAX_VIEWS = 8  # kinds × sorts × directions × filters most used; the oldest is dropped
PRIME_AFTER_MS = 3000  # a register never scanned on this PC is scanned this long after its view is made


def _valid(anchors: Any) -> bool:
    return isinstance(anchors, list) and all(
        isinstance(a, list) and len(a) == 2 and isinstance(a[1], int)
        and (a[0] is None or isinstance(a[0], (str, int))) for a in anchors)


class AnchorCache:
    """The saved anchors of one register file; read once, written after each fresh scan."""

    def __init__(self, register: Path | str) -> None:
        self.path = Path(str(register) + SUFFIX)
        self._lock = threading.Lock()
        self._views: dict[str, dict[str, Any]] | None = None

    def _read(self) -> dict[str, dict[str, Any]]:
        if self._views is None:
            views: dict[str, dict[str, Any]] = {}
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("version") == VERSION and isinstance(data.get("views"), dict):
                    views = {k: v for k, v in data["views"].items()
                             if isinstance(v, dict) and isinstance(v.get("every"), int) and _valid(v.get("anchors"))}
            except FileNotFoundError:
                pass
            except (OSError, ValueError) as exc:  # a damaged cache is only a slower first jump
                log.warning("page anchors file %s ignored: %s", self.path, exc)
            self._views = views
        return self._views

    def get(self, key: str, every: int) -> list[tuple[Any, int]]:
        """The anchors saved for ``key`` with pages of ``every`` rows, or [] (none, or another page size)."""
        with self._lock:
            view = self._read().get(key)
        if not view or view["every"] != every:
            return []
        return [(a[0], a[1]) for a in view["anchors"]]

    def put(self, key: str, every: int, anchors: list[tuple[Any, int]]) -> None:
        """Keep ``anchors`` for ``key`` (called on the scanning worker's thread). A failure to write
        (full disk, read-only folder) is logged and changes nothing: the next start scans again."""
        with self._lock:
            views = self._read()
            views.pop(key, None)
            views[key] = {"every": every, "anchors": [list(a) for a in anchors]}
            while len(views) > MAX_VIEWS:
                views.pop(next(iter(views)))
            text = json.dumps({"version": VERSION, "views": views}, separators=(",", ":"))
            try:
                write_file(self.path, text.encode("utf-8"), private=True)
            except UserError as exc:   # a full disk, a read-only folder: the next start scans again
                log.warning("page anchors not kept in %s: %s", self.path, exc)


_caches: dict[str, AnchorCache] = {}
_caches_lock = threading.Lock()


def for_register(path: Path | str | None) -> AnchorCache | None:
    """The one cache of a register file in this process (None for an in-memory register)."""
    if path is None or str(path) == ":memory:":
        return None
    key = os.path.abspath(str(path))
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = AnchorCache(key)
        return cache
