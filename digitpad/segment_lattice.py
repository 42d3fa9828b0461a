"""The candidate digits of a number and the best way through them (numpy only).

A segmenter (strokes or an image) cuts the ink into *atoms*, ordered left to
right, and proposes *spans*: runs of consecutive atoms that might be one
digit, each with its own picture.  The number reader recognises every span's
picture in one batch; :func:`best_path` then picks the spans that cover every
atom once with the best combined score (the sum of log confidences plus each
span's geometric prior), the Viterbi way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in the caller's coordinates (pad units or image pixels)."""

SKIP_SCORE = math.log(0.5)
"""Score of leaving out one atom whose ink is no digit at all (a dot): worse than a sure digit."""


@dataclass(frozen=True)
class Span:
    """Atoms ``start .. end - 1`` read as one digit, with what the prior needs to know about its shape."""

    start: int
    end: int
    box: Box
    image: np.ndarray  # white ink on black, uint8 or float 0..1, with a margin of paper
    width: float = 0.0  # ink box width / writing height
    height: float = 1.0  # ink box height / writing height
    joins: tuple[float, ...] = ()  # per join of two units: their overlap, -1 (apart) .. 1 (one over the other)
    cuts: int = 0  # ends made by cutting through ink (0-2)
    members: tuple[int, ...] = field(default=())  # the caller's items (stroke indices), for the GUI
    pen_moved: bool = False  # strokes that travelled a pen width: a solid blob is a fat-pen digit, not a dot


@dataclass(frozen=True)
class Lattice:
    atoms: int
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class SpanPrior:
    """Log-space weights of what a digit looks like, added to each span's log confidence.

    Tuned on numbers built from ``pendigits-orig.tra`` (benchmarks/tune_numbers.py).  Retuned for
    round 23's weights (``--seed 7 --count 400 --trials 300``): no gain on seed 7's numbers, and the
    trial it kept read the check seeds 9+11+12 worse (images 1,146 -> 1,144 of 1,200): unchanged.
    """

    digit: float = 0.14  # per digit read (> 0 favours more, smaller digits)
    wide: float = 1.9  # per writing height of width beyond ``wide_from``
    wide_from: float = 0.64
    short: float = 2.55  # per writing height of height below ``short_from``
    short_from: float = 1.22
    join: float = 0.62  # cost of joining two units that touch ...
    overlap: float = 0.12  # ... earned back per unit of overlap (lost per unit of distance)
    cut: float = 0.05  # per end made by a cut

    def score(self, span: Span) -> float:
        value = self.digit
        value -= self.wide * max(0.0, span.width - self.wide_from)
        value -= self.short * max(0.0, self.short_from - span.height)
        value -= sum(self.join - self.overlap * j for j in span.joins)
        value -= self.cut * span.cuts
        return value


DEFAULT_PRIOR = SpanPrior()


def best_path(lattice: Lattice, scores: Sequence[float | None], prior: SpanPrior = DEFAULT_PRIOR) -> list[int] | None:
    """Indices of the spans on the best path, left to right; None when no path exists.

    ``scores[k]`` is span k's log confidence, or None when its picture holds
    no digit (no meaningful ink): such a span may be skipped only if it is a
    single atom, at :data:`SKIP_SCORE`.
    """
    n = lattice.atoms
    best = [-math.inf] * (n + 1)
    back: list[tuple[int, bool] | None] = [None] * (n + 1)
    best[0] = 0.0
    by_end: dict[int, list[int]] = {}
    for k, span in enumerate(lattice.spans):
        by_end.setdefault(span.end, []).append(k)
    for end in range(1, n + 1):
        for k in by_end.get(end, ()):
            span = lattice.spans[k]
            if best[span.start] == -math.inf:
                continue
            score = scores[k]
            if score is None:
                if span.end - span.start != 1:
                    continue
                total, keep = best[span.start] + SKIP_SCORE, False
            else:
                total, keep = best[span.start] + score + prior.score(span), True
            if total > best[end]:
                best[end], back[end] = total, (k, keep)
    if best[n] == -math.inf:
        return None
    path: list[int] = []
    at = n
    while at > 0:
        step = back[at]
        assert step is not None
        k, keep = step
        if keep:
            path.append(k)
        at = lattice.spans[k].start
    return path[::-1]


