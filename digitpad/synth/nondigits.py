"""Drawings that are not digits, generated in code (the not-a-digit class).

Three disjoint sets of generator families:

* ``TRAIN_FAMILIES`` (used by training): random scribbles, geometric shapes,
  letters and symbols (``glyphs``), partial digits, two digits drawn on top
  of each other, and two digits side by side that touch (a "16" is not a 6);
  besides them, for ``--cut-pieces``, a digit with part of its neighbour, as a wrong
  cut through such a pair leaves it (:func:`cut_piece`);
* ``VALIDATION_FAMILIES`` (for choosing between versions: how they treat
  families no training saw): targets, flowers, check marks, infinity signs,
  musical notes and suns;
* ``HELD_OUT_FAMILIES`` (only for the non-digit benchmark's reported figure):
  spirals, zigzags, stars, arrows, hearts, # grids, waves and smileys.

A partial digit is kept only if it cannot pass for a whole digit: never from
a 1, 2 or 7 (their pieces read as 1 or 7), not a nearly straight line (a 1)
and no stroke of it a closed loop (a 0).  Overlapping pairs never
use a 1 (a 1 through a 0 is a slashed zero).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from digitpad.synth.glyphs import GLYPHS, glyph
from digitpad.synth.strokes import Strokes, arc, bounds, length, line, smooth, truncate, wobble

DigitSource = Callable[[np.random.Generator], tuple[int, Strokes]]


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


# -- training families ------------------------------------------------------------


def scribble(rng: np.random.Generator) -> Strokes:
    """A tangle: a smoothed random walk of 8-16 points, sometimes two."""
    out: Strokes = []
    for _ in range(1 if rng.random() < 0.75 else 2):
        n = int(rng.integers(8, 17))
        pts = rng.uniform(0, 1, (n, 2)) * np.array([_u(rng, 0.5, 1.2), 1.0])
        out.append(smooth(pts, 3))
    return out


def shape(rng: np.random.Generator) -> Strokes:
    """Triangles, rectangles, pentagons, an envelope, a house, a box with a cross."""
    kind = int(rng.integers(0, 6))
    w, h = _u(rng, 0.6, 1.4), 1.0
    if kind == 0:
        pts = [(_u(rng, 0, w), 0.0), (0.0, h), (w, h * _u(rng, 0.85, 1.0))]
        return [line(*pts, pts[0])]
    box = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h), (0.0, 0.0)]
    if kind == 1:
        return [line(*box)]
    if kind == 2:
        a = np.radians(np.arange(6) * 72 + _u(rng, 0, 72))
        pts = [(0.5 * w * (1 + math.cos(t)), 0.5 * (1 + math.sin(t))) for t in a]
        return [line(*pts)]
    if kind == 3:
        return [line(*box), line((0.0, 0.0), (w / 2, h * 0.55), (w, 0.0))]
    if kind == 4:
        return [line((0.0, 0.4), (w / 2, 0.0), (w, 0.4), (w, h), (0.0, h), (0.0, 0.4), (w, 0.4))]
    return [line(*box), line((0.0, 0.0), (w, h)), line((w, 0.0), (0.0, h))]


def letter(rng: np.random.Generator) -> Strokes:
    """A letter or symbol from ``glyphs``."""
    names = sorted(GLYPHS)
    return glyph(names[int(rng.integers(0, len(names)))])


def _straightness(strokes: Strokes) -> float:
    """Largest distance of any point from the chord of the whole drawing, per chord length."""
    pts = np.concatenate(strokes)
    a, b = pts[0], pts[-1]
    d = b - a
    n = float(np.hypot(*d))
    if n < 1e-6:
        return math.inf
    off = np.abs(d[0] * (pts[:, 1] - a[1]) - d[1] * (pts[:, 0] - a[0])) / n
    return float(off.max() / n)


def partial(source: DigitSource, rng: np.random.Generator) -> Strokes | None:
    """20-50% of a digit's path (from its start or its end), or None if that would read as a digit."""
    label, strokes = source(rng)
    if label in (1, 2, 7):  # a piece of a 1 is a 1, the top of a 2 or the bar and stem of a 7 reads as a 7
        return None
    keep = _u(rng, 0.2, 0.5)
    part = truncate(strokes, 0.0, keep) if rng.random() < 0.5 else truncate(strokes, 1.0 - keep, 1.0)
    if not part:
        return None
    x0, y0, x1, y1 = bounds(part)
    size = max(x1 - x0, y1 - y0, 1e-6)
    closed = any(len(p) > 10 and float(np.hypot(*(p[0] - p[-1]))) < 0.2 * size for p in part)  # any loop is a 0
    if _straightness(part) < 0.15 or closed or size < 0.25 * max(1e-6, _height(strokes)):
        return None
    return part


