"""Draw the program's icon: ``resources/icons/giaitrinh.ico`` (16–256 px, for the Windows
programs, shortcuts and installer) and ``giaitrinh.png`` (the window's icon).

    python installer/make_icon.py

Pillow comes with reportlab (a dependency already); nothing else is needed. The drawing: a red
register with a yellow star — the colours of state papers — and the ruled lines of its pages.
Drawn at 1,024 px and scaled down, so the small sizes stay clean. Rerun after changing it and
commit both files.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
SIZES = [16, 20, 24, 32, 40, 48, 64, 128, 256]

RED = (183, 28, 28, 255)
DARK_RED = (127, 0, 0, 255)
YELLOW = (255, 205, 0, 255)
PAPER = (255, 250, 240, 255)
INK = (120, 120, 120, 255)


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    import math

    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    return points


def draw(size: int = 1024) -> Image.Image:
    s = size / 1024
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    d.rounded_rectangle([112 * s, 64 * s, 912 * s, 960 * s], radius=72 * s, fill=DARK_RED)   # the binding
    d.rounded_rectangle([176 * s, 64 * s, 912 * s, 960 * s], radius=64 * s, fill=RED)        # the cover
    d.rounded_rectangle([288 * s, 448 * s, 816 * s, 880 * s], radius=24 * s, fill=PAPER)     # the label
    for y in (560, 656, 752):
        d.rectangle([352 * s, (y - 14) * s, 752 * s, (y + 14) * s], fill=INK)
    d.polygon(_star(544 * s, 250 * s, 150 * s), fill=YELLOW)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    big.resize((256, 256), Image.LANCZOS).save(OUT / "giaitrinh.png", optimize=True)
    big.save(OUT / "giaitrinh.ico", sizes=[(n, n) for n in SIZES])
    print(f"wrote {OUT / 'giaitrinh.ico'} and giaitrinh.png")


if __name__ == "__main__":
    main()
