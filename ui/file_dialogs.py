"""Qt's file dialogs, opened where a clerk can find and write files.

Left to themselves, Qt's static dialogs open in the program's working folder when given no folder,
and a bare default name ("phieu-dang-ky-khoa.pdf") is saved there. On Windows that folder is the
install folder (``C:\\Program Files\\SoGiaiTrinh``, where the Start-menu shortcut starts the
program) or ``C:\\Windows\\System32``: not writable, so the save fails, or lands in a virtual copy
of the folder that no one finds again. So every dialog here opens in the folder last chosen for the
same purpose in this session (the USB stick a bundle went to, the scanner's folder), else in the
user's Documents folder (``ui.locations.documents_dir``), and a default name is put in that folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from ui.locations import documents_dir

# The folder last chosen for each purpose, for this run of the program (a USB stick's drive letter
# changes from one day to the next, so it is not kept across runs).
_last: dict[str, Path] = {}


# Characters Windows refuses in a file name: a document's symbol ("12/QĐ-UBND") or a case number
# ("23/2026") offered as a name has its slashes turned into dashes.
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|]')


def file_name(name: str) -> str:
    """``name`` as a file name Windows takes (``_NOT_IN_NAMES`` become '-')."""
    return _NOT_IN_NAMES.sub("-", name)


def start_in(purpose: str, name: str = "") -> str:
    """Where a dialog for ``purpose`` opens: the folder last chosen for it while it still exists,
    else Documents; with ``name``, that file in it (``file_name``)."""
    folder = _last.get(purpose)
    if folder is None or not folder.is_dir():
        folder = documents_dir()
    return str(folder / file_name(name)) if name else str(folder)


def remember(purpose: str, chosen: str | Path) -> None:
    """Note the folder of what the clerk chose (a file's folder, or the folder itself)."""
    if not chosen:
        return
    path = Path(chosen)
    _last[purpose] = path if path.is_dir() else path.parent


def forget() -> None:
    """Forget every folder chosen (tests; a new session)."""
    _last.clear()


def open_file(parent: QWidget | None, title: str, purpose: str, filters: str) -> str:
    """One file to read; '' when the clerk gave up."""
    name, _ = QFileDialog.getOpenFileName(parent, title, start_in(purpose), filters)
    remember(purpose, name)
    return name


def open_files(parent: QWidget | None, title: str, purpose: str, filters: str) -> list[str]:
    """Files to read; [] when the clerk gave up."""
    names, _ = QFileDialog.getOpenFileNames(parent, title, start_in(purpose), filters)
    if names:
        remember(purpose, names[0])
    return list(names)


def save_file(parent: QWidget | None, title: str, purpose: str, name: str, filters: str) -> str:
    """Where to write a file offered as ``name``; '' when the clerk gave up."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, start_in(purpose, name), filters)
    remember(purpose, chosen)
    return chosen


def folder(parent: QWidget | None, title: str, purpose: str, current: str = "") -> str:
    """A folder, starting from ``current`` when it is one; '' when the clerk gave up."""
    start = current if current and Path(current).is_dir() else start_in(purpose)
    chosen = QFileDialog.getExistingDirectory(parent, title, start)
    remember(purpose, chosen)
    return chosen
