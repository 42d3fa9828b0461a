"""Each synthetic digit form: the label it claims, the geometry that makes it that form, a real rendering."""

from __future__ import annotations

import math

import numpy as np
import pytest

from digitpad.normalize import normalize, stroke_width
from digitpad.synth.forms import (
    FORMS,
    ONE_FLAG_ANGLE,
    SEVEN_BAR_ANGLE,
    SEVEN_BAR_LENGTH,
    bar_seven,
    draw_form,
    flag_one,
    four_open,
    one_flag,
    one_serif,
    seven_crossed,
    two_looped,
    zero_dotted,
    zero_slashed,
)
from digitpad.synth.render import fit, render
from digitpad.synth.strokes import bounds


def rngs(n: int = 30):
    return [np.random.default_rng(i) for i in range(n)]


@pytest.mark.parametrize("name", list(FORMS))
def test_every_form_keeps_its_label_and_renders_a_digit(name):
    expected = int(name.split("-")[0])
    for rng in rngs(10):
        label, strokes = draw_form(name, rng)
        assert label == expected
        assert all(np.isfinite(s).all() and s.ndim == 2 and s.shape[1] == 2 for s in strokes)
        result = normalize(render(fit(strokes, 0.6), 22.0))
        assert not result.empty


def test_forms_are_reproducible_from_the_seed():
    a = draw_form("7-crossed", np.random.default_rng(5))[1]
    b = draw_form("7-crossed", np.random.default_rng(5))[1]
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_slashed_zero_has_a_slash_through_the_middle_of_the_ring():
    for rng in rngs():
        ring, slash = sorted(zero_slashed(rng), key=len, reverse=True)[:2]
        (x0, y0), (x1, y1) = slash[0], slash[-1]
        assert x1 > x0 and y1 < y0  # from lower left to upper right
        cx, cy = ring[:, 0].mean(), ring[:, 1].mean()
        # the slash passes close to the ring's centre
        d = abs((y1 - y0) * (cx - x0) - (x1 - x0) * (cy - y0)) / math.hypot(x1 - x0, y1 - y0)
        assert d < 0.08


def test_dotted_zero_has_its_dot_inside_the_ring():
    for rng in rngs():
        ring, dot = zero_dotted(rng)
        x0, y0, x1, y1 = bounds([ring])
        assert len(dot) <= 2
        assert x0 < dot[:, 0].min() and dot[:, 0].max() < x1 and y0 < dot[:, 1].min() and dot[:, 1].max() < y1


def _flag_geometry(stroke: np.ndarray, apex: int | None = None) -> tuple[float, float]:
    """(angle below horizontal in degrees, length) of a 1's flag or a 7's bar: start point to apex."""
    top = stroke[int(np.argmin(stroke[:, 1])) if apex is None else apex]
    start = stroke[0]
    dx, dy = top[0] - start[0], start[1] - top[1]
    return math.degrees(math.atan2(dy, dx)), math.hypot(dx, dy)


def test_flagged_ones_leave_the_top_steeply_and_sevens_flat():
    for rng in rngs():
        (stroke,) = one_flag(rng)
        angle, length = _flag_geometry(stroke)
        assert ONE_FLAG_ANGLE[0] - 1e-6 <= angle <= ONE_FLAG_ANGLE[1] + 1e-6
        assert 0.05 < length < 0.6
        assert abs(stroke[-1, 0] - stroke[int(np.argmin(stroke[:, 1])), 0]) < 0.05  # the stem is upright
    for length in SEVEN_BAR_LENGTH:
        for angle in SEVEN_BAR_ANGLE:
            (stroke,) = bar_seven(length, angle)
            got, got_length = _flag_geometry(stroke, apex=12)  # line() samples 12 points a segment
            assert abs(got - angle) < 1e-6 and got_length == pytest.approx(length)
    # the sweep helpers put the flag where they are told
    (stroke,) = flag_one(0.4, 45.0)
    assert _flag_geometry(stroke) == pytest.approx((45.0, 0.4))


def test_serif_one_has_a_base_bar_at_its_foot():
    for rng in rngs():
        strokes = one_serif(rng)
        base = strokes[-1]
        assert abs(base[0, 1] - 1.0) < 0.03 and abs(base[-1, 1] - 1.0) < 0.03
        foot_x = strokes[0][-1, 0]
        assert base[0, 0] < foot_x < base[-1, 0]


def test_crossed_seven_crossbar_crosses_the_stem():
    for rng in rngs():
        body, bar = seven_crossed(rng)
        stem = body[-13:]
        y = bar[:, 1].mean()
        x = np.interp(y, stem[:, 1], stem[:, 0])
        assert bar[0, 0] < x < bar[-1, 0]
        assert 0.35 < y < 0.7


def test_open_four_does_not_close_at_the_top():
    for rng in rngs():
        left, right = four_open(rng)
        # the left stroke's top is well left of the vertical: a gap, no apex
        assert right[:, 0].mean() - left[0, 0] > 0.25


def test_looped_two_crosses_itself():
    for rng in rngs():
        (stroke,) = two_looped(rng)
        assert _self_intersects(stroke[len(stroke) // 2 :])


def _self_intersects(p: np.ndarray) -> bool:
    segs = list(zip(p[:-1], p[1:], strict=True))
    for i, (a, b) in enumerate(segs):
        for c, d in segs[i + 2 :]:
            if _cross(a, b, c, d):
                return True
    return False


def _cross(a, b, c, d) -> bool:
    def orient(p, q, r):
        return np.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]))

    return orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0


@pytest.mark.parametrize("pen", [4.0, 22.0, 60.0])
def test_render_draws_the_pen_width_asked_for(pen):
    from digitpad.synth.strokes import line

    image = render([line((0.5, 0.2), (0.5, 0.8))], pen)
    assert np.count_nonzero(image[140] > 127) == pytest.approx(pen, abs=1.5)  # across the middle
    assert image[:, :].max() == 255 and image[0].max() == 0  # round caps stay inside the ends
    assert stroke_width(image.astype(np.float32) / 255.0) <= pen * 1.05
