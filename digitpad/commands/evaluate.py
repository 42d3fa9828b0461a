"""``digitpad evaluate``: accuracy, confusion matrix and per-class metrics.

On the MNIST test set by default, or on ``--images DIR`` laid out as
``DIR/<digit>/*`` through exactly the normalisation a user's files get.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from digitpad.errors import DataError, DigitPadError
from digitpad.imageio import load_image

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


def evaluate_folder(predictor, folder: Path):
    """Evaluate on labelled image files. An unreadable or empty image counts as an error."""
    from digitpad.metrics import from_predictions

    predictions, labels = [], []
    for path, digit in labelled_files(folder):
        try:
            image = load_image(path)
            prediction = predictor.predict_image(image.gray, image.alpha)
        except DigitPadError as error:
            print(f"digitpad: {error}", file=sys.stderr)
            prediction = None
        # A file that cannot be read, or shows no digit, is a wrong answer: count it in
        # the class "one past the true digit" so the confusion matrix still adds up.
        if prediction is None or prediction.empty:
            predicted = (digit + 1) % 10
        else:
            predicted = prediction.digit
        predictions.append(predicted)
        labels.append(digit)
    return from_predictions(np.asarray(predictions, np.int64), np.asarray(labels, np.int64))


def evaluate_mnist(checkpoint, data_dir: str | None, download: bool):
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
    if args.images:
        evaluation = evaluate_folder(load_predictor(args.weights), Path(args.images))
        title = f"{weights.name} on the images in {args.images}"
    else:
        evaluation = evaluate_mnist(load_checkpoint(weights), args.data_dir, args.download)
        title = f"{weights.name} on the MNIST test set"
    if args.json:
        print(json.dumps({"weights": str(weights), **evaluation_as_dict(evaluation)}))
    else:
        print(format_evaluation(evaluation, title=title))
    return 0
