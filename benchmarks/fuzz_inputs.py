"""Run the fuzz corpus (tests/fuzz_corpus.py) through ``digitpad predict`` and the GUI's open path.

    python benchmarks/fuzz_inputs.py [--repo PATH] [--only images|weights] [--timeout 20]

``--repo`` runs another checkout's code on the same corpus (e.g. a worktree
of an older commit, to measure "before").  Each image is given to the CLI
(``digitpad predict FILE``, one process each) and to the app's inference
worker (``request_file`` in its QThread, in a child process that is killed
and restarted when a file hangs it); each weights file to ``digitpad predict
--weights FILE`` and to the worker's ``load_weights``.  Prints one table per
input kind and path: tried, clear message, answered, crash, hang, as
expected, peak memory (the CLI: the process's peak RSS above a plain run's;
the GUI: the peak above the resident size before the file), and the cases
that were not handled as expected.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from tests.fuzz_corpus import ANSWER, Case, image_corpus, weights_corpus  # noqa: E402

CLEAR, ANSWERED, CRASH, HANG = "clear message", "answered", "crash", "hang"


@dataclass
class Outcome:
    case: Case
    result: str  # CLEAR, ANSWERED, CRASH or HANG
    text: str
    peak_mb: float
    seconds: float = 0.0  # GUI: from the request to the worker's answer


# --------------------------------------------------------------------------- CLI
def _run_group(cmd: list[str], env: dict, cwd: Path, timeout: float) -> tuple[int | None, str, str, float]:
    """rc (None on timeout), stdout, stderr, peak RSS in MB; the whole process group dies on timeout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
        deadline = time.monotonic() + timeout
        rc: int | None = None
        usage = None
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                rc = os.waitstatus_to_exitcode(status)
                break
            time.sleep(0.05)
        if rc is None:
            os.killpg(child.pid, signal.SIGKILL)  # Ghostscript children included
            _, _, usage = os.wait4(child.pid, 0)
        child.returncode = rc if rc is not None else -9
        out.seek(0)
        err.seek(0)
        peak = (usage.ru_maxrss / 1024) if usage else 0.0
        return rc, out.read().decode(errors="replace"), err.read().decode(errors="replace"), peak


def classify_cli(rc: int | None, stdout: str, stderr: str) -> tuple[str, str]:
    if rc is None:
        return HANG, ""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if rc == 0 and stdout.strip():
        return ANSWERED, stdout.strip().splitlines()[-1]
    if rc == 1 and len(lines) == 1 and lines[0].startswith("digitpad:") and "Traceback" not in stderr:
        return CLEAR, lines[0]
    return CRASH, (lines[-1] if lines else f"exit code {rc}")[:150]


def cli_outcomes(cases: list[Case], repo: Path, weights: bool, sample: Path, timeout: float) -> list[Outcome]:
    env = {**os.environ, "PYTHONPATH": str(repo), "OMP_NUM_THREADS": "1", "QT_QPA_PLATFORM": "offscreen"}
    base_cmd = [sys.executable, "-m", "digitpad", "predict"]
    _, _, _, baseline = _run_group([*base_cmd, str(sample)], env, repo, timeout * 3)
    outcomes = []
    for case in cases:
        cmd = [*base_cmd, "--weights", str(case.path), str(sample)] if weights else [*base_cmd, str(case.path)]
        rc, stdout, stderr, peak = _run_group(cmd, env, repo, timeout)
        result, text = classify_cli(rc, stdout, stderr)
        outcomes.append(Outcome(case, result, text, max(0.0, peak - baseline)))
    return outcomes


# --------------------------------------------------------------------------- GUI
CHILD = r"""
import json, os, sys, threading, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
from digitpad.gui.pad.inference_worker import InferenceWorker, start_worker, stop_worker
from digitpad.resources import shipped_weights

def kb(field):
    return int(open("/proc/self/status").read().split(field + ":")[1].split()[0])

kind, paths = sys.argv[1], sys.argv[2:]
worker = InferenceWorker(shipped_weights())
box, done = {}, threading.Event()
def answer(what, text=""):
    box["r"] = (what, str(text)); done.set()
worker.predicted.connect(lambda i, p: answer("answered", "no digit" if p.empty else f"{p.digit} ({p.confidence:.1%})"))
worker.failed.connect(lambda i, m: answer("message", m))
worker.weights_loaded.connect(lambda d: answer("answered", d))
worker.weights_failed.connect(lambda m: answer("message", m))
thread = start_worker(worker)

def wait(seconds):
    end = time.monotonic() + seconds
    while not done.is_set() and time.monotonic() < end:
        app.processEvents(); time.sleep(0.01)
    return done.is_set()

worker.load_weights(str(shipped_weights()))
if not wait(120): sys.exit(3)
print(json.dumps({"ready": True}), flush=True)
for n, path in enumerate(paths):
    done.clear(); box.clear()
    try:
        open("/proc/self/clear_refs", "w").write("5")  # reset the peak resident size
    except OSError:
        pass
    before = kb("VmRSS")
    print(json.dumps({"start": path}), flush=True)
    t0 = time.monotonic()
    if kind == "weights":
        worker.load_weights(path)
    else:
        worker.request_file(n + 1, path)
    if not wait(float(os.environ.get("FUZZ_TIMEOUT", "20"))):
        time.sleep(3600)  # hung: the parent kills this process
    what, text = box["r"]
    print(json.dumps({"path": path, "what": what, "text": text, "peak_mb": (kb("VmHWM") - before) / 1024,
                      "seconds": time.monotonic() - t0}), flush=True)
t = time.monotonic()
stop_worker(worker, thread)
print(json.dumps({"closed_s": time.monotonic() - t}), flush=True)
"""


