"""The ``digitpad`` command line: ``predict``, ``train``, ``evaluate``, ``compare``, ``ensemble``, ...

With no subcommand it opens the desktop app.  Every subcommand turns the
core's typed errors into one clear line on stderr and a non-zero exit code;
heavy modules (torch, torchvision, Qt) are imported only by the subcommand
that needs them, so ``digitpad --help`` is instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from digitpad import __version__
from digitpad.errors import DigitPadError

EXIT_OK = 0
EXIT_FAILED = 1  # the job ran but something in it failed (e.g. one bad file)
EXIT_USAGE = 2


def _add_predict(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict",
        help="recognise the digit in image files",
        description="Recognise the handwritten digit in each image file.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="image files (PNG, JPEG, BMP, GIF, TIFF, WebP)")
    p.add_argument("--weights", metavar="PATH", help="checkpoint to use (default: the shipped weights)")
    p.add_argument("--json", action="store_true", help="print one JSON object per file with all ten probabilities")
    p.add_argument("--number", action="store_true", help="read a whole number (several digits) in each file")


def _add_training_options(p: argparse.ArgumentParser, *, single_model: bool) -> None:
    """One flag per entry of the option table (digitpad.train_options); every default is None: "not given"."""
    from digitpad.train_options import TRAIN_OPTIONS

    advanced = p.add_argument_group("advanced")
    for option in TRAIN_OPTIONS:
        if option.name == "model" and not single_model:
            continue  # compare names its models as arguments
        group = advanced if option.advanced else p
        if option.type is bool:
            group.add_argument(
                option.flag,
                dest=option.name,
                action="store_const",
                const=not option.default,
                default=None,
                help=f"train without {option.help}" if option.default else option.help,
            )
        elif option.name == "model":  # choices are checked with a clearer message than argparse's
            group.add_argument(option.flag, dest=option.name, default=None, metavar="MODEL", help=option.help)
        else:
            group.add_argument(
                option.flag,
                dest=option.name,
                type=_checked(option),
                choices=option.choices or None,
                default=None,
                metavar=option.metavar,
                help=option.help,
            )


def _checked(option: Any) -> Callable[[str], Any]:
    """An argparse ``type`` that parses the value and checks its range (a usage error, exit 2)."""

    def parse(text: str) -> Any:
        try:
            value = option.type(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {option.type.__name__}, got {text!r}") from None
        try:
            option.check(value)
        except DigitPadError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return value

    parse.__name__ = option.type.__name__  # argparse names the type in its messages
    return parse


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a model on MNIST",
        description="Train a model on MNIST and save it to the user's data folder (or --out). "
        "The shipped weights are never overwritten.",
    )
    _add_training_options(p, single_model=True)
    p.add_argument("--out", metavar="PATH", help="where to write the checkpoint")
    p.add_argument(
        "--init",
        metavar="WEIGHTS",
        help="fine-tune: start from these weights (same model and width) instead of a fresh initialisation",
    )
    p.add_argument("--list-models", action="store_true", help="list the registry's models and exit")


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="accuracy, confusion matrix and per-class metrics",
        description="Evaluate weights on the MNIST test set, or on a folder of labelled images "
        "laid out as DIR/<digit>/* (through the same normalisation as user files).",
    )
    p.add_argument("--weights", metavar="PATH", help="checkpoint to evaluate (default: the shipped weights)")
    p.add_argument("--data-dir", metavar="DIR", help="folder holding MNIST/raw")
    p.add_argument("--download", action="store_true", help="download MNIST if it is missing")
    p.add_argument("--images", metavar="DIR", help="evaluate on DIR/<digit>/* image files instead of MNIST")
    p.add_argument("--numbers", metavar="DIR", help="score whole numbers in DIR/<anything>_<number>.png files")
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="train or load several models and compare them",
        description="Train each named registry model (or load each checkpoint) and print "
        "accuracy, parameter count and training time side by side.",
    )
    p.add_argument(
        "models",
        nargs="*",
        metavar="MODEL_OR_CHECKPOINT",
        help="registry names or .pt files (default: every registry model)",
    )
    _add_training_options(p, single_model=False)


def _add_personal(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "personalize",
        help="adapt the weights to your handwriting (checked against forgetting)",
        description="Fine-tune weights on personal samples (the app's store, or --images DIR laid out as "
        "DIR/<digit>/*.png) mixed with general digits; keep the result only if it reads held-out personal "
        "samples better and general digits at most 0.3 points worse.",
    )
    p.add_argument("--images", metavar="DIR", help="adapt to DIR/<digit>/* images instead of the app's samples")
    p.add_argument("--weights", metavar="BASE", help="weights to start from (default: the shipped weights)")
    p.add_argument("--out", metavar="FILE", help="where to write the new checkpoint (default: the user's folder)")
    p.add_argument("--json", action="store_true", help="print one JSON object with the figures")
    advanced = p.add_argument_group("advanced")
    advanced.add_argument("--method", choices=("replay", "l2sp"), default=None)
    advanced.add_argument("--steps", type=int, default=None, help="optimizer steps per run")
    advanced.add_argument("--threads", type=int, default=None, help="CPU threads for torch (default 1)")
    s = sub.add_parser("samples", help="list, export or import your personal samples")
    actions = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="samples per digit")
    listing.add_argument("--json", action="store_true")
    for name, text in (("export", "write DIR/<digit>/*.png"), ("import", "add DIR/<digit>/* images")):
        actions.add_parser(name, help=text).add_argument("folder", metavar="DIR")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitpad",
        description="Recognise handwritten digits. With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"digitpad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_predict(sub)
    _add_train(sub)
    _add_evaluate(sub)
    _add_compare(sub)
    _add_personal(sub)
    from digitpad.commands.train_strokes import add_parser as _add_train_strokes

    _add_train_strokes(sub)
    from digitpad.commands.ensemble import add_parser as _add_ensemble

    _add_ensemble(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version")):
        # No subcommand: the desktop app (it takes its own Qt options).
        from digitpad.gui.app import main as gui_main

        return gui_main(args_list)
    args = parser.parse_args(args_list)
    try:
        if args.command == "predict":
            from digitpad.commands.predict import run
        elif args.command == "train":
            from digitpad.commands.train import run
        elif args.command == "evaluate":
            from digitpad.commands.evaluate import run
        elif args.command == "train-strokes":
            from digitpad.commands.train_strokes import run
        elif args.command == "ensemble":
            from digitpad.commands.ensemble import run
        elif args.command in ("personalize", "samples"):
            from importlib import import_module

            run = import_module(f"digitpad.commands.{args.command}").run
        else:
            from digitpad.commands.compare import run
        return run(args)
    except DigitPadError as error:
        print(f"digitpad: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("digitpad: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
