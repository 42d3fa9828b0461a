"""A full disk or a refused folder at the end of a training run: one clear line, the weights not lost."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from digitpad import checkpoint as ckpt_module
from digitpad.checkpoint import load_checkpoint
from digitpad.cli import main
from digitpad.paths import user_weights_dir
from digitpad.train_options import TrainConfig
from digitpad.training_run import TrainingRun
from tests.mnist_fixture import write_tiny_mnist


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny"), n_train=128, n_test=64, synthetic=True)


def full_disk(monkeypatch, folder: Path, error_number: int = errno.ENOSPC) -> None:
    """Every new file in ``folder`` fails with ``error_number`` (as on a full disk)."""
    real_open = os.open

    def open_(path, flags, *args, **kwargs):
        if Path(path).parent == folder and flags & os.O_CREAT:
            raise OSError(error_number, os.strerror(error_number), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(ckpt_module.os, "open", open_)


def quick(tiny: Path) -> TrainConfig:
    return TrainConfig(model="linear", data_dir=str(tiny), epochs=1, max_steps=2, batch_size=32, threads=1)


def test_a_full_disk_falls_back_to_the_user_weights_folder(tiny, tmp_path, monkeypatch):
    full = tmp_path / "usb-stick"
    full_disk(monkeypatch, full)
    run = TrainingRun(quick(tiny), out=full / "w.pt")
    outcome = run.execute()
    assert outcome.saved and Path(outcome.weights_path).parent == user_weights_dir()
    assert load_checkpoint(outcome.weights_path).model == "linear"
    assert outcome.save_problem == (
        f"could not save the weights in {full}: no space left on device; saved them in {outcome.weights_path} instead"
    )
    assert not full.exists() or not any(full.iterdir())  # no temp file left


def test_when_every_folder_fails_the_weights_stay_in_memory_for_save_as(tiny, tmp_path, monkeypatch):
    full_disk(monkeypatch, user_weights_dir(), errno.EACCES)
    run = TrainingRun(quick(tiny))  # the default target is the user's weights folder itself
    outcome = run.execute()
    assert not outcome.saved
    assert outcome.save_problem == f"could not save the weights in {user_weights_dir()}: permission denied"
    saved = run.save_as(tmp_path / "rescued.pt")  # Save as...: the trained weights were not lost
    assert load_checkpoint(saved).meta["steps"] == outcome.steps


def test_cli_train_on_a_full_disk_is_one_line_and_says_where_the_weights_went(tiny, tmp_path, monkeypatch, capsys):
    full = tmp_path / "full"
    full_disk(monkeypatch, full)
    args = ["train", "--model", "linear", "--data-dir", str(tiny), "--epochs", "1", "--max-steps", "2"]
    code = main([*args, "--batch-size", "32", "--threads", "1", "--out", str(full / "w.pt")])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("digitpad:")]
    assert code == 1
    assert len(err) == 1 and "no space left on device" in err[0] and str(full) in err[0]
    assert f"saved them in {user_weights_dir()}" in err[0]
    assert len(list(user_weights_dir().glob("linear-*.pt"))) == 1
