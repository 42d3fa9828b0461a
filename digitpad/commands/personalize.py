"""``digitpad personalize``: adapt weights to one person's handwriting, with the no-regression guard.

The samples come from ``--images DIR`` (``DIR/<digit>/*.png``) or, by
default, from the app's personal sample store.  Prints the check's figures
before and after (``--json``: one object) and says plainly whether the new
weights were kept; only then is a checkpoint written (``--out`` or the user's
weights folder).  Exit code 0 either way: a refused run is an answer, not an error.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    from digitpad.checkpoint import load_checkpoint
    from digitpad.commands.predict import weights_path
    from digitpad.personalize import PersonalizeConfig, Personalizer, Progressed, default_output_path

    weights = weights_path(args.weights)
    if args.images:
        from digitpad.sample_folder import read_folder

        found = read_folder(args.images)
        for line in found.skipped:
            print(f"digitpad: skipped {line}", file=sys.stderr)
        images, labels, source = found.images, found.labels, str(args.images)
    else:
        from digitpad.sample_store import SampleStore

        with SampleStore.open() as store:
            if store.recovered:
                print(f"digitpad: {store.recovered}", file=sys.stderr)
            images, labels = store.arrays()
            source = str(store.path)
    config = PersonalizeConfig()
    overrides = {k: getattr(args, k) for k in ("method", "steps", "threads") if getattr(args, k, None) is not None}
    config = replace(config, **overrides)
    job = Personalizer(load_checkpoint(weights), images, labels, config)
    for event in job.run():
        if isinstance(event, Progressed) and not args.json and sys.stderr.isatty():
            print(f"\r{event.stage} {event.step}/{event.steps_total}", end="", file=sys.stderr, flush=True)
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    result = job.result
    assert result is not None
    report = result.report
    out: Path | None = None
    if report.accepted:
        out = job.save(Path(args.out) if args.out else default_output_path())
    if args.json:
        print(
            json.dumps(
                {"weights": str(weights), "samples_from": source, "out": str(out) if out else None, **report.as_dict()}
            )
        )
        return 0
    print(f"{report.samples} samples from {source}; base weights {weights.name}")
    print(f"held-out personal samples ({report.held_out}): {report.personal_before:.1%} -> {report.personal_after:.1%}")
    print(f"general digits ({report.general_count}): {report.general_before:.2%} -> {report.general_after:.2%}")
    print(report.summary)
    if out is not None:
        print(f"saved {out} (use it with --weights, or in the app: Model > Load weights…)")
    print(f"{report.seconds:.1f} s")
    return 0
