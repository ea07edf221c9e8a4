"""Ten digits as pen strokes, for the drawing page's tests: drawn with PIL (test_app.py) or
on the page in a real browser (test_app_browser.py).

Each digit is a list of strokes, each stroke a list of (x, y) points as fractions of the
square canvas: plain shapes, curves as polygons (few points keep the browser test quick), sized to
fill the canvas as a finger-drawn digit does; test_app.py checks that the committed baseline
model reads every one of them right when drawn with the page's brush.
"""

import numpy as np
from PIL import Image, ImageDraw


def arc(cx, cy, rx, ry, start, end):
    """Points on an ellipse from angle ``start`` to ``end`` in degrees (0 is to the right,
    90 down, as on a screen), one every 60 degrees or so: a stroke joins them with lines."""
    angles = np.radians(np.linspace(start, end, max(2, round(abs(end - start) / 60)) + 1))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


STROKES = {
    0: [arc(0.5, 0.5, 0.2, 0.32, -90, 270)],
    1: [[(0.52, 0.15), (0.48, 0.85)]],
    2: [arc(0.5, 0.33, 0.19, 0.17, 180, 360) + [(0.3, 0.82), (0.74, 0.82)]],
    3: [arc(0.48, 0.32, 0.18, 0.15, 200, 450) + arc(0.48, 0.65, 0.2, 0.18, -90, 160)],
    4: [[(0.6, 0.85), (0.6, 0.15), (0.28, 0.6), (0.75, 0.6)]],
    5: [[(0.7, 0.17), (0.36, 0.17), (0.33, 0.45)] + arc(0.49, 0.62, 0.2, 0.19, -120, 150)],
    6: [[(0.64, 0.15), (0.42, 0.4)] + arc(0.5, 0.65, 0.17, 0.18, 200, 560)],
    7: [[(0.3, 0.22), (0.72, 0.22), (0.45, 0.82)]],
    8: [arc(0.5, 0.32, 0.15, 0.15, 90, 450), arc(0.5, 0.66, 0.18, 0.18, -90, 270)],
    9: [arc(0.5, 0.35, 0.16, 0.17, 0, 360) + [(0.66, 0.35), (0.63, 0.85)]],
}


def draw_with_pil(digit, size, pen, mode="L"):
    """``digit`` drawn with a ``pen`` pixels wide on a ``size`` x ``size`` canvas, as a uint8
    array: black on white ("L") or black on a transparent canvas ("RGBA")."""
    paper, ink = (255, 0) if mode == "L" else ((0, 0, 0, 0), (0, 0, 0, 255))
    image = Image.new(mode, (size, size), paper)
    for stroke in STROKES[digit]:
        points = [(x * size, y * size) for x, y in stroke]
        ImageDraw.Draw(image).line(points, fill=ink, width=pen, joint="curve")
    return np.asarray(image)
