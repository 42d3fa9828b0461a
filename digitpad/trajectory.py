"""A drawing's pen path as a fixed-length sequence, for the stroke model (numpy only).

The pad knows more than the picture: the order of the strokes, their
direction, where the pen was lifted.  ``trajectory`` walks the strokes in the
order they were written, pen-up jumps included, and samples the walk at
``POINTS`` points evenly spaced along it.  Each point has five channels:

* x, y: centred on the ink's box and divided by half its longer side
  (so -1..1 along the longer side; the aspect ratio is kept);
* dx, dy: the unit direction of travel there;
* pen: 1 on a stroke, 0 on a jump between strokes.

So the sequence does not depend on where the digit was drawn, how large, or
how many mouse events the pen produced; it does depend on the order and
direction of the strokes, which is what the picture cannot show.

    seq = trajectory([points_of_stroke_1, points_of_stroke_2])   # (5, 64) float32, or None
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

POINTS = 64
CHANNELS = 5


def trajectory(strokes: Sequence[np.ndarray], points: int = POINTS) -> np.ndarray | None:
    """``(CHANNELS, points)`` float32 for strokes of ``(N, 2)`` points (x, y; y down); None without points."""
    paths = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes]
    paths = [p for p in paths if len(p) and np.isfinite(p).all()]
    if not paths:
        return None
    paths = [np.vstack([p, p]) if len(p) == 1 else p for p in paths]  # a tap is a stroke of no length
    xy = np.concatenate(paths)
    owner = np.concatenate([np.full(len(p), k) for k, p in enumerate(paths)])
    down = owner[1:] == owner[:-1]  # segment i (point i to i + 1) lies on a stroke, or is a jump
    length = np.hypot(*np.diff(xy, axis=0).T)
    along = np.concatenate(([0.0], np.cumsum(length)))
    out = np.zeros((CHANNELS, points), np.float32)
    ink = np.concatenate(paths)
    lo, hi = ink.min(axis=0), ink.max(axis=0)
    half = max(float((hi - lo).max()) / 2.0, 1e-9)
    centre = (lo + hi) / 2.0
    if along[-1] <= 1e-9 * half or along[-1] == 0.0:  # a dot: every point in one place
        out[4] = 1.0
        return out
    t = np.linspace(0.0, along[-1], points)
    seg = np.clip(np.searchsorted(along, t, side="right") - 1, 0, len(length) - 1)
    x = np.interp(t, along, xy[:, 0])
    y = np.interp(t, along, xy[:, 1])
    dx, dy = np.gradient(x), np.gradient(y)
    norm = np.hypot(dx, dy)
    norm[norm == 0] = 1.0
    out[0] = (x - centre[0]) / half
    out[1] = (y - centre[1]) / half
    out[2] = dx / norm
    out[3] = dy / norm
    out[4] = down[seg]
    return out