def _height(strokes: Strokes) -> float:
    x0, y0, x1, y1 = bounds(strokes)
    return max(x1 - x0, y1 - y0)


def overlap(source: DigitSource, rng: np.random.Generator) -> Strokes | None:
    """Two different digits (neither a 1) drawn on top of each other, offset by up to a third."""
    (la, a), (lb, b) = source(rng), source(rng)
    if la == lb or 1 in (la, lb):
        return None
    out = []
    for i, s in enumerate((a, b)):
        x0, y0, x1, y1 = bounds(s)
        scale = 1.0 / max(y1 - y0, 1e-6) * _u(rng, 0.8, 1.0)
        shift = np.array([_u(rng, -0.3, 0.3), _u(rng, -0.2, 0.2)]) if i else np.zeros(2)
        out += [(np.asarray(p) - np.array([x0, y0])) * scale + shift for p in s]
    return out


def pair(source: DigitSource, rng: np.random.Generator) -> Strokes | None:
    """Two digits side by side that touch or overlap a little, as neighbours in a written number do.

    The reader of whole numbers must not take such a pair for one digit (a "16" for a 6).  The gap
    between the two ink boxes is -15% to +3% of the height (negative: overlapping); with a 1 in the
    pair only touching (-2% to +3%), so a 1 crossing a 0 (a slashed zero) is never a pair; never two 1s.
    """
    placed = _placed_pair(source, rng)
    return None if placed is None else placed[0][1] + placed[1][1]


def _placed_pair(source: DigitSource, rng: np.random.Generator) -> tuple[tuple[int, Strokes], ...] | None:
    """The two digits of :func:`pair`, each with its label, placed as they touch."""
    (la, a), (lb, b) = source(rng), source(rng)
    if la == lb == 1:
        return None
    low = -0.02 if 1 in (la, lb) else -0.15
    out: list[tuple[int, Strokes]] = []
    right = 0.0
    for i, (label, s) in enumerate(((la, a), (lb, b))):
        x0, y0, x1, y1 = bounds(s)
        scale = _u(rng, 0.85, 1.0) / max(y1 - y0, 1e-6)
        shift = np.array([right + _u(rng, low, 0.03), _u(rng, -0.1, 0.1)]) if i else np.zeros(2)
        placed = [(np.asarray(p) - np.array([x0, y0])) * scale + shift for p in s]
        right = max(float(p[:, 0].max()) for p in placed)
        out.append((label, placed))
    return tuple(out)


def clip_strokes(strokes: Strokes, cut: float, left: bool) -> Strokes:
    """The parts of ``strokes`` left (``left``) or right of the vertical line ``x = cut``, cut exactly there."""
    out: Strokes = []
    for stroke in strokes:
        pts = np.asarray(stroke, np.float64).reshape(-1, 2)
        inside = pts[:, 0] < cut if left else pts[:, 0] >= cut
        run: list[np.ndarray] = []
        for k in range(len(pts)):
            if k and inside[k] != inside[k - 1]:  # the path crosses the line: both sides end on it
                a, b = pts[k - 1], pts[k]
                t = (cut - a[0]) / (b[0] - a[0])
                run.append(a + t * (b - a))
                if not inside[k]:
                    out.append(np.array(run))
                    run = []
            if inside[k]:
                run.append(pts[k])
        if run:
            out.append(np.array(run))
    return [r for r in out if len(r) >= 2]


def _path_length(strokes: Strokes) -> float:
    return sum(length(s) for s in strokes)


