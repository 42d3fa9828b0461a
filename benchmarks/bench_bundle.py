"""Figures for the packaged app: build time, size on disk and as .tar.gz, start-up to first prediction.

    python benchmarks/bench_bundle.py                  # build into a temporary folder, measure, delete
    python benchmarks/bench_bundle.py --bundle dist/digitpad --runs 5   # measure an existing bundle

Start-up figures come from the frozen app's own ``--smoke`` report (seconds
since the process started): the first run is cold-ish (files may not be in the
page cache), the median of the others is "warm".  Say which torch the
environment has when you quote the figures: a CUDA torch makes a bundle ten
times the size of a CPU-only one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "packaging"))

from build import build, folder_size  # noqa: E402 - packaging/build.py


def tar_gz_size(bundle: Path, scratch: Path) -> int:
    path = scratch / "bundle.tar.gz"
    with tarfile.open(path, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)
    size = path.stat().st_size
    path.unlink()
    return size


def smoke(bundle: Path, home: Path) -> dict:
    out = home / "smoke.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "DIGITPAD_"))}
    env.update(
        {
            "DIGITPAD_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "QT_QPA_PLATFORM": env.get("QT_QPA_PLATFORM", "offscreen"),
        }
    )
    exe = bundle / ("digitpad-gui.exe" if os.name == "nt" else "digitpad-gui")
    started = time.monotonic()
    subprocess.run([str(exe), "--smoke", str(out)], env=env, check=True, capture_output=True, timeout=300)
    report = json.loads(out.read_text())
    report["timings"]["process_exit_wall"] = round(time.monotonic() - started, 4)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, help="an existing bundle folder (default: build one)")
    parser.add_argument("--runs", type=int, default=5, help="smoke runs (the first counts as cold)")
    args = parser.parse_args()

    import torch

    print(
        f"python {platform.python_version()}, torch {torch.__version__}, {platform.platform()}, {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory(prefix="digitpad-bench-bundle-") as scratch_name:
        scratch = Path(scratch_name)
        bundle = args.bundle
        if bundle is None:
            started = time.monotonic()
            bundle = build(scratch / "dist", scratch / "build")
            print(f"build: {time.monotonic() - started:.0f} s")
        print(f"size on disk: {folder_size(bundle) / 2**20:.0f} MiB")
        print(f"size as .tar.gz (level 6): {tar_gz_size(bundle, scratch) / 2**20:.0f} MiB")
        runs = []
        for i in range(args.runs):
            home = scratch / f"home-{i}"
            home.mkdir()
            runs.append(smoke(bundle, home))
            shutil.rmtree(home)
        for name in ("window_shown", "model_loaded", "first_prediction", "process_exit_wall"):
            values = [r["timings"][name] for r in runs]
            warm = statistics.median(values[1:]) if len(values) > 1 else values[0]
            print(
                f"{name:>18}: first run {values[0]:.2f} s, warm median {warm:.2f} s "
                f"(all: {', '.join(f'{v:.2f}' for v in values)})"
            )
        if args.bundle is None:
            shutil.rmtree(scratch / "dist", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
