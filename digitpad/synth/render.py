"""Strokes to a canvas-like image (numpy + Pillow, no Qt).

The app's canvas draws round-capped, round-joined strokes of a pen width given
in units of its 280 px render; this draws the same with Pillow at that size, so
training images go through exactly the normalisation a drawing gets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

RENDER_SIZE = 280  # digitpad.gui.pad.canvas.RENDER_SIZE (the core must not import the GUI)


def fit(strokes: Sequence[np.ndarray], height: float, *, max_width: float = 0.95) -> list[np.ndarray]:
    """Strokes scaled into paper coordinates (0..1), ``height`` of the paper tall, centred."""
    points = np.concatenate([np.asarray(s, np.float64).reshape(-1, 2) for s in strokes])
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1e-6)
    scale = height / span[1]
    if span[0] * scale > max_width:
        scale = max_width / span[0]
    centre = (lo + hi) / 2.0
    return [(np.asarray(s, np.float64).reshape(-1, 2) - centre) * scale + 0.5 for s in strokes]


def render(strokes: Sequence[np.ndarray], pen: float, size: int = RENDER_SIZE) -> np.ndarray:
    """White-on-black uint8 ``(size, size)`` image of ``strokes`` in paper coordinates.

    ``pen`` is in ``RENDER_SIZE`` units like the canvas's pen box (4-60).
    """
    image = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(image)
    width = max(1.0, pen * size / RENDER_SIZE)
    r = width / 2.0
    for stroke in strokes:
        pts = np.asarray(stroke, np.float64).reshape(-1, 2) * size
        xy = [(float(x), float(y)) for x, y in pts]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=max(1, round(width)), joint="curve")
        for x, y in (xy[0], xy[-1]):  # round caps (and a dot for a single point)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(image)
