"""The weights DigitPad ships: small, well-formed, >= 99.5% on MNIST's test set, calibrated, and every verdict."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitpad.checkpoint import load_checkpoint, tensor_digest
from digitpad.ensemble import ENSEMBLE_MODEL
from digitpad.evaluate import evaluate
from digitpad.predictor import Predictor
from digitpad.resources import shipped_weights

# The shipped weights score 99.75% (issue 10's target: 99.70%; see weights/README.md).
# This floor guards against regressions.
MIN_ACCURACY = 0.997
MAX_ECE = 0.015


@pytest.fixture(scope="module")
def ckpt():
    path = shipped_weights()
    assert path.is_file(), f"shipped weights missing: {path}"
    return load_checkpoint(path)


def test_small_and_described(ckpt):
    assert shipped_weights().stat().st_size < 4_000_000
    assert ckpt.model == ENSEMBLE_MODEL  # digitpad nets joined by `digitpad ensemble` (weights/README.md)
    meta = ckpt.meta
    assert meta["command"].startswith("digitpad ensemble ")
    assert meta["test_accuracy"] >= MIN_ACCURACY
    assert set(meta["versions"]) == {"digitpad", "torch", "python"}
    assert set(meta["per_class"]) == {str(d) for d in range(10)}
    # selected and calibrated on a validation split held out of MNIST's training set
    assert meta["selected_on"] == "validation" and meta["mixture_config"]["val_mnist"] == 5000
    assert meta["classes"] == 11 and ckpt.config["model_config"]["classes"] == 11
    assert 0.05 < meta["temperature"] < 20 and meta["test_ece"] <= MAX_ECE
    assert float(ckpt.state_dict["ask_below"]) == pytest.approx(meta["ask_below"]) and 0 < meta["ask_below"] <= 1


def test_every_member_is_a_described_mix_run_and_the_ensemble_reads_more_of_the_split(ckpt):
    members = ckpt.meta["members"]
    assert len(members) == ckpt.config["model_config"]["members"] >= 2
    for k, member in enumerate(members):
        command = member["command"]
        assert command.startswith("digitpad train --model digitpad") and "--data mix" in command, command
        prefix = f"members.{k}."
        own = {name[len(prefix) :]: t for name, t in ckpt.state_dict.items() if name.startswith(prefix)}
        assert tensor_digest(own) == member["tensor_sha256"]  # the record names the tensors stored
        assert member["validation_accuracy"] < ckpt.meta["validation_accuracy"]


@pytest.mark.mnist
def test_accuracy_on_real_mnist_test_set(ckpt, mnist_dir):
    from digitpad.data import load_mnist

    test = load_mnist(mnist_dir, train=False)
    assert len(test) == 10_000
    result = evaluate(ckpt.build_model(), test.images, test.labels, mean=ckpt.mean, std=ckpt.std)
    assert result.accuracy >= MIN_ACCURACY, f"{result.accuracy:.4f} ({result.errors} errors)"
    assert result.accuracy == pytest.approx(ckpt.meta["test_accuracy"], abs=2e-4)
    # the calibrated probabilities the app shows are honest on real test digits
    from digitpad.calibration import expected_calibration_error

    predictor = Predictor.from_loaded(ckpt)
    x = ((test.images.numpy() / 255.0 - ckpt.mean) / ckpt.std).astype(np.float32)
    probs = np.concatenate([predictor.predict_batch(x[i : i + 2000]) for i in range(0, len(x), 2000)])
    labels = test.labels.numpy()
    assert expected_calibration_error(probs.max(1), probs.argmax(1) == labels) <= MAX_ECE


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


# -- verdicts ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return Predictor.from_checkpoint(shipped_weights())


def _drawn(strokes, pen: float = 22.0, height: float = 0.6) -> np.ndarray:
    from digitpad.synth.render import fit, render

    return render(fit(strokes, height), pen).astype(np.float32) / 255.0


def test_verdict_empty(predictor):
    assert predictor.predict_image(np.zeros((280, 280), np.float32)).verdict == "empty"


def test_verdict_scribbles_are_not_digits(predictor):
    from digitpad.synth.nondigits import scribble

    verdicts = [predictor.predict_image(_drawn(scribble(np.random.default_rng(s)))).verdict for s in range(10)]
    assert verdicts.count("not-a-digit") >= 8, verdicts


@pytest.mark.parametrize("letter", ["A", "E", "H", "K", "M", "W", "X", "pi", "%", "="])
def test_verdict_letters_and_symbols_are_not_digits(predictor, letter):
    from digitpad.synth.glyphs import glyph

    prediction = predictor.predict_image(_drawn(glyph(letter)))
    assert prediction.verdict == "not-a-digit", (prediction.digit, prediction.not_digit)


def test_verdict_two_digits_on_top_of_each_other_are_not_one_digit(predictor):
    from digitpad.synth.forms import draw_form

    verdicts = []
    for seed, (a, b) in enumerate([("3-plain", "8-plain"), ("4-closed", "9-curved"), ("2-plain", "6-plain")]):
        rng = np.random.default_rng(seed)
        first, second = draw_form(a, rng)[1], draw_form(b, rng)[1]
        shifted = [s + np.array([0.25, 0.05]) for s in second]
        verdicts.append(predictor.predict_image(_drawn(first + shifted)).verdict)
    assert "digit" not in verdicts, verdicts


def test_verdict_the_one_seven_boundary_passes_through_unsure(predictor):
    """A flag swept from 15 to 40 degrees: a 7 when flat, a 1 when steep, and "1 or 7?" where it turns."""
    from digitpad.synth.forms import flag_one

    readings = [predictor.predict_image(_drawn(flag_one(0.5, float(a), 0.02))) for a in np.arange(15.0, 40.5, 0.5)]
    assert readings[0].digit == 7 and readings[0].verdict == "digit"
    assert readings[-1].digit == 1 and readings[-1].verdict == "digit"
    unsure = [r for r in readings if r.verdict == "unsure"]
    assert unsure, [(r.digit, round(r.confidence, 2)) for r in readings]
    assert all({r.digit, r.runner_up} == {1, 7} for r in unsure)


def test_verdict_clear_digits_are_digits(predictor):
    from digitpad.synth.forms import draw_form

    for name in ("0-slashed", "1-flag", "4-open", "7-crossed", "8-plain"):
        prediction = predictor.predict_image(_drawn(draw_form(name, np.random.default_rng(3))[1]))
        assert prediction.verdict == "digit" and prediction.digit == int(name[0]), (name, prediction.digit)
