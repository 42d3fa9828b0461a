"""The core's whole training run: data source, starting weights, evaluation, atomic save, one outcome."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime

import numpy as np
import pytest
import torch

from digitpad.checkpoint import load_checkpoint
from digitpad.data import Split, arrays_source, load_mnist
from digitpad.errors import DataError, TrainingError
from digitpad.evaluate import evaluate
from digitpad.resources import shipped_weights
from digitpad.train_options import TrainConfig
from digitpad.training_events import Cancelled, Finished, StepProgress
from digitpad.training_run import TrainingRun, new_weights_path
from tests.mnist_fixture import write_tiny_mnist


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny-mnist"), 600, 200)


def quick(tiny, **kw) -> TrainConfig:
    base = dict(model="linear", epochs=2, batch_size=32, lr=0.05, data_dir=str(tiny), threads=1, seed=3)
    base.update(kw)
    return TrainConfig(**base)


def test_a_run_trains_evaluates_saves_and_returns_plain_values(tiny, tmp_path):
    run = TrainingRun(quick(tiny), weights_dir=tmp_path)
    events = list(run.events())
    assert isinstance(events[-1], Finished)
    outcome = run.outcome
    assert outcome is not None and not outcome.cancelled and outcome.saved
    assert outcome.model == "linear" and outcome.device == "cpu" and outcome.test_count == 200
    assert len(outcome.history) == 2 and outcome.history[-1]["epoch"] == 2
    # the gallery is the test images the run evaluated, cut from memory, with their labels
    test = load_mnist(tiny, train=False)
    wrong = np.nonzero(outcome.predicted_labels != outcome.true_labels)[0]
    assert len(wrong) == len(outcome.misclassified) == min(outcome.errors, 120)
    assert outcome.misclassified.dtype == np.uint8 and outcome.misclassified.shape[1:] == (28, 28)
    first = int(np.nonzero((test.images.numpy() == outcome.misclassified[0]).all(axis=(1, 2)))[0][0])
    assert int(test.labels[first]) == outcome.true_labels[0]
    # saved under the one naming scheme, and the file holds the reported weights
    saved = load_checkpoint(outcome.weights_path)
    assert outcome.weights_path.startswith(str(tmp_path / "linear-"))
    assert saved.test_accuracy == pytest.approx(outcome.test_accuracy)
    again = evaluate(saved.build_model(), test.images, test.labels)
    assert again.accuracy == pytest.approx(outcome.test_accuracy)
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.steps = 0  # type: ignore[misc]


def test_new_weights_path_never_reuses_a_name(tmp_path):
    when = datetime(2026, 1, 2, 3, 4, 5)
    first = new_weights_path("cnn", tmp_path, now=when)
    assert first == tmp_path / "cnn-20260102-030405.pt"
    first.write_bytes(b"x")
    assert new_weights_path("cnn", tmp_path, now=when) == tmp_path / "cnn-20260102-030405-2.pt"


def test_the_shipped_weights_are_never_the_output(tiny):
    with pytest.raises(TrainingError, match="never overwritten"):
        TrainingRun(quick(tiny), out=shipped_weights())


def test_stop_from_another_thread_ends_between_steps_and_keeps_the_best(tiny, tmp_path):
    run = TrainingRun(quick(tiny, epochs=20, batch_size=8, progress_interval_s=0), out=tmp_path / "w.pt")
    seen = []
    for event in run.events():
        seen.append(event)
        if isinstance(event, StepProgress) and event.steps_total == 5:
            stopper = threading.Thread(target=run.stop)
            stopper.start()
            stopper.join()
    assert isinstance(seen[-1], Cancelled)
    steps = [e for e in seen if isinstance(e, StepProgress)]
    assert steps[-1].steps_total == 5  # not one step more
    outcome = run.outcome
    assert outcome is not None and outcome.cancelled and outcome.steps == 5
    assert load_checkpoint(tmp_path / "w.pt").meta["cancelled"] is True


def test_stopped_before_the_first_step_saves_nothing(tiny, tmp_path):
    run = TrainingRun(quick(tiny), weights_dir=tmp_path)
    run.stop()
    outcome = run.execute()
    assert outcome.cancelled and not outcome.saved and outcome.steps == 0
    assert list(tmp_path.iterdir()) == []


def test_fine_tuning_in_memory_data_from_given_weights(tiny, tmp_path):
    """What personalisation needs: start from weights, train on uint8 arrays mixed with replay, evaluate, save."""
    mnist = load_mnist(tiny, train=True)
    test = load_mnist(tiny, train=False)
    base = TrainingRun(quick(tiny, epochs=1), out=tmp_path / "base.pt").execute()
    start = load_checkpoint(base.weights_path).state_dict
    user_images = np.zeros((40, 28, 28), np.uint8)
    user_images[:, 6:22, 12:16] = 255  # forty thick "1"s
    replay = mnist.head(200)
    mixed = Split.concat(Split.from_arrays(user_images, np.ones(40, np.int64)), replay)
    data = arrays_source(mixed.images.numpy(), mixed.labels.numpy(), test.images.numpy(), test.labels.numpy())
    run = TrainingRun(
        quick(tiny, epochs=1, lr=0.01, augment=False),
        data=data,
        initial_state=start,
        out=tmp_path / "tuned.pt",
        meta={"kind": "personalised"},
    )
    tuned = run.execute()
    assert tuned.saved and tuned.test_count == 200 and tuned.steps == 240 // 32
    checkpoint = load_checkpoint(tuned.weights_path)
    assert checkpoint.meta["kind"] == "personalised"
    # it started from the given weights: one gentle epoch keeps it near the base model, far above chance
    assert tuned.test_accuracy > max(0.5, base.test_accuracy - 0.15)
    model = checkpoint.build_model()
    ones = (torch.from_numpy(user_images).float().div(255).unsqueeze(1) - 0.1307) / 0.3081
    assert (model(ones).argmax(1) == 1).float().mean() > 0.9


def test_starting_weights_of_another_model_are_one_clear_error(tiny, tmp_path):
    from digitpad.models import build_model

    wrong = build_model("mlp").state_dict()
    with pytest.raises(TrainingError, match="do not fit"):
        TrainingRun(quick(tiny), initial_state=wrong, out=tmp_path / "x.pt").execute()


def test_in_memory_data_is_checked():
    with pytest.raises(DataError):
        Split.from_arrays(np.zeros((3, 28, 28), np.float32), np.zeros(3, np.int64))
    with pytest.raises(DataError):
        Split.from_arrays(np.zeros((3, 28, 28), np.uint8), np.array([0, 1, 12]))