# -- shared geometry: the same rules for pen strokes and image pieces ---------------

MERGE_OVERLAP = 0.6
"""Two pieces whose x-ranges share this fraction of the narrower one are one digit."""
NARROW = 0.2
"""A piece narrower than this many digit heights (a 1, the stem of a 4) ..."""
INSIDE_MARGIN = 0.12
"""... is one digit with a wider piece when its centre lies this far (in heights) inside it."""
MAX_SPAN_UNITS = 3
MAX_SPAN_WIDTH = 1.5  # a digit is at most this many heights wide (a wide 0 or a 4 with a long bar)
MAX_INNER_GAP = 0.2  # pieces of one digit are never further apart than this many heights


def reference_height(heights: Sequence[float]) -> float:
    """The writing height: the median height of the tall pieces (bars, flags and dots are short).

    Tall means at least half the tallest, so one digit's bar cannot drag the
    height of a lone digit down, and one stray tall stroke cannot lift it.
    """
    h = np.asarray(heights, dtype=np.float64)
    if h.size == 0:
        return 0.0
    return float(np.median(h[h >= 0.5 * h.max()]))


def overlap_groups(ranges: Sequence[tuple[float, float]], height: float) -> list[list[int]]:
    """Pieces (by their x-ranges) that surely belong together, as groups of indices.

    Sure means a large horizontal overlap: two digits written side by side
    overlap a little at most; pieces of one digit lie over each other.  The
    groups come out ordered by their left edge.
    """
    n = len(ranges)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if _surely_one(ranges[i], ranges[j], height):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: (min(ranges[i][0] for i in g), g[0]))


def _surely_one(a: tuple[float, float], b: tuple[float, float], height: float) -> bool:
    wa, wb = a[1] - a[0], b[1] - b[0]
    narrow, wide = (a, b) if wa <= wb else (b, a)
    if narrow[1] - narrow[0] < NARROW * height:  # a stem: overlap says little, being well inside says it all
        centre = (narrow[0] + narrow[1]) / 2.0
        return wide[0] + INSIDE_MARGIN * height <= centre <= wide[1] - INSIDE_MARGIN * height
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    return overlap > 0 and overlap >= MERGE_OVERLAP * min(wa, wb)


def candidate_ranges(
    ranges: Sequence[tuple[float, float]], height: float, heights: Sequence[float] | None = None
) -> list[tuple[int, int]]:
    """Runs ``[i, j)`` of consecutive units (sorted left to right) that might be one digit.

    With the units' ``heights``, a run holding a short unit (the bar of a 5 or
    a 7, which cannot be a digit alone) may be wider and further apart.
    """
    out = []
    n = len(ranges)
    for i in range(n):
        out.append((i, i + 1))
        left, right = ranges[i]
        short = heights is not None and heights[i] < SHORT_UNIT * height
        for j in range(i + 1, min(n, i + MAX_SPAN_UNITS)):
            gap = ranges[j][0] - right
            left, right = min(left, ranges[j][0]), max(right, ranges[j][1])
            short = short or (heights is not None and heights[j] < SHORT_UNIT * height)
            loose = BAR_SLACK if short else 1.0
            if gap > loose * MAX_INNER_GAP * height or right - left > loose * MAX_SPAN_WIDTH * height:
                break
            out.append((i, j + 1))
    return out


SHORT_UNIT = 0.75  # a unit shorter than this many heights is a bar or a flag, not a digit
BAR_SLACK = 1.4  # runs with a bar may be this much wider and further apart


def join_overlaps(ranges: Sequence[tuple[float, float]], height: float) -> tuple[float, ...]:
    """For each pair of neighbouring units: overlap relative to the narrower (or half a height), -1 .. 1."""
    out = []
    for a, b in zip(ranges, ranges[1:], strict=False):
        overlap = min(a[1], b[1]) - max(a[0], b[0])
        narrower = max(min(a[1] - a[0], b[1] - b[0], 0.5 * height), 1e-6)
        out.append(max(-1.0, min(1.0, overlap / narrower)))
    return tuple(out)
