"""Vietnamese text for search and sorting: folding, safe FTS5 queries, alphabetical order.

Pure functions, no I/O. The register stores an accent-folded copy of the searchable text
(``search_text``) and indexes it with FTS5; queries are folded the same way, so "Nguyễn Văn Đức",
"nguyen van duc" and "NGUYỄN VĂN ĐỨC" (precomposed or decomposed) all meet. SQLite's
``unicode61`` tokenizer removes diacritics but keeps "đ" apart from "d": hence the folding here.

Numbers are written in many ways ("0912.345.678", "0912 345 678", "15/2026"): digit groups that
stand next to each other are also stored and searched as one run (``digit_runs``), so a phone
number is found however it was typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

# -- folding ---------------------------------------------------------------------------------

_D_MAP = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})

# Digit runs: adjacent digit-only tokens joined ("0912 345 678" → "0912345678"). Bounded so a
# column of numbers in free text cannot blow up the index.
MAX_RUN_TOKENS = 6
MAX_RUN_DIGITS = 16


def _fold_slow(text: str) -> str:
    """The definition of folding (Unicode decomposition, character by character)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.category(ch) == "Mn":  # combining marks: tones, breve, circumflex, horn
            continue
        out.append(ch.lower() if ch.isalnum() else " ")
    # lower() of a few letters (e.g. "İ") yields a combining mark again: fold once more
    folded = "".join(out)
    if not folded.isascii():
        folded = "".join(c for c in unicodedata.normalize("NFD", folded) if unicodedata.category(c) != "Mn")
    return " ".join(folded.split())


def _fast_table() -> dict[int, str]:
    """Each Latin letter, Vietnamese letter, combining mark and ASCII sign, folded on its own.

    Folding has no context (each character decomposes alone and marks are dropped), so a
    translation table gives exactly ``_fold_slow``'s result, at C speed, for text made of these.
    """
    table: dict[int, str] = {}
    for start, end in ((0x00, 0x250), (0x300, 0x370), (0x1E00, 0x1F00)):
        for cp in range(start, end):
            ch = chr(cp)
            if unicodedata.category(ch) == "Mn":
                table[cp] = ""
                continue
            folded = _fold_slow(ch) or " "
            if folded.isascii() and folded != ch:
                table[cp] = folded
    return table


_FAST = _fast_table()


def fold(text: str) -> str:
    """Lower-case, drop every diacritic, đ→d, punctuation→space, single spaces.

    "Nguyễn Văn Đức" → "nguyen van duc"; "CCCD: 001203012345" → "cccd 001203012345".
    Works on precomposed (NFC) and decomposed (NFD) input alike. Vietnamese text goes through a
    translation table; any other script falls back to the full Unicode decomposition.
    """
    if not text:
        return ""
    quick = text.translate(_FAST)
    if quick.isascii():
        return " ".join(quick.split())
    return _fold_slow(text)


def tokens(text: str) -> list[str]:
    """The folded words of ``text``."""
    return fold(text).split()


_NOT_DIGIT = re.compile(r"[^0-9]+")


def digits_only(text: str) -> str:
    """Only the ASCII digits of ``text`` ("0912.345.678" → "0912345678")."""
    if text.isascii() and text.isdigit():  # a stored ID or phone number already is
        return text
    return _NOT_DIGIT.sub("", text)


def digit_runs(words: list[str]) -> Iterator[str]:
    """Each join of two or more adjacent digit-only words ("15 2026" → "152026").

    Used when storing text, so that a number typed with or without separators is found.
    """
    i = 0
    while i < len(words):
        if not words[i].isdigit():
            i += 1
            continue
        j = i
        while j < len(words) and words[j].isdigit():
            j += 1
        run = words[i:j]
        for start in range(len(run)):
            joined = run[start]
            for end in range(start + 1, min(len(run), start + MAX_RUN_TOKENS)):
                joined += run[end]
                if len(joined) > MAX_RUN_DIGITS:
                    break
                yield joined
        i = j


def _merge_digit_words(words: list[str]) -> list[str]:
    """Join adjacent digit-only words, as a query: "0912 345 678" → ["0912345678"]."""
    merged: list[str] = []
    for word in words:
        if merged and word.isdigit() and merged[-1].isdigit() and len(merged[-1] + word) <= MAX_RUN_DIGITS:
            merged[-1] += word
        else:
            merged.append(word)
    return merged


# -- FTS5 queries ------------------------------------------------------------------------------

# Second characters tried when the word being typed has a single letter so far: each "xy"* is
# answered by the two-character prefix index (prefix='2 3'), never by scanning all terms.
_SECOND_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


