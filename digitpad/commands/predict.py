"""``digitpad predict FILE...``: the digit in each image file.

A bad file gets one line on stderr and the others are still processed; the
exit code is 1 when any file failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from digitpad.errors import DigitPadError
from digitpad.imageio import load_image
from digitpad.resources import shipped_weights

if TYPE_CHECKING:
    from digitpad.predictor import Prediction, Predictor


def weights_path(weights: str | None) -> Path:
    """The file ``--weights`` names or, by default, the shipped weights."""
    return Path(weights) if weights else shipped_weights()


def load_predictor(weights: str | None) -> Predictor:
    """The predictor for ``--weights`` or, by default, the shipped weights."""
    from digitpad.predictor import Predictor

    return Predictor.from_checkpoint(weights_path(weights))


def _describe(path: str, prediction: Prediction) -> str:
    if prediction.empty:
        return f"{path}: no digit found"
    if prediction.verdict == "not-a-digit":
        return f"{path}: not a digit ({prediction.not_digit:.1%}; closest {prediction.digit})"
    if prediction.verdict == "unsure":
        second = float(prediction.probabilities[prediction.runner_up])
        return f"{path}: {prediction.digit} or {prediction.runner_up}? ({prediction.confidence:.1%} / {second:.1%})"
    return f"{path}: {prediction.digit} ({prediction.confidence:.1%})"


def _as_json(path: str, prediction: Prediction) -> str:
    return json.dumps(
        {
            "file": path,
            "empty": prediction.empty,
            "verdict": prediction.verdict,
            "digit": prediction.digit,
            "runner_up": prediction.runner_up,
            "not_digit": round(float(prediction.not_digit), 6),
            "confidence": round(float(prediction.confidence), 6),
            "probabilities": [round(float(p), 6) for p in prediction.probabilities],
        }
    )


def run(args: argparse.Namespace) -> int:
    if getattr(args, "number", False):
        from digitpad.commands.numbers import run_predict

        return run_predict(args)
    predictor = load_predictor(args.weights)
    failures = 0
    for path in args.files:
        try:
            image = load_image(path)
            prediction = predictor.predict_image(image.gray, image.alpha)
        except DigitPadError as error:
            failures += 1
            print(f"digitpad: {error}", file=sys.stderr)
            continue
        print(_as_json(path, prediction) if args.json else _describe(path, prediction), flush=True)
    return 1 if failures else 0
