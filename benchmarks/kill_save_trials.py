"""kill -9 a process while it saves weights, N times: the file must always load, old or new.

    python benchmarks/kill_save_trials.py [--trials 48] [--repo PATH]

Each trial starts a child that overwrites ``w.pt`` in a loop with
``save_checkpoint`` (the state dict changes every save), waits a random
0-1.5 s after the child's first save and kills it with SIGKILL.  Then it checks
that ``w.pt`` loads (``load_checkpoint``, which verifies the tensor hash),
counts the temp files the kill left, and runs "the next start": one more
save in a fresh process, after which no temp file may remain.  ``--repo``
runs another checkout's code (e.g. before the fix).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

CHILD = r"""
import sys, torch
from digitpad.checkpoint import save_checkpoint
from digitpad.models import build_model
path, mode = sys.argv[1], sys.argv[2]
state = build_model("digitpad").state_dict()
n = 0
while True:
    n += 1
    state["fc.bias"].fill_(float(n))
    save_checkpoint(path, model_name="digitpad", state_dict=state, meta={"save": n})
    if n == 1:
        print("saved", flush=True)
    if mode == "once":
        break
"""

CHECK = r"""
import sys
from digitpad.checkpoint import load_checkpoint
c = load_checkpoint(sys.argv[1])
c.build_model()
print(c.meta.get("save"))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=48)
    parser.add_argument("--repo", type=Path, default=HERE)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    repo = args.repo.resolve()  # also the children's cwd: "python -c" puts the cwd first on sys.path
    env = {**os.environ, "PYTHONPATH": str(repo), "OMP_NUM_THREADS": "1"}
    loadable = left_after_kill = left_after_start = 0
    saves_seen: list[int] = []
    with tempfile.TemporaryDirectory(prefix="digitpad-kill-") as tmp:
        folder = Path(tmp)
        path = folder / "w.pt"
        subprocess.run(
            [sys.executable, "-c", CHILD, str(path), "once"], env=env, cwd=repo, check=True, stdout=subprocess.DEVNULL
        )
        for _ in range(args.trials):
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(path), "loop"], env=env, cwd=repo, stdout=subprocess.PIPE, text=True
            )
            assert child.stdout is not None
            child.stdout.readline()  # the first save is done: the loop runs
            time.sleep(rng.uniform(0.0, 1.5))
            child.send_signal(signal.SIGKILL)
            child.wait()
            check = subprocess.run(
                [sys.executable, "-c", CHECK, str(path)], env=env, cwd=repo, capture_output=True, text=True
            )
            if check.returncode == 0:
                loadable += 1
                saves_seen.append(int(check.stdout.strip() or 0))
            else:
                print(f"  not loadable: {check.stderr.strip().splitlines()[-1:]}")
            temps = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
            left_after_kill += bool(temps)
            # The next start: a fresh process saves once more (as the next training run does).
            subprocess.run(
                [sys.executable, "-c", CHILD, str(path), "once"],
                env=env,
                cwd=repo,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            left = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
            left_after_start += len(left)
            for p in left:  # start every trial from a clean folder
                p.unlink()
    print(f"code under test: {args.repo.resolve()}")
    print(f"trials: {args.trials}; file loadable after the kill: {loadable}/{args.trials}")
    print(f"saves completed before the kill: median {sorted(saves_seen)[len(saves_seen) // 2] if saves_seen else 0}")
    print(f"kills that left a temp file: {left_after_kill}/{args.trials}")
    print(f"temp files left after the next start: {left_after_start}")
    return 0 if loadable == args.trials and left_after_start == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