def cut_piece(source: DigitSource, rng: np.random.Generator) -> Strokes | None:
    """One side of a wrong cut through two touching digits, as a reader of number images may make one.

    The cut is a vertical line through one digit of a :func:`pair` (25-75% across its ink box), and
    the piece is the other digit whole with the cut digit's part on its side, when that part is at
    least a third of the cut digit's path and 40% of its size (a 0 with the bowl of the 9 beside
    it).  Two digits' ink is never one digit.  The cut digit's part alone is not made: a part of a
    digit can be a fair digit itself (the right half of a 3 is a 3, the top of a 2 a 7).  None when
    it does not qualify.
    """
    placed = _placed_pair(source, rng)
    if placed is None:
        return None
    through = int(rng.integers(0, 2))  # the digit the cut goes through: 0 left, 1 right
    digit = placed[through][1]
    x0, _, x1, _ = bounds(digit)
    cut = x0 + _u(rng, 0.25, 0.75) * (x1 - x0)
    part = clip_strokes(digit, cut, left=through == 1)  # the side towards the other digit
    if _path_length(part) < _path_length(digit) / 3.0:
        return None
    px0, py0, px1, py1 = bounds(part)
    if max(px1 - px0, py1 - py0) < 0.4 * _height(digit):  # a speck beside a digit: the junction trim's job
        return None
    return placed[1 - through][1] + part


TRAIN_FAMILIES = ("scribble", "shape", "letter", "partial", "overlap", "pair")


def train_nondigit(family: str, source: DigitSource, rng: np.random.Generator) -> Strokes:
    """One random drawing of a training family (retries partial/overlap/pair until they qualify)."""
    for _ in range(50):
        if family == "scribble":
            out: Strokes | None = scribble(rng)
        elif family == "shape":
            out = shape(rng)
        elif family == "letter":
            out = letter(rng)
        elif family == "partial":
            out = partial(source, rng)
        elif family == "overlap":
            out = overlap(source, rng)
        elif family == "pair":
            out = pair(source, rng)
        else:
            raise ValueError(f"unknown non-digit family {family!r}")
        if out:
            return wobble(out, rng, 0.03)
    return scribble(rng)


# -- validation families (choosing between versions; never trained on) -----------------


def target(rng: np.random.Generator) -> Strokes:
    """Two or three concentric circles."""
    rings = int(rng.integers(2, 4))
    return [arc(0.5, 0.5, r, r * _u(rng, 0.9, 1.1), 0, 360, 60) for r in np.linspace(0.5, 0.15, rings)]


def flower(rng: np.random.Generator) -> Strokes:
    """Five to seven petal loops around a small centre, each petal its own stroke."""
    n = int(rng.integers(5, 8))
    a0 = _u(rng, 0, 360)
    petals = []
    for k in range(n):
        a = math.radians(a0 + 360 * k / n)
        cx, cy = 0.5 + 0.3 * math.cos(a), 0.5 + 0.3 * math.sin(a)
        t = np.linspace(0, 2 * math.pi, 30)
        u, v = 0.2 * np.cos(t), 0.09 * np.sin(t)
        petals.append(np.stack([cx + u * math.cos(a) - v * math.sin(a), cy + u * math.sin(a) + v * math.cos(a)], 1))
    return [arc(0.5, 0.5, 0.1, 0.1, 0, 360, 24), *petals]


def check(rng: np.random.Generator) -> Strokes:
    """A tick: a short stroke down, a long one up to the right."""
    low = (_u(rng, 0.3, 0.45), 1.0)
    return [line((0.0, _u(rng, 0.5, 0.7)), low, (_u(rng, 1.0, 1.3), 0.0))]


def infinity(rng: np.random.Generator) -> Strokes:
    """A lemniscate lying on its side, one stroke."""
    t = np.linspace(0, 2 * math.pi, 120)
    d = 1 + np.sin(t) ** 2
    return [np.stack([0.5 + 0.5 * np.cos(t) / d, 0.5 + _u(rng, 0.4, 0.6) * np.sin(t) * np.cos(t) / d], 1)]


def note(rng: np.random.Generator) -> Strokes:
    """A quaver: an oval head, a stem up from its right side, a flag."""
    head = arc(0.25, 0.88, 0.13, 0.09, 0, 360, 30)
    stem = line((0.38, 0.88), (0.38, 0.0))
    flag = arc(0.55, 0.0, 0.17, _u(rng, 0.25, 0.4), 180, 300, 16)
    return [head, stem, flag]


