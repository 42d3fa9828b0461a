"""Synthetic handwritten digits as pen strokes (pad units, y down), for the number tests."""

from __future__ import annotations

import numpy as np

from digitpad.ink import InkStroke

H = 170.0  # writing height
TOP = 55.0
PEN = 22.0


def _line(*points: tuple[float, float], x: float, n: int = 12) -> np.ndarray:
    """A polyline through ``points`` (in heights, relative to x and the top), densely sampled."""
    pts = np.asarray(points, dtype=np.float64) * H + (x, TOP)
    out = [pts[0]]
    for a, b in zip(pts, pts[1:], strict=False):
        t = np.linspace(0, 1, n)[1:, None]
        out += list(a + (b - a) * t)
    return np.asarray(out, np.float32)


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, x: float, n: int = 40) -> np.ndarray:
    t = np.linspace(a0, a1, n)
    pts = np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1) * H + (x, TOP)
    return pts.astype(np.float32)


def stroke(points: np.ndarray) -> InkStroke:
    return InkStroke(points, PEN)


def one(x: float) -> list[InkStroke]:
    return [stroke(_line((0.12, 0.0), (0.05, 1.0), x=x))]


def flagged_one(x: float) -> list[InkStroke]:
    """A 1 with a long up-stroke flag, in one stroke."""
    return [stroke(_line((0.0, 0.3), (0.28, 0.0), (0.28, 1.0), x=x))]


def zero(x: float) -> list[InkStroke]:
    return [stroke(_arc(0.3, 0.5, 0.3, 0.5, -np.pi / 2, 1.5 * np.pi, x=x))]


def seven(x: float) -> tuple[InkStroke, InkStroke]:
    """(the top bar, the stem): two strokes."""
    return stroke(_line((0.0, 0.0), (0.6, 0.0), x=x)), stroke(_line((0.6, 0.0), (0.2, 1.0), x=x))


def four(x: float) -> tuple[InkStroke, InkStroke]:
    """(the open L, the stem): two strokes."""
    return (
        stroke(_line((0.35, 0.0), (0.0, 0.62), (0.62, 0.62), x=x)),
        stroke(_line((0.45, 0.2), (0.45, 1.0), x=x)),
    )


def dot(x: float, y: float) -> InkStroke:
    return stroke(np.asarray([[x, TOP + y * H], [x + 2.0, TOP + y * H + 1.0]], np.float32))


def picture(strokes: list[InkStroke], scale: float = 0.4) -> np.ndarray:
    """The strokes as a file would hold them: dark ink on white paper, uint8."""
    from digitpad.segment_strokes import render_strokes

    image, _ = render_strokes(strokes, scale)
    return 255 - image
