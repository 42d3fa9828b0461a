"""European style marks added to real pen trajectories (label-preserving).

A slash through a 0, an up-stroke flag on a 1, a crossbar through a 7: the
writer's own digit plus the one mark MNIST lacks.  Used for training (on
Pendigits ``.tra``) and, with another seed, for the style benchmark (on ``.tes``).
"""

from __future__ import annotations

import math

import numpy as np

from digitpad.synth.strokes import Strokes, bounds, line


def slash_zero(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """Ø: a stroke from below-left to above-right through the zero's box."""
    x0, y0, x1, y1 = bounds(strokes)
    w, h = x1 - x0, y1 - y0
    a, b = rng.uniform(-0.15, 0.2), rng.uniform(-0.15, 0.2)
    return [*strokes, line((x0 - a * w, y1 + b * h), (x1 + a * w, y0 - b * h))]


def flag_one(strokes: Strokes, rng: np.random.Generator, *, angle: tuple[float, float] = (30.0, 75.0)) -> Strokes:
    """A 1 with an up-stroke flag (10-55% of its height, ``angle`` degrees below horizontal) added at its top."""
    pts = np.concatenate(strokes)
    top = pts[int(np.argmin(pts[:, 1]))]
    x0, y0, x1, y1 = bounds(strokes)
    h = max(y1 - y0, 1e-6)
    length = rng.uniform(0.1, 0.55) * h
    t = math.radians(rng.uniform(*angle))
    start = (top[0] - length * math.cos(t), top[1] + length * math.sin(t))
    return [line(start, (float(top[0]), float(top[1]))), *strokes]


def serif_one(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A 1 with a base serif under its lowest point."""
    pts = np.concatenate(strokes)
    foot = pts[int(np.argmax(pts[:, 1]))]
    x0, y0, x1, y1 = bounds(strokes)
    s = rng.uniform(0.12, 0.3) * (y1 - y0)
    return [*strokes, line((foot[0] - s, foot[1]), (foot[0] + s, foot[1]))]


def cross_seven(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A 7 with a short crossbar through its stem at 40-60% of its height."""
    pts = np.concatenate(strokes)
    x0, y0, x1, y1 = bounds(strokes)
    y = y0 + rng.uniform(0.4, 0.6) * (y1 - y0)
    band = pts[np.abs(pts[:, 1] - y) < 0.08 * (y1 - y0)]
    x = float(np.median(band[:, 0])) if len(band) else (x0 + x1) / 2
    w = rng.uniform(0.15, 0.3) * (y1 - y0)
    return [*strokes, line((x - w, y), (x + w, y + rng.uniform(-0.03, 0.03) * (y1 - y0)))]


MARKS = {0: (slash_zero,), 1: (flag_one, serif_one), 7: (cross_seven,)}


def add_mark(label: int, strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """The digit with one of its label's style marks (unchanged for other labels)."""
    options = MARKS.get(label)
    if not options:
        return list(strokes)
    return options[int(rng.integers(0, len(options)))](list(strokes), rng)
