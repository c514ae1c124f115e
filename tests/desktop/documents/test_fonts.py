"""The bundled Liberation Serif 2.x carries every Vietnamese letter and ships with its licence."""

from __future__ import annotations

import pytest

from desktop.documents import fonts
from desktop.resources import resource_path

# Every precomposed Vietnamese letter (lower and upper case) and đ/Đ.
VOWELS = "aăâeêioôơuưy"
TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")


def vietnamese_letters() -> str:
    import unicodedata

    out = set("đĐ")
    for v in VOWELS + VOWELS.upper():
        out.add(v)
        for t in TONES:
            out.add(unicodedata.normalize("NFC", v + t))
    assert all(len(ch) == 1 for ch in out)
    return "".join(sorted(out))


@pytest.mark.parametrize("style", fonts.STYLES)
def test_bundled_faces_have_every_vietnamese_letter(style):
    from reportlab.pdfbase.ttfonts import TTFont

    path = fonts.bundled_files()[style]
    face = TTFont(f"probe-{style}", str(path)).face
    missing = [ch for ch in vietnamese_letters() if ord(ch) not in face.charToGlyph]
    assert not missing, missing
    assert face.familyName == b"Liberation Serif"
    for ch in "ạầặềộợữđĐ":
        assert ord(ch) in face.charToGlyph


def test_liberation_2_and_its_licence_ship():
    licence = resource_path("fonts", "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Liberation" in licence
    from reportlab.pdfbase.ttfonts import TTFontFile

    face = TTFontFile(str(fonts.bundled_files()["regular"]))
    assert face.name == b"LiberationSerif"
    assert face.numGlyphs > 2000, "the 1.x series (about 660 glyphs) lacks most Vietnamese letters"


def test_the_bundled_family_is_used_when_asked(monkeypatch):
    fonts.family.cache_clear()
    try:
        monkeypatch.setenv(fonts.ENV_CHOICE, "bundled")
        assert fonts.family().name == "LiberationSerif"
        monkeypatch.setenv(fonts.ENV_CHOICE, "system")
        monkeypatch.setattr(fonts, "find_times_new_roman", lambda: None)
        fonts.family.cache_clear()
        assert fonts.family().name == "LiberationSerif"
    finally:
        fonts.family.cache_clear()
        monkeypatch.setenv(fonts.ENV_CHOICE, "bundled")
        fonts.family()
