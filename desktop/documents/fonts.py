"""The decree's font: Times New Roman when the system has it, else the bundled Liberation Serif 2.x.

Liberation Serif 2.x is metric-compatible with Times New Roman and carries every Vietnamese
letter (the 1.x series does not; DejaVu Serif is wider and breaks the national title's line).
It ships in ``resources/fonts`` under the SIL Open Font License (``OFL.txt``).
reportlab is imported only when a PDF is first drawn.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from desktop.resources import resource_path

log = logging.getLogger(__name__)

STYLES = ("regular", "bold", "italic", "bolditalic")

BUNDLED = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bolditalic": "LiberationSerif-BoldItalic.ttf",
}

# Windows and the Linux msttcorefonts package spell the files differently.
_TIMES_NAMES = {
    "regular": ("times.ttf", "Times_New_Roman.ttf", "Times New Roman.ttf"),
    "bold": ("timesbd.ttf", "Times_New_Roman_Bold.ttf", "Times New Roman Bold.ttf"),
    "italic": ("timesi.ttf", "Times_New_Roman_Italic.ttf", "Times New Roman Italic.ttf"),
    "bolditalic": ("timesbi.ttf", "Times_New_Roman_Bold_Italic.ttf", "Times New Roman Bold Italic.ttf"),
}

# Environment switch for reproducible output (tests, bench, docs): "bundled" or "system".
ENV_CHOICE = "GIAITRINH_DOCUMENT_FONT"

# The font name written into DOCX files: Word substitutes a metric-compatible font if missing.
DOCX_FONT = "Times New Roman"


@dataclass(frozen=True)
class FontFamily:
    name: str                 # the family as registered in reportlab
    files: dict[str, Path]    # style -> TTF path

    def face(self, bold: bool = False, italic: bool = False) -> str:
        style = ("bold" if bold else "") + ("italic" if italic else "") or "regular"
        return f"{self.name}-{style}"


def _system_font_dirs() -> list[Path]:
    dirs: list[Path] = []
    if sys.platform.startswith("win"):
        windir = os.environ.get("WINDIR", r"C:\Windows")
        dirs.append(Path(windir) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs += [Path("/Library/Fonts"), Path("/System/Library/Fonts/Supplemental"), Path.home() / "Library/Fonts"]
    else:
        dirs += [Path("/usr/share/fonts/truetype/msttcorefonts"),
                 Path.home() / ".fonts", Path.home() / ".local/share/fonts"]
    return [d for d in dirs if d.is_dir()]


def find_times_new_roman() -> dict[str, Path] | None:
    """The four Times New Roman files if the system has all of them."""
    found: dict[str, Path] = {}
    for folder in _system_font_dirs():
        for style, names in _TIMES_NAMES.items():
            if style in found:
                continue
            for name in names:
                candidate = folder / name
                if candidate.is_file():
                    found[style] = candidate
                    break
    return found if len(found) == len(STYLES) else None


def bundled_files() -> dict[str, Path]:
    return {style: resource_path("fonts", name) for style, name in BUNDLED.items()}


@lru_cache(maxsize=None)
def family() -> FontFamily:
    """The family documents use, chosen once per process."""
    choice = os.environ.get(ENV_CHOICE, "system")
    if choice != "bundled":
        times = find_times_new_roman()
        if times:
            log.info("documents use the system's Times New Roman")
            return FontFamily("TimesNewRoman", times)
    log.info("documents use the bundled Liberation Serif")
    return FontFamily("LiberationSerif", bundled_files())


@lru_cache(maxsize=None)
def register_pdf_fonts() -> FontFamily:
    """Register the family with reportlab once (TTF parsing costs tens of milliseconds)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fam = family()
    for style, path in fam.files.items():
        pdfmetrics.registerFont(TTFont(f"{fam.name}-{style}", str(path)))
    addMapping(fam.name, 0, 0, fam.face())
    addMapping(fam.name, 1, 0, fam.face(bold=True))
    addMapping(fam.name, 0, 1, fam.face(italic=True))
    addMapping(fam.name, 1, 1, fam.face(bold=True, italic=True))
    return fam
