"""The window against hostile files: a FIFO or PostScript never freezes recognition or closing;
refused weights are never remembered and the model in use stays."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import torch
from gui_helpers import ONE, draw

from digitpad.checkpoint import save_checkpoint
from digitpad.gui.pad.inference_worker import load_predictor
from digitpad.resources import shipped_weights
from tests.fuzz_corpus import tensor_key

ANSWER_MS = 10_000
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n{ } loop\n"


def _message(qtbot, window) -> str:
    qtbot.waitUntil(lambda: window.message_bar.text() != "", timeout=ANSWER_MS)
    return window.message_bar.text()


def _answered(qtbot, window) -> None:
    qtbot.waitUntil(
        lambda: window.shown_request_id == window.latest_request_id and window.last_prediction is not None,
        timeout=ANSWER_MS,
    )


@pytest.mark.skipif(os.name != "posix", reason="needs mkfifo")
def test_fifo_and_postscript_are_refused_and_the_window_still_answers_and_closes(qtbot, make_window, tmp_path):
    window = make_window()
    fifo = tmp_path / "x.png"
    os.mkfifo(fifo)
    eps = tmp_path / "y.png"
    eps.write_bytes(EPS)
    window.open_file(fifo)
    assert "named pipe" in _message(qtbot, window)
    window.message_bar.dismiss()
    window.open_file(eps)
    assert "PostScript" in _message(qtbot, window)
    draw(window.canvas, ONE)  # the worker is free: a drawing is answered
    _answered(qtbot, window)
    window.close()  # waits for the worker thread; a blocked worker would hang here
    assert not window.worker_thread.isRunning()


def _nan_weights(path: Path) -> Path:
    raw = torch.load(shipped_weights(), weights_only=True)
    state = dict(raw["state_dict"])
    key = tensor_key(state, "fc.bias")
    state[key] = torch.full_like(state[key], float("nan"))
    save_checkpoint(path, model_name=raw["model"], state_dict=state, config=raw["config"])
    return path


def test_refused_weights_are_not_remembered_and_the_model_stays(qtbot, make_window, settings, tmp_path):
    good = tmp_path / "good.pt"
    good.write_bytes(shipped_weights().read_bytes())
    window = make_window()
    with qtbot.waitSignal(window.model_changed, timeout=ANSWER_MS):
        window.load_weights(good)
    assert window.settings.weights() == str(good)
    bad = _nan_weights(tmp_path / "bad.pt")
    with qtbot.waitSignal(window.model_failed, timeout=ANSWER_MS) as failed:
        window.load_weights(bad)
    assert "NaN" in failed.args[0] and "\n" not in failed.args[0]
    assert window.settings.weights() == str(good)  # the refused file is not remembered
    assert window.model_description == "good.pt"  # and the previous weights stay in use
    draw(window.canvas, ONE)
    _answered(qtbot, window)


def test_a_weights_file_refused_after_an_earlier_load_is_never_stored(qtbot, make_window, tmp_path):
    """Load A (slow), then B (bad) while A is loading: A's success must not store B's path."""
    slow = tmp_path / "slow.pt"
    slow.write_bytes(shipped_weights().read_bytes())
    bad = tmp_path / "bad.pt"
    bad.write_text("not weights\n")
    entered, release = threading.Event(), threading.Event()

    def factory(path: Path):
        if path == slow:
            entered.set()
            release.wait(30)
        return load_predictor(path)

    window = make_window(factory)
    window.load_weights(slow)
    qtbot.waitUntil(entered.is_set, timeout=ANSWER_MS)
    window.load_weights(bad)  # the worker is busy with slow.pt: bad.pt waits
    with qtbot.waitSignal(window.model_failed, timeout=ANSWER_MS) as failed:
        release.set()
    assert "not a DigitPad weights file" in failed.args[0]
    assert window.settings.weights() == str(slow)  # what did load, never the refused file
    assert window.model_description == "slow.pt"


def test_training_on_an_unreadable_mnist_folder_says_so(qtbot, make_window, tmp_path, monkeypatch):
    from digitpad.train_options import TrainConfig

    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    real_listdir = os.listdir

    def deny(path):
        if Path(path) == raw:
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    window = make_window()
    monkeypatch.setattr(os, "listdir", deny)
    window.training.start(TrainConfig(data_dir=str(tmp_path), epochs=1))
    expected = f"cannot read the MNIST folder {raw}: permission denied"
    assert window.training._message.text() == expected  # a message box, not silence
    assert expected in window.training.dialog.stats_label.text()
    assert not window.training.is_running()


def test_a_full_disk_after_training_offers_save_as_and_keeps_the_weights(qtbot, make_window, tmp_path, monkeypatch):
    import errno

    from digitpad import checkpoint as ckpt_module
    from digitpad.checkpoint import load_checkpoint
    from digitpad.paths import user_weights_dir
    from digitpad.train_options import TrainConfig
    from tests.mnist_fixture import write_tiny_mnist

    tiny = write_tiny_mnist(tmp_path / "tiny", n_train=128, n_test=64, synthetic=True)
    real_open = os.open

    def full(path, flags, *args, **kwargs):
        if Path(path).parent == user_weights_dir() and flags & os.O_CREAT:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(ckpt_module.os, "open", full)
    window = make_window()
    asked: list[str] = []
    rescued = tmp_path / "rescued.pt"
    monkeypatch.setattr(window.training, "ask_save_as", lambda message: asked.append(message) or str(rescued))
    config = TrainConfig(model="linear", data_dir=str(tiny), epochs=1, max_steps=2, batch_size=32, threads=1)
    with qtbot.waitSignal(window.training.kept_weights_saved, timeout=120_000) as saved:
        window.training.start(config)
    assert asked == [
        f"could not save the weights in {user_weights_dir()}: no space left on device. "
        "The trained weights are kept in memory."
    ]
    assert saved.args == [str(rescued)] and load_checkpoint(rescued).model == "linear"
    assert "Training failed" not in window.training.dialog.stats_label.text()
