"""DigitPad's training mixture: MNIST + real pen digits + style forms + not-a-digit.

Everything is generated in code from a seed at the start of a training run
(about a minute on one core), so any retraining reproduces it without
downloads.  Each drawing is rendered like the canvas (``render``) at a random
pen width (4-60, log-uniform) and size (20-100% of the pad) and then goes
through the app's own ``normalize``, so the network trains on exactly what it
will see.  Label 10 is not-a-digit.

Held out for validation (selection and the temperature fit), never trained on:
a random 5,000 of MNIST's training set, Pendigits ``.tra`` writers 26-30, and
separately seeded forms and non-digits.  ``all_writers`` (``--all-writers``)
trains on writers 26-30 too: the final refit of a recipe already chosen on
the full split, selected and calibrated on the other three parts, which stay
the same images.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from digitpad.normalize import normalize
from digitpad.synth.forms import FORMS, draw_form
from digitpad.synth.nondigits import TRAIN_FAMILIES, cut_piece, train_nondigit
from digitpad.synth.pen_styles import add_mark
from digitpad.synth.render import fit, render
from digitpad.synth.strokes import Strokes, bounds, wobble

if TYPE_CHECKING:
    from digitpad.data import DataSource, TrainingData
    from digitpad.pendigits import PenDigit
    from digitpad.train_options import TrainConfig

NOT_A_DIGIT = 10
CLASSES = 11
PEN_RANGE = (4.0, 60.0)
HEIGHT_RANGE = (0.2, 1.0)
VAL_WRITERS = frozenset({26, 27, 28, 29, 30})
FAMILY_WEIGHTS = {"scribble": 0.25, "shape": 0.2, "letter": 0.25, "partial": 0.1, "overlap": 0.2, "pair": 0.15}
"""Relative shares of the not-a-digit families.  'pair' came last, on top of the other five's shares
(with 15% more non-digits, so they keep their count): taking its share from them cost scribbles and
overlaps 2-2.4 points of rejection on validation."""


@dataclass(frozen=True)
class MixtureConfig:
    val_mnist: int = 5000
    pen_renders: int = 3  # renders of each Pendigits .tra digit (random pen and size each)
    pen_mark_p: float = 0.3  # fraction of real 0/1/7 given a slash / flag or serif / crossbar
    pen_variation: float = 0.0  # training renders of pen digits: wobble and stroke shifts, in drawing heights
    forms: int = 10000
    nondigits: int = 11500
    val_forms: int = 1500
    val_nondigits: int = 1725
    max_form_pen: float = 0.2  # pen / drawing height limit for forms (a dot must not fill a zero)
    max_pen: float = 0.55  # pen / drawing height limit otherwise (beyond it a digit is an unreadable blob)
    all_writers: bool = False  # train on every .tra writer: the final refit of a chosen recipe (no Pendigits val)
    cut_pieces: int = 0  # training non-digits made by wrong cuts through touching pairs (nondigits.cut_piece)


@dataclass(frozen=True)
class Mixture:
    train_images: torch.Tensor  # uint8 (N, 28, 28)
    train_labels: torch.Tensor  # int64 (N,), 10 = not a digit
    val_images: torch.Tensor
    val_labels: torch.Tensor
    counts: dict[str, int]


def random_pen(rng: np.random.Generator, height: float, max_rel: float | None = None) -> float:
    """A log-uniform pen width in ``PEN_RANGE``, at most ``max_rel`` of the drawing's height."""
    hi = PEN_RANGE[1] if max_rel is None else min(PEN_RANGE[1], max(PEN_RANGE[0], max_rel * height * 280))
    return float(np.exp(rng.uniform(np.log(PEN_RANGE[0]), np.log(hi))))


def draw_normalized(strokes: Strokes, rng: np.random.Generator, max_rel: float | None = None) -> np.ndarray | None:
    """Render at a random pen and size and normalise; the uint8 28x28 preview, or None if empty."""
    height = float(rng.uniform(*HEIGHT_RANGE))
    image = render(fit(strokes, height), random_pen(rng, height, max_rel))
    n = normalize(image)
    return None if n.empty else n.preview


def _collect(
    make: Callable[[np.random.Generator], tuple[int, Strokes]], n: int, rng: np.random.Generator, max_rel: float | None
) -> tuple[list[np.ndarray], list[int]]:
    images: list[np.ndarray] = []
    labels: list[int] = []
    while len(images) < n:
        label, strokes = make(rng)
        img = draw_normalized(strokes, rng, max_rel)
        if img is not None:
            images.append(img)
            labels.append(label)
    return images, labels


