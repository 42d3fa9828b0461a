"""Writer cross-validation of the stroke model's recipe (the pen-path model alone, ``.tra`` writers only).

    python benchmarks/cv_strokes.py --fold 2 [--flips 0.3] [--members 2] [--drop-fold 3] [--pendigits FILE]

Holds out five ``pendigits-orig.tra`` writers (fold k: writers 5k+1 .. 5k+5;
fold 5 is the usual validation writers 26-30), trains on the other 25 exactly
as ``digitpad train-strokes`` does (``--flips``: its ``--reverse-strokes`` and
``--reorder-strokes``), and prints the held-out accuracy (their digits, forms
and non-digits; "digits": the digits and forms among them) at the last and at
the best epoch; with ``--members N``, each net and the N-net ensemble (nets at
their best epochs, as the command keeps them).  ``--drop-fold J`` also leaves
fold J's writers out of training (20 training writers: does the model still
gain from more writers?).  About 4 minutes a fold and net
on one thread.  Never touches ``.tes``.
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
    p.add_argument("--members", type=int, default=1)
    p.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    p.add_argument("--drop-fold", type=int, default=None, choices=range(6), help="also train without these writers")
    p.add_argument(
        "--pendigits", default=str(Path(__file__).resolve().parents[2] / "shared/pendigits/pendigits-orig.tra")
    )
    args = p.parse_args()
    import torch

    torch.set_num_threads(1)
    import digitpad.synth.mixture as mixture

    held_out = frozenset(range(5 * args.fold + 1, 5 * args.fold + 6))
    mixture.VAL_WRITERS = held_out  # build_sets reads it at call time
    if args.drop_fold is not None:
        import digitpad.pendigits as pendigits

        if args.drop_fold == args.fold:
            p.error("--drop-fold must differ from --fold")
        dropped = frozenset(range(5 * args.drop_fold + 1, 5 * args.drop_fold + 6))
        read = pendigits.read_pendigits
        pendigits.read_pendigits = lambda path: [d for d in read(path) if d.writer not in dropped]  # type: ignore[assignment]
    from digitpad.stroke_recipe import StrokeRecipe
    from digitpad.stroke_training import _tensor, build_sets, train_strokes

    recipe = replace(StrokeRecipe(), reverse_p=args.flips, reorder_p=args.flips, members=args.members)
    if args.epochs:
        recipe = replace(recipe, epochs=args.epochs)
    sets = build_sets(args.pendigits, recipe)
    net, meta = train_strokes(sets, recipe)
    x, y = _tensor(sets.val)
    with torch.inference_mode():
        right = net(x).argmax(1) == y
    digits = 100 * float(right[y < 10].float().mean())
    for k, member in enumerate(meta.get("members", [])):
        print(
            f"net {k + 1} (seed {member['seed']}): best (epoch {member['best_epoch']}) "
            f"{100 * member['validation_accuracy']:.2f}%"
        )
    print("curve (last 8 epochs):", " ".join(f"{100 * a:.2f}" for a in meta["validation_curve"][-8:]))
    last = f"last epoch {100 * meta['validation_curve'][-1]:.2f}%, " if args.members == 1 else ""
    print(
        f"writers {min(held_out)}-{max(held_out)} held out"
        + (
            f", writers {5 * args.drop_fold + 1}-{5 * args.drop_fold + 5} not trained on"
            if args.drop_fold is not None
            else ""
        )
        + f", flips {args.flips}, {args.members} net(s): "
        f"{last}best {100 * float(right.float().mean()):.2f}%, digits {digits:.2f}%  (n={meta['validation_size']})"
    )


if __name__ == "__main__":
    main()
