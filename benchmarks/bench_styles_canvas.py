"""Writing styles MNIST lacks, drawn on the real canvas: slashed zeros, flagged and serif 1s, crossed 7s...

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_styles_canvas.py [--weights PATH] [--per-form 200]

Three parts, none from the training generator's seeds:

1. real test writers' digits with a style mark added (Pendigits ``.tes``: a
   slash through each 0, a flag or a base serif on each 1, a crossbar on each 7;
   ``digitpad.synth.pen_styles`` with seed 1001);
2. every synthetic form of ``digitpad.synth.forms`` (seed 2026), plain and styled;
3. the 1 / 7 boundary: a 1 with a flag and a 7 with a bar, swept over the
   flag/bar angle and length, showing P(1) and P(7).

Each drawing is replayed as mouse strokes on ``DrawingCanvas`` (pen 8-40,
40-90% of the pad) and read by the shipped normalisation + predictor.
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

from digitpad.pendigits import read_pendigits  # noqa: E402
from digitpad.predictor import Predictor  # noqa: E402
from digitpad.resources import shipped_weights  # noqa: E402
from digitpad.stroke_model import stroke_model_option  # noqa: E402
from digitpad.synth import pen_styles  # noqa: E402
from digitpad.synth.forms import FORMS, bar_seven, draw_form, flag_one, vary  # noqa: E402
from tests.canvas_replay import draw, fit_strokes, new_canvas, read_like_the_app  # noqa: E402


def read(canvas, predictor, strokes, rng: np.random.Generator, pen: float | None = None, height: float | None = None):
    pen = float(rng.uniform(8, 40)) if pen is None else pen
    height = float(rng.uniform(0.4, 0.9)) if height is None else height
    draw(canvas, fit_strokes(strokes, height), pen=pen)
    return read_like_the_app(predictor, canvas)


def line(name: str, label: int, predictions: list) -> None:
    right = np.mean([p.digit == label for p in predictions]) * 100
    firm = np.mean([p.digit == label and p.verdict == "digit" for p in predictions]) * 100
    counts = {v: sum(p.verdict == v for p in predictions) for v in ("unsure", "not-a-digit", "empty")}
    wrong = [p.digit for p in predictions if p.digit != label]
    common = max(set(wrong), key=wrong.count) if wrong else "-"
    print(
        f"  {name:16s} read {right:6.2f}%  as firm digit {firm:6.2f}%  "
        f"unsure {counts['unsure']:3d} not-a-digit {counts['not-a-digit']:3d} empty {counts['empty']:3d}  "
        f"commonest error {common}  (n={len(predictions)})"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weights", default=None)
    p.add_argument("--strokes", default=None, help="stroke model: PATH, or none (default: the app's)")
    p.add_argument("--tes", default=str(REPO.parent / "shared" / "pendigits" / "pendigits-orig.tes"))
    p.add_argument("--per-form", type=int, default=200)
    args = p.parse_args()
    app = QApplication.instance() or QApplication([])
    predictor = Predictor.from_checkpoint(args.weights or shipped_weights())
    predictor.strokes = stroke_model_option(args.strokes)  # as the app reads the pad
    canvas = new_canvas()
    print(f"weights {args.weights or shipped_weights()}")

    print("1. Pendigits .tes writers' digits with a style mark (seed 1001)")
    rng = np.random.default_rng(1001)
    digits = read_pendigits(args.tes)
    marks = [
        ("0 slashed", 0, pen_styles.slash_zero),
        ("1 flagged", 1, pen_styles.flag_one),
        ("1 serif", 1, pen_styles.serif_one),
        ("7 crossed", 7, pen_styles.cross_seven),
    ]
    for name, label, mark in marks:
        preds = []
        for d in digits:
            if d.label == label:
                preds.append(read(canvas, predictor, mark([np.asarray(s, np.float64) for s in d.strokes], rng), rng))
                app.processEvents()
        line(name, label, preds)

    print(f"2. Synthetic forms (seed 2026), {args.per_form} each")
    rng = np.random.default_rng(2026)
    plain = []
    for name in FORMS:
        preds = []
        for _ in range(args.per_form):
            label, strokes = draw_form(name, rng)
            preds.append(read(canvas, predictor, strokes, rng))
            app.processEvents()
        line(name, label, preds)
        if name.endswith("-plain"):
            plain += [(pr, label) for pr in preds]
    print(f"  plain forms together: read {np.mean([pr.digit == lb for pr, lb in plain]) * 100:.2f}% (n={len(plain)})")

    print("3. The 1 / 7 boundary (mean over 20 drawings per cell): P(1) / P(7)")
    rng = np.random.default_rng(7)
    angles = (0, 10, 20, 30, 45, 60)
    print("   flag or bar length | " + " | ".join(f"{a:>2} deg      " for a in angles))
    for kind, make in (("1 flag", flag_one), ("7 bar", bar_seven)):
        for length in (0.2, 0.4, 0.6):
            cells = []
            for a in angles:
                pr = [read(canvas, predictor, vary(make(length, a), rng), rng).probabilities for _ in range(20)]
                m = np.mean(pr, axis=0)
                cells.append(f"{m[1]:.2f} / {m[7]:.2f}")
            print(f"   {kind:6s} {length:.1f}         | " + " | ".join(cells))


if __name__ == "__main__":
    main()
