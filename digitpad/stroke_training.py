"""Train the stroke model (:mod:`digitpad.stroke_model`) on pen paths, reproducibly from a seed.

The data are strokes, never pictures, from the same sources as the image
model's mixture (:mod:`digitpad.synth.mixture`), generated in code:

* Pendigits ``pendigits-orig.tra`` writers outside ``VAL_WRITERS`` (with the
  mixture's share of slashed zeros, flagged and serif ones, crossed sevens),
* the style forms (``synth.forms``) and the not-a-digit families
  (``synth.nondigits``, the mixture's shares), label 10.

Every epoch draws each one again with a fresh random slant, shear, width and
jitter.  Validation: writers 26-30 and their own forms and non-digits; the
epoch with the best validation accuracy is kept and the temperature fitted
there.  Then the combination weight with the image model (``image`` below):
the validation drawings are rendered and normalised as the mixture renders
them, and the weight in :data:`WEIGHTS` with the lowest negative
log-likelihood of ``image * strokes ** weight`` wins (the digits-only
combination; the pad also lets the strokes vouch for a digit with the same
weight, ``combine(..., vouch=True)``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from digitpad.calibration import fit_temperature, nll, softmax
from digitpad.errors import TrainingError
from digitpad.stroke_model import CLASSES, StrokeEnsemble, StrokeNet, combine
from digitpad.stroke_recipe import StrokeRecipe
from digitpad.trajectory import trajectory

Strokes = list[np.ndarray]
Sample = tuple[int, Strokes]
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
"""Combination weights tried on validation (0: the image model alone)."""


@dataclass(frozen=True)
class StrokeSets:
    train_digits: list[Sample]  # Pendigits training writers, unmarked (marks are drawn per epoch)
    pool: list[Sample]  # forms and non-digits, drawn once
    val: list[Sample]


def build_sets(pendigits_tra: str | Path, recipe: StrokeRecipe) -> StrokeSets:
    """The stroke training and validation sets, reproducible from ``recipe.seed``."""
    from digitpad.pendigits import read_pendigits
    from digitpad.synth.mixture import VAL_WRITERS, stroke_sources
    from digitpad.synth.pen_styles import add_mark

    digits = read_pendigits(pendigits_tra)
    train = [d for d in digits if d.writer not in VAL_WRITERS][: recipe.writers_limit]
    val = [d for d in digits if d.writer in VAL_WRITERS][: recipe.writers_limit]
    if not train or not val:
        raise TrainingError(f"{Path(pendigits_tra).name} has no digits of the training or validation writers")

    def strokes_of(d: Any) -> Strokes:
        return [np.asarray(s, np.float64) for s in d.strokes]

    form, nondigit = stroke_sources(train)  # the image mixture's own makers

    def count(n: int) -> int:  # a dry run (writers_limit) makes everything small
        return n if recipe.writers_limit is None else min(n, recipe.writers_limit)

    rng = np.random.default_rng([recipe.seed, 21])
    pool = [form(rng) for _ in range(count(recipe.forms))] + [nondigit(rng) for _ in range(count(recipe.nondigits))]
    vr = np.random.default_rng([recipe.seed, 22])
    val_set: list[Sample] = []
    for d in val:
        s = strokes_of(d)
        val_set.append((d.label, add_mark(d.label, s, vr) if vr.random() < recipe.mark_p else s))
    val_set += [form(vr) for _ in range(count(recipe.val_forms))]
    val_set += [nondigit(vr) for _ in range(count(recipe.val_nondigits))]
    return StrokeSets([(d.label, strokes_of(d)) for d in train], pool, val_set)


def augment(
    strokes: Sequence[np.ndarray], rng: np.random.Generator, reverse_p: float = 0.0, reorder_p: float = 0.0
) -> Strokes:
    """A random slant, shear and width (about the origin; features ignore position) and a little jitter;
    with ``reverse_p`` each stroke is written the other way, with ``reorder_p`` the strokes come in a
    random order (writers differ in both; no draw from ``rng`` for a share of 0)."""
    if reverse_p > 0:
        strokes = [s[::-1] if rng.random() < reverse_p else s for s in strokes]
    if reorder_p > 0 and len(strokes) > 1 and rng.random() < reorder_p:
        strokes = [strokes[k] for k in rng.permutation(len(strokes))]
    a = math.radians(rng.uniform(-15.0, 15.0))
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    m = rot @ np.array([[rng.uniform(0.8, 1.2), rng.uniform(-0.3, 0.3)], [0.0, 1.0]])
    pts = np.concatenate([np.asarray(s, np.float64) for s in strokes])
    size = max(float(np.ptp(pts, axis=0).max()), 1e-6)
    return [np.asarray(s, np.float64) @ m.T + rng.normal(0.0, 0.01 * size, (len(s), 2)) for s in strokes]


def _tensor(samples: Sequence[Sample]) -> tuple[torch.Tensor, torch.Tensor]:
    seqs, labels = [], []
    for label, strokes in samples:
        t = trajectory(strokes)
        if t is not None:
            seqs.append(t)
            labels.append(label)
    return torch.from_numpy(np.stack(seqs)), torch.tensor(labels, dtype=torch.int64)


Progress = Callable[[int, int, float], None]
"""Called after each epoch: (epoch, epochs, validation accuracy)."""


def train_strokes(
    sets: StrokeSets,
    recipe: StrokeRecipe,
    image_probabilities: Callable[[list[Strokes]], np.ndarray] | None = None,
    progress: Progress | None = None,
) -> tuple[nn.Module, dict[str, Any]]:
    """The trained model and its meta: temperature, combination weight, figures.

    ``recipe.members`` nets are trained, from seeds ``recipe.seed``, ``recipe.seed + 1``, ... on the
    same data, each kept at its best validation epoch; with more than one they become a
    :class:`~digitpad.stroke_model.StrokeEnsemble` (mean logits), and the temperature and the weight
    are fitted on the ensemble.  Member 0 is exactly the one-net model of the same recipe.

    ``image_probabilities`` reads validation drawings with the image model (``(N, 11)`` calibrated);
    without it the combination weight is not fitted (0.5 is stored).
    """
    xv, yv = _tensor(sets.val)
    runs = []
    for k in range(recipe.members):
        member_progress = None
        if progress is not None:
            member_progress = partial(_member_progress, progress, k * recipe.epochs, recipe.members * recipe.epochs)
        runs.append(_train_one(sets, replace(recipe, seed=recipe.seed + k), (xv, yv), member_progress))
    net: nn.Module = runs[0].net if recipe.members == 1 else StrokeEnsemble([r.net for r in runs])
    net.eval()
    with torch.inference_mode():
        logits = net(xv).numpy()
    labels = yv.numpy()
    temperature = fit_temperature(logits, labels)
    meta: dict[str, Any] = {
        "recipe": asdict(recipe),
        "temperature": temperature,
        "selected_on": "validation",
        "best_epoch": runs[0].best_epoch,
        "validation_accuracy": runs[0].accuracy if recipe.members == 1 else float((logits.argmax(1) == labels).mean()),
        "validation_curve": runs[0].curve,
        "validation_size": int(len(labels)),
        "combine_weight": 0.5,
    }
    if recipe.members > 1:
        meta["members"] = [
            {"seed": recipe.seed + k, "best_epoch": r.best_epoch, "validation_accuracy": r.accuracy, "curve": r.curve}
            for k, r in enumerate(runs)
        ]
    if image_probabilities is not None:
        meta.update(_fit_weight(sets.val, softmax(logits, temperature), image_probabilities))
    return net, meta


@dataclass(frozen=True)
class _Run:
    net: StrokeNet  # at its best validation epoch, in eval mode
    best_epoch: int
    accuracy: float  # validation accuracy at that epoch
    curve: list[float]


def _member_progress(progress: Progress, before: int, total: int, epoch: int, _epochs: int, accuracy: float) -> None:
    progress(before + epoch, total, accuracy)


def _train_one(
    sets: StrokeSets, recipe: StrokeRecipe, val: tuple[torch.Tensor, torch.Tensor], progress: Progress | None
) -> _Run:
    """One net from ``recipe.seed``, kept at the epoch with the best accuracy on ``val`` (inputs, labels)."""
    from digitpad.synth.pen_styles import add_mark

    xv, yv = val
    torch.manual_seed(recipe.seed)
    rng = np.random.default_rng([recipe.seed, 23])
    net = StrokeNet(recipe.width, CLASSES)
    steps_per_epoch = math.ceil((len(sets.train_digits) + len(sets.pool)) / recipe.batch)
    opt = torch.optim.AdamW(net.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, recipe.lr, total_steps=recipe.epochs * steps_per_epoch)
    best: tuple[float, int, dict[str, torch.Tensor]] | None = None
    curve = []
    for epoch in range(1, recipe.epochs + 1):
        flips = (recipe.reverse_p, recipe.reorder_p)
        drawn = [
            (label, augment(add_mark(label, s, rng) if rng.random() < recipe.mark_p else s, rng, *flips))
            for label, s in sets.train_digits
        ] + [(label, augment(s, rng, *flips)) for label, s in sets.pool]
        order = rng.permutation(len(drawn))
        x, y = _tensor([drawn[k] for k in order])
        net.train()
        for b in range(0, len(y), recipe.batch):
            loss = F.cross_entropy(net(x[b : b + recipe.batch]), y[b : b + recipe.batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        net.eval()
        with torch.inference_mode():
            acc = float((net(xv).argmax(1) == yv).float().mean())
        curve.append(round(acc, 5))
        if best is None or acc > best[0]:
            best = (acc, epoch, {k: v.detach().clone() for k, v in net.state_dict().items()})
        if progress is not None:
            progress(epoch, recipe.epochs, acc)
    assert best is not None
    net.load_state_dict(best[2])
    net.eval()
    return _Run(net, best[1], best[0], curve)


def refit_weight(
    net: nn.Module,
    temperature: float,
    sets: StrokeSets,
    image_probabilities: Callable[[list[Strokes]], np.ndarray],
) -> dict[str, Any]:
    """The combination weight fitted again for another image model: the same nets and temperature on
    the same validation drawings (``build_sets`` with the file's own recipe draws them again)."""
    xv, _ = _tensor(sets.val)
    net.eval()
    with torch.inference_mode():
        logits = net(xv).numpy()
    return _fit_weight(sets.val, softmax(logits, temperature), image_probabilities)


def _fit_weight(
    val: Sequence[Sample], stroke_probs: np.ndarray, image_probabilities: Callable[[list[Strokes]], np.ndarray]
) -> dict[str, Any]:
    """The weight in :data:`WEIGHTS` with the lowest validation NLL, and the accuracy at each weight.

    A weight whose combination reads no more validation drawings right than the image model alone
    becomes 0: a stroke model that does not help (too short a run, too little data) is never used."""
    kept = [(label, s) for label, s in val if trajectory(s) is not None]
    image = image_probabilities([s for _, s in kept])
    labels = np.array([label for label, _ in kept])
    read = image.sum(axis=1) > 0  # drawings the image model could read at all
    rows = {}
    for w in WEIGHTS:
        p = combine(image[read], stroke_probs[read], w)
        rows[w] = (nll(np.log(np.maximum(p, 1e-12)), labels[read]), float((p.argmax(1) == labels[read]).mean()))
    weight = min(WEIGHTS, key=lambda w: (round(rows[w][0], 6), w))
    if rows[weight][1] <= rows[0.0][1]:
        weight = 0.0
    return {
        "combine_weight": weight,
        "combine_validation": {f"{w:g}": {"nll": round(v[0], 5), "accuracy": round(v[1], 5)} for w, v in rows.items()},
    }
