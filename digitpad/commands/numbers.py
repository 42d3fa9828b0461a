"""``digitpad predict --number`` and ``digitpad evaluate --numbers``: whole numbers in image files.

A bad file gets one line on stderr and the others are still processed; the
exit code is 1 when any file failed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from digitpad.errors import DataError, DigitPadError
from digitpad.imageio import load_image

if TYPE_CHECKING:
    from digitpad.number_reader import NumberReader, NumberReading

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
_LABEL = re.compile(r"_(\d+)$")


def _reader(weights: str | None) -> NumberReader:
    from digitpad.commands.predict import load_predictor
    from digitpad.number_reader import NumberReader

    return NumberReader(load_predictor(weights))


def describe(path: str, reading: NumberReading) -> str:
    """``FILE: 2026  (2 99%, 0 97%, 2 99%, 6 41%?)``: a ``?`` marks a digit that is not sure."""
    if reading.empty:
        return f"{path}: no number found"
    parts = ", ".join(f"{d.digit} {d.confidence:.0%}{'' if d.verdict == 'digit' else '?'}" for d in reading.digits)
    return f"{path}: {reading.number}  ({parts})"


def as_json(path: str, reading: NumberReading) -> str:
    """One JSON object; ``number`` is a string so leading zeros survive."""
    return json.dumps(
        {
            "file": path,
            "number": reading.number,
            "digits": [
                {
                    "digit": d.digit,
                    "confidence": round(float(d.confidence), 6),
                    "probabilities": [round(float(p), 6) for p in d.probabilities],
                    "box": [round(float(v), 1) for v in d.box],
                    "verdict": d.verdict,
                }
                for d in reading.digits
            ],
        }
    )


def run_predict(args: argparse.Namespace) -> int:
    reader = _reader(args.weights)
    failures = 0
    for path in args.files:
        try:
            reading = reader.read_image(load_image(path))
        except DigitPadError as error:
            failures += 1
            print(f"digitpad: {error}", file=sys.stderr)
            continue
        print(as_json(path, reading) if args.json else describe(path, reading), flush=True)
    return 1 if failures else 0


def labelled_numbers(folder: Path) -> list[tuple[Path, str]]:
    """``(file, number)`` for every image ``<anything>_<number>.<ext>`` in ``folder``."""
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder (expected image files named <anything>_<number>.png)")
    items = []
    for path in sorted(folder.iterdir()):
        match = _LABEL.search(path.stem)
        if path.suffix.lower() in IMAGE_SUFFIXES and match:
            items.append((path, match.group(1)))
    if not items:
        raise DataError(f"{folder}: no images named <anything>_<number>.png")
    return items


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (a digit missed, added or misread costs one)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def run_evaluate(args: argparse.Namespace) -> int:
    from digitpad.commands.predict import weights_path

    reader = _reader(args.weights)
    items = labelled_numbers(Path(args.numbers))
    exact = count_right = digits = errors = 0
    for path, truth in items:
        try:
            read = reader.read_image(load_image(path)).number
        except DigitPadError as error:
            print(f"digitpad: {error}", file=sys.stderr)
            read = ""  # an unreadable file is a wrong answer
        exact += read == truth
        count_right += len(read) == len(truth)
        digits += len(truth)
        errors += min(len(truth), edit_distance(truth, read))
    n = len(items)
    result = {
        "weights": str(weights_path(args.weights)),
        "numbers": n,
        "exact_match": exact / n,
        "digit_count_right": count_right / n,
        "digit_accuracy": 1.0 - errors / max(digits, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{weights_path(args.weights).name} on the numbers in {args.numbers} ({n} images)")
        print(f"exact match        {result['exact_match']:.2%}  ({exact}/{n})")
        print(f"digit count right  {result['digit_count_right']:.2%}  ({count_right}/{n})")
        print(f"digit accuracy     {result['digit_accuracy']:.2%}  (1 - edit distance / {digits} digits)")
    return 0
