"""A fixed-width font that exists on the office's computer, for what a person compares
character by character (a key's fingerprint read aloud over the phone).

``QFont("monospace")`` names a family Windows does not have, so Qt fell back to a proportional
font there: "IIII" and "MMMM" took different widths and the groups of the fingerprint no longer
lined up. The families below are tried in order — Consolas (every Windows since Vista), Courier
New (every Windows), DejaVu Sans Mono and Liberation Mono (Linux) — then the system's own fixed
font.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

FIXED_FAMILIES = ("Consolas", "Courier New", "DejaVu Sans Mono", "Liberation Mono")


def fixed_font(point_size: int | None = None, *, bold: bool = False) -> QFont:
    available = set(QFontDatabase.families())
    family = next((f for f in FIXED_FAMILIES if f in available), None)
    font = QFont(family) if family else QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    font.setFixedPitch(True)
    if point_size:
        font.setPointSize(point_size)
    font.setBold(bold)
    return font
