"""Cold start of the desktop app: window visible, and first prediction possible.

    python benchmarks/bench_gui_startup.py [--runs 5] [--weights PATH]

Launches ``python -c "from digitpad.gui.app import main; main()"`` in a fresh
process per run with ``DIGITPAD_GUI_TIMING=1`` (the app prints
``digitpad-timing <event> <time.monotonic()>``) and
``DIGITPAD_GUI_QUIT_WHEN_READY=1``.  ``time.monotonic()`` is one system-wide
clock on Linux, so times are measured from just before the launch, interpreter
start-up included.  Targets: window visible <= 1.0 s, model ready <= 2.5 s.
Uses ``$DISPLAY`` when set, otherwise the offscreen platform; settings and
data go to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAUNCH = "import sys; from digitpad.gui.app import main; sys.exit(main([]))"


def one_run(weights: Path | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="digitpad-start-") as tmp:
        env = dict(
            os.environ,
            DIGITPAD_GUI_TIMING="1",
            DIGITPAD_GUI_QUIT_WHEN_READY="1",
            DIGITPAD_HOME=tmp,
            XDG_CONFIG_HOME=tmp,
            PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
        )
        if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
            env.setdefault("QT_QPA_PLATFORM", "offscreen")
        if weights is not None:
            conf = Path(tmp) / "DigitPad"
            conf.mkdir()
            (conf / "DigitPad.conf").write_text(f"[model]\nweights={weights.resolve()}\n")
        begun = time.monotonic()
        out = subprocess.run([sys.executable, "-c", LAUNCH], env=env, capture_output=True, text=True, timeout=120)
    marks = {}
    for line in out.stderr.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "digitpad-timing":
            marks[parts[1]] = float(parts[2]) - begun
    if out.returncode != 0 or len(marks) < 2:
        raise SystemExit(f"the app failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--weights", type=Path, help="weights file (default: the shipped ones)")
    args = parser.parse_args()
    runs = [one_run(args.weights) for _ in range(args.runs)]
    shown = [r["window_shown"] for r in runs]
    ready = [r["model_ready"] for r in runs]
    print(
        f"window visible: median {statistics.median(shown):.2f} s (min {min(shown):.2f}, max {max(shown):.2f}; "
        f"target <= 1.0 s)"
    )
    print(
        f"model ready (first prediction possible): median {statistics.median(ready):.2f} s "
        f"(min {min(ready):.2f}, max {max(ready):.2f}; target <= 2.5 s)   [{args.runs} cold runs]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
