"""Tune the segmentation prior (digitpad.segment_lattice.SpanPrior) on numbers built from .tra.

    python benchmarks/tune_numbers.py [--count 300] [--trials 300]

Recognises every candidate span once, then scores random priors by the exact
match of whole numbers (images and strokes together).  Data discipline: only
``pendigits-orig.tra`` (never .tes) is used here, and by default only its
writers 26-30, which the training mixture holds out for validation (the
shipped weights trained on writers 1-25 and read their digits almost
perfectly, which would teach the prior to trust the recogniser too much).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from number_set import build_numbers, render_number

from digitpad.ink import InkStroke
from digitpad.number_reader import NumberReader
from digitpad.pendigits import read_pendigits
from digitpad.predictor import Predictor
from digitpad.resources import shipped_weights
from digitpad.segment_image import image_lattice
from digitpad.segment_lattice import DEFAULT_PRIOR, SpanPrior
from digitpad.segment_strokes import stroke_lattice
from digitpad.synth.mixture import VAL_WRITERS

TRA = Path(__file__).resolve().parents[2] / "shared" / "pendigits" / "pendigits-orig.tra"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=300)
    p.add_argument("--trials", type=int, default=300)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--weights", default=None)
    p.add_argument("--all-writers", action="store_true", help="numbers from every .tra writer, trained-on ones too")
    p.add_argument("--images-only", action="store_true", help="tune the prior for images alone (IMAGE_PRIOR)")
    p.add_argument("--single-step", type=int, default=1, help="every Nth .tra digit for the single-digit check")
    p.add_argument("--single-norm", type=float, default=300.0, help="single digits right, per this many, count one")
    args = p.parse_args()
    import torch

    torch.set_num_threads(1)
    reader = NumberReader(Predictor.from_checkpoint(args.weights or shipped_weights()))
    writers = None if args.all_writers else VAL_WRITERS
    numbers = build_numbers(TRA, args.count, args.seed, writers)
    cases = []
    for s in numbers:
        for lattice in (image_lattice(render_number(s), None, reader._needs_cuts), stroke_lattice(list(s.strokes))):
            cases.append((s.text, lattice, *reader.recognise(lattice)))

    # Single digits on the number pad must read as they do alone: every multi-stroke digit of a
    # slice of .tra, plus as many one-stroke ones, each written alone.
    singles = []
    for d in [d for d in read_pendigits(TRA) if writers is None or d.writer in writers][:: args.single_step]:
        x0, y0, x1, y1 = d.bounds()
        scale = 170.0 / max(y1 - y0, 1.0)
        ink = [InkStroke(((s - (x0, y0)) * scale + (300.0, 55.0)).astype(np.float32), 22.0) for s in d.strokes]
        lattice = stroke_lattice(ink)
        if len(lattice.spans) > 1:  # one span: nothing to choose
            singles.append((str(d.label), lattice, *reader.recognise(lattice)))
    print(f"{len(cases)} number cases, {len(singles)} single digits with a choice", flush=True)

    def score(prior: SpanPrior) -> tuple[float, float, float]:
        hits = [reader.assemble(lat, n, pr, prior).number == text for text, lat, n, pr in cases]
        alone = [reader.assemble(lat, n, pr, prior).number == text for text, lat, n, pr in singles]
        return float(np.mean(hits[0::2])), float(np.mean(hits[1::2])), float(np.sum(alone)) / args.single_norm

    rng = np.random.default_rng(args.seed)
    best = DEFAULT_PRIOR
    best_score = score(best)
    print("default", best_score, best)
    if args.images_only:
        whole = score

        def score(prior: SpanPrior) -> tuple[float, float, float]:  # images alone
            return whole(prior)[0], 0.0, 0.0

        best_score = score(best)
    for _ in range(args.trials):
        trial = dataclasses.replace(
            best,
            **{
                k: float(max(0.0, getattr(best, k) * np.exp(rng.normal(0, 0.4)) + rng.normal(0, 0.05)))
                for k in ("digit", "wide", "wide_from", "short", "short_from", "join", "overlap", "cut")
            },
        )
        value = score(trial)
        if sum(value) > sum(best_score):
            best, best_score = trial, value
            print("better", value, best, flush=True)
    print("best", best_score, best)


if __name__ == "__main__":
    main()
