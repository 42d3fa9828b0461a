"""The whole window: drawing with the mouse, live answers, stale answers, shutdown."""

from __future__ import annotations

import pytest
from gui_helpers import ONE, SEVEN, ZERO, draw, load_mnist_test, mnist_strokes
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from digitpad.gui.main_window import LOADING_TEXT
from digitpad.gui.pad.result_panel import PLACEHOLDER_DIGIT
from tests.qt_shared import GatedPredictor, Relay

ANSWER_MS = 10_000


def draw_and_wait(qtbot, window, strokes):
    """Draw, then wait until the answer to the newest request is on screen."""
    draw(window.canvas, strokes)
    qtbot.waitUntil(
        lambda: window.last_prediction is not None and window.shown_request_id == window.latest_request_id,
        timeout=ANSWER_MS,
    )
    return window.last_prediction


def test_starts_loading_then_ready(qtbot, make_window):
    window = make_window(wait=False)
    # the window is up before the model: "Loading model…" (unless the load already won the race)
    assert window.statusBar().currentMessage() == LOADING_TEXT or window.model_description
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("Ready — model: digitpad.pt (shipped"), timeout=30_000
    )
    assert window.result_panel.shown_digit() is None
    assert window.result_panel.digit_label.text() == PLACEHOLDER_DIGIT
    assert window.train_action.isEnabled()  # Model > Train… is available


@pytest.mark.parametrize(("strokes", "digit"), [(ZERO, 0), (ONE, 1), (SEVEN, 7)], ids=["0", "1", "7"])
def test_drawing_a_digit_shows_it(qtbot, window, strokes, digit):
    prediction = draw_and_wait(qtbot, window, strokes)
    assert prediction.digit == digit
    assert window.result_panel.shown_digit() == digit
    assert window.result_panel.bars.values()[digit] == pytest.approx(prediction.confidence)
    assert f"{prediction.confidence:.0%}" in window.result_panel.confidence_label.text()
    assert window.result_panel.preview.image() is not None


@pytest.mark.mnist
def test_traced_mnist_digits_are_recognised(qtbot, window, mnist_dir):
    images, labels = load_mnist_test(mnist_dir, 12)
    window.pen_width_box.setValue(12)
    right = 0
    for image, label in zip(images, labels, strict=False):
        window.canvas.clear()
        prediction = draw_and_wait(qtbot, window, mnist_strokes(image))
        right += prediction.digit == int(label)
    assert right >= 11, f"{right}/12 traced MNIST digits recognised"


def test_every_stroke_end_is_answered_and_clear_returns_to_empty(qtbot, window):
    relay = Relay(window.worker)
    draw_and_wait(qtbot, window, ONE)
    first = window.latest_request_id
    draw_and_wait(qtbot, window, [[(0.3, 0.5), (0.7, 0.5)]])
    assert window.latest_request_id > first
    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keySequence(window, QKeySequence(QKeySequence.StandardKey.Undo))
    assert len(window.canvas.strokes()) == 1
    # every answer in flight has arrived (the relay hears after the window does)
    qtbot.waitUntil(lambda: relay.ids[-1:] == [window.latest_request_id], timeout=ANSWER_MS)
    with qtbot.assertNotEmitted(relay.predicted, wait=200):
        QTest.keySequence(window, QKeySequence("Delete"))
    assert window.canvas.is_empty()
    assert window.result_panel.shown_digit() is None and window.last_prediction is None
    window.canvas.undo()
    qtbot.waitUntil(lambda: relay.ids[-1:] == [window.latest_request_id], timeout=ANSWER_MS)
    with qtbot.assertNotEmitted(relay.predicted, wait=200):
        QTest.keySequence(window, QKeySequence("Escape"))
    assert window.canvas.is_empty()


def test_undo_and_redo_ask_again(qtbot, window):
    draw_and_wait(qtbot, window, SEVEN)
    draw_and_wait(qtbot, window, [[(0.2, 0.5), (0.8, 0.5)]])
    with qtbot.waitSignal(window.prediction_shown, timeout=ANSWER_MS):
        window.undo_action.trigger()
    assert window.last_prediction.digit == 7
    with qtbot.waitSignal(window.prediction_shown, timeout=ANSWER_MS):
        window.redo_action.trigger()
    assert len(window.canvas.strokes()) == 2


