"""The inference worker in its own thread, with the real predictor and shipped weights."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from digitpad.gui.pad.inference_worker import InferenceWorker, load_predictor, start_worker, stop_worker
from digitpad.gui.widgets.qimage_array import gray_to_qimage
from tests.qt_shared import MODEL_TIMEOUT_MS, GatedPredictor, Relay, drawn_seven

mnist_like_seven = drawn_seven


@pytest.fixture
def run_worker(qtbot, weights):
    started: list[tuple[InferenceWorker, object]] = []

    def run(factory=None, wait: bool = True) -> tuple[InferenceWorker, Relay]:
        worker = InferenceWorker(weights, factory)
        relay = Relay(worker)
        thread = start_worker(worker)
        started.append((worker, thread))
        if wait:
            with qtbot.waitSignal(relay.weights_loaded, timeout=MODEL_TIMEOUT_MS):
                worker.load_weights(str(weights))
        return worker, relay

    yield run
    for worker, thread in started:
        stop_worker(worker, thread)
        assert thread.isFinished()


def test_predicts_a_drawing(qtbot, run_worker):
    worker, relay = run_worker()
    with qtbot.waitSignal(relay.predicted, timeout=10_000) as blocker:
        worker.request_drawing(7, mnist_like_seven())
    request_id, prediction = blocker.args
    assert request_id == 7
    assert prediction.digit == 7 and not prediction.empty
    assert prediction.probabilities.shape == (10,)
    assert abs(float(prediction.probabilities.sum()) - 1.0) < 1e-3
    assert prediction.preview.shape == (28, 28)


def test_a_blank_drawing_is_empty_not_a_digit(qtbot, run_worker):
    worker, relay = run_worker()
    blank = gray_to_qimage(np.zeros((140, 140), np.uint8))
    with qtbot.waitSignal(relay.predicted, timeout=10_000) as blocker:
        worker.request_drawing(1, blank)
    prediction = blocker.args[1]
    assert prediction.empty and prediction.digit is None and prediction.confidence == 0.0


def test_a_flood_of_requests_answers_only_the_first_and_the_newest(qtbot, run_worker):
    gated = GatedPredictor()
    worker, relay = run_worker(gated.factory)
    image = mnist_like_seven()
    worker.request_drawing(1, image)
    qtbot.waitUntil(gated.entered.is_set, timeout=10_000)  # the worker is now busy with request 1
    for request_id in range(2, 201):
        worker.request_drawing(request_id, image)
    with qtbot.waitSignal(relay.predicted, timeout=10_000, check_params_cb=lambda request_id, _p: request_id == 200):
        gated.release.set()
    assert relay.ids == [1, 200]
    assert gated.calls == 2


def test_bad_weights_keep_the_current_model(qtbot, run_worker, tmp_path):
    worker, relay = run_worker()
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    with (
        qtbot.waitSignal(relay.weights_failed, timeout=10_000) as failed,
        qtbot.assertNotEmitted(relay.weights_loaded, wait=100),
    ):
        worker.load_weights(str(broken))
    assert failed.args[0] and "\n" not in failed.args[0]
    with qtbot.waitSignal(relay.predicted, timeout=10_000) as blocker:
        worker.request_drawing(3, mnist_like_seven())
    assert blocker.args[1].digit == 7


def test_missing_weights_at_start_fall_back_to_the_shipped_ones(qtbot, run_worker, tmp_path):
    worker, relay = run_worker(wait=False)
    with (
        qtbot.waitSignal(relay.weights_loaded, timeout=MODEL_TIMEOUT_MS) as loaded,
        qtbot.waitSignal(relay.weights_failed, timeout=MODEL_TIMEOUT_MS) as failed,
    ):
        worker.load_weights(str(tmp_path / "gone.pt"))
    assert "gone.pt" in failed.args[0]
    description = loaded.args[0]
    assert description.startswith("digitpad.pt") and "shipped" in description


def test_stopping_a_busy_worker_does_not_hang(qtbot, run_worker):
    gated = GatedPredictor(hold_s=0.5)
    worker, relay = run_worker(gated.factory)
    thread = worker.thread()
    worker.request_drawing(1, mnist_like_seven())
    qtbot.waitUntil(gated.entered.is_set, timeout=10_000)
    worker.request_drawing(2, mnist_like_seven())  # pending: dropped by stop()
    stop_worker(worker, thread)
    assert thread.isFinished()
    assert gated.calls == 1


def test_the_real_factory_limits_torch_to_one_thread(qtbot, weights):
    result: dict[str, int] = {}

    def probe():
        load_predictor(weights)
        import torch

        result["threads"] = torch.get_num_threads()

    thread = threading.Thread(target=probe)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=MODEL_TIMEOUT_MS)
    assert result["threads"] == 1


def test_the_first_load_removes_temp_files_that_killed_saves_left(weights) -> None:
    from digitpad.checkpoint import _host_tag
    from digitpad.gui.pad import inference_worker
    from digitpad.paths import user_weights_dir

    folder = user_weights_dir()
    folder.mkdir(parents=True)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a process that has ended: its half-written save is garbage
    dead = folder / f".w.pt.{_host_tag()}-{child.pid}.0a1b2c3d.tmp"
    live = folder / f".w.pt.{_host_tag()}-{os.getppid()}.0a1b2c3d.tmp"  # maybe saving right now
    for path in (dead, live):
        path.write_bytes(b"partial")
    inference_worker._remove_stale_saves_once.cache_clear()  # once per process: this test is "the next start"
    load_predictor(weights)
    assert not dead.exists() and live.exists()


def test_a_drawing_request_hands_its_pen_paths_to_the_predictor(qtbot, run_worker):
    handed: list = []

    class Recording:
        def __init__(self, real) -> None:
            self.real = real

        def predict_image(self, gray, alpha=None, *, dot_rule=True, strokes=None):
            handed.append(strokes)
            return self.real.predict_image(gray, alpha, dot_rule=dot_rule, strokes=strokes)

    worker, relay = run_worker(lambda path: Recording(load_predictor(path)))
    seven = (((60.0, 60.0), (220.0, 60.0), (120.0, 230.0)),)
    with qtbot.waitSignal(relay.predicted, timeout=10_000):
        worker.request_drawing(1, mnist_like_seven(), True, seven)
    with qtbot.waitSignal(relay.predicted, timeout=10_000):
        worker.request_drawing(2, mnist_like_seven())  # an image without paths
    first, second = handed
    (path,) = first  # one stroke
    assert path.dtype == np.float32 and path.shape == (3, 2)
    assert np.array_equal(path, np.array(seven[0], np.float32))
    assert second is None


def test_the_worker_reads_the_pad_with_the_stroke_model_when_one_ships(weights):
    from digitpad.resources import stroke_weights
    from digitpad.stroke_recipe import MAX_COMBINE_WEIGHT

    predictor = load_predictor(weights)
    if stroke_weights() is None:
        assert predictor.strokes is None
    else:
        assert predictor.strokes is not None and 0.0 < predictor.strokes.weight <= MAX_COMBINE_WEIGHT
