"""``digitpad train-strokes``: train the stroke model the pad combines with the image model.

Reads Pendigits strokes (``--pendigits``), trains on the training writers,
keeps the best epoch on the validation writers, fits the temperature and the
weight of the combination with the image model (``--image-weights``, the
shipped ones by default), and writes the file atomically (``--out``, or
``strokes.pt`` in the user's weights folder, which the app then prefers to the
shipped one).  The recipe, the figures and the command go into its meta.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from digitpad.commands import command_line
from digitpad.stroke_recipe import MAX_COMBINE_WEIGHT


def add_parser(sub: argparse._SubParsersAction) -> None:
    from digitpad.stroke_model import MAX_MEMBERS
    from digitpad.stroke_recipe import StrokeRecipe

    d = StrokeRecipe()
    p = sub.add_parser(
        "train-strokes",
        help="train the stroke model (pen paths) the pad combines with the image model",
        description="Train the stroke model on Pendigits pen strokes, select it on the validation writers "
        "and fit its weight against the image model there.",
    )
    p.add_argument(
        "--pendigits", metavar="FILE", help="pendigits-orig.tra (default: $DIGITPAD_PENDIGITS or beside MNIST)"
    )
    p.add_argument("--image-weights", metavar="PATH", help="image model to combine with (default: the shipped weights)")
    p.add_argument("--out", metavar="PATH", help="where to write it (default: strokes.pt in the user's weights folder)")
    p.add_argument("--epochs", type=_positive, default=d.epochs, help=f"epochs (default {d.epochs})")
    p.add_argument("--seed", type=int, default=d.seed, help=f"random seed (default {d.seed})")
    p.add_argument(
        "--members",
        type=_members,
        default=d.members,
        metavar="N",
        help=f"train N nets from seeds SEED, SEED+1, ... and average them (1-{MAX_MEMBERS}, default {d.members})",
    )
    for flag, default, what in (
        ("--reverse-strokes", d.reverse_p, "each stroke written the other way"),
        ("--reorder-strokes", d.reorder_p, "the strokes in a random order"),
    ):
        p.add_argument(flag, type=_share, default=default, metavar="P", help=f"train with {what} with this chance")
    p.add_argument("--threads", type=_positive, default=1, help="CPU threads for torch (default 1)")
    p.add_argument(
        "--refit",
        metavar="STROKES",
        help="train nothing: keep this stroke model's nets and temperature and fit only its combination "
        "weight against --image-weights (after the image weights changed)",
    )
    p.add_argument(
        "--weight",
        type=_weight,
        default=None,
        metavar="W",
        help="with --refit: use this combination weight instead of the NLL-best one (the fitted table is "
        "still computed and stored beside it)",
    )
    p.add_argument("--limit", type=_positive, default=None, help=argparse.SUPPRESS)  # tests: first N digits


def _between_zero_and(high: float) -> Any:
    """An argparse ``type``: a number from 0 to ``high`` (a usage error, exit 2, otherwise)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not 0.0 <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between 0 and {high:g}, got {value:g}")
        return value

    return parse


_share = _between_zero_and(1.0)
_weight = _between_zero_and(MAX_COMBINE_WEIGHT)


