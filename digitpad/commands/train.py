"""``digitpad train``: train a registry model on MNIST, save it to the user's folder.

Ctrl+C stops training cleanly after the current step; the best model so far
is still saved.  The shipped weights are never overwritten.  The run itself
(data, device, training, evaluation, saving) is :class:`digitpad.training_run.TrainingRun`.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from digitpad.commands import command_line
from digitpad.train_options import TRAIN_OPTIONS, TrainConfig, config_from_values

if TYPE_CHECKING:
    from digitpad.trainer import StateDict


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """A ``TrainConfig`` with the options the user gave and the defaults for the rest."""
    values = {option.name: getattr(args, option.name, None) for option in TRAIN_OPTIONS}
    config = config_from_values(values)
    if values["threads"] is None:
        # Headless, the whole machine is ours: torch's default (all cores) unless told.
        # (TrainConfig's own default of 1 thread suits training beside the app.)
        config = dataclasses.replace(config, threads=None)
    return config


@contextmanager
def stop_on_ctrl_c(stop: Callable[[], None]) -> Iterator[None]:
    """While inside, the first Ctrl+C calls ``stop`` (the run ends after its step); a second one aborts."""

    def _stop(signum: int, frame: FrameType | None) -> None:
        print("\nstopping after this step (Ctrl+C again to abort)...", file=sys.stderr)
        stop()
        signal.signal(signal.SIGINT, previous)

    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def list_models() -> None:
    from digitpad.model_catalog import CATALOGUE, DEFAULT_MODEL

    for entry in CATALOGUE.values():
        mark = " (default)" if entry.name == DEFAULT_MODEL else ""
        print(f"{entry.name:<10} {entry.description} [{entry.parameters:,} parameters]{mark}")


def starting_weights(path: str | None, config: TrainConfig) -> tuple[StateDict | None, dict[str, Any]]:
    """For ``--init``: the weights to fine-tune from and what the new checkpoint records of them.

    ``TrainingError`` (one line) when the file holds another model (or, once training starts, another
    width or class count); ``CheckpointError`` when it cannot be read.  Loaded with ``weights_only``.
    """
    if path is None:
        return None, {}
    from digitpad.checkpoint import load_checkpoint, tensor_digest
    from digitpad.errors import TrainingError

    start = load_checkpoint(path)
    if start.model != config.model:
        raise TrainingError(f"--init {path} holds a {start.model} model; this run trains {config.model}")
    record = {
        "file": Path(path).name,
        "tensor_sha256": tensor_digest(start.state_dict),
        "command": start.meta.get("command"),
    }
    return dict(start.state_dict), {"init": {k: v for k, v in record.items() if v is not None}}


def run(args: argparse.Namespace) -> int:
    if args.list_models:
        list_models()
        return 0
    from digitpad.commands.progress import ProgressPrinter
    from digitpad.report import format_evaluation
    from digitpad.training_run import TrainingRun

    config = config_from_args(args)
    command = command_line("train")
    init = getattr(args, "init", None)
    initial_state, meta = starting_weights(init, config)
    if command is None and init is not None:
        from digitpad.train_options import training_command

        command = f"{training_command(config)} --init {shlex.quote(init)}"
    training = TrainingRun(config, out=args.out, command=command, initial_state=initial_state, meta=meta)
    with stop_on_ctrl_c(training.stop):
        outcome = training.execute(ProgressPrinter())
    result = training.result
    assert result is not None  # execute() returned, so the trainer finished
    print(format_evaluation(result.evaluation, title=f"\nbest model (epoch {outcome.best_epoch}) on the test set:"))
    if outcome.save_problem:  # full disk, no permission: one line; the fallback (if any) is named in it
        lost = "" if outcome.saved else "; the trained weights were not saved"
        print(f"digitpad: {outcome.save_problem}{lost}", file=sys.stderr)
        return 1
    print(f"\nsaved {outcome.weights_path}" if outcome.saved else "\nstopped before the first step: nothing saved")
    return 0
