"""``digitpad compare``: several models side by side (accuracy, parameters, training time).

Registry names are trained with the given settings (3 epochs unless
``--epochs`` says otherwise); ``.pt`` files are loaded and evaluated.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from digitpad.errors import DataError

COMPARE_EPOCHS = 3


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    accuracy: float
    parameters: int
    train_seconds: float | None  # None when unknown (a checkpoint without the figure)


def _trained_row(name: str, args: argparse.Namespace) -> Row:
    from digitpad.commands.progress import ProgressPrinter
    from digitpad.commands.train import config_from_args, stop_on_ctrl_c
    from digitpad.models import build_model, parameter_count
    from digitpad.trainer import Trainer

    args = argparse.Namespace(**vars(args), model=name)
    if args.epochs is None:
        args.epochs = COMPARE_EPOCHS
    config = config_from_args(args)
    trainer = Trainer(config)  # compared, not kept: nothing is saved
    printer = ProgressPrinter()
    with stop_on_ctrl_c(trainer.stop):
        for event in trainer.run():
            printer(event)
    result = trainer.result
    if result is None:
        raise DataError(f"training {name} produced no model")
    params = parameter_count(build_model(name, **dict(config.model_config)))
    return Row(name, result.best_accuracy, params, result.seconds)


def _loaded_row(path: Path, data_dir: str | None, download: bool) -> Row:
    from digitpad.checkpoint import load_checkpoint
    from digitpad.commands.evaluate import evaluate_mnist
    from digitpad.models import parameter_count

    checkpoint = load_checkpoint(path)
    evaluation = evaluate_mnist(checkpoint, data_dir, download)
    seconds = checkpoint.meta.get("train_seconds")
    return Row(
        f"{path.name} ({checkpoint.model})",
        evaluation.accuracy,
        parameter_count(checkpoint.build_model()),
        float(seconds) if seconds is not None else None,
    )


def format_table(rows: list[Row]) -> str:
    width = max(len("model"), *(len(r.name) for r in rows))
    lines = [f"{'model':<{width}}  {'accuracy':>9}  {'parameters':>11}  {'train time':>10}"]
    for r in rows:
        seconds = f"{r.train_seconds:.1f} s" if r.train_seconds is not None else "-"
        lines.append(f"{r.name:<{width}}  {r.accuracy:>9.2%}  {r.parameters:>11,}  {seconds:>10}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from digitpad.models import model_names

    rows = []
    for item in args.models or model_names():
        if item.endswith(".pt") or Path(item).is_file():
            rows.append(_loaded_row(Path(item), args.data_dir, args.download))
        else:
            rows.append(_trained_row(item, args))
    print()
    print(format_table(rows))
    return 0
