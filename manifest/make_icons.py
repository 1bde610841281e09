"""Draw the two icons of the Teams app package: ``color.png`` and ``outline.png``.

Teams wants a 192×192 full-colour icon and a 32×32 outline icon that is white on a
transparent background. Both show the same small text network (the "map" the workshops start
from): five terms joined by co-occurrence lines. The icons are committed; run this script
again only when the drawing changes::

    python manifest/make_icons.py            # writes manifest/color.png and manifest/outline.png
    python manifest/make_icons.py --out DIR  # writes them somewhere else (the tests do this)

Drawing happens at eight times the final size and is scaled down, which gives smooth edges
without letting any colour other than white into the outline icon.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

__all__ = ["ACCENT_COLOR", "COLOR_SIZE", "OUTLINE_SIZE", "draw_color", "draw_outline", "main"]

log = logging.getLogger(__name__)

#: Background of the colour icon; the manifest's ``accentColor`` uses the same value.
ACCENT_COLOR = "#2E6F73"
COLOR_SIZE = 192
OUTLINE_SIZE = 32
_SUPERSAMPLE = 8

#: Node positions in the unit square and their relative sizes (the biggest is the hub).
_NODES: tuple[tuple[float, float, float], ...] = (
    (0.50, 0.47, 1.00),
    (0.22, 0.25, 0.70),
    (0.80, 0.24, 0.62),
    (0.21, 0.76, 0.62),
    (0.79, 0.76, 0.74),
)
#: Co-occurrence lines between nodes (indices into ``_NODES``).
_EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (0, 3), (0, 4), (1, 3), (2, 4))


def _draw_network(
    size: int, *, margin: float, node_radius: float, line_width: float
) -> Image.Image:
    """Return an ``L`` (coverage) mask of the network glyph at ``size`` pixels."""
    big = size * _SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    pen = ImageDraw.Draw(mask)
    span = big * (1 - 2 * margin)

    def at(x: float, y: float) -> tuple[float, float]:
        return big * margin + x * span, big * margin + y * span

    width = max(1, round(line_width * big))
    for a, b in _EDGES:
        pen.line([at(*_NODES[a][:2]), at(*_NODES[b][:2])], fill=255, width=width)
    for x, y, weight in _NODES:
        cx, cy = at(x, y)
        r = node_radius * big * weight
        pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def draw_color(size: int = COLOR_SIZE) -> Image.Image:
    """Draw the colour icon: a white network on the accent colour, fully opaque.

    Args:
        size: Width and height in pixels.

    Returns:
        An RGBA image of ``size`` × ``size``.
    """
    glyph = _draw_network(size, margin=0.17, node_radius=0.075, line_width=0.035)
    image = Image.new("RGBA", (size, size), ACCENT_COLOR)
    white = Image.new("RGBA", (size, size), "#FFFFFF")
    image.paste(white, (0, 0), glyph)
    return image


def draw_outline(size: int = OUTLINE_SIZE) -> Image.Image:
    """Draw the outline icon: only white pixels, their alpha is the glyph's coverage.

    Args:
        size: Width and height in pixels.

    Returns:
        An RGBA image whose RGB channels are all 255 and whose background is transparent.
    """
    glyph = _draw_network(size, margin=0.12, node_radius=0.085, line_width=0.06)
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    image.putalpha(glyph)
    return image


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``color.png`` and ``outline.png`` into ``--out`` (default: this folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    draw_color().save(args.out / "color.png", optimize=True)
    draw_outline().save(args.out / "outline.png", optimize=True)
    log.info("wrote %s and %s", args.out / "color.png", args.out / "outline.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