def vary_strokes(strokes: Strokes, rng: np.random.Generator, amount: float) -> Strokes:
    """Another hand's version of a real digit: a smooth wobble of ``amount`` of its height,
    and each stroke of a digit drawn in several moved on its own by about ``amount / 2``
    (at most ``amount``): the bar of a 4 or 5 that misses its stem, a 7's crossbar set low.
    """
    x0, y0, x1, y1 = bounds(strokes)
    h = max(y1 - y0, x1 - x0, 1e-6)
    out = wobble(strokes, rng, amount)
    if len(out) > 1:
        shifts = np.clip(rng.normal(0.0, amount * h / 2, (len(out), 2)), -amount * h, amount * h)
        out = [s + shift for s, shift in zip(out, shifts, strict=True)]
    return out


def _pen_digits(
    digits: Sequence[PenDigit],
    renders: int,
    mark_p: float,
    rng: np.random.Generator,
    max_rel: float,
    variation: float = 0.0,
) -> tuple[list[np.ndarray], list[int]]:
    images: list[np.ndarray] = []
    labels: list[int] = []
    for d in digits:
        for _ in range(renders):
            strokes = [np.asarray(s, np.float64) for s in d.strokes]
            if variation > 0.0:  # no draw from rng otherwise: older recipes rebuild the same mixture
                strokes = vary_strokes(strokes, rng, variation)
            if rng.random() < mark_p:
                strokes = add_mark(d.label, strokes, rng)
            img = draw_normalized(strokes, rng, max_rel)
            if img is not None:
                images.append(img)
                labels.append(d.label)
    return images, labels


Make = Callable[[np.random.Generator], tuple[int, Strokes]]
_FORM_NAMES = list(FORMS)


def _form(r: np.random.Generator) -> tuple[int, Strokes]:
    return draw_form(_FORM_NAMES[int(r.integers(0, len(_FORM_NAMES)))], r)


def _digit_source(pen_train: Sequence[PenDigit]) -> Make:
    """A real pen digit of ``pen_train`` or a style form, half each."""

    def digit_source(r: np.random.Generator) -> tuple[int, Strokes]:
        if pen_train and r.random() < 0.5:
            d = pen_train[int(r.integers(0, len(pen_train)))]
            return d.label, [np.asarray(s, np.float64) for s in d.strokes]
        return _form(r)

    return digit_source


def stroke_sources(pen_train: Sequence[PenDigit]) -> tuple[Make, Make]:
    """The mixture's makers of labelled strokes: a style form (``synth.forms``), and a not-a-digit
    (label 10) of a training family at its share of ``FAMILY_WEIGHTS``, whose digit parts (partial,
    overlapping, paired digits) are real pen digits of ``pen_train`` or forms, half each.
    The stroke model (``digitpad.stroke_training``) trains on the same sources."""
    digit_source = _digit_source(pen_train)

    families = list(FAMILY_WEIGHTS)
    weights = np.array([FAMILY_WEIGHTS[f] for f in families])
    assert set(families) == set(TRAIN_FAMILIES)

    def nondigit(r: np.random.Generator) -> tuple[int, Strokes]:
        fam = families[int(r.choice(len(families), p=weights / weights.sum()))]
        return NOT_A_DIGIT, train_nondigit(fam, digit_source, r)

    return _form, nondigit


def cut_source(pen_train: Sequence[PenDigit]) -> Make:
    """A maker of wrong-cut pieces (label 10) from pairs of real pen digits of ``pen_train`` or forms."""
    source = _digit_source(pen_train)

    def piece(r: np.random.Generator) -> tuple[int, Strokes]:
        while True:
            out = cut_piece(source, r)
            if out:
                return NOT_A_DIGIT, out

    return piece