def gui_outcomes(cases: list[Case], repo: Path, weights: bool, timeout: float) -> tuple[list[Outcome], list[float]]:
    env = {**os.environ, "PYTHONPATH": str(repo), "OMP_NUM_THREADS": "1", "QT_QPA_PLATFORM": "offscreen"}
    env["FUZZ_TIMEOUT"] = str(timeout)
    by_path = {str(c.path): c for c in cases}
    remaining = [str(c.path) for c in cases]
    results: dict[str, Outcome] = {}
    closes: list[float] = []
    while remaining:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, "weights" if weights else "images", *remaining],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=repo,
            start_new_session=True,
        )
        assert child.stdout is not None
        current, started = None, time.monotonic()
        os.set_blocking(child.stdout.fileno(), False)
        buffer = ""
        while True:
            try:
                chunk = os.read(child.stdout.fileno(), 65536).decode(errors="replace")
            except BlockingIOError:
                chunk = None
            buffer += chunk or ""
            while "\n" in buffer:
                line, buffer = buffer.split("\n", 1)
                event = json.loads(line)
                if "start" in event:
                    current, started = event["start"], time.monotonic()
                elif "path" in event:
                    case = by_path[event["path"]]
                    result = ANSWERED if event["what"] == "answered" else CLEAR
                    if result == CLEAR and ("\n" in event["text"] or "Traceback" in event["text"]):
                        result = CRASH
                    results[event["path"]] = Outcome(
                        case, result, event["text"][:150], event["peak_mb"], event.get("seconds", 0.0)
                    )
                    remaining.remove(event["path"])
                    current = None
                elif "closed_s" in event:
                    closes.append(event["closed_s"])
            if child.poll() is not None and chunk == "":
                break
            if current is not None and time.monotonic() - started > timeout + 5:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                results[current] = Outcome(by_path[current], HANG, "no answer; the worker thread is blocked", 0.0)
                remaining.remove(current)
                break
            time.sleep(0.02)
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        if current is not None and current in remaining:  # the child died on this file
            results[current] = Outcome(by_path[current], CRASH, f"the app process died ({child.returncode})", 0.0)
            remaining.remove(current)
    return [results[str(c.path)] for c in cases], closes


# ------------------------------------------------------------------------ report
def table(title: str, outcomes: list[Outcome], verbose: bool = False) -> str:
    counts = {k: sum(o.result == k for o in outcomes) for k in (CLEAR, ANSWERED, CRASH, HANG)}
    expected = sum(
        (o.result == ANSWERED) == (o.case.expect == ANSWER) and o.result in (CLEAR, ANSWERED) for o in outcomes
    )
    peak = max(outcomes, key=lambda o: o.peak_mb)
    row = (
        f"| {title} | {len(outcomes)} | {counts[CLEAR]} | {counts[ANSWERED]} | {counts[CRASH]} | {counts[HANG]} "
        f"| {expected} | {peak.peak_mb:.0f} MB ({peak.case.path.name}) |"
    )
    lines = [row]
    for o in outcomes:
        ok = o.result in (CLEAR, ANSWERED) and (o.result == ANSWERED) == (o.case.expect == ANSWER)
        if not ok:
            lines.append(f"    not as expected: {o.case.path.name} ({o.case.note}): {o.result}: {o.text}")
        elif verbose:
            lines.append(f"    {o.case.path.name} ({o.case.note}): {o.result}: {o.text} [{o.peak_mb:.0f} MB]")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=HERE, help="checkout whose code runs the corpus")
    parser.add_argument("--only", choices=("images", "weights"))
    parser.add_argument("--paths", default="cli,gui", help="cli, gui or both (default)")
    parser.add_argument("--verbose", action="store_true", help="list every case, not only the unexpected")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds before a file counts as a hang")
    args = parser.parse_args()
    repo = args.repo.resolve()
    with tempfile.TemporaryDirectory(prefix="digitpad-fuzz-") as tmp:
        root = Path(tmp)
        images = image_corpus(root / "images")
        weights = weights_corpus(root / "weights", HERE / "weights" / "digitpad.pt")
        sample = next(c.path for c in images if c.path.name == "l.png")
        print(f"code under test: {repo}")
        print("| input / path | tried | clear message | answered | crash | hang | as expected | peak memory |")
        print("|---|---|---|---|---|---|---|---|")
        for kind, cases in (("images", images), ("weights", weights)):
            if args.only and args.only != kind:
                continue
            if "cli" in args.paths:
                print(
                    table(
                        f"{kind} / CLI",
                        cli_outcomes(cases, repo, kind == "weights", sample, args.timeout),
                        args.verbose,
                    ),
                    flush=True,
                )
            if "gui" in args.paths:
                outcomes, closes = gui_outcomes(cases, repo, kind == "weights", args.timeout)
                print(table(f"{kind} / GUI open", outcomes, args.verbose), flush=True)
                slowest = max(outcomes, key=lambda o: o.seconds if o.result != HANG else 0.0)
                print(f"    slowest answer from the worker: {slowest.seconds:.2f} s ({slowest.case.path.name})")
                if closes:
                    print(f"    worker stopped on close in {max(closes):.2f} s (slowest of {len(closes)} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
