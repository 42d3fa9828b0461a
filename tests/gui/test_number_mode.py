"""Number mode: a wide pad, a number written with mouse events, read digit by digit, one digit corrected."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QSettings, Qt

from digitpad.gui.main_window import NUMBER_ASPECT
from digitpad.gui.pad.canvas import RENDER_SIZE
from digitpad.sample_store import SampleStore, default_store_path
from tests.gui.gui_helpers import draw_stroke
from tests.number_strokes import four, one, picture, seven, zero
from tests.qt_shared import ANSWER_TIMEOUT_MS


def _write(window, strokes) -> None:
    """Pad-unit strokes (tests/number_strokes.py) written on the pad, one mouse stroke each."""
    width = RENDER_SIZE * NUMBER_ASPECT
    for s in strokes:
        points = [(float(x) / width, float(y) / RENDER_SIZE) for x, y in s.points[::3]]
        draw_stroke(window.canvas, points, steps=2)


def _number_mode(qtbot, window) -> None:
    window.number_action.trigger()
    assert window.number_mode()
    qtbot.waitUntil(lambda: window.number_result.isVisible())


def test_number_mode_widens_the_pad_and_is_remembered(qtbot, make_window, settings: QSettings) -> None:
    window = make_window()
    square = window.canvas.paper_rect()
    assert abs(square.width() - square.height()) < 1
    _number_mode(qtbot, window)
    wide = window.canvas.paper_rect()
    assert wide.width() / wide.height() == NUMBER_ASPECT
    assert not window.result_panel.isVisible()
    window.close()
    again = make_window(qsettings=settings)
    assert again.number_mode() and again.canvas.paper_aspect() == NUMBER_ASPECT


def test_writing_a_number_shows_each_digit(qtbot, window) -> None:
    _number_mode(qtbot, window)
    bar7, stem7 = seven(290)
    l4, stem4 = four(430)
    strokes = one(40) + zero(130) + [stem7, l4, bar7, stem4]  # the bar of the 7 and the stem of the 4 come last
    with qtbot.waitSignal(window.number_shown, timeout=ANSWER_TIMEOUT_MS) as shown:
        _write(window, strokes)
    qtbot.waitUntil(lambda: window.shown_request_id == window.latest_request_id, timeout=ANSWER_TIMEOUT_MS)
    assert shown.args is not None
    assert window.number_result.shown_number() == "1074"
    tiles = window.number_result.tiles()
    assert len(tiles) == 4
    assert tiles[2].text().startswith("7")
    assert [d.members for d in window.last_reading.digits][2:] == [(2, 4), (3, 5)]


def test_correcting_one_digit_changes_only_that_digit(qtbot, window) -> None:
    _number_mode(qtbot, window)
    _write(window, zero(40) + list(seven(200)))
    qtbot.waitUntil(lambda: window.number_result.shown_number() == "07", timeout=ANSWER_TIMEOUT_MS)
    result = window.number_result
    qtbot.mouseClick(result.tiles()[1], Qt.MouseButton.LeftButton)
    assert result.selected() == 1
    assert result.bars.values()[7] == max(result.bars.values())  # its ten probabilities are on show
    button = result._correct_group.button(1)
    with qtbot.waitSignal(window.number_digit_corrected) as corrected:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    index, digit, reading_digit = corrected.args
    assert (index, digit) == (1, 1)
    assert reading_digit.digit == 7 and reading_digit.input.shape == (28, 28)
    assert result.shown_number() == "01"
    assert result.tiles()[0].text().startswith("0")  # the other digit is untouched
    with SampleStore.open(default_store_path()) as store:  # the corrected digit alone became a personal sample
        (sample,) = list(store.samples())
    assert (sample.label, sample.source, sample.predicted) == (1, "pad", 7)
    assert sample.strokes is not None and len(sample.strokes) == len(reading_digit.members) == 2
    np.testing.assert_array_equal(sample.image, reading_digit.preview)


def test_an_image_of_a_number_opens_in_number_mode(qtbot, window, tmp_path) -> None:
    _number_mode(qtbot, window)
    path = tmp_path / "n.png"
    Image.fromarray(picture(one(40) + zero(130))).save(path)
    with qtbot.waitSignal(window.number_shown, timeout=ANSWER_TIMEOUT_MS):
        window.open_file(path)
    assert window.number_result.shown_number() == "10"
    assert window.canvas.has_image()


def test_clearing_the_number_pad_returns_to_empty(qtbot, window) -> None:
    _number_mode(qtbot, window)
    _write(window, one(40))
    qtbot.waitUntil(lambda: window.number_result.shown_number() == "1", timeout=ANSWER_TIMEOUT_MS)
    window.clear_action.trigger()
    assert window.number_result.shown_number() == ""
    assert np.asarray(window.number_result.tiles()).size == 0


def test_low_confidence_digits_are_marked(qtbot) -> None:
    from digitpad.gui.pad.number_result import NumberResult
    from digitpad.number_reader import DigitReading, NumberReading

    def digit(value: int, confidence: float, verdict: str = "digit") -> DigitReading:
        p = np.full(10, (1 - confidence) / 9, np.float32)
        p[value] = confidence
        blank = np.zeros((28, 28), np.uint8)
        return DigitReading(value, confidence, p, (0, 0, 1, 1), verdict, blank, blank.astype(np.float32))

    strip = NumberResult()
    qtbot.addWidget(strip)
    strip.set_reading(NumberReading((digit(4, 0.95), digit(7, 0.6), digit(1, 0.3, "unsure"))))
    texts = [t.text() for t in strip.tiles()]
    assert texts == ["4\n95%", "7?\n60%", "1?\n30%"]
    assert strip.shown_number() == "471"
    strip.set_reading(NumberReading(()))
    assert strip.shown_number() == "" and not strip.tiles()


def test_a_digit_alone_is_drawn_as_the_digit_pad_draws_it(qtbot) -> None:
    from digitpad.gui.pad.canvas import DrawingCanvas
    from digitpad.gui.pad.stroke_render import render_like_canvas
    from digitpad.ink import from_paper
    from digitpad.normalize import normalize
    from tests.gui.gui_helpers import SEVEN, draw

    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(420, 420)
    canvas.show()
    draw(canvas, SEVEN)
    on_pad = normalize(canvas.render_gray())
    ink = from_paper([(s.width, s.points) for s in canvas.strokes()], RENDER_SIZE, RENDER_SIZE)
    alone = normalize(render_like_canvas(ink))
    assert on_pad.input is not None and alone.input is not None
    assert np.abs(on_pad.input - alone.input).max() < 1e-4  # the same pixels reach the network


def test_each_digit_of_a_written_number_is_read_with_its_own_pen_path(qtbot, window, monkeypatch) -> None:
    import digitpad.predictor as predictor_module
    from digitpad.gui.pad import inference_worker

    model = inference_worker._stroke_model()  # the one the worker's predictor carries
    assert model is not None, "the stroke model ships (weights/strokes.pt)"
    asked: list[list[int]] = []
    real = model.probabilities

    def recording(drawings):
        asked.append([len(d) for d in drawings])  # strokes per digit asked about
        return real(drawings)

    monkeypatch.setattr(model, "probabilities", recording)
    monkeypatch.setattr(predictor_module, "VOTE_BELOW", 2.0)  # ask it about every digit, sure or not
    _number_mode(qtbot, window)
    _write(window, zero(40) + list(seven(200)))
    qtbot.waitUntil(lambda: window.number_result.shown_number() == "07", timeout=ANSWER_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.shown_request_id == window.latest_request_id, timeout=ANSWER_TIMEOUT_MS)
    assert asked and asked[-1] == [1, 2]  # the 0's one stroke, the 7's bar and stem: the chosen digits only
