"""Writer cross-validation of the stroke model's recipe (the pen-path model alone, ``.tra`` writers only).

    python benchmarks/cv_strokes.py --fold 2 [--flips 0.3] [--pendigits FILE]

Holds out five ``pendigits-orig.tra`` writers (fold k: writers 5k+1 .. 5k+5;
fold 5 is the usual validation writers 26-30), trains on the other 25 exactly
as ``digitpad train-strokes`` does (``--flips``: its ``--reverse-strokes`` and
``--reorder-strokes``), and prints the held-out accuracy (their digits, forms
and non-digits) at the last and at the best epoch.  About 4 minutes a fold on
one thread.  Never touches ``.tes``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fold", type=int, required=True, choices=range(6))
    p.add_argument("--flips", type=float, default=0.0)
    p.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    p.add_argument(
        "--pendigits", default=str(Path(__file__).resolve().parents[2] / "shared/pendigits/pendigits-orig.tra")
    )
    args = p.parse_args()
    import torch

    torch.set_num_threads(1)
    import digitpad.synth.mixture as mixture

    held_out = frozenset(range(5 * args.fold + 1, 5 * args.fold + 6))
    mixture.VAL_WRITERS = held_out  # build_sets reads it at call time
    from digitpad.stroke_recipe import StrokeRecipe
    from digitpad.stroke_training import build_sets, train_strokes

    recipe = replace(StrokeRecipe(), reverse_p=args.flips, reorder_p=args.flips)
    if args.epochs:
        recipe = replace(recipe, epochs=args.epochs)
    sets = build_sets(args.pendigits, recipe)
    _, meta = train_strokes(sets, recipe)
    print(
        f"writers {min(held_out)}-{max(held_out)} held out, flips {args.flips}: "
        f"last epoch {100 * meta['validation_curve'][-1]:.2f}%, best (epoch {meta['best_epoch']}) "
        f"{100 * meta['validation_accuracy']:.2f}%  (n={meta['validation_size']})"
    )


if __name__ == "__main__":
    main()