def build_mixture(
    mnist_images: torch.Tensor,
    mnist_labels: torch.Tensor,
    pendigits_tra: str | Path | None,
    seed: int,
    config: MixtureConfig = MixtureConfig(),
    *,
    pen_limit: int | None = None,
) -> Mixture:
    """The training and validation sets (uint8 28x28 + labels 0-10), reproducible from ``seed``."""
    from digitpad.pendigits import read_pendigits

    rng = np.random.default_rng([seed, 10])
    perm = torch.from_numpy(rng.permutation(len(mnist_labels)))
    val_idx, train_idx = perm[: config.val_mnist], perm[config.val_mnist :]
    pen_train, pen_val = [], []
    if pendigits_tra is not None:
        digits = read_pendigits(pendigits_tra)
        pen_train = [d for d in digits if d.writer not in VAL_WRITERS][:pen_limit]
        pen_val = [d for d in digits if d.writer in VAL_WRITERS][:pen_limit]
    form, nondigit = stroke_sources(pen_train)

    parts: dict[str, tuple[list[np.ndarray], list[int]]] = {}
    train_rng, val_rng = np.random.default_rng([seed, 11]), np.random.default_rng([seed, 12])
    pen_fit = pen_train + pen_val if config.all_writers else pen_train  # non-digits keep their source
    parts["pendigits"] = _pen_digits(
        pen_fit, config.pen_renders, config.pen_mark_p, train_rng, config.max_pen, config.pen_variation
    )
    parts["forms"] = _collect(form, config.forms, train_rng, config.max_form_pen)
    parts["nondigits"] = _collect(nondigit, config.nondigits, train_rng, config.max_pen)
    if config.cut_pieces:  # its own random stream: the other parts stay exactly as without it
        parts["cut"] = _collect(
            cut_source(pen_train), config.cut_pieces, np.random.default_rng([seed, 13]), config.max_pen
        )
    vparts = {
        "pendigits": _pen_digits(pen_val, 1, config.pen_mark_p, val_rng, config.max_pen),
        "forms": _collect(form, config.val_forms, val_rng, config.max_form_pen),
        "nondigits": _collect(nondigit, config.val_nondigits, val_rng, config.max_pen),
    }
    if config.all_writers:  # drawn all the same, so the other validation parts stay exactly as they were
        vparts["pendigits"] = ([], [])

    def stack(base_i: torch.Tensor, base_l: torch.Tensor, extra: dict) -> tuple[torch.Tensor, torch.Tensor]:
        imgs = [base_i] + [torch.from_numpy(np.stack(v[0])) for v in extra.values() if v[0]]
        labs = [base_l] + [torch.tensor(v[1], dtype=torch.int64) for v in extra.values() if v[1]]
        return torch.cat(imgs).contiguous(), torch.cat(labs)

    mi, ml = mnist_images.cpu(), mnist_labels.cpu().long()
    ti, tl = stack(mi[train_idx], ml[train_idx], parts)
    vi, vl = stack(mi[val_idx], ml[val_idx], vparts)
    # shuffled once, so that the first N of either (--train-limit, --dry-run) are a fair sample
    tp, vp = torch.from_numpy(rng.permutation(len(tl))), torch.from_numpy(rng.permutation(len(vl)))
    ti, tl, vi, vl = ti[tp].contiguous(), tl[tp], vi[vp].contiguous(), vl[vp]
    counts = {"mnist": len(train_idx), "val_mnist": len(val_idx)}
    counts.update({k: len(v[1]) for k, v in parts.items()})
    counts.update({f"val_{k}": len(v[1]) for k, v in vparts.items()})
    return Mixture(ti, tl, vi, vl, counts)


DRY_RUN = MixtureConfig(val_mnist=256, pen_renders=1, forms=128, nondigits=128, val_forms=32, val_nondigits=32)
DRY_RUN_PEN_DIGITS = 300  # of each Pendigits split, for --dry-run


def pendigits_file(config: TrainConfig) -> Path | None:
    """The ``.tra`` file a "mix" run uses: ``--pendigits``, else ``$DIGITPAD_PENDIGITS``, else
    ``pendigits/pendigits-orig.tra`` beside the MNIST folder; None when there is none (then the
    mixture has no real pen digits).  Raises ``DataError`` when ``--pendigits`` names a missing file."""
    from digitpad.errors import DataError
    from digitpad.paths import default_pendigits

    if config.pendigits:
        path = Path(config.pendigits)
        if not path.is_file():
            raise DataError(f"Pendigits file not found: {path}")
        return path
    if config.data_dir and not os.environ.get("DIGITPAD_PENDIGITS"):
        path = Path(config.data_dir).parent / "pendigits" / "pendigits-orig.tra"
    else:
        path = default_pendigits()
    return path if path.is_file() else None


def mixture_config(config: TrainConfig) -> MixtureConfig:
    """The mixture a run's options ask for (``--pen-renders``, ``--pen-variation``, ``--cut-pieces``; a dry run's
    is tiny)."""
    base = DRY_RUN if config.dry_run else MixtureConfig(pen_renders=config.pen_renders)
    return dataclasses.replace(
        base, all_writers=config.all_writers, pen_variation=config.pen_variation, cut_pieces=config.cut_pieces
    )


def mixture_source(config: TrainConfig) -> DataSource:
    """A run's data for ``--data mix``: ``train`` is the mixture, ``test`` its validation split."""
    from digitpad.data import Split, TrainingData, load_mnist

    def load(device: torch.device) -> TrainingData:
        mnist = load_mnist(config.data_dir, train=True, download=config.download)
        mc = mixture_config(config)
        mix = build_mixture(
            mnist.images,
            mnist.labels,
            pendigits_file(config),
            config.seed,
            mc,
            pen_limit=DRY_RUN_PEN_DIGITS if config.dry_run else None,
        )
        info = {"mixture": dict(mix.counts), "mixture_config": dataclasses.asdict(mc)}
        return TrainingData(
            Split(mix.train_images, mix.train_labels).to(device),
            Split(mix.val_images, mix.val_labels).to(device),
            info,
        )

    return load
