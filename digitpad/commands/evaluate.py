"""``digitpad evaluate``: accuracy, confusion matrix and per-class metrics.

On the MNIST test set by default, or on ``--images DIR`` laid out as
``DIR/<digit>/*`` through exactly the normalisation a user's files get.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from digitpad.errors import DataError, DigitPadError
from digitpad.imageio import load_image

if TYPE_CHECKING:
    from digitpad.checkpoint import Checkpoint
    from digitpad.metrics import Evaluation
    from digitpad.predictor import Predictor

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def labelled_files(folder: Path) -> list[tuple[Path, int]]:
    """``(file, digit)`` for every image under ``folder/<digit>/``."""
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder (expected DIR/<digit>/* image files)")
    items = []
    for digit in range(10):
        sub = folder / str(digit)
        if sub.is_dir():
            items += [(p, digit) for p in sorted(sub.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
    if not items:
        raise DataError(f"{folder}: no images found in {folder}/0 ... {folder}/9")
    return items


def evaluate_folder(predictor: Predictor, folder: Path, calibration: dict[str, Any] | None = None) -> Evaluation:
    """Evaluate on labelled image files. An unreadable or empty image counts as an error.

    ``calibration``, when given, receives the verdict rates and the ECE.
    """
    from digitpad.metrics import from_predictions

    predictions, labels, verdicts, conf, hit = [], [], [], [], []
    for path, digit in labelled_files(folder):
        try:
            image = load_image(path)
            prediction = predictor.predict_image(image.gray, image.alpha)
        except DigitPadError as error:
            print(f"digitpad: {error}", file=sys.stderr)
            prediction = None
        # A file that cannot be read, or shows no digit, is a wrong answer: count it in
        # the class "one past the true digit" so the confusion matrix still adds up.
        if prediction is None or prediction.empty or prediction.digit is None:
            predicted = (digit + 1) % 10
            verdicts.append("empty")
        else:
            predicted = prediction.digit
            verdicts.append(prediction.verdict)
            conf.append(prediction.confidence)
            hit.append(predicted == digit)
        predictions.append(predicted)
        labels.append(digit)
    if calibration is not None:
        from digitpad.calibration import expected_calibration_error
        from digitpad.verdict import rates

        calibration.update(verdict_rates=rates(verdicts), ece=expected_calibration_error(np.array(conf), np.array(hit)))
    return from_predictions(np.asarray(predictions, np.int64), np.asarray(labels, np.int64))


def mnist_calibration(checkpoint: Checkpoint, data_dir: str | None, download: bool) -> dict[str, Any]:
    """Verdict rates and ECE of the calibrated probabilities on MNIST test (as the app reports them)."""
    from digitpad.calibration import expected_calibration_error
    from digitpad.data import load_mnist
    from digitpad.predictor import Predictor
    from digitpad.verdict import decide_batch, rates

    test = load_mnist(data_dir, train=False, download=download)
    predictor = Predictor.from_loaded(checkpoint)
    x = ((test.images.float().numpy() / 255.0 - checkpoint.mean) / checkpoint.std).astype(np.float32)
    probs = np.concatenate([predictor.predict_all(x[i : i + 1000]) for i in range(0, len(x), 1000)])
    labels = test.labels.numpy()
    digit = probs[:, :10]
    ece = expected_calibration_error(digit.max(1), digit.argmax(1) == labels)
    return {"verdict_rates": rates(decide_batch(probs, predictor.verdict_rule)), "ece": ece}


def _calibration_lines(calibration: dict[str, Any], temperature: float) -> str:
    r = calibration["verdict_rates"]
    verdicts = ", ".join(f"{k} {v:.2%}" for k, v in r.items())
    return f"verdicts: {verdicts}\ncalibration: ECE {calibration['ece']:.2%} (temperature {temperature:.3f})"


def evaluate_mnist(checkpoint: Checkpoint, data_dir: str | None, download: bool) -> Evaluation:
    from digitpad.data import load_mnist
    from digitpad.evaluate import evaluate

    test = load_mnist(data_dir, train=False, download=download)
    return evaluate(checkpoint.build_model(), test.images, test.labels, mean=checkpoint.mean, std=checkpoint.std)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "numbers", None):
        from digitpad.commands.numbers import run_evaluate

        return run_evaluate(args)
    from digitpad.checkpoint import load_checkpoint
    from digitpad.commands.predict import load_predictor, weights_path
    from digitpad.report import evaluation_as_dict, format_evaluation

    weights = weights_path(args.weights)
    calibration: dict = {}
    if args.images:
        predictor = load_predictor(args.weights)
        evaluation = evaluate_folder(predictor, Path(args.images), calibration)
        temperature = predictor.temperature
        title = f"{weights.name} on the images in {args.images}"
    else:
        checkpoint = load_checkpoint(weights)
        evaluation = evaluate_mnist(checkpoint, args.data_dir, args.download)
        calibration = mnist_calibration(checkpoint, args.data_dir, args.download)
        t = checkpoint.meta.get("temperature", 1.0)
        temperature = float(t) if isinstance(t, (int, float)) else 1.0
        title = f"{weights.name} on the MNIST test set"
    if args.json:
        print(json.dumps({"weights": str(weights), **evaluation_as_dict(evaluation), **calibration}))
    else:
        print(format_evaluation(evaluation, title=title))
        print(_calibration_lines(calibration, temperature))
    return 0
