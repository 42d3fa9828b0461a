"""Group pen strokes into digits (numpy + Pillow; no Qt, no torch).

The pad knows every stroke and the order it was drawn in.  Strokes that lie
over each other horizontally are one digit whenever they were written: a late
stroke (the bar of a 7 or a 4, the top of a 5, the flag of a 1) joins the
digit under it, and a digit drawn in two strokes stays one.  Where the
geometry is not sure (pieces that touch, a bar that reaches over the next
digit) the lattice offers both readings and the recogniser chooses
(:mod:`digitpad.number_reader`).  A tiny stroke far smaller than the writing
(a dot of noise) is left out.

    lattice = stroke_lattice([InkStroke(points, width), ...])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image, ImageDraw

from digitpad.ink import InkStroke, pen_moved, reading_strokes
from digitpad.segment_lattice import (
    Box,
    Lattice,
    Span,
    candidate_ranges,
    join_overlaps,
    overlap_groups,
    reference_height,
)

NOISE = 0.12
"""A stroke whose ink spans less than this many writing heights each way is noise."""
DOT = 0.5
"""A stroke whose points span less than this many pen widths is a tap of the pen, never a digit."""
RENDER_HEIGHT = 112
"""Pixels along the longer side of a candidate's picture (the normaliser fits 20 px from it).

Chosen on the validation writers (Pendigits ``.tra`` 26-30, each digit alone): at 56 px a 1's
lead-in hook came out heavy enough to read as a 7 (98.32% of all digits right, 1s 90.7%);
at 112 px 99.20% (1s 98.4%), as on the canvas; 170 px was no better and slower."""
SUPERSAMPLE = 2  # drawn this many times larger, then area-reduced: anti-aliased like the canvas


Renderer = Callable[[Sequence[InkStroke]], np.ndarray]
"""Draws a candidate's strokes: white ink on black, with a margin of paper (any scale)."""


def stroke_lattice(strokes: Sequence[InkStroke], render: Renderer | None = None) -> Lattice:
    """The candidate digits of a handwritten number, left to right.

    ``render`` draws each candidate; by default :func:`picture` (Pillow). The
    pad passes the canvas's own renderer, so a digit written alone on the
    number pad is drawn exactly as the digit pad draws it.
    """
    kept = [i for i, s in enumerate(strokes) if len(s.points)]
    if not kept:
        return Lattice(0, ())
    pts = [np.asarray(strokes[i].points, dtype=np.float64).reshape(-1, 2) for i in kept]
    lo = np.array([p.min(axis=0) for p in pts])
    hi = np.array([p.max(axis=0) for p in pts])
    height = reference_height(list(hi[:, 1] - lo[:, 1]))
    widths = np.array([strokes[i].width for i in kept], dtype=np.float64)
    height = max(height, float(widths.max()))  # a lone dot: its own size
    extent = np.maximum(hi - lo, 0.0).max(axis=1)
    big = [k for k in range(len(kept)) if extent[k] >= max(NOISE * height, DOT * widths[k])]
    if not big:
        return Lattice(0, ())  # only taps of the pen: no digit
    ranges = [(float(lo[k, 0]), float(hi[k, 0])) for k in big]
    groups = overlap_groups(ranges, height)
    units = [[big[k] for k in g] for g in groups]  # indices into ``kept``
    # A tiny stroke touching a digit's box is part of it (a short stem, a tick);
    # one on its own is a dot of noise and is left out.
    reach = 0.05 * height
    for k in sorted(set(range(len(kept))) - set(big)):
        for unit in units:
            if any(_boxes_touch(lo[k], hi[k], lo[m], hi[m], reach) for m in unit):
                unit.append(k)
                break
    unit_ranges = [(float(min(lo[k, 0] for k in u)), float(max(hi[k, 0] for k in u))) for u in units]
    spans = []
    unit_heights = [float(max(hi[k, 1] for k in u) - min(lo[k, 1] for k in u)) for u in units]
    for i, j in candidate_ranges(unit_ranges, height, unit_heights):
        members = sorted(k for u in units[i:j] for k in u)
        x0 = float(min(lo[k, 0] for k in members))
        x1 = float(max(hi[k, 0] for k in members))
        y0 = float(min(lo[k, 1] for k in members))
        y1 = float(max(hi[k, 1] for k in members))
        group = [strokes[kept[k]] for k in members]
        read = reading_strokes(group)  # a marker-thick pen is read thinner, as on the digit pad
        image = render(read) if render is not None else picture(read)
        pen = max(strokes[kept[k]].width for k in members) / 2.0
        box = (x0 - pen, y0 - pen, x1 + pen, y1 + pen)
        spans.append(
            Span(
                i,
                j,
                box,
                image,
                width=(x1 - x0) / height,
                height=(y1 - y0) / height,
                joins=join_overlaps(unit_ranges[i:j], height),
                members=tuple(kept[k] for k in members),
                pen_moved=pen_moved(group),
            )
        )
    return Lattice(len(units), tuple(spans))


