"""Choose the verdict thresholds on validation data only (never a test set).

    QT_QPA_PLATFORM=offscreen python benchmarks/tune_verdict.py --weights PATH

Replays the Pendigits ``.tra`` validation writers (26-30, held out of training)
on the real canvas (default pen, pen 4, pen 60, 30% height), read as the window reads them and draws training-
family non-digits with a validation seed, collects the calibrated 11-way
probabilities once, then prints for a grid of ``VerdictRule`` thresholds: the
share of real digits that get ``digit``, the accuracy among those, and the
share of non-digits that do not.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtWidgets import QApplication  # noqa: E402

from digitpad.normalize import normalize  # noqa: E402
from digitpad.pendigits import read_pendigits  # noqa: E402
from digitpad.predictor import Predictor  # noqa: E402
from digitpad.synth.forms import FORMS, draw_form  # noqa: E402
from digitpad.synth.mixture import VAL_WRITERS  # noqa: E402
from digitpad.synth.nondigits import TRAIN_FAMILIES, train_nondigit  # noqa: E402
from digitpad.verdict import VerdictRule, decide_batch  # noqa: E402
from tests.canvas_replay import app_input, draw, fit_strokes, new_canvas  # noqa: E402


def probabilities(predictor: Predictor, canvas, strokes, pen: float, height: float) -> np.ndarray:
    draw(canvas, fit_strokes(strokes, height), pen=pen)
    gray, dot_rule = app_input(canvas)  # what the window asks the worker to read
    n = normalize(gray, dot_rule=dot_rule)
    if n.empty or n.input is None:
        return np.full(11, np.nan, np.float32)
    full = predictor.predict_all(n.input[None])[0]
    return full if full.shape[0] == 11 else np.r_[full, 0.0].astype(np.float32)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weights", required=True)
    p.add_argument("--tra", default=str(REPO.parent / "shared" / "pendigits" / "pendigits-orig.tra"))
    p.add_argument("--nondigits", type=int, default=600)
    args = p.parse_args()
    app = QApplication.instance() or QApplication([])
    predictor = Predictor.from_checkpoint(args.weights)
    canvas = new_canvas()
    digits = [d for d in read_pendigits(args.tra) if d.writer in VAL_WRITERS]
    rows, labels = [], []
    for pen, height in ((22.0, 0.6), (4.0, 0.6), (60.0, 0.6), (22.0, 0.3)):
        for d in digits:
            rows.append(probabilities(predictor, canvas, d.strokes, pen, height))
            labels.append(d.label)
            app.processEvents()
    digit_probs, labels_a = np.stack(rows), np.array(labels)
    rng = np.random.default_rng(99)
    names = list(FORMS)

    def source(r: np.random.Generator):
        return draw_form(names[int(r.integers(0, len(names)))], r)

    nd = []
    for i in range(args.nondigits):
        strokes = train_nondigit(TRAIN_FAMILIES[i % len(TRAIN_FAMILIES)], source, rng)
        nd.append(probabilities(predictor, canvas, strokes, float(rng.uniform(8, 40)), float(rng.uniform(0.4, 0.9))))
    nd_probs = np.stack(nd)
    ok_d = ~np.isnan(digit_probs[:, 0])
    ok_n = ~np.isnan(nd_probs[:, 0])
    print(f"{len(labels_a)} validation digit drawings ({(~ok_d).sum()} empty), {len(nd_probs)} non-digits")
    print("min_conf close_ratio nd_at | digit%  acc|digit%  wrong-firm%  nondigit-rejected%")
    for mc, cr, na in itertools.product((0.4, 0.5, 0.6), (0.35, 0.5, 0.7), (0.4, 0.5, 0.6)):
        rule = VerdictRule(min_confidence=mc, close_ratio=cr, not_digit_at=na)
        vd = np.array(decide_batch(digit_probs[ok_d], rule))
        vn = np.array(decide_batch(nd_probs[ok_n], rule))
        firm = vd == "digit"
        right = digit_probs[ok_d][:, :10].argmax(1) == labels_a[ok_d]
        print(
            f"{mc:8.2f} {cr:11.2f} {na:5.2f} | {firm.mean() * 100:6.2f}  {right[firm].mean() * 100:10.2f}  "
            f"{(firm & ~right).mean() * 100:11.2f}  {(vn != 'digit').mean() * 100:8.2f}"
        )


if __name__ == "__main__":
    main()
