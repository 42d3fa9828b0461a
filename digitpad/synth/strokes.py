"""Stroke geometry: arcs, lines, smoothing and label-preserving random variation.

A stroke is a float ``(N, 2)`` array of (x, y) points, y growing downward (screen
coordinates), in whatever units the caller likes (forms use a box about one
unit tall); ``digitpad.synth.render.fit`` places a drawing on the paper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Strokes = list[np.ndarray]


def line(*points: tuple[float, float], n: int = 12) -> np.ndarray:
    """A polyline through ``points``, each segment sampled with ``n`` points."""
    out = [np.asarray(points[0], np.float64)[None]]
    for a, b in zip(points[:-1], points[1:], strict=True):
        t = np.linspace(0.0, 1.0, n + 1)[1:, None]
        out.append(np.asarray(a, np.float64) * (1 - t) + np.asarray(b, np.float64) * t)
    return np.concatenate(out)


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 40) -> np.ndarray:
    """An elliptic arc from angle ``start`` to ``end`` (degrees, counter-clockwise on screen)."""
    a = np.radians(np.linspace(start, end, n))
    return np.stack([cx + rx * np.cos(a), cy - ry * np.sin(a)], axis=1)


def join(*parts: np.ndarray) -> np.ndarray:
    """One stroke from pieces drawn without lifting the pen."""
    return np.concatenate([np.asarray(p, np.float64).reshape(-1, 2) for p in parts])


def smooth(stroke: np.ndarray, iterations: int = 2) -> np.ndarray:
    """Chaikin corner cutting: polyline corners become hand-like curves, ends stay put."""
    p = np.asarray(stroke, np.float64)
    for _ in range(iterations):
        if len(p) < 3:
            return p
        q = 0.75 * p[:-1] + 0.25 * p[1:]
        r = 0.25 * p[:-1] + 0.75 * p[1:]
        p = np.concatenate([p[:1], np.stack([q, r], axis=1).reshape(-1, 2), p[-1:]])
    return p


def bounds(strokes: Sequence[np.ndarray]) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of all points."""
    pts = np.concatenate([np.asarray(s).reshape(-1, 2) for s in strokes])
    return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())


def affine(strokes: Sequence[np.ndarray], matrix: np.ndarray) -> Strokes:
    """Apply a 2x2 ``matrix`` about the drawing's centre."""
    x0, y0, x1, y1 = bounds(strokes)
    c = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    return [(np.asarray(s) - c) @ matrix.T + c for s in strokes]


def slant(strokes: Sequence[np.ndarray], degrees: float) -> Strokes:
    """Italic slant: the top leans right for positive ``degrees`` (y down)."""
    return affine(strokes, np.array([[1.0, -math.tan(math.radians(degrees))], [0.0, 1.0]]))


def wobble(strokes: Sequence[np.ndarray], rng: np.random.Generator, amount: float) -> Strokes:
    """Elastic distortion in stroke space: a smooth random displacement field.

    A sum of a few low-frequency sines over the drawing's box, ``amount`` of its
    height at most; smooth, so a loop stays a loop and a crossing stays a crossing.
    """
    x0, y0, x1, y1 = bounds(strokes)
    h = max(y1 - y0, x1 - x0, 1e-6)
    waves = []
    for _ in range(3):
        k = rng.uniform(0.5, 2.0, 2) * 2 * math.pi / h
        waves.append((k, rng.uniform(0, 2 * math.pi, 2), rng.normal(0, amount * h / 2, 2)))
    out = []
    for s in strokes:
        p = np.asarray(s, np.float64).copy()
        d = np.zeros_like(p)
        for k, phase, amp in waves:
            d[:, 0] += amp[0] * np.sin(k[0] * p[:, 1] + phase[0])
            d[:, 1] += amp[1] * np.sin(k[1] * p[:, 0] + phase[1])
        out.append(p + d)
    return out


def jitter_points(stroke: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Small independent noise on each key point (before smoothing)."""
    p = np.asarray(stroke, np.float64)
    return p + rng.normal(0.0, sigma, p.shape)


def length(stroke: np.ndarray) -> float:
    """Path length."""
    p = np.asarray(stroke, np.float64)
    return float(np.linalg.norm(np.diff(p, axis=0), axis=1).sum()) if len(p) > 1 else 0.0


def truncate(strokes: Sequence[np.ndarray], keep_from: float, keep_to: float) -> Strokes:
    """The part of the whole drawing's path between fractions ``keep_from`` and ``keep_to`` of its length."""
    lengths = [length(s) for s in strokes]
    total = sum(lengths) or 1.0
    lo, hi = keep_from * total, keep_to * total
    out: Strokes = []
    start = 0.0
    for s, ln in zip(strokes, lengths, strict=True):
        p = np.asarray(s, np.float64)
        if len(p) < 2:
            start += ln
            continue
        cum = start + np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))])
        mask = (cum >= lo) & (cum <= hi)
        if mask.sum() >= 2:
            out.append(p[mask])
        start += ln
    return out
