"""Personalising: a writer's misread style becomes readable; the guard refuses a run that forgets."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.checkpoint import load_checkpoint
from digitpad.errors import TrainingError
from digitpad.personalize import Cancelled, Finished, PersonalizeConfig, Personalizer, Progressed, holdout_split
from digitpad.predictor import Predictor
from digitpad.replay import load_replay
from digitpad.resources import shipped_weights
from tests.personal_writer import flag_ones

FAST = PersonalizeConfig(steps=30)


def read(predictor: Predictor, images: np.ndarray) -> np.ndarray:
    return predictor.predict_batch((images / 255.0 - predictor.mean) / predictor.std).argmax(1)


def test_shipped_replay_digits_are_balanced_and_disjoint() -> None:
    replay = load_replay()
    assert len(replay.replay_labels) >= 2000 and len(replay.guard_labels) >= 1000
    assert np.bincount(replay.replay_labels, minlength=10).min() > 0
    assert replay.replay_images.dtype == np.uint8 and replay.replay_images.shape[1:] == (28, 28)
    seen = {img.tobytes() for img in replay.replay_images}
    assert sum(img.tobytes() in seen for img in replay.guard_images) <= 2  # MNIST has a few duplicate digits


def test_holdout_keeps_a_misread_sample_aside() -> None:
    labels = np.array([1, 1, 1, 1, 7, 7, 7, 7])
    misread = np.array([True, True, False, False, False, False, False, False])
    train, held = holdout_split(labels, misread, 0.25)
    assert len(held) == 2 and set(train) | set(held) == set(range(8)) and not set(train) & set(held)
    assert misread[held].any()
    assert len(holdout_split(labels[:2], misread[:2], 0.25)[1]) == 1  # two samples: one each way


@pytest.mark.slow
def test_a_writer_the_model_misreads_becomes_readable(tmp_path) -> None:
    base = load_checkpoint(shipped_weights())
    shipped = Predictor.from_loaded(base)
    mine, later = flag_ones(16, seed=1), flag_ones(20, seed=2)
    assert (read(shipped, later) == 1).sum() <= 2  # the shipped weights read this writer's 1s as 7
    job = Personalizer(base, mine, np.ones(16, np.int64), FAST)
    events = list(job.run())
    assert isinstance(events[-1], Finished) and any(isinstance(e, Progressed) for e in events)
    steps = [e.step for e in events if isinstance(e, Progressed)]
    assert steps == sorted(steps) and steps[-1] == events[0].steps_total == 2 * FAST.steps
    report = events[-1].report
    assert report.accepted, report.summary
    assert report.personal_after > report.personal_before
    assert report.general_before - report.general_after <= 0.003
    assert "Switched to your handwriting" in report.summary
    path = job.save(tmp_path / "me.pt")
    mine_now = Predictor.from_checkpoint(path)
    assert (read(mine_now, later) == 1).sum() >= 18  # new drawings in the same style now read as 1
    assert mine_now.meta["personalized"] is True and mine_now.meta["personal_samples"] == 16


@pytest.mark.slow
def test_the_guard_refuses_a_run_that_would_forget(tmp_path) -> None:
    base = load_checkpoint(shipped_weights())
    reckless = PersonalizeConfig(steps=12, optimizer="sgd", lr=0.5, clip=0.0, refit_on_all=False)
    job = Personalizer(base, flag_ones(12, seed=3), np.ones(12, np.int64), reckless)
    report = list(job.run())[-1].report
    assert not report.accepted
    assert report.general_before - report.general_after > 0.003
    assert report.summary.startswith("Kept the weights in use") and "general digits worse" in report.summary
    assert job.result is not None and job.result.state_dict is None
    with pytest.raises(TrainingError, match="not accepted"):
        job.save(tmp_path / "no.pt")
    assert not (tmp_path / "no.pt").exists()


def test_stop_cancels_between_steps() -> None:
    base = load_checkpoint(shipped_weights())
    job = Personalizer(base, flag_ones(4, seed=4), np.ones(4, np.int64), FAST)
    events = []
    for event in job.run():
        events.append(event)
        if isinstance(event, Progressed):
            job.stop()
    assert isinstance(events[-1], Cancelled) and job.result is None


def test_bad_input_is_one_clear_error() -> None:
    base = load_checkpoint(shipped_weights())
    with pytest.raises(TrainingError, match="at least 2"):
        Personalizer(base, flag_ones(1, seed=5), np.ones(1, np.int64))
    with pytest.raises(TrainingError, match="method"):
        Personalizer(base, flag_ones(2, seed=5), np.ones(2, np.int64), PersonalizeConfig(method="magic"))


def test_keep_share_moves_the_weights_back_towards_the_start() -> None:
    import torch

    from digitpad.personalize import keep_share

    model = torch.nn.Linear(3, 2)
    start = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        for p in model.parameters():
            p.add_(4.0)
    keep_share(model, start, 0.25)
    for p, p0 in zip(model.parameters(), start, strict=True):
        assert torch.allclose(p, p0 + 1.0)
    keep_share(model, start, 1.0)  # all of the change: nothing moves
    for p, p0 in zip(model.parameters(), start, strict=True):
        assert torch.allclose(p, p0 + 1.0)


@pytest.mark.slow
def test_keeping_none_of_the_change_is_refused_by_the_guard() -> None:
    import dataclasses

    base = load_checkpoint(shipped_weights())
    config = dataclasses.replace(FAST, keep=0.0)  # the run ends on the starting weights
    job = Personalizer(base, flag_ones(16, seed=1), np.ones(16, np.int64), config)
    report = [e for e in job.run() if isinstance(e, Finished)][0].report
    assert not report.accepted and report.personal_after == report.personal_before
    assert "did not read your held-out samples better" in report.summary
    with pytest.raises(TrainingError, match="keep must be between 0 and 1"):
        Personalizer(base, flag_ones(4, seed=1), np.ones(4, np.int64), dataclasses.replace(FAST, keep=1.5))
