"""The stroke model DigitPad ships (weights/strokes.pt): well-formed, fitted against the shipped image
weights, and on real pen digits of writers it never trained on it reads better together with them."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.checkpoint import load_checkpoint, tensor_digest
from digitpad.paths import default_pendigits
from digitpad.predictor import Predictor
from digitpad.resources import shipped_stroke_weights, shipped_weights
from digitpad.stroke_model import StrokeModel
from digitpad.stroke_training import WEIGHTS


@pytest.fixture(scope="module")
def model() -> StrokeModel:
    path = shipped_stroke_weights()
    assert path.is_file(), f"shipped stroke weights missing: {path}"
    return StrokeModel.from_file(path)


def test_small_described_and_fitted_against_the_shipped_image_weights(model):
    assert shipped_stroke_weights().stat().st_size < 1_000_000
    meta = model.meta
    assert meta["command"].startswith("digitpad train-strokes")
    assert meta["selected_on"] == "validation" and meta["validation_accuracy"] >= 0.97
    assert model.weight in WEIGHTS and model.weight > 0 and 0.05 < model.temperature < 20
    assert meta["image_weights_sha256"] == tensor_digest(load_checkpoint(shipped_weights()).state_dict)
    fitted = meta["combine_validation"]
    best = min(fitted, key=lambda w: fitted[w]["nll"])
    chosen = f"{model.weight:g}"
    if meta.get("combine_weight_given"):  # set by --weight (chosen on validation numbers, weights/README.md)
        assert f"{meta['combine_weight_fitted']:g}" == best and f"--weight {chosen}" in meta["refit_command"]
        assert fitted[chosen]["accuracy"] >= fitted[best]["accuracy"]  # given to read more right, not for its loss
    else:
        assert chosen == best
    assert fitted[chosen]["accuracy"] > fitted["0"]["accuracy"]  # together beats the picture alone


def test_on_the_validation_writers_the_pad_reads_better_with_both(model):
    source = default_pendigits()
    if not source.is_file():
        pytest.skip(f"Pendigits not found at {source} (set DIGITPAD_PENDIGITS)")
    from digitpad.pendigits import read_pendigits
    from digitpad.synth.mixture import VAL_WRITERS, draw_normalized

    predictor = Predictor.from_checkpoint(shipped_weights())
    digits = [d for d in read_pendigits(source) if d.writer in VAL_WRITERS]
    rng = np.random.default_rng(5)
    rows, paths, labels = [], [], []
    for d in digits:
        strokes = [np.asarray(s, np.float64) for s in d.strokes]
        preview = draw_normalized(strokes, rng, 0.55)  # a random pen and size, as the app may see
        if preview is None:
            continue
        rows.append((preview.astype(np.float32) / 255.0 - predictor.mean) / predictor.std)
        paths.append(strokes)
        labels.append(d.label)
    image = predictor.predict_all(np.stack(rows))
    predictor.strokes = model
    both = predictor.vote(image, paths)
    y = np.array(labels)
    alone_right = (image[:, :10].argmax(1) == y).mean()
    both_right = (both[:, :10].argmax(1) == y).mean()
    assert len(y) > 1200
    assert both_right >= alone_right + 0.002 and both_right >= 0.995, (alone_right, both_right)
    assert np.all(both[:, 10] <= image[:, 10])  # the strokes may vouch for a digit, never doubt one
    assert (both[:, 10] >= 0.5).sum() <= (image[:, 10] >= 0.5).sum()
