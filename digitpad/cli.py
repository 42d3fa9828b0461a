"""The ``digitpad`` command line: ``predict``, ``train``, ``evaluate``, ``compare``.

With no subcommand it opens the desktop app.  Every subcommand turns the
core's typed errors into one clear line on stderr and a non-zero exit code;
heavy modules (torch, torchvision, Qt) are imported only by the subcommand
that needs them, so ``digitpad --help`` is instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

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


def _add_training_options(p: argparse.ArgumentParser, *, single_model: bool) -> None:
    if single_model:
        p.add_argument("--model", default=None, help="registry model name (see `digitpad train --list-models`)")
    p.add_argument("--epochs", type=int, default=None, help="passes over the training set")
    p.add_argument("--batch-size", type=int, default=None, help="images per step")
    p.add_argument("--lr", type=float, default=None, help="peak learning rate")
    p.add_argument("--seed", type=int, default=None, help="random seed (runs are reproducible on the CPU)")
    p.add_argument("--device", default="auto", help="auto (CUDA, then MPS, then CPU), cpu, cuda, cuda:N or mps")
    p.add_argument("--threads", type=int, default=None, help="CPU threads for torch (default: all cores)")
    p.add_argument(
        "--data-dir", metavar="DIR", help="folder holding MNIST/raw (default: $DIGITPAD_DATA or the user cache)"
    )
    p.add_argument("--download", action="store_true", help="download MNIST into the data folder if it is missing")
    p.add_argument("--no-augment", action="store_true", help="train on the plain MNIST images")
    p.add_argument("--dry-run", action="store_true", help="a few steps on a small slice: checks that everything works")
    advanced = p.add_argument_group("advanced")
    advanced.add_argument("--optimizer", choices=("sgd", "adamw"), default=None)
    advanced.add_argument("--weight-decay", type=float, default=None)
    advanced.add_argument("--label-smoothing", type=float, default=None)
    advanced.add_argument("--max-steps", type=int, default=None, help="stop after this many steps")
    advanced.add_argument("--precision", choices=("auto", "fp32", "bf16"), default=None)
    advanced.add_argument(
        "--data",
        choices=("mnist", "mix"),
        default=None,
        help="mnist, or mix: MNIST + Pendigits .tra + style forms + not-a-digit, selected on validation",
    )
    advanced.add_argument("--pendigits", metavar="FILE", default=None, help="pendigits-orig.tra for --data mix")
    advanced.add_argument("--elastic", dest="elastic_p", type=float, default=None, help="elastic distortion share")


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a model on MNIST",
        description="Train a model on MNIST and save it to the user's data folder (or --out). "
        "The shipped weights are never overwritten.",
    )
    _add_training_options(p, single_model=True)
    p.add_argument("--out", metavar="PATH", help="where to write the checkpoint")
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
