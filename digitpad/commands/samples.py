"""``digitpad samples list | export DIR | import DIR``: the app's personal sample store."""

from __future__ import annotations

import argparse
import json
import sys


def run(args: argparse.Namespace) -> int:
    from digitpad.sample_store import SampleStore

    with SampleStore.open() as store:
        if store.recovered:
            print(f"digitpad: {store.recovered}", file=sys.stderr)
        if args.action == "list":
            counts = store.counts()
            if args.json:
                print(json.dumps({"store": str(store.path), "total": sum(counts), "per_digit": counts}))
            else:
                print(f"{sum(counts)} samples in {store.path}")
                for digit, n in enumerate(counts):
                    print(f"  {digit}: {n}")
            return 0
        if args.action == "export":
            from digitpad.sample_folder import export_folder

            n = export_folder(store, args.folder)
            print(f"exported {n} samples to {args.folder}/<digit>/")
            return 0
        from digitpad.sample_folder import import_folder

        added, skipped = import_folder(store, args.folder)
        for line in skipped:
            print(f"digitpad: skipped {line}", file=sys.stderr)
        print(f"imported {added} samples from {args.folder} ({store.count()} in the store)")
        return 1 if skipped else 0
