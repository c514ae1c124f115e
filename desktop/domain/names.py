"""Vietnamese name order as a plain string key, so SQLite can sort and page by it with an index.

Offices sort people by given name (the last word), then family and middle names, in the
Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư …); tones only break ties, in the order
none, huyền, sắc, hỏi, ngã, nặng. ``name_key`` encodes exactly that: the letters of every word
(given name first) as ranks, then the tones as a second level.
"""

from __future__ import annotations

import unicodedata

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}  # huyền sắc hỏi ngã nặng

_WITH_MOD = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
             ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}


def _letters_and_tones(word: str) -> tuple[list[str], int]:
    letters: list[str] = []
    tone = 0
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tone = _TONES[ch]
        elif unicodedata.combining(ch):
            if letters and (letters[-1], ch) in _WITH_MOD:
                letters[-1] = _WITH_MOD[(letters[-1], ch)]
        else:
            letters.append(ch)
    return letters, tone


def name_key(full_name: str) -> str:
    """A string whose byte order is the Vietnamese office order of names (given name first)."""
    words = full_name.split()
    if not words:
        return ""
    ordered = [words[-1], *words[:-1]]
    primary: list[str] = []
    tones: list[str] = []
    for word in ordered:
        letters, tone = _letters_and_tones(word)
        for letter in letters:
            if letter in _RANK:
                primary.append(chr(0x41 + _RANK[letter]))  # A.. in alphabet order
            elif letter.isdigit():
                primary.append(chr(0x30 + int(letter)))  # digits before letters
            else:
                primary.append(chr(0x7E))
        primary.append(" ")  # word separator sorts before any letter
        tones.append(str(tone))
    return "".join(primary).rstrip() + "\x1f" + "".join(tones)
