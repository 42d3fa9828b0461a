"""The pen the recogniser reads a pad drawing with (digitpad.ink)."""

from __future__ import annotations

import numpy as np

from digitpad.ink import MIN_READING_PEN, READING_PEN, InkStroke, pen_moved, reading_strokes, reading_widths


def zero(height: float, pen: float) -> list[InkStroke]:
    t = np.linspace(0.0, 2 * np.pi, 61)  # through both ends of the long axis
    points = np.stack([100 + 0.35 * height * np.sin(t), 100 + 0.5 * height * np.cos(t)], axis=1)
    return [InkStroke(points, pen)]


def test_a_pen_in_proportion_is_read_as_drawn():
    strokes = zero(168.0, 22.0)  # the default pen on a digit 60% of the pad tall
    assert reading_widths(strokes) == [22.0]


def test_a_marker_thick_pen_is_read_at_most_a_fifth_of_the_drawing():
    strokes = zero(168.0, 60.0)
    assert reading_widths(strokes) == [READING_PEN * 168.0]
    small = zero(70.0, 22.0)  # the default pen on a digit a quarter of the pad tall
    (width,) = reading_widths(small)
    assert width == READING_PEN * 70.0 < 22.0


def test_every_stroke_of_a_drawing_shares_the_drawings_limit():
    seven = [
        InkStroke(np.array([[0.0, 0.0], [60.0, 0.0], [20.0, 100.0]]), 40.0),
        InkStroke(np.array([[15.0, 50.0], [45.0, 50.0]]), 10.0),  # the crossbar, thinner already
    ]
    assert reading_widths(seven) == [20.0, 10.0]
    assert [s.width for s in reading_strokes(seven)] == [20.0, 10.0]
    assert all(np.array_equal(a.points, b.points) for a, b in zip(seven, reading_strokes(seven), strict=True))


def test_a_tiny_drawing_never_gets_a_pen_below_the_pads_thinnest():
    scribble = [InkStroke(np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0], [8.0, 8.0]]), 20.0)]
    assert pen_moved(scribble)
    assert reading_widths(scribble) == [MIN_READING_PEN]


def test_a_tap_keeps_its_pen_so_it_stays_a_dot():
    tap = [InkStroke(np.array([[50.0, 50.0], [51.0, 50.0]]), 60.0)]
    assert not pen_moved(tap)
    assert reading_widths(tap) == [60.0]
    assert reading_widths([]) == []
