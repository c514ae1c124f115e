"""Text lines and their chars read back from a PDF page (pdfplumber), shared by the format tests."""

from __future__ import annotations


def lines(page, region=None):
    """Text lines rebuilt from chars: same baseline (rounded top) and inside ``region``."""
    x0, top, x1, bottom = region or (0, 0, page.width, page.height)
    rows: dict[int, list] = {}
    for c in page.chars:
        if c["x0"] >= x0 - 0.5 and c["x1"] <= x1 + 0.5 and c["top"] >= top - 0.5 and c["bottom"] <= bottom + 0.5:
            rows.setdefault(round(c["top"]), []).append(c)
    out = []
    for key in sorted(rows):
        chars = sorted(rows[key], key=lambda c: c["x0"])
        text, prev = "", None
        for c in chars:
            if prev is not None and c["x0"] - prev["x1"] > 0.2 * c["size"] and not c["text"].isspace():
                text += " "
            text += c["text"]
            prev = c
        visible = [c for c in chars if not c["text"].isspace()]
        out.append({"text": " ".join(text.split()), "chars": visible, "x0": visible[0]["x0"],
                    "x1": visible[-1]["x1"], "top": min(c["top"] for c in visible),
                    "bottom": max(c["bottom"] for c in visible)})
    return out


def line(page, text, *, region=None):
    """The line containing ``text`` and the chars of ``text`` within it."""
    found_lines = lines(page, region)
    for line_ in found_lines:
        flat = line_["text"].replace(" ", "")
        start = flat.find(text.replace(" ", ""))
        if start >= 0:
            chars = line_["chars"][start:start + len(text.replace(" ", ""))]
            found = {**line_, "x0": chars[0]["x0"], "x1": chars[-1]["x1"]}
            return found, chars
    raise AssertionError(f"{text!r} not found in {[l['text'] for l in found_lines]}")


def style(chars):
    fonts = {c["fontname"].split("+")[-1] for c in chars}
    sizes = {round(c["size"], 1) for c in chars}
    assert len(fonts) == 1 and len(sizes) == 1, (fonts, sizes)
    return fonts.pop(), sizes.pop()