# A pasted paragraph is not a search: repeated words count once and only the first words are
# kept (plus the last, being typed), so a long paste cannot make FTS5 walk every doclist.
MAX_QUERY_WORDS = 12


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts_query(user_text: str, *, prefix: bool = True,
              expand: Callable[[str], list[str] | None] | None = None) -> str | None:
    """A safe FTS5 MATCH expression for what the clerk typed, or None when nothing is searchable.

    Every word is folded and double-quoted, so FTS5 syntax in the input (quotes, ``*``, AND,
    NEAR, parentheses, ``-``, ``:``) is plain text. All words must match (AND). The last
    word is the one being typed: with two or more characters it becomes a prefix ("duc"*); a
    single character matches itself or any word starting with it, through the two-character
    prefix index. A single character alone is not searchable (None). Repeated words count once;
    past ``MAX_QUERY_WORDS`` words, only the first ones and the last are kept.

    ``prefix=False`` searches whole words only (after the clerk pressed Enter, say): the fastest
    form, since a long prefix such as "nguyen"* makes FTS5 gather every matching term first.

    ``expand(word)`` (optional) lists the indexed words that start with the word being typed when
    it is longer than the prefix index covers: the query names them instead of a prefix
    ("thon" → ("thon" OR "thong")), which FTS5 streams newest first instead of merging the whole
    doclist of every matching term (see ``search.prefix_terms``). ``None`` keeps the prefix.
    """
    words = _merge_digit_words(tokens(user_text or ""))
    if not words:
        return None
    *head, last = words
    head = list(dict.fromkeys(head))[: MAX_QUERY_WORDS - 1]
    if not prefix:
        return " AND ".join(_quote(w) for w in dict.fromkeys([*head, last]))
    if len(last) == 1 and not head:
        return None
    parts = [_quote(w) for w in head]
    terms = expand(last) if expand is not None and len(last) >= 2 else None
    if terms is not None:
        names = list(dict.fromkeys([last, *terms]))
        parts.append(_quote(last) if len(names) == 1 else "(" + " OR ".join(_quote(t) for t in names) + ")")
    elif len(last) >= 2:
        parts.append(_quote(last) + "*")
    else:
        alternatives = [_quote(last)] + [_quote(last + c) + "*" for c in _SECOND_CHARS]
        parts.append("(" + " OR ".join(alternatives) + ")")
    # Explicit AND: FTS5 rejects an implicit AND before a parenthesised group ('"a" ("b" OR "c")').
    return " AND ".join(parts)


def fts_phrase(text: str) -> str | None:
    """An exact FTS5 phrase for ``text`` (whole words, in order, no prefix), or None."""
    words = tokens(text)
    if not words:
        return None
    return _quote(" ".join(words))


# -- Vietnamese alphabetical order ---------------------------------------------------------------

_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
# Tones in the order offices use: none, huyền, sắc, hỏi, ngã, nặng.
_TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}

_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]
_LETTER_RANK = {letter: 100 + i for i, letter in enumerate(_ALPHABET)}
_MODIFIED = {("a", _BREVE): "ă", ("a", _CIRCUMFLEX): "â", ("e", _CIRCUMFLEX): "ê",
             ("o", _CIRCUMFLEX): "ô", ("o", _HORN): "ơ", ("u", _HORN): "ư"}


def _word_key(word: str) -> tuple[tuple[int, ...], int]:
    """(letters in Vietnamese alphabet order, tone): letters decide first, then the tone."""
    letters: list[int] = []
    tone = 0
    base: str | None = None
    modifier = ""

    def flush() -> None:
        if base is None:
            return
        letter = _MODIFIED.get((base, modifier), base)
        if letter in _LETTER_RANK:
            letters.append(_LETTER_RANK[letter])
        elif letter.isdigit():
            letters.append(50 + int(letter) if letter.isascii() else 1000 + ord(letter))
        else:
            letters.append(1000 + ord(letter))

    for ch in unicodedata.normalize("NFD", word.lower()):
        if unicodedata.combining(ch):
            if ch in _TONES:
                tone = tone or _TONES[ch]
            elif ch in (_BREVE, _CIRCUMFLEX, _HORN) and not modifier:
                modifier = ch
            continue
        flush()
        base, modifier = ch, ""
    flush()
    return tuple(letters), tone


def _words(name: str) -> list[str]:
    return "".join(ch if (ch.isalnum() or unicodedata.combining(ch)) else " "
                   for ch in unicodedata.normalize("NFD", name)).split()


def vietnamese_sort_key(name: str, *, given_name_first: bool = True) -> tuple:
    """Sort key for Vietnamese names in the alphabet order a ă â b c d đ e ê … o ô ơ … u ư …

    Two levels, as in a dictionary: first the letters of every word, then the tones
    (none < huyền < sắc < hỏi < ngã < nặng), so "Anh" < "Ánh" < "Ảnh" and "bạ" < "bác".
    People are sorted by given name (the last word) first, then family and middle names, as
    offices list them: "Đặng Văn An" before "Bùi Thị Bình". Pass ``given_name_first=False`` for
    organisations and other text (word by word, in order). The order agrees with the SQL
    column key ``desktop.domain.names.name_key``, so lists sorted in Python and in SQLite match.
    """
    words = _words(name)
    if given_name_first and len(words) > 1:
        words = [words[-1], *words[:-1]]
    keys = [_word_key(w) for w in words]
    # Last resort tie-break on the exact text so the order is total and stable.
    return tuple(k[0] for k in keys), tuple(k[1] for k in keys), unicodedata.normalize("NFC", name)
