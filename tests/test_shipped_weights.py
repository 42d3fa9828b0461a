"""The weights DigitPad ships: small, well-formed, >= 99.6% on MNIST's test set, and read drawn digits."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitpad.checkpoint import load_checkpoint
from digitpad.evaluate import evaluate
from digitpad.models import DEFAULT_MODEL
from digitpad.predictor import Predictor
from digitpad.resources import shipped_weights

MIN_ACCURACY = 0.996


@pytest.fixture(scope="module")
def ckpt():
    path = shipped_weights()
    assert path.is_file(), f"shipped weights missing: {path}"
    return load_checkpoint(path)


def test_small_and_described(ckpt):
    assert shipped_weights().stat().st_size < 4_000_000
    assert ckpt.model == DEFAULT_MODEL
    meta = ckpt.meta
    assert meta["command"].startswith("digitpad train --model digitpad")
    assert meta["test_accuracy"] >= MIN_ACCURACY
    assert set(meta["versions"]) == {"digitpad", "torch", "python"}
    assert len(meta["history"]) >= 1 and set(meta["per_class"]) == {str(d) for d in range(10)}


@pytest.mark.mnist
def test_accuracy_on_real_mnist_test_set(ckpt, mnist_dir):
    from digitpad.data import load_mnist

    test = load_mnist(mnist_dir, train=False)
    assert len(test) == 10_000
    result = evaluate(ckpt.build_model(), test.images, test.labels, mean=ckpt.mean, std=ckpt.std)
    assert result.accuracy >= MIN_ACCURACY, f"{result.accuracy:.4f} ({result.errors} errors)"
    assert result.accuracy == pytest.approx(ckpt.meta["test_accuracy"], abs=2e-4)


def _canvas(draw_fn, width: int) -> np.ndarray:
    img = Image.new("L", (280, 280), 255)
    draw_fn(ImageDraw.Draw(img), width)
    return np.asarray(img, dtype=np.float32) / 255.0


DRAWINGS = {
    1: lambda d, w: d.line([(140, 40), (140, 240)], fill=0, width=w),
    7: lambda d, w: d.line([(70, 50), (210, 50), (120, 240)], fill=0, width=w, joint="curve"),
    0: lambda d, w: d.ellipse([(85, 40), (195, 240)], outline=0, width=w),
    4: lambda d, w: (
        d.line([(170, 40), (70, 170), (210, 170)], fill=0, width=w, joint="curve"),
        d.line([(170, 40), (170, 240)], fill=0, width=w),
    ),
}


@pytest.mark.parametrize("width", [6, 18, 34])
@pytest.mark.parametrize("digit", sorted(DRAWINGS))
def test_reads_drawn_digits(digit, width):
    predictor = Predictor.from_checkpoint(shipped_weights())
    pred = predictor.predict_image(_canvas(DRAWINGS[digit], width))
    assert not pred.empty
    assert pred.digit == digit, f"read {pred.digit} ({pred.confidence:.0%}), probs {np.round(pred.probabilities, 2)}"
