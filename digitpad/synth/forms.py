"""Digit writing styles MNIST hardly has, drawn as strokes; label-preserving by construction.

Every form is a function ``rng -> strokes`` in a box about one unit tall (y
down); ``draw_form`` adds the variation a hand adds (key-point jitter, aspect,
slant, a smooth elastic wobble) and the result is rendered like the canvas.

The 1 / 7 boundary is decided by the geometry people use: a 1's up-stroke flag
leaves the top at 30-75 degrees below the horizontal (any length up to 55% of
the height), a 7's bar is within 15 degrees of the horizontal and at least 35%
of the height long; flags between 15 and 30 degrees are left to the model
(``flag_one`` and ``bar_seven`` let a benchmark sweep that boundary).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from digitpad.synth.strokes import Strokes, arc, jitter_points, join, line, slant, smooth, wobble

FormFn = Callable[[np.random.Generator], Strokes]

ONE_FLAG_ANGLE = (30.0, 75.0)  # degrees below horizontal, up-stroke of a 1
ONE_FLAG_LENGTH = (0.10, 0.55)  # fraction of the height
SEVEN_BAR_ANGLE = (-15.0, 15.0)
SEVEN_BAR_LENGTH = (0.35, 0.8)


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def zero_plain(rng: np.random.Generator) -> Strokes:
    start = _u(rng, 60, 120)
    return [arc(0.3, 0.5, _u(rng, 0.22, 0.34), 0.5, start, start + 360 + _u(rng, 0, 25))]


def zero_slashed(rng: np.random.Generator) -> Strokes:
    """Ø: a loop with a slash from lower left to upper right (inside or beyond the loop)."""
    rx = _u(rng, 0.22, 0.34)
    start = _u(rng, 60, 120)
    ring = arc(0.3, 0.5, rx, 0.5, start, start + 360 + _u(rng, 0, 25))
    a, b = _u(rng, 0.6, 1.35), _u(rng, 0.6, 1.25)
    slash = line((0.3 - rx * a, 0.5 + 0.5 * b), (0.3 + rx * a, 0.5 - 0.5 * b))
    return [ring, slash] if rng.random() < 0.8 else [slash, ring]


def zero_dotted(rng: np.random.Generator) -> Strokes:
    """A zero with a dot (or a tiny dash) in the middle."""
    ring = zero_plain(rng)
    cx, cy = 0.3 + _u(rng, -0.04, 0.04), 0.5 + _u(rng, -0.06, 0.06)
    d = _u(rng, 0.0, 0.05)
    return ring + [np.array([[cx, cy], [cx + d, cy + _u(rng, -0.02, 0.02)]])]


def one_plain(rng: np.random.Generator) -> Strokes:
    return [line((0.3, 0.0), (0.3 + _u(rng, -0.04, 0.04), 1.0))]


def flag_one(length: float, angle_deg: float, stem_dx: float = 0.0) -> Strokes:
    """A 1 whose up-stroke flag is ``length`` (of the height) long at ``angle_deg`` below horizontal."""
    a = math.radians(angle_deg)
    start = (0.3 - length * math.cos(a), length * math.sin(a))
    return [line(start, (0.3, 0.0), (0.3 + stem_dx, 1.0))]


def one_flag(rng: np.random.Generator) -> Strokes:
    return flag_one(_u(rng, *ONE_FLAG_LENGTH), _u(rng, *ONE_FLAG_ANGLE), _u(rng, -0.04, 0.04))


def one_serif(rng: np.random.Generator) -> Strokes:
    """A 1 with a base serif, with or without a flag."""
    body = one_flag(rng) if rng.random() < 0.7 else one_plain(rng)
    x = float(body[0][-1, 0])
    s = _u(rng, 0.12, 0.3)
    return body + [line((x - s, 1.0), (x + s * _u(rng, 0.8, 1.2), 1.0 + _u(rng, -0.02, 0.02)))]


def two_plain(rng: np.random.Generator) -> Strokes:
    top = arc(0.3, 0.27, 0.27, 0.26, _u(rng, 150, 175), _u(rng, -45, -20))
    end = top[-1]
    return [join(top, line(tuple(end), (0.02, 1.0), (0.62, _u(rng, 0.95, 1.02)))[1:])]


def two_looped(rng: np.random.Generator) -> Strokes:
    """A 2 with a loop where the diagonal meets the base."""
    top = arc(0.3, 0.27, 0.27, 0.26, _u(rng, 150, 175), _u(rng, -45, -20))
    r = _u(rng, 0.05, 0.09)
    cx, cy = 0.1, 1.0 - r
    loop = arc(cx, cy, r * 1.2, r, 150, 150 + 360)
    return [
        smooth(join(top, line(tuple(top[-1]), tuple(loop[0]))[1:], loop, line(tuple(loop[-1]), (0.62, 1.0))[1:]), 1)
    ]


def three_plain(rng: np.random.Generator) -> Strokes:
    mid = _u(rng, 0.42, 0.52)
    upper = arc(0.28, mid / 2, 0.24, mid / 2, _u(rng, 140, 170), -90)
    lower = arc(0.28, (mid + 1) / 2, 0.3, (1 - mid) / 2, 90, _u(rng, -160, -130))
    return [join(upper, lower)]


def four_closed(rng: np.random.Generator) -> Strokes:
    bar = _u(rng, 0.55, 0.7)
    x = _u(rng, 0.4, 0.5)
    return [
        line((x, 0.0), (0.0, bar), (0.65, bar)),
        line((x + _u(rng, -0.03, 0.03), _u(rng, 0.0, 0.1)), (x, 1.0)),
    ]


def four_open(rng: np.random.Generator) -> Strokes:
    """A 4 open at the top: down, across, then the long vertical apart."""
    bar = _u(rng, 0.5, 0.65)
    x = _u(rng, 0.42, 0.52)
    return [
        line((_u(rng, 0.0, 0.12), 0.0), (0.02, bar), (0.68, bar)),
        line((x, _u(rng, 0.0, 0.15)), (x, 1.0)),
    ]


def five_plain(rng: np.random.Generator) -> Strokes:
    belly = arc(0.3, 0.68, 0.28, 0.31, 135, _u(rng, -165, -140))
    down = line((0.12, 0.0), tuple(belly[0]))
    return [join(down, belly[1:]), line((0.12, 0.0), (_u(rng, 0.5, 0.62), _u(rng, -0.04, 0.02)))]


def six_plain(rng: np.random.Generator) -> Strokes:
    pts = [(0.5, 0.02), (0.25, 0.15), (0.08, 0.5), (0.1, 0.85), (0.3, 1.0), (0.52, 0.85), (0.5, 0.62), (0.3, 0.55)]
    pts.append((0.1, _u(rng, 0.62, 0.75)))
    return [smooth(jitter_points(np.array(pts), rng, 0.015), 3)]


def bar_seven(length: float, angle_deg: float, foot: float = 0.25) -> Strokes:
    """A 7 whose bar is ``length`` (of the height) long, its left end ``angle_deg`` below the right."""
    a = math.radians(angle_deg)
    right = (0.6, 0.0)
    left = (0.6 - length * math.cos(a), length * math.sin(a))
    return [line(left, right, (foot, 1.0))]


def seven_plain(rng: np.random.Generator) -> Strokes:
    return bar_seven(_u(rng, *SEVEN_BAR_LENGTH), _u(rng, *SEVEN_BAR_ANGLE), _u(rng, 0.1, 0.4))


def seven_crossed(rng: np.random.Generator) -> Strokes:
    """A 7 with a crossbar through the middle of its stem."""
    body = seven_plain(rng)
    stem = body[0][-13:]  # the last segment: bar end to foot
    y = _u(rng, 0.42, 0.6)
    i = int(np.argmin(np.abs(stem[:, 1] - y)))
    x = float(stem[i, 0])
    w = _u(rng, 0.12, 0.25)
    return body + [line((x - w, y + _u(rng, -0.03, 0.03)), (x + w, y + _u(rng, -0.03, 0.03)))]


def seven_hooked(rng: np.random.Generator) -> Strokes:
    """A 7 with a downward hook at the bar's start and a curved stem."""
    h = _u(rng, 0.08, 0.2)
    pts = np.array([(0.0, h), (0.02, 0.0), (0.6, 0.0), (0.48, 0.35), (0.36, 0.68), (0.3, 1.0)])
    return [smooth(jitter_points(pts, rng, 0.012), 2)]


