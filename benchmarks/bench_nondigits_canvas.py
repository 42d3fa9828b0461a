"""Non-digits from generator families the training never used, drawn on the real canvas.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_nondigits_canvas.py [--weights PATH] [--per-family 150]
        [--families held-out|validation]

Spirals, zigzags, stars, arrows, hearts, # grids, waves and smileys
(``digitpad.synth.nondigits.HELD_OUT_FAMILIES``; training draws scribbles,
shapes, letters, partial and overlapping digits instead), replayed as mouse
strokes on ``DrawingCanvas`` (pen 8-40, 40-90% of the pad).  Prints, per family
and overall, the share that gets a verdict other than ``digit`` (target >= 90%)
and the verdict rates.  ``--families validation``: targets, flowers, check marks,
infinity signs, notes and suns instead (``VALIDATION_FAMILIES``, seed 777 by
default), disjoint from both, for choosing between versions without looking at
the benchmark's families.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtWidgets import QApplication  # noqa: E402

from digitpad.predictor import Predictor  # noqa: E402
from digitpad.resources import shipped_weights  # noqa: E402
from digitpad.stroke_model import stroke_model_option  # noqa: E402
from digitpad.synth.nondigits import (  # noqa: E402
    HELD_OUT_FAMILIES,
    VALIDATION_FAMILIES,
    held_out_nondigit,
    validation_nondigit,
)
from tests.canvas_replay import draw, fit_strokes, new_canvas, read_like_the_app  # noqa: E402

VERDICTS = ("digit", "unsure", "not-a-digit", "empty")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weights", default=None)
    p.add_argument("--strokes", default=None, help="stroke model: PATH, or none (default: the app's)")
    p.add_argument("--per-family", type=int, default=150)
    p.add_argument("--families", choices=("held-out", "validation"), default="held-out")
    p.add_argument("--seed", type=int, default=None, help="default: 4242 (held-out), 777 (validation)")
    args = p.parse_args()
    validation = args.families == "validation"
    families, make = (
        (VALIDATION_FAMILIES, validation_nondigit) if validation else (HELD_OUT_FAMILIES, held_out_nondigit)
    )
    seed = args.seed if args.seed is not None else (777 if validation else 4242)
    app = QApplication.instance() or QApplication([])
    predictor = Predictor.from_checkpoint(args.weights or shipped_weights())
    predictor.strokes = stroke_model_option(args.strokes)  # as the app reads the pad
    canvas = new_canvas()
    rng = np.random.default_rng(seed)
    print(f"weights {args.weights or shipped_weights()}; {args.families} families, seed {seed}")
    everything: list[str] = []
    for family in families:
        verdicts = []
        for _ in range(args.per_family):
            strokes = make(family, rng)
            draw(canvas, fit_strokes(strokes, float(rng.uniform(0.4, 0.9))), pen=float(rng.uniform(8, 40)))
            prediction = read_like_the_app(predictor, canvas)
            verdicts.append(getattr(prediction, "verdict", "empty" if prediction.empty else "digit"))
            app.processEvents()
        everything += verdicts
        rejected = np.mean([v != "digit" for v in verdicts]) * 100
        rates = "  ".join(f"{v} {verdicts.count(v) / len(verdicts) * 100:5.1f}%" for v in VERDICTS)
        print(f"{family:8s} not 'digit' {rejected:6.2f}%   {rates}")
    rejected = np.mean([v != "digit" for v in everything]) * 100
    rates = "  ".join(f"{v} {everything.count(v) / len(everything) * 100:5.1f}%" for v in VERDICTS)
    print(f"{'all':8s} not 'digit' {rejected:6.2f}%   {rates}   (n={len(everything)})")


if __name__ == "__main__":
    main()