def sun(rng: np.random.Generator) -> Strokes:
    """A circle with six to ten short rays outside it."""
    n = int(rng.integers(6, 11))
    a0 = _u(rng, 0, 360)
    rays = []
    for k in range(n):
        a = math.radians(a0 + 360 * k / n)
        rays.append(
            line(
                (0.5 + 0.32 * math.cos(a), 0.5 + 0.32 * math.sin(a)), (0.5 + 0.5 * math.cos(a), 0.5 + 0.5 * math.sin(a))
            )
        )
    return [arc(0.5, 0.5, 0.25, 0.25, 0, 360, 40), *rays]


VALIDATION: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "target": target,
    "flower": flower,
    "check": check,
    "infinity": infinity,
    "note": note,
    "sun": sun,
}
VALIDATION_FAMILIES = tuple(VALIDATION)


def validation_nondigit(family: str, rng: np.random.Generator) -> Strokes:
    """One drawing of a validation family, with a random rotation and wobble (as the held-out ones)."""
    return _rotated(VALIDATION[family](rng), rng)


# -- held-out families (benchmark only) -------------------------------------------


def spiral(rng: np.random.Generator) -> Strokes:
    turns = _u(rng, 2.0, 3.5)
    t = np.linspace(0, turns * 2 * math.pi, 200)
    r = 0.05 + 0.45 * t / t[-1]
    sign = 1 if rng.random() < 0.5 else -1
    return [np.stack([0.5 + r * np.cos(sign * t), 0.5 + r * np.sin(sign * t)], 1)]


def zigzag(rng: np.random.Generator) -> Strokes:
    n = int(rng.integers(5, 9))
    w = _u(rng, 1.0, 2.0)
    pts = [(w * i / (n - 1), 0.0 if i % 2 else 0.6) for i in range(n)]
    return [line(*pts)]


def star(rng: np.random.Generator) -> Strokes:
    a0 = _u(rng, 0, 72)
    pts = [
        (0.5 + 0.5 * math.cos(math.radians(a0 + 144 * k)), 0.5 + 0.5 * math.sin(math.radians(a0 + 144 * k)))
        for k in range(6)
    ]
    return [line(*pts)]


def arrow(rng: np.random.Generator) -> Strokes:
    head = _u(rng, 0.2, 0.35)
    shaft = line((0.0, 0.5), (1.2, 0.5))
    return [shaft, line((1.2 - head, 0.5 - head), (1.2, 0.5), (1.2 - head, 0.5 + head))]


def heart(rng: np.random.Generator) -> Strokes:
    t = np.linspace(0, 2 * math.pi, 120)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    return [np.stack([x, y], 1) / 32.0]


def grid(rng: np.random.Generator) -> Strokes:
    a, b = _u(rng, 0.25, 0.4), _u(rng, 0.6, 0.75)
    return [line((a, 0), (a - 0.05, 1)), line((b, 0), (b - 0.05, 1)), line((0, a), (1, a)), line((0, b), (1, b))]


def wave(rng: np.random.Generator) -> Strokes:
    t = np.linspace(0, _u(rng, 2.5, 4) * 2 * math.pi, 160)
    return [np.stack([t / 6.0, 0.25 * np.sin(t)], 1)]


def smiley(rng: np.random.Generator) -> Strokes:
    face = arc(0.5, 0.5, 0.5, 0.5, 0, 360, 80)
    mouth = arc(0.5, 0.45, 0.28, 0.3, 200, 340)
    eyes = [np.array([[0.33, 0.35], [0.34, 0.36]]), np.array([[0.67, 0.35], [0.68, 0.36]])]
    return [face, mouth, *eyes]


HELD_OUT: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "spiral": spiral,
    "zigzag": zigzag,
    "star": star,
    "arrow": arrow,
    "heart": heart,
    "grid": grid,
    "wave": wave,
    "smiley": smiley,
}
HELD_OUT_FAMILIES = tuple(HELD_OUT)


def held_out_nondigit(family: str, rng: np.random.Generator) -> Strokes:
    """One drawing of a held-out family, with a random rotation and wobble."""
    return _rotated(HELD_OUT[family](rng), rng)


def _rotated(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    a = math.radians(_u(rng, -20, 20))
    m = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return wobble([np.asarray(s) @ m.T for s in strokes], rng, 0.03)