def eight_plain(rng: np.random.Generator) -> Strokes:
    mid = _u(rng, 0.42, 0.5)
    s1, s2 = _u(rng, 0, 360), _u(rng, 0, 360)
    top = arc(0.3, mid / 2, _u(rng, 0.17, 0.25), mid / 2, s1, s1 + 360)
    bottom = arc(0.3, (mid + 1) / 2, _u(rng, 0.22, 0.3), (1 - mid) / 2, s2, s2 + 360)
    return [top, bottom]


def _nine_loop(rng: np.random.Generator) -> tuple[np.ndarray, float]:
    ry = _u(rng, 0.2, 0.28)
    return arc(0.3, ry, 0.26, ry, 5, 365 + _u(rng, 0, 20)), ry


def nine_curved(rng: np.random.Generator) -> Strokes:
    loop, ry = _nine_loop(rng)
    stem = smooth(np.array([(0.56, ry), (0.55, 0.6), (0.45, 0.86), (_u(rng, 0.2, 0.35), 1.0)]), 2)
    return [join(loop, stem)]


def nine_straight(rng: np.random.Generator) -> Strokes:
    loop, ry = _nine_loop(rng)
    return [join(loop, line((0.56, ry), (0.56 + _u(rng, -0.03, 0.03), 1.0)))]


FORMS: dict[str, tuple[int, FormFn]] = {
    "0-plain": (0, zero_plain),
    "0-slashed": (0, zero_slashed),
    "0-dotted": (0, zero_dotted),
    "1-plain": (1, one_plain),
    "1-flag": (1, one_flag),
    "1-serif": (1, one_serif),
    "2-plain": (2, two_plain),
    "2-looped": (2, two_looped),
    "3-plain": (3, three_plain),
    "4-closed": (4, four_closed),
    "4-open": (4, four_open),
    "5-plain": (5, five_plain),
    "6-plain": (6, six_plain),
    "7-plain": (7, seven_plain),
    "7-crossed": (7, seven_crossed),
    "7-hooked": (7, seven_hooked),
    "8-plain": (8, eight_plain),
    "9-curved": (9, nine_curved),
    "9-straight": (9, nine_straight),
}


def vary(strokes: Strokes, rng: np.random.Generator, *, wobble_amount: float = 0.03) -> Strokes:
    """What a hand adds: aspect change, slant, an elastic wobble, then smoothing."""
    sx = math.exp(rng.uniform(-0.25, 0.25))
    out = [np.asarray(s, np.float64) * np.array([sx, 1.0]) for s in strokes]
    out = slant(out, rng.uniform(-12.0, 18.0))
    out = wobble(out, rng, wobble_amount)
    return [smooth(s, 1) if len(s) > 2 else s for s in out]


def draw_form(name: str, rng: np.random.Generator) -> tuple[int, Strokes]:
    """``(label, strokes)`` of one random instance of form ``name``."""
    label, fn = FORMS[name]
    return label, vary(fn(rng), rng)
