"""Tune the personalisation recipe on generated users (never on .tes).

    QT_QPA_PLATFORM=offscreen python benchmarks/tune_personalize.py [--distill 24 --replay-batch 192 ...]

``.tra`` itself gives no signal (the shipped weights trained on writers 1-25 and
read 26-30 almost perfectly), so each user here is one validation writer of
``pendigits-orig.tra`` (26-30, held out of training) whose every digit gets one
consistent, generated style the shipped weights misread: a strong slant, a
rotation either way, squeezed or widened.  As in ``bench_personalize.py``: the
first half's misreads become corrections, one run with the guard, errors
counted on the second half; general accuracy on MNIST training digits outside
the shipped replay and guard subsets (never MNIST test), both on 10,000 of them
and on the ones the weights' training held out for validation ("unseen": the
base never trained on them, so forgetting shows there as it would on the test
set).  Options override
``PersonalizeConfig`` fields.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import torch
from bench_personalize import add_config_options, config_from, mnist_figures, mnist_general, read, run_personalisation
from pendigits_canvas import network_input

from digitpad.checkpoint import load_checkpoint
from digitpad.pendigits import read_pendigits
from digitpad.personalize import PersonalizeConfig
from digitpad.predictor import Predictor
from digitpad.replay import load_replay
from digitpad.resources import shipped_weights
from digitpad.synth.mixture import VAL_WRITERS

REPO = Path(__file__).resolve().parent.parent
USERS = (
    ("slant", 26),
    ("rotate-right", 27),
    ("squeeze", 28),
    ("widen", 29),
    ("rotate-left", 30),
    ("rotate-right", 26),
    ("squeeze", 30),
    ("rotate-left", 27),
)


def _rotation(degrees: float) -> np.ndarray:
    a = np.radians(degrees)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


STYLES = {
    "slant": np.array([[1.0, -0.9], [0.0, 1.0]]),
    "rotate-right": _rotation(-40),
    "rotate-left": _rotation(35),
    "squeeze": np.array([[0.45, 0.0], [0.0, 1.0]]),
    "widen": np.array([[1.9, 0.0], [0.0, 1.0]]),
}


def styled(strokes, style: str) -> tuple[np.ndarray, ...]:
    centre = np.concatenate(strokes).mean(axis=0)
    return tuple(((s - centre) @ STYLES[style].T + centre).astype(np.float32) for s in strokes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(REPO.parent / "shared" / "pendigits" / "pendigits-orig.tra"))
    parser.add_argument("--weights", default=str(shipped_weights()))
    parser.add_argument("--mnist", default=str(REPO.parent / "shared" / "mnist"))
    add_config_options(parser)
    args = parser.parse_args()
    config = config_from(args, PersonalizeConfig(threads=1))
    torch.set_num_threads(config.threads or 1)
    base = load_checkpoint(args.weights)
    base_model = base.build_model()
    replay = load_replay()
    general_x, general_y = mnist_general(Path(args.mnist), "train-rest")
    general_before, _ = mnist_figures(base_model, general_x, general_y, base.mean, base.std)
    unseen_x, unseen_y = mnist_general(Path(args.mnist), "validation", int(base.config.get("seed", 1)))
    unseen_before, _ = mnist_figures(base_model, unseen_x, unseen_y, base.mean, base.std)
    by_writer: dict[int, list] = {}
    for digit in read_pendigits(args.file):
        if digit.writer in VAL_WRITERS:
            by_writer.setdefault(digit.writer, []).append(digit)
    print(
        f"config {config}\nbase general (MNIST train digits outside the shipped subsets) {general_before:.2%}, "
        f"unseen (the {len(unseen_y)} of them the weights' training held out) {unseen_before:.2%}"
    )
    t0 = time.perf_counter()
    rows = []
    for style, writer in USERS:
        digits = sorted(by_writer[writer], key=lambda d: d.sample)
        digits = [dataclasses.replace(d, strokes=styled(d.strokes, style)) for d in digits]
        inputs = np.stack([network_input(d) for d in digits])
        labels = np.asarray([d.label for d in digits], np.int64)
        half = len(digits) // 2
        wrong = np.flatnonzero(read(base_model, inputs[:half], base.mean, base.std) != labels[:half])
        before = int((read(base_model, inputs[half:], base.mean, base.std) != labels[half:]).sum())
        after, general, unseen, decision = before, general_before, unseen_before, "no corrections"
        if len(wrong) >= 2:
            result, _ = run_personalisation(base, inputs[wrong], labels[wrong], config, replay)
            decision = "switched" if result.report.accepted else "kept"
            if result.state_dict is not None:
                model = Predictor.from_state_dict(
                    base.model, result.state_dict, model_config=base.config.get("model_config", {})
                ).model
                after = int((read(model, inputs[half:], base.mean, base.std) != labels[half:]).sum())
                general, _ = mnist_figures(model, general_x, general_y, base.mean, base.std)
                unseen, _ = mnist_figures(model, unseen_x, unseen_y, base.mean, base.std)
        rows.append((before, after, general, unseen))
        print(
            f"{style:13s} writer {writer}  corrections {len(wrong):3d}  errors {before:3d} -> {after:3d}  "
            f"general {general:.2%}  unseen {unseen:.2%}  {decision}",
            flush=True,
        )
    before = sum(r[0] for r in rows)
    after = sum(r[1] for r in rows)
    print(
        f"errors {before} -> {after} ({(before - after) / max(before, 1):+.1%} fall), "
        f"worst writer {max(r[1] - r[0] for r in rows):+d}, lowest general {min(r[2] for r in rows):.2%} "
        f"(base {general_before:.2%}), largest unseen drop {max(unseen_before - r[3] for r in rows):.2%} "
        f"(base {unseen_before:.2%}), {time.perf_counter() - t0:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
