"""Predictor: batch probabilities, empty input, image path, state-dict hand-over."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch

from digitpad.checkpoint import save_checkpoint
from digitpad.errors import CheckpointError
from digitpad.models import build_model
from digitpad.predictor import Prediction, Predictor


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    torch.manual_seed(0)
    model = build_model("digitpad", width=8)
    # non-trivial BatchNorm statistics so folding conv+BN is really exercised
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(64, 1, 28, 28) * 2 + 0.5)
    path = tmp_path_factory.mktemp("w") / "w.pt"
    save_checkpoint(
        path,
        model_name="digitpad",
        state_dict=model.state_dict(),
        config={"model_config": {"width": 8}},
        meta={"test_accuracy": 0.25},
        mean=0.13,
        std=0.31,
    )
    return path, model.eval()


def _drawing() -> np.ndarray:
    img = np.ones((280, 280), dtype=np.float32)  # black ink on a white canvas
    img[50:230, 130:152] = 0.0
    return img


def test_attributes(weights):
    p = Predictor.from_checkpoint(weights[0])
    assert p.model_name == "digitpad" and p.mean == pytest.approx(0.13) and p.std == pytest.approx(0.31)
    assert p.meta["test_accuracy"] == 0.25 and p.test_accuracy == 0.25
    assert not p.model.training


def test_predict_batch_matches_unfused_model(weights):
    path, model = weights
    p = Predictor.from_checkpoint(path)
    x = np.random.default_rng(0).standard_normal((5, 28, 28)).astype(np.float32)
    probs = p.predict_batch(x)
    assert probs.shape == (5, 10) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-5)
    with torch.no_grad():
        ref = torch.softmax(model(torch.from_numpy(x).unsqueeze(1)), 1).numpy()
    np.testing.assert_allclose(probs, ref, atol=1e-5)
    assert p.predict_batch(np.zeros((0, 28, 28), np.float32)).shape == (0, 10)
    with pytest.raises(ValueError):
        p.predict_batch(np.zeros((2, 27, 28), np.float32))


def test_empty_input(weights):
    p = Predictor.from_checkpoint(weights[0])
    for blank in (np.ones((200, 200), np.float32), np.zeros((64, 64), np.uint8)):
        pred = p.predict_image(blank)
        assert isinstance(pred, Prediction)
        assert pred.empty and pred.digit is None and pred.confidence == 0.0
        assert pred.probabilities.shape == (10,) and not pred.probabilities.any()
        assert pred.preview.shape == (28, 28) and pred.preview.dtype == np.uint8


def test_predict_image(weights):
    p = Predictor.from_checkpoint(weights[0])
    pred = p.predict_image(_drawing())
    assert not pred.empty and pred.digit in range(10)
    assert pred.confidence == pytest.approx(float(pred.probabilities.max()))
    assert pred.probabilities.sum() == pytest.approx(1.0, rel=1e-5)
    assert pred.preview.max() > 0


@dataclass(frozen=True)
class _Gray:
    gray: np.ndarray
    alpha: np.ndarray | None


def test_gray_image_with_alpha(weights):
    p = Predictor.from_checkpoint(weights[0])
    gray = np.zeros((100, 100), np.float32)  # all black...
    alpha = np.zeros((100, 100), np.float32)  # ...but fully transparent: nothing drawn
    assert p.predict_image(_Gray(gray, alpha)).empty
    alpha[20:80, 45:55] = 1.0  # an opaque black bar on a transparent background
    assert not p.predict_image(_Gray(gray, alpha)).empty


def test_from_state_dict(weights):
    path, model = weights
    p = Predictor.from_state_dict("digitpad", model.state_dict(), model_config={"width": 8})
    q = Predictor.from_checkpoint(path)
    x = np.random.default_rng(1).standard_normal((2, 28, 28)).astype(np.float32)
    # same weights, but the checkpoint's mean/std are not involved in predict_batch
    np.testing.assert_allclose(p.predict_batch(x), q.predict_batch(x), atol=1e-6)


def test_bad_file(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x00" * 10)
    with pytest.raises(CheckpointError):
        Predictor.from_checkpoint(bad)
