"""Draw the sample digit pictures of this folder: synthetic strokes, not scans.

Each digit is a few hand-designed strokes (polylines and elliptic arcs in a unit square),
wobbled a little, drawn with a round brush at 4x resolution and scaled down (anti-aliased, as
a web canvas draws). The pictures vary what ``helpers.deploy.drawn_digits`` must cope with:
colours, polarity, transparency, canvas size, position, palette images, a noisy grey "photo".

Run from the repository root: ``python data/samples/make_samples.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
SUPERSAMPLING = 4
WOBBLE = 0.006  # standard deviation of the hand's tremor, as a fraction of the box


def arc(cx, cy, rx, ry, start_degrees, end_degrees, steps=48):
    """Points along an ellipse; angles in degrees, 0 = right, 90 = down (image y axis)."""
    angles = np.radians(np.linspace(start_degrees, end_degrees, steps))
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles), strict=True))


# Strokes of each digit in a unit square (x right, y down).
DIGITS = {
    0: [arc(0.5, 0.5, 0.27, 0.4, -100, 265)],
    1: [[(0.36, 0.26), (0.56, 0.1), (0.55, 0.9)]],
    2: [arc(0.5, 0.33, 0.26, 0.22, 195, 390) + [(0.2, 0.88), (0.82, 0.88)]],
    3: [arc(0.47, 0.3, 0.23, 0.2, 205, 450), arc(0.47, 0.69, 0.27, 0.2, 270, 520)],
    4: [[(0.64, 0.9), (0.64, 0.1), (0.16, 0.64), (0.84, 0.64)]],
    5: [[(0.76, 0.12), (0.32, 0.12), (0.28, 0.46)] + arc(0.49, 0.66, 0.26, 0.23, 235, 510)],
    7: [[(0.18, 0.14), (0.8, 0.14), (0.42, 0.9)], [(0.36, 0.5), (0.72, 0.5)]],
    8: [arc(0.5, 0.29, 0.19, 0.19, 90, 450), arc(0.5, 0.69, 0.24, 0.21, -90, 270)],
    9: [arc(0.5, 0.32, 0.21, 0.21, 0, 360), [(0.71, 0.32), (0.64, 0.9)]],
}


def stroke_mask(digit, canvas, box, width, rng):
    """An L image of ``canvas`` (w, h): 255 under the strokes, 0 elsewhere, anti-aliased.

    ``box`` is (left, top, size) in pixels: where the unit square lands; ``width`` is the
    brush's diameter in pixels.
    """
    left, top, size = (SUPERSAMPLING * v for v in box)
    large = Image.new("L", (SUPERSAMPLING * canvas[0], SUPERSAMPLING * canvas[1]), 0)
    draw = ImageDraw.Draw(large)
    radius = SUPERSAMPLING * width / 2
    for stroke in DIGITS[digit]:
        points = np.asarray(stroke) + rng.normal(0, WOBBLE, (len(stroke), 2))
        xy = [(left + x * size, top + y * size) for x, y in points]
        draw.line(xy, fill=255, width=round(2 * radius), joint="curve")
        for x, y in (xy[0], xy[-1]):  # round caps
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return large.resize(canvas, Image.Resampling.LANCZOS)


def paint(mask, paper, ink):
    """``ink`` over ``paper`` through a stroke mask: colours as RGB tuples or grey levels."""
    weight = np.asarray(mask, dtype=np.float64)[..., None] / 255
    picture = np.asarray(paper, np.float64) * (1 - weight) + np.asarray(ink, np.float64) * weight
    picture = np.round(picture).astype(np.uint8)
    return Image.fromarray(picture[..., 0] if picture.shape[2] == 1 else picture)


def on_transparent(mask, ink):
    """RGBA as a browser canvas saves it: transparent black, strokes of ``ink`` with alpha."""
    alpha = np.asarray(mask)
    rgb = np.where(alpha[..., None] > 0, np.asarray(ink, dtype=np.uint8), 0)
    return Image.fromarray(np.dstack([rgb, alpha]).astype(np.uint8), "RGBA")


def grey_photo(mask, rng):
    """A pencil digit on grey paper, photographed: soft edges, uneven light, sensor noise."""
    height, width = mask.size[1], mask.size[0]
    soft = np.asarray(mask.filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float64) / 255
    light = 168 + 6 * np.linspace(-1, 1, width)[None, :] + 3 * np.linspace(-1, 1, height)[:, None]
    picture = light * (1 - soft) + 70 * soft + rng.normal(0, 5, (height, width))
    return Image.fromarray(np.clip(np.round(picture), 0, 255).astype(np.uint8), "L")


def make_samples(folder: Path = HERE) -> list[Path]:
    """Draw every sample into ``folder``; the paths written."""
    rng = np.random.default_rng(2024)
    white, black = (255, 255, 255), (0, 0, 0)
    samples = {
        "seven_black_on_white.png": lambda: paint(
            stroke_mask(7, (280, 280), (40, 40, 200), 20, rng), white, black
        ),
        "three_white_on_black.png": lambda: paint(
            stroke_mask(3, (280, 280), (45, 35, 200), 22, rng), 0, 255
        ),
        "two_transparent_black_ink.png": lambda: on_transparent(
            stroke_mask(2, (280, 280), (40, 40, 200), 18, rng), black
        ),
        "four_transparent_white_ink.png": lambda: on_transparent(
            stroke_mask(4, (280, 280), (40, 40, 200), 18, rng), white
        ),
        "zero_blue_ink_large_canvas.png": lambda: paint(
            stroke_mask(0, (400, 400), (70, 60, 260), 14, rng), (250, 248, 240), (25, 45, 140)
        ),
        "one_small_off_centre.png": lambda: paint(
            stroke_mask(1, (300, 300), (200, 20, 75), 7, rng), white, black
        ),
        "eight_grey_photo.png": lambda: grey_photo(
            stroke_mask(8, (240, 240), (40, 30, 175), 12, rng), rng
        ),
        "five_palette_thin_pen.png": lambda: paint(
            stroke_mask(5, (200, 200), (30, 30, 140), 5, rng), white, (150, 20, 30)
        ).quantize(16),
        "nine_tiny_canvas.png": lambda: paint(
            stroke_mask(9, (32, 32), (4, 3, 25), 3, rng), white, black
        ),
    }
    written = []
    for name, draw in samples.items():
        path = folder / name
        draw().save(path, optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in make_samples():
        print(f"wrote {path.relative_to(HERE.parent.parent)}")