def _boxes_touch(lo_a: np.ndarray, hi_a: np.ndarray, lo_b: np.ndarray, hi_b: np.ndarray, reach: float) -> bool:
    return bool(np.all(lo_a <= hi_b + reach) and np.all(lo_b <= hi_a + reach))


def picture(strokes: Sequence[InkStroke]) -> np.ndarray:
    """The default renderer: every candidate at the same size (its longer side ``RENDER_HEIGHT`` px)."""
    pts = np.concatenate([np.asarray(s.points, dtype=np.float64).reshape(-1, 2) for s in strokes])
    extent = float(max(np.ptp(pts[:, 0]), np.ptp(pts[:, 1]), max(s.width for s in strokes)))
    return render_strokes(strokes, RENDER_HEIGHT / extent)[0]


def render_strokes(strokes: Sequence[InkStroke], scale: float) -> tuple[np.ndarray, Box]:
    """White-on-black uint8 picture of ``strokes`` at ``scale`` px per unit, and their ink box.

    Smoothed like the canvas draws them (quadratic curves between midpoints),
    round caps and joins, anti-aliased; a margin of paper all round keeps the
    paper the majority, as the normaliser expects.
    """
    lo = np.min([np.asarray(s.points).reshape(-1, 2).min(axis=0) - s.width / 2 for s in strokes], axis=0)
    hi = np.max([np.asarray(s.points).reshape(-1, 2).max(axis=0) + s.width / 2 for s in strokes], axis=0)
    size = (hi - lo) * scale
    margin = 0.25 * float(size.max()) + 2.0
    w = int(np.ceil(size[0] + 2 * margin))
    h = int(np.ceil(size[1] + 2 * margin))
    ss = SUPERSAMPLE
    canvas = Image.new("L", (w * ss, h * ss), 0)
    draw = ImageDraw.Draw(canvas)
    for stroke in strokes:
        xy = (smooth_path(np.asarray(stroke.points, dtype=np.float64).reshape(-1, 2)) - lo) * scale + margin
        xy *= ss
        pen = max(1.0, stroke.width * scale * ss)
        r = pen / 2.0
        flat = [(float(x), float(y)) for x, y in xy]
        if len(flat) > 1:
            # Pillow's round joins cost a Python call per vertex; the path is dense,
            # so only the corners (and the caps) need a disc.
            draw.line(flat, fill=255, width=max(1, round(pen)))
        for x, y in xy[_corners(xy)]:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    image = np.asarray(canvas.reduce(ss))
    return image, (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def _corners(xy: np.ndarray) -> np.ndarray:
    """Indices of the caps and of the vertices where the path turns by more than ~14 degrees."""
    ends = [0, len(xy) - 1]
    if len(xy) < 3:
        return np.array(sorted(set(ends)))
    d = np.diff(xy, axis=0)
    a, b = d[:-1], d[1:]
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    cos = np.einsum("ij,ij->i", a, b) / np.maximum(norms, 1e-12)
    turns = np.flatnonzero(cos < 0.97) + 1
    return np.unique(np.concatenate([ends, turns]))


def smooth_path(points: np.ndarray) -> np.ndarray:
    """The canvas's path through ``points``: quadratic Béziers from midpoint to midpoint."""
    if len(points) < 3:
        return points
    mids = (points[:-1] + points[1:]) / 2.0
    t = np.linspace(0.0, 1.0, 4, endpoint=False)[:, None, None]
    a, c, b = mids[:-1][None], points[1:-1][None], mids[1:][None]
    curve = (1 - t) ** 2 * a + 2 * (1 - t) * t * c + t**2 * b  # (4, n-2, 2)
    body = curve.transpose(1, 0, 2).reshape(-1, 2)
    return np.concatenate([points[:1], body, mids[-1:], points[-1:]])
