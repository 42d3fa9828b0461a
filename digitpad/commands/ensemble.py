"""``digitpad ensemble A.pt B.pt ... --out FILE``: join trained nets into one weights file.

The files must be ``digitpad train --data mix`` runs with the same seed and
mixture (one validation split); the ensemble's temperature is fitted on that
split and MNIST's test set is reported (:mod:`digitpad.ensemble`).  The file is
written atomically; the command and each member's own command go into its meta.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from digitpad.commands import command_line


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ensemble",
        help="join several trained weights files into one (their logits averaged)",
        description="Join digitpad weights files trained apart on the same validation split into one "
        "ensemble; fit its temperature on that split and report MNIST test.",
    )
    p.add_argument("files", nargs="+", metavar="WEIGHTS", help="two to four 'digitpad train --data mix' files")
    p.add_argument("--out", metavar="PATH", required=True, help="where to write the ensemble")
    p.add_argument(
        "--data-dir", metavar="DIR", help="folder holding MNIST/raw (default: as the first file was trained)"
    )
    p.add_argument("--pendigits", metavar="FILE", help="pendigits-orig.tra (default: as the first file was trained)")
    p.add_argument("--download", action="store_true", help="download MNIST if it is missing")
    p.add_argument(
        "--ask-below",
        type=float,
        default=1.0,
        metavar="P",
        help="ask the other nets only where the first is less sure than P of its top class (default 1: always)",
    )
    p.add_argument(
        "--not-digit-from-first",
        action="store_true",
        help="take the not-a-digit output from the first file alone; average only the digits",
    )
    p.add_argument("--threads", type=int, default=1, help="CPU threads for torch (default 1)")


def run(args: argparse.Namespace) -> int:
    from digitpad.checkpoint import load_checkpoint, save_checkpoint
    from digitpad.devices import set_cpu_threads
    from digitpad.ensemble import ENSEMBLE_MODEL, join_members
    from digitpad.training_run import check_output

    out = check_output(args.out)  # a bad target fails before the work
    members = [load_checkpoint(f) for f in args.files]  # CheckpointError: one line
    set_cpu_threads(max(1, args.threads))
    started = time.monotonic()
    joined = join_members(
        members,
        data_dir=args.data_dir,
        pendigits=args.pendigits,
        download=args.download,
        ask_below=args.ask_below,
        first_not_digit=args.not_digit_from_first,
    )
    meta = {
        **joined.meta,
        "command": command_line("ensemble") or "",
        "join_seconds": round(time.monotonic() - started, 1),
    }
    save_checkpoint(out, model_name=ENSEMBLE_MODEL, state_dict=joined.state_dict, config=joined.config, meta=meta)
    for k, member in enumerate(meta["members"]):
        acc = member.get("test_accuracy")
        print(f"net {k + 1}: {Path(args.files[k]).name}, MNIST test {100 * acc:.2f}%" if acc else f"net {k + 1}")
    print(
        f"saved {out}: {len(members)} nets, validation {100 * meta['validation_accuracy']:.2f}% "
        f"({meta['validation_size']} images), temperature {meta['temperature']:.3f}, "
        f"MNIST test {100 * meta['test_accuracy']:.2f}% (ECE {100 * meta['test_ece']:.2f}%)"
    )
    return 0
