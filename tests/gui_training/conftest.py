"""Fixtures for the training GUI tests: real threads, offscreen Qt, a tiny MNIST in idx layout.

Every test gets its own INI ``QSettings`` and weights folder, and two small
checkpoints ("initial" weights for the inference worker, standing in for the
shipped ones) are written once per session, so nothing depends on the real
shipped weights or the user's folders.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

import digitpad.gui  # noqa: F401  (applies the PySide6 None work-around first)
from tests.mnist_fixture import write_tiny_mnist
from tests.qt_shared import isolated_qsettings  # noqa: F401  (autouse fixture)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "digitpad.ini"), QSettings.Format.IniFormat)


@pytest.fixture(scope="session")
def tiny_mnist(tmp_path_factory) -> Path:
    """600 training and 200 test images (the real first ones when available)."""
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny-mnist"), 600, 200)


@pytest.fixture(scope="session")
def initial_weights(tmp_path_factory) -> Path:
    """An untrained-but-valid "linear" checkpoint: the weights in use before any swap."""
    import torch

    from digitpad.checkpoint import save_checkpoint
    from digitpad.models import build_model

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("weights") / "initial.pt"
    model = build_model("linear")
    return save_checkpoint(
        path,
        model_name="linear",
        state_dict=model.state_dict(),
        config={"model": "linear"},
        meta={"test_accuracy": 0.1},
    )


@pytest.fixture
def weights_dir(tmp_path: Path) -> Path:
    return tmp_path / "user-weights"
