"""Normalisation across every pen the pen box offers and every digit size, through the real canvas.

Digits are replayed as mouse strokes on ``DrawingCanvas``; what it renders goes
through the app's normalisation and the shipped predictor, as in the window.
"""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.gui.pad.canvas import MAX_PEN_WIDTH, MIN_PEN_WIDTH
from digitpad.gui.pad.inference_worker import drawing_of
from digitpad.gui.widgets.qimage_array import qimage_to_gray
from digitpad.normalize import normalize, stroke_width
from digitpad.predictor import Predictor
from digitpad.resources import shipped_weights
from digitpad.synth.forms import draw_form, eight_plain, four_closed, one_plain, seven_plain, zero_plain
from tests.canvas_replay import draw, drawn_gray, fit_strokes, new_canvas, read_like_the_app

DIGITS = {0: zero_plain, 1: one_plain, 4: four_closed, 7: seven_plain, 8: eight_plain}
PENS = (MIN_PEN_WIDTH, 12, 22, 40, MAX_PEN_WIDTH)


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return Predictor.from_checkpoint(shipped_weights())


@pytest.fixture
def canvas(qtbot):
    widget = new_canvas()
    qtbot.addWidget(widget)
    return widget


def strokes_of(digit: int):
    return DIGITS[digit](np.random.default_rng(digit))


def ink_box(preview: np.ndarray) -> int:
    rows, cols = np.nonzero(preview >= 64)
    return int(max(rows.max() - rows.min() + 1, cols.max() - cols.min() + 1))


@pytest.mark.parametrize("pen", PENS)
@pytest.mark.parametrize("height", [0.25, 0.6, 1.0])
def test_every_pen_and_size_gives_an_mnist_like_input(canvas, pen, height):
    for digit in DIGITS:
        draw(canvas, fit_strokes(strokes_of(digit), height), pen=pen)
        result = normalize(drawn_gray(canvas))
        assert not result.empty, f"{digit} at pen {pen}, height {height} read as empty"
        assert 19 <= ink_box(result.preview) <= 21
        if height * 280 >= 3 * pen:  # a digit, not a blob: strokes in MNIST's range
            assert 1.0 <= stroke_width(result.preview / 255.0) <= 4.5


@pytest.mark.parametrize("pen", PENS)
def test_every_pen_reads_the_digit(canvas, predictor, pen):
    for digit in DIGITS:
        draw(canvas, fit_strokes(strokes_of(digit), 0.6), pen=pen)
        prediction = predictor.predict_image(drawn_gray(canvas))
        assert prediction.digit == digit, f"{digit} at pen {pen} read as {prediction.digit}"
        assert prediction.verdict in ("digit", "unsure")


def test_a_click_is_empty_even_with_the_thickest_pen(canvas, predictor):
    for pen in PENS:
        draw(canvas, [np.array([[0.5, 0.5], [0.502, 0.5]])], pen=pen)
        assert predictor.predict_image(drawn_gray(canvas)).verdict == "empty"


def test_the_thickest_pen_drawn_large_is_still_a_digit(canvas, predictor):
    # a pen-60 zero at full height covers about half the pad: still ink on paper
    draw(canvas, fit_strokes(strokes_of(0), 1.0), pen=MAX_PEN_WIDTH)
    gray = drawn_gray(canvas)
    assert (gray > 0.5).mean() > 0.3
    assert predictor.predict_image(gray).digit == 0


def test_a_small_digit_with_the_thickest_pen_is_read_not_taken_for_a_dot(canvas, predictor):
    # two short strokes of a pen-60 eight at a quarter of the pad: a round, solid blob of ink
    draw(canvas, fit_strokes(draw_form("8-plain", np.random.default_rng(0))[1], 0.25), pen=MAX_PEN_WIDTH)
    assert normalize(drawn_gray(canvas)).empty  # the pixels alone look like a dot ...
    assert drawing_of(canvas)[1]  # ... but the pen travelled, which a tap never does
    assert read_like_the_app(predictor, canvas).verdict != "empty"


def test_taps_stay_empty_in_the_apps_reading(canvas, predictor):
    for pen in PENS:
        draw(canvas, [np.array([[0.4, 0.5], [0.401, 0.5]]), np.array([[0.6, 0.5], [0.6, 0.502]])], pen=pen)
        assert not drawing_of(canvas)[1]
        assert read_like_the_app(predictor, canvas).verdict == "empty"


def test_the_recogniser_reads_a_marker_thick_pen_thinner_than_the_pad_shows_it(canvas):
    draw(canvas, fit_strokes(strokes_of(8), 0.3), pen=MAX_PEN_WIDTH)
    shown = canvas.render_gray()
    image, moved, _ = drawing_of(canvas)
    read = qimage_to_gray(image)
    assert moved
    assert (read > 127).sum() < 0.6 * (shown > 127).sum()  # a thinner pen along the same path
    assert not (read > 127)[shown <= 127].any()  # ... never ink where the pad shows none
    draw(canvas, fit_strokes(strokes_of(8), 0.6), pen=22)  # the default pen: read exactly as shown
    assert np.array_equal(qimage_to_gray(drawing_of(canvas)[0]), canvas.render_gray())


@pytest.mark.parametrize("digit", sorted(DIGITS))
def test_the_widest_pen_on_a_small_digit_reads_as_the_default_pen_does(canvas, predictor, digit):
    draw(canvas, fit_strokes(strokes_of(digit), 0.3), pen=22)
    assert read_like_the_app(predictor, canvas).digit == digit
    draw(canvas, fit_strokes(strokes_of(digit), 0.3), pen=MAX_PEN_WIDTH)
    reading = read_like_the_app(predictor, canvas)
    assert (reading.digit, reading.verdict) == (digit, "digit")


def test_the_pad_hands_the_worker_its_pen_paths_in_writing_order(canvas):
    four = strokes_of(4)
    draw(canvas, fit_strokes(four, 0.6), pen=22)
    _, moved, paths = drawing_of(canvas)
    assert moved and len(paths) == len(canvas.ink_strokes()) == len(four)
    for path, stroke in zip(paths, canvas.ink_strokes(), strict=True):
        # render units (280 per paper height): the paper's fractions scaled, one point per point
        assert len(path) == len(stroke.points)
        assert np.allclose(np.array(path) / 280.0, np.array(stroke.points), atol=1e-4)
    # the order in which they were written, as the stroke model reads them
    first_x = [p[0][0] for p in paths]
    drawn_first = [float(np.asarray(s)[0, 0]) for s in fit_strokes(four, 0.6)]
    assert np.argsort(first_x).tolist() == np.argsort(drawn_first).tolist()
