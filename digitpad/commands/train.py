"""``digitpad train``: train a registry model on MNIST, save it to the user's folder.

Ctrl+C stops training cleanly after the current step; the best model so far
is still saved.  The shipped weights are never overwritten.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import time
from dataclasses import fields
from pathlib import Path

from digitpad.errors import TrainingError
from digitpad.paths import user_weights_dir
from digitpad.resources import shipped_weights

# CLI option -> TrainConfig field, for options that default to "the config's default".
_CONFIG_OPTIONS = (
    "model",
    "epochs",
    "batch_size",
    "lr",
    "seed",
    "device",
    "threads",
    "data_dir",
    "download",
    "optimizer",
    "weight_decay",
    "label_smoothing",
    "max_steps",
    "precision",
    "dry_run",
    "data",
    "pendigits",
    "elastic_p",
)


def config_from_args(args: argparse.Namespace):
    """A ``TrainConfig`` with the options the user gave and the defaults for the rest."""
    from digitpad.trainer import TrainConfig

    known = {f.name for f in fields(TrainConfig)}
    values = {}
    for name in _CONFIG_OPTIONS:
        value = getattr(args, name, None)
        if name in known and value is not None and value is not False:
            values[name] = value
    # Headless, the whole machine is ours: torch's default (all cores) unless told.
    # (TrainConfig's own default of 1 thread suits training beside the app.)
    values.setdefault("threads", None)
    if getattr(args, "no_augment", False):
        values["augment"] = False
    if values.get("data_dir") is not None:
        values["data_dir"] = str(values["data_dir"])
    return TrainConfig(**values)


def default_output(model: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return user_weights_dir() / f"{model}-{stamp}.pt"


def check_output(path: Path) -> Path:
    """Refuse to write over the shipped weights."""
    if path.resolve() == shipped_weights().resolve():
        raise TrainingError(f"{path} is the shipped weights file, which is never overwritten: choose another --out")
    return path


def run_training(config, *, printer, command: str | None = None):
    """Run a Trainer to the end, printing its events; SIGINT stops it cleanly. Returns the Trainer."""
    from digitpad.trainer import Trainer

    trainer = Trainer(config)

    def _stop(signum, frame):
        print("\nstopping after this step (Ctrl+C again to abort)...", file=sys.stderr)
        trainer.stop()
        signal.signal(signal.SIGINT, previous)

    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, _stop)
    try:
        for event in trainer.run():
            printer(event)
    finally:
        signal.signal(signal.SIGINT, previous)
    return trainer


def run(args: argparse.Namespace) -> int:
    if args.list_models:
        from digitpad.models import DEFAULT_MODEL, MODELS, describe

        for name in MODELS:
            mark = " (default)" if name == DEFAULT_MODEL else ""
            print(f"{name:<10} {describe(name)}{mark}")
        return 0
    from digitpad.commands.progress import ProgressPrinter
    from digitpad.report import format_evaluation

    config = config_from_args(args)
    out = check_output(Path(args.out) if args.out else default_output(config.model))
    command = "digitpad " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["train"] else None
    trainer = run_training(config, printer=ProgressPrinter(), command=command)
    result = trainer.result
    if result is None:
        raise TrainingError("training ended without a model to save")
    saved = trainer.save(out, command=command)
    print(format_evaluation(result.evaluation, title=f"\nbest model (epoch {result.best_epoch}) on the test set:"))
    print(f"\nsaved {saved}")
    return 0
