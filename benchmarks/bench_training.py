"""Training throughput and time to 99.0% / 99.5% MNIST test accuracy.

    python benchmarks/bench_training.py --data-dir ../shared/mnist --threads 1 2

Time is training time only (test evaluations, run ``--evals-per-epoch`` times
per epoch, are excluded); images/s is the median of the trainer's own
throughput reports.  Defaults are the default recipe shortened to a 2-epoch
schedule; pass ``--epochs``/``--model`` to try others.  The recipes behind the
README's figures (2 threads, both cores free):

    # 99.0%: a narrow digitpad net, no augmentation, a 600-step one-cycle schedule
    python benchmarks/bench_training.py --data-dir ../shared/mnist --threads 2 --width 16 \
        --batch-size 64 --lr 0.1 --epochs 1 --max-steps 600 --no-augment --evals-per-epoch 1
    # 99.5%: the same net with augmentation, 4-5 epochs
    python benchmarks/bench_training.py --data-dir ../shared/mnist --threads 2 --width 16 \
        --batch-size 64 --lr 0.1 --epochs 5 --evals-per-epoch 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digitpad.trainer import EpochFinished, Evaluated, Finished, StepProgress, TrainConfig, Trainer

TARGETS = (0.99, 0.995)


def bench(args: argparse.Namespace, threads: int) -> None:
    cfg = TrainConfig(
        model=args.model,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        threads=threads,
        data_dir=args.data_dir,
        device=args.device,
        evals_per_epoch=args.evals_per_epoch,
        precision=args.precision,
        augment=not args.no_augment,
        max_steps=args.max_steps,
        label_smoothing=args.label_smoothing,
        model_config={"width": args.width} if args.width else {},
    )
    reached: dict[float, float] = {}
    rates: list[float] = []
    final = 0.0
    for event in Trainer(cfg).run():
        if isinstance(event, StepProgress) and event.step > 5:
            rates.append(event.images_per_s)
        elif isinstance(event, (Evaluated, EpochFinished)):
            final = event.test_accuracy
            for target in TARGETS:
                if event.test_accuracy >= target and target not in reached:
                    reached[target] = event.train_s
            where = f"epoch {event.epoch}" + (f" step {event.step}" if isinstance(event, Evaluated) else " end")
            print(f"  [{threads} thr] {where}: test {event.test_accuracy:.2%} after {event.train_s:.1f} s", flush=True)
        elif isinstance(event, Finished):
            total = event.seconds
    rate = statistics.median(rates) if rates else float("nan")
    marks = "  ".join(f"{t:.1%}: {reached[t]:.1f} s" if t in reached else f"{t:.1%}: not reached" for t in TARGETS)
    print(
        f"{args.model} threads={threads}: {rate:.0f} images/s  |  {marks}  |  final {final:.2%}"
        f"  |  wall {total:.1f} s (evaluations included)",
        flush=True,
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default=None, help="folder holding MNIST/raw (default: DIGITPAD_DATA)")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--model", default="digitpad")
    p.add_argument("--width", type=int, default=None, help="digitpad model width (default 32)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--precision", default="auto")
    p.add_argument("--evals-per-epoch", type=int, default=6)
    p.add_argument("--max-steps", type=int, default=None, help="end the schedule after this many steps")
    p.add_argument("--no-augment", action="store_true", help="train on the plain MNIST images")
    p.add_argument("--label-smoothing", type=float, default=0.1)
    args = p.parse_args()
    for threads in args.threads:
        bench(args, threads)


if __name__ == "__main__":
    main()
