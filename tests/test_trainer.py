"""Trainer, data, augmentation and evaluation on a tiny MNIST in idx layout (real torchvision path)."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest
import torch

from digitpad.augment import augment
from digitpad.data import load_mnist
from digitpad.errors import DataError, TrainingError
from digitpad.evaluate import evaluate, from_predictions
from digitpad.models import build_model
from digitpad.trainer import (
    Cancelled,
    EpochFinished,
    Evaluated,
    Finished,
    Started,
    StepProgress,
    TrainConfig,
    Trainer,
    resolve_device,
    training_command,
)
from tests.mnist_fixture import write_tiny_mnist


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny-mnist"), 600, 200)


def quick(tiny, **kw) -> TrainConfig:
    base = dict(model="cnn", epochs=2, batch_size=32, lr=0.05, data_dir=str(tiny), threads=1, seed=3)
    base.update(kw)
    return TrainConfig(**base)


def test_load_through_torchvision(tiny):
    split = load_mnist(tiny, train=True)
    assert split.images.dtype == torch.uint8 and split.images.shape == (600, 28, 28)
    assert split.labels.dtype == torch.int64 and len(split) == 600
    assert len(load_mnist(tiny, train=False)) == 200


def test_missing_data_is_one_clear_line(tmp_path):
    with pytest.raises(DataError) as info:
        load_mnist(tmp_path / "nowhere", train=True)
    assert "not found" in str(info.value) and "\n" not in str(info.value)


def test_unreadable_data(tmp_path):
    raw = write_tiny_mnist(tmp_path, 50, 20, synthetic=True) / "MNIST" / "raw"
    (raw / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03garbage")
    with pytest.raises(DataError):
        load_mnist(tmp_path, train=True)


def test_training_improves_accuracy(tiny):
    test = load_mnist(tiny, train=False)
    torch.manual_seed(3)
    before = evaluate(build_model("cnn"), test.images, test.labels).accuracy
    trainer = Trainer(quick(tiny, epochs=10))  # 180 steps
    events = list(trainer.run())
    assert isinstance(events[0], Started) and isinstance(events[-1], Finished)
    epochs = [e for e in events if isinstance(e, EpochFinished)]
    assert [e.epoch for e in epochs] == list(range(1, 11))
    result = trainer.result
    assert result is not None and not result.cancelled and result.steps == 180
    assert result.best_accuracy >= max(before + 0.3, 0.75)
    assert result.best_accuracy == max(e.test_accuracy for e in epochs)
    assert len(result.history) == 10
    # the kept weights really are the best epoch's
    again = evaluate(result.build_model(), test.images, test.labels)
    assert again.accuracy == pytest.approx(result.best_accuracy)


def test_events_are_frozen_and_throttled(tiny):
    events = list(Trainer(quick(tiny, epochs=1, progress_interval_s=3600)).run())
    steps = [e for e in events if isinstance(e, StepProgress)]
    # with a huge interval only the first step and the epoch's last step are reported
    assert 1 <= len(steps) <= 2 and steps[-1].step == steps[-1].steps_per_epoch
    with pytest.raises(dataclasses.FrozenInstanceError):
        steps[0].loss = 0.0  # type: ignore[misc]
    s = steps[-1]
    assert s.images_per_s > 0 and s.eta_s == 0 and 0 <= s.accuracy <= 1


def test_deterministic_under_seed(tiny):
    def losses(seed):
        cfg = quick(
            tiny, epochs=1, progress_interval_s=0, seed=seed, model="digitpad", model_config={"width": 8}, max_steps=8
        )
        return [e.loss for e in Trainer(cfg).run() if isinstance(e, StepProgress)]

    a, b = losses(7), losses(7)
    assert len(a) == 8 and a == b
    assert losses(8) != a


def test_stop_mid_way_keeps_best(tiny):
    trainer = Trainer(quick(tiny, epochs=5, progress_interval_s=0))
    seen = []
    for event in trainer.run():
        seen.append(event)
        if isinstance(event, StepProgress) and event.epoch == 2 and event.step == 5:
            other = threading.Thread(target=trainer.stop)  # stop() from another thread
            other.start()
            other.join()
    last = seen[-1]
    assert isinstance(last, Cancelled)
    assert not any(isinstance(e, Finished) for e in seen)
    assert last.epoch == 2 and last.steps_total < 5 * 18
    result = trainer.result
    assert result is not None and result.cancelled
    model = result.build_model()
    assert not model.training
    test = load_mnist(tiny, train=False)
    assert evaluate(model, test.images, test.labels).accuracy == pytest.approx(result.best_accuracy)
    assert trainer.best_state() is not None


def test_stop_before_start(tiny):
    trainer = Trainer(quick(tiny))
    trainer.stop()
    events = list(trainer.run())
    assert isinstance(events[-1], Cancelled) and trainer.result is not None


def test_dry_run_and_save(tiny, tmp_path):
    from digitpad.checkpoint import load_checkpoint

    trainer = Trainer(quick(tiny, dry_run=True, model="digitpad", model_config={"width": 8}))
    events = list(trainer.run())
    assert isinstance(events[-1], Finished) and events[-1].steps_total == 2
    path = trainer.save(tmp_path / "w.pt")
    ckpt = load_checkpoint(path)
    assert ckpt.model == "digitpad" and ckpt.config["model_config"] == {"width": 8}
    assert ckpt.meta["command"].startswith("digitpad train --model digitpad")
    assert "--dry-run" in ckpt.meta["command"]
    assert set(ckpt.meta["per_class"]) == {str(d) for d in range(10)}
    ckpt.build_model()


def test_width_option_builds_and_records_a_wider_digitpad_model(tiny, tmp_path):
    from digitpad.checkpoint import load_checkpoint

    trainer = Trainer(quick(tiny, dry_run=True, model="digitpad", width=12))
    list(trainer.run())
    ckpt = load_checkpoint(trainer.save(tmp_path / "w.pt"))
    assert ckpt.config["model_config"] == {"width": 12} and "--width 12" in ckpt.meta["command"]
    model = ckpt.build_model()
    assert model.fc.in_features == 8 * 12  # global average + max pool of the 4 * width last channels
    with pytest.raises(TrainingError, match="the digitpad models only"):
        Trainer(quick(tiny, model="cnn", width=12))
    both = Trainer(quick(tiny, model="digitpad-ensemble", width=12))  # both nets of an ensemble get the width
    assert both.config.model_config == {"width": 12}


def test_keep_blends_the_fine_tuned_weights_with_the_start_and_judges_the_blend(tiny):
    cfg = quick(tiny, epochs=1, model="digitpad", model_config={"width": 8}, max_steps=6)
    first = Trainer(cfg)
    list(first.run())
    start = first.best_state()
    assert start is not None

    def tuned(keep: float) -> Trainer:
        trainer = Trainer(dataclasses.replace(cfg, seed=4, keep=keep), initial_state=start)
        list(trainer.run())
        return trainer

    full, half = tuned(1.0), tuned(0.5)
    whole, blended = full.best_state(), half.best_state()
    assert whole is not None and blended is not None
    for name, value in blended.items():
        if value.is_floating_point():  # weights and BatchNorm statistics: half way from start to tuned
            torch.testing.assert_close(value, (start[name] + whole[name]) / 2, rtol=1e-4, atol=1e-5)
        else:
            assert torch.equal(value, whole[name])
    assert any(not torch.equal(blended[k], whole[k]) for k in blended if blended[k].is_floating_point())
    assert half.result is not None and full.result is not None
    # the recorded accuracy is the blend's own, measured after blending
    model = build_model("digitpad", width=8)
    model.load_state_dict(blended)
    split = load_mnist(tiny, train=False)
    assert half.result.best_accuracy == evaluate(model, split.images, split.labels).accuracy
    assert "--keep 0.5" in training_command(half.config)
    with pytest.raises(TrainingError, match="--init"):
        Trainer(dataclasses.replace(cfg, keep=0.5))


def test_mid_epoch_evaluations(tiny):
    events = list(Trainer(quick(tiny, epochs=1, evals_per_epoch=3)).run())
    assert len([e for e in events if isinstance(e, Evaluated)]) == 2


def test_bad_settings(tiny):
    with pytest.raises(TrainingError):
        Trainer(TrainConfig(model="nope"))
    with pytest.raises(TrainingError):
        Trainer(TrainConfig(epochs=0))
    with pytest.raises(TrainingError):
        resolve_device("tpu")
    assert resolve_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(TrainingError, match="CUDA"):
            list(Trainer(quick(tiny, device="cuda")).run())


def test_training_command():
    cmd = training_command(TrainConfig(epochs=3, seed=5, lr=0.01, augment=False))
    assert cmd == "digitpad train --model digitpad --epochs 3 --seed 5 --lr 0.01 --no-augment"


def test_augment_per_sample_and_reproducible():
    x = torch.zeros(16, 1, 28, 28)
    x[:, :, 8:20, 12:16] = 1.0
    a = augment(x, torch.Generator().manual_seed(0))
    b = augment(x, torch.Generator().manual_seed(0))
    assert a.shape == x.shape and torch.equal(a, b)
    distinct = {tuple(img.flatten().round(decimals=3).tolist()) for img in a}
    assert len(distinct) > 8  # not one transform for the whole batch
    assert float(a.min()) >= -1e-6 and float(a.max()) <= 1.0 + 1e-6


def test_evaluation_metrics():
    labels = np.array([0, 0, 1, 1, 2, 2])
    preds = np.array([0, 1, 1, 1, 2, 0])
    ev = from_predictions(preds, labels)
    assert ev.accuracy == pytest.approx(4 / 6)
    assert ev.confusion.shape == (10, 10) and ev.confusion[0, 1] == 1 and ev.confusion.sum() == 6
    assert list(ev.misclassified) == [1, 5]
    m0 = ev.per_class[0]
    assert m0.precision == pytest.approx(0.5) and m0.recall == pytest.approx(0.5) and m0.support == 2
    assert ev.per_class[1].precision == pytest.approx(2 / 3) and ev.per_class[1].recall == 1.0
    assert ev.per_class_dict()["2"]["f1"] == pytest.approx(2 * 1 * 0.5 / 1.5)