def test_a_scribble_shows_its_confidence_honestly(qtbot, window):
    scribble = [[(0.2, 0.3), (0.8, 0.35), (0.25, 0.5), (0.75, 0.55), (0.3, 0.7), (0.7, 0.75)]]
    prediction = draw_and_wait(qtbot, window, scribble)
    text = window.result_panel.confidence_label.text()
    assert f"{prediction.confidence:.0%}" in text
    assert window.result_panel.shown_verdict() == prediction.verdict
    if prediction.verdict == "not-a-digit":
        assert text.startswith("Looks like no digit") and window.result_panel.shown_digit() is None
    elif prediction.confidence < 0.5:
        assert text.startswith("Unsure") and prediction.verdict == "unsure"


def test_stale_answers_are_dropped(qtbot, make_window):
    gated = GatedPredictor()
    window = make_window(gated.factory)
    draw(window.canvas, ONE)  # request(s) for the "1": the first one is held in the worker
    qtbot.waitUntil(gated.entered.is_set, timeout=ANSWER_MS)
    draw(window.canvas, [[(0.3, 0.5), (0.7, 0.5)]])  # newer requests while the worker is busy
    newest = window.latest_request_id
    with qtbot.waitSignal(
        window.prediction_shown, timeout=ANSWER_MS, check_params_cb=lambda request_id: request_id == newest
    ):
        gated.release.set()
    assert window.stale_answers >= 1
    assert gated.calls == 2  # the held request and the newest one, nothing in between
    assert window.shown_request_id == newest


def test_closing_while_the_worker_is_busy_does_not_hang(qtbot, make_window):
    gated = GatedPredictor(hold_s=0.5)
    window = make_window(gated.factory)
    thread = window.worker_thread
    draw(window.canvas, SEVEN)
    qtbot.waitUntil(gated.entered.is_set, timeout=ANSWER_MS)
    window.close()
    assert thread.isFinished()


def test_a_small_digit_with_the_thickest_pen_gets_a_reading_not_no_digit_found(qtbot, window):
    import numpy as np

    from digitpad.gui.pad.canvas import MAX_PEN_WIDTH
    from digitpad.synth.forms import draw_form
    from tests.canvas_replay import draw as draw_on_paper
    from tests.canvas_replay import fit_strokes

    strokes = fit_strokes(draw_form("8-plain", np.random.default_rng(0))[1], 0.25)  # a round blob of ink
    draw_on_paper(window.canvas, strokes, pen=MAX_PEN_WIDTH)
    qtbot.waitUntil(
        lambda: window.last_prediction is not None and window.shown_request_id == window.latest_request_id,
        timeout=ANSWER_MS,
    )
    assert not window.last_prediction.empty
    assert window.result_panel.shown_digit() is not None or window.last_prediction.verdict == "not-a-digit"


def test_what_the_app_starts_with_is_left_out_of_the_cyclic_collector(make_window):
    import gc

    gc.unfreeze()  # as at a fresh start, whatever earlier tests did
    assert gc.get_freeze_count() == 0
    window = make_window()  # waits for the model
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # Qt, torch and the model: full collections no longer walk them
    garbage = [[] for _ in range(1000)]  # new objects: a second freeze would take them in too
    window.worker.weights_loaded.emit(window.model_description)  # another model loaded: no second freeze
    # a second freeze would take in the 1,000 new lists; frozen objects that die leave the count
    assert gc.get_freeze_count() <= frozen and garbage


def test_the_digit_pad_hands_its_pen_path_to_the_stroke_model(qtbot, window, monkeypatch):
    import numpy as np

    import digitpad.predictor as predictor_module
    from digitpad.gui.pad import inference_worker

    model = inference_worker._stroke_model()  # the one the worker's predictor carries
    assert model is not None, "the stroke model ships (weights/strokes.pt)"
    asked = []
    real = model.probabilities

    def recording(drawings):
        asked.append(drawings)
        return real(drawings)

    monkeypatch.setattr(model, "probabilities", recording)
    monkeypatch.setattr(predictor_module, "VOTE_BELOW", 2.0)  # ask it even about a sure drawing
    prediction = draw_and_wait(qtbot, window, ONE)
    assert prediction.digit == 1
    (path,) = asked[-1][0]  # one drawing, one stroke
    points = np.asarray(path)
    assert points.shape[1] == 2 and len(points) >= 3
    # render units (280 per paper side), in the order written: the flag's tip first, then down the stem
    assert points[:, 1].max() > 0.8 * 280 and points[0, 1] < points[-1, 1]