def _members(text: str) -> int:
    from digitpad.stroke_model import MAX_MEMBERS

    value = _positive(text)
    if value > MAX_MEMBERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_MEMBERS}, got {value}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from digitpad.checkpoint import load_checkpoint, save_checkpoint, tensor_digest
    from digitpad.commands.predict import weights_path
    from digitpad.devices import set_cpu_threads
    from digitpad.errors import DataError
    from digitpad.paths import default_pendigits, user_weights_dir
    from digitpad.predictor import Predictor
    from digitpad.resources import STROKE_WEIGHTS_NAME
    from digitpad.stroke_model import MODEL_NAME
    from digitpad.stroke_recipe import StrokeRecipe
    from digitpad.stroke_training import build_sets, train_strokes

    if args.weight is not None and not args.refit:
        raise DataError("--weight goes with --refit (a training run fits its own weight)")
    pendigits = Path(args.pendigits) if args.pendigits else default_pendigits()
    if not pendigits.is_file():
        raise DataError(f"Pendigits file not found: {pendigits} (give --pendigits FILE)")
    out = Path(args.out) if args.out else user_weights_dir() / STROKE_WEIGHTS_NAME
    image_weights = weights_path(args.image_weights)
    image = load_checkpoint(image_weights)  # before training: a bad file fails at once
    predictor = Predictor.from_loaded(image)
    set_cpu_threads(args.threads)
    if args.refit:
        return _refit(Path(args.refit), pendigits, out, image, predictor, args.weight)
    recipe = replace(
        StrokeRecipe(),
        epochs=args.epochs,
        seed=args.seed,
        writers_limit=args.limit,
        reverse_p=args.reverse_strokes,
        reorder_p=args.reorder_strokes,
        members=args.members,
    )
    started = time.monotonic()
    sets = build_sets(pendigits, recipe)
    print(
        f"stroke model: {len(sets.train_digits)} pen digits + {len(sets.pool)} forms and non-digits, "
        f"{len(sets.val)} validation drawings",
        file=sys.stderr,
    )

    def progress(epoch: int, epochs: int, accuracy: float) -> None:
        print(f"epoch {epoch}/{epochs}: validation {100 * accuracy:.2f}%", file=sys.stderr, flush=True)

    net, meta = train_strokes(sets, recipe, _image_reader(predictor, recipe.seed), progress)
    meta.update(
        {
            "command": command_line("train-strokes") or "",
            "image_weights": image_weights.name,
            "image_weights_sha256": tensor_digest(image.state_dict),
            "training_seconds": round(time.monotonic() - started, 1),
        }
    )
    config = {"width": recipe.width} | ({"members": recipe.members} if recipe.members > 1 else {})
    save_checkpoint(out, model_name=MODEL_NAME, state_dict=net.state_dict(), config=config, meta=meta)
    rows = meta.get("combine_validation", {})
    for w, row in rows.items():
        print(f"weight {w}: validation accuracy {100 * row['accuracy']:.2f}%, NLL {row['nll']:.4f}")
    for k, member in enumerate(meta.get("members", [])):
        print(
            f"net {k + 1} (seed {member['seed']}): best epoch {member['best_epoch']}, "
            f"validation {100 * member['validation_accuracy']:.2f}%"
        )
    epochs = f"best epoch {meta['best_epoch']}" if recipe.members == 1 else f"{recipe.members} nets"
    print(
        f"saved {out}: {epochs}, validation {100 * meta['validation_accuracy']:.2f}% "
        f"(strokes alone), combination weight {meta['combine_weight']:g}, {meta['training_seconds']:.0f} s"
    )
    if meta["combine_weight"] == 0:
        print(
            "note: together with the image model it reads no more validation drawings right than the "
            "picture alone, so the pad will not use it (weight 0); train longer or on the full file"
        )
    return 0


def _refit(source: Path, pendigits: Path, out: Path, image: Any, predictor: Any, weight: float | None) -> int:
    """``--refit``: the stroke file at ``source`` with its weight fitted against ``image`` (or ``weight``,
    given, with the fitted table kept beside it), written to ``out``."""
    from dataclasses import fields

    from digitpad.checkpoint import read_weights_payload, save_checkpoint, tensor_digest
    from digitpad.stroke_model import MODEL_NAME, StrokeModel
    from digitpad.stroke_recipe import StrokeRecipe
    from digitpad.stroke_training import build_sets, refit_weight

    raw = read_weights_payload(source)  # CheckpointError: one line
    model = StrokeModel.from_payload(raw, source)
    recorded = model.meta.get("recipe")
    stored: dict[str, Any] = recorded if isinstance(recorded, dict) else {}
    recipe = StrokeRecipe(**{f.name: stored[f.name] for f in fields(StrokeRecipe) if f.name in stored})
    before = model.weight
    fitted = refit_weight(
        model.net, model.temperature, build_sets(pendigits, recipe), _image_reader(predictor, recipe.seed)
    )
    given_keys = ("combine_weight_given", "combine_weight_fitted")  # a previous --weight's, never carried over
    meta = {k: v for k, v in model.meta.items() if k not in ("date", "versions", *given_keys)}
    meta.update(fitted)
    if weight is not None:
        meta["combine_weight_fitted"] = fitted["combine_weight"]
        meta["combine_weight"] = weight
        meta["combine_weight_given"] = True
    meta.update(
        {
            "trained": model.meta.get("date", ""),
            "image_weights": Path(image.path).name if image.path else "",
            "image_weights_sha256": tensor_digest(image.state_dict),
            "refit_command": command_line("train-strokes") or "",
        }
    )
    save_checkpoint(out, model_name=MODEL_NAME, state_dict=raw["state_dict"], config=raw.get("config"), meta=meta)
    for w, row in fitted["combine_validation"].items():
        print(f"weight {w}: validation accuracy {100 * row['accuracy']:.2f}%, NLL {row['nll']:.4f}")
    print(
        f"saved {out}: the nets of {source.name}, combination weight {before:g} -> {meta['combine_weight']:g}"
        + (f" (given; the NLL-best is {fitted['combine_weight']:g})" if weight is not None else "")
    )
    return 0


def _image_reader(predictor: Any, seed: int) -> Any:
    """Validation drawings rendered and normalised as the image mixture renders them, read by ``predictor``."""
    import numpy as np

    from digitpad.synth.mixture import MixtureConfig, draw_normalized

    max_pen = MixtureConfig().max_pen

    def read(drawings: list[list[Any]]) -> Any:
        rng = np.random.default_rng([seed, 24])
        out = np.zeros((len(drawings), 11), np.float32)
        for k, strokes in enumerate(drawings):
            preview = draw_normalized(strokes, rng, max_pen)
            if preview is None:
                continue
            x = (preview.astype(np.float32) / 255.0 - predictor.mean) / predictor.std
            probs = predictor.predict_all(x[None])[0]
            out[k, : probs.shape[0]] = probs
        return out

    return read
