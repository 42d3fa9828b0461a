"""GUI responsiveness and throughput while training from the Train dialog.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui_training.py [--rounds 3] [--steps 60]

For each round, in turn (interleaved, so a busy neighbour hurts every mode alike):

* ``headless``     Trainer.run() directly, no Qt;
* ``thread``       the real TrainingController + TrainingDialog (charts, log, bars) with the
                   TrainingWorker on a QThread (what DigitPad ships);
* ``thread-yield`` the same with ``time.sleep(0)`` after each step (hands the GIL to the GUI);
* ``process``      the same dialog fed by a ``multiprocessing`` spawn child over a queue
                   (polled every 50 ms by a GUI timer).

A 10 ms ``PreciseTimer`` in the GUI thread records how late each tick is while training runs
(max and p99 in ms) and how busy the GUI thread itself is (gui_cpu_pct: CPU time of the GUI
thread over wall time, painting included).  Throughput is training images per second of training time (the trainer's
``train_s``: evaluation and start-up excluded).  Signals/s counts ``progressed`` signals that
reached the GUI.  Needs MNIST (``--data``, default ``../shared/mnist``); torch threads = 1.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue as queue_mod
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DIGITPAD_HOME", tempfile.mkdtemp(prefix="digitpad-bench-"))


def make_config(data: str, steps: int, batch: int) -> Any:
    from digitpad.trainer import TrainConfig

    return TrainConfig(epochs=1, batch_size=batch, data_dir=data, train_limit=steps * batch, test_limit=1000, threads=1)


def headless(config: Any) -> dict[str, float]:
    from digitpad.trainer import EpochFinished, Trainer

    for event in Trainer(config).run():
        if isinstance(event, EpochFinished):
            return {"ips": config.train_limit / event.train_s}
    raise RuntimeError("no epoch finished")


# ---- the process alternative -----------------------------------------------------------


def _child(config: Any, events: Any, stop: Any) -> None:
    """Runs in a spawned process: trains and puts throttled events on the queue."""
    from digitpad.trainer import StepProgress, Trainer

    trainer = Trainer(config)
    threading.Thread(target=lambda: (stop.wait(), trainer.stop()), daemon=True).start()
    last = 0.0
    for event in trainer.run():
        if isinstance(event, StepProgress):
            now = time.monotonic()
            if now - last < 0.1 and event.step != event.steps_per_epoch:
                continue
            last = now
        events.put(event)
    events.put(None)


# ---- GUI modes -----------------------------------------------------------------------------
# QObject subclasses live at module level: PySide6 crashed here (segfault a few runs later)
# when they were defined inside gui() and freed after each run.

from PySide6.QtCore import QElapsedTimer, QObject, Signal, Slot  # noqa: E402

import digitpad.gui  # noqa: E402,F401  (PySide6 refcount work-arounds first)


class StubInference(QObject):
    """Stands in for the inference worker (the controller only needs its weights signals)."""

    weights_loaded = Signal(str)
    weights_failed = Signal(str)

    def load_weights(self, path: str) -> None:
        pass


class Probe(QObject):
    """Records the lateness of a 10 ms timer and the end of the run (GUI thread)."""

    def __init__(self, app: Any, train_images: int) -> None:
        super().__init__()
        self.app = app
        self.train_images = train_images
        self.clock = QElapsedTimer()
        self.clock.start()
        self.last = self.clock.nsecsElapsed()
        self.late: list[float] = []
        self.measuring = False
        self.ips = float("nan")
        self.signals = 0
        self.t0 = self.t1 = 0.0

    @Slot()
    def tick(self) -> None:
        now = self.clock.nsecsElapsed()
        if self.measuring:
            self.late.append((now - self.last) / 1e6 - 10.0)
        self.last = now

    @Slot(object)
    def started(self, _event: object) -> None:
        self.measuring = True
        self.t0 = time.perf_counter()
        self.cpu0 = time.thread_time()  # this slot runs in the GUI thread

    @Slot(object)
    def progressed(self, _event: object) -> None:
        self.signals += 1

    @Slot(object)
    def epoch(self, event: Any) -> None:
        self.measuring = False
        self.t1 = time.perf_counter()
        self.cpu1 = time.thread_time()
        self.ips = self.train_images / event.train_s

    @Slot(object)
    def done(self, _outcome: object) -> None:
        self.app.quit()


class Poller(QObject):
    """The process mode's GUI side: drains the child's queue into the dialog (GUI thread)."""

    def __init__(self, app: Any, events: Any, probe: Probe, dialog: Any) -> None:
        super().__init__()
        self.app, self.events, self.probe, self.dialog = app, events, probe, dialog

    @Slot()
    def poll(self) -> None:
        from digitpad.trainer import EpochFinished, Started, StepProgress

        while True:
            try:
                event = self.events.get_nowait()
            except queue_mod.Empty:
                return
            if event is None:
                self.app.quit()
                return
            if isinstance(event, Started):
                self.probe.started(event)
                self.dialog.show_started(event)
            elif isinstance(event, StepProgress):
                self.probe.progressed(event)
                self.dialog.show_progress(event)
            elif isinstance(event, EpochFinished):
                self.probe.epoch(event)
                self.dialog.show_epoch(event)


def gui(mode: str, config: Any) -> dict[str, float]:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QApplication, QWidget

    from digitpad.gui.training.controller import TrainingController

    app = QApplication.instance() or QApplication([])
    _quiet_offscreen_warnings()

    window = QWidget()
    action = QAction("Train…", window)
    controller = TrainingController(window, action, StubInference(), weights_dir=Path(tempfile.mkdtemp()))
    dialog = controller.open_dialog()
    dialog.resize(760, 760)
    probe = Probe(app, config.train_limit)
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(probe.tick)
    timer.start()

    if mode.startswith("thread"):
        worker = controller.worker
        worker._yield = mode == "thread-yield"  # benchmark-only switch
        worker.started.connect(probe.started)
        worker.progressed.connect(probe.progressed)
        worker.epoch_finished.connect(probe.epoch)
        controller.run_finished.connect(probe.done)
        controller.run_failed.connect(probe.done)
        controller.start(config)
        app.exec()
        controller.shutdown()
    else:
        ctx = mp.get_context("spawn")
        events = ctx.Queue()
        stop = ctx.Event()
        child = ctx.Process(target=_child, args=(config, events, stop), daemon=True)
        child.start()
        dialog.set_running(True)

        poller = Poller(app, events, probe, dialog)
        poll_timer = QTimer()
        poll_timer.setInterval(50)
        poll_timer.timeout.connect(poller.poll)
        poll_timer.start()
        app.exec()
        poll_timer.stop()
        child.join()
        controller.shutdown()
    timer.stop()
    late = np.array(probe.late or [0.0])
    return {
        "ips": probe.ips,
        "stall_max_ms": float(late.max()),
        "stall_p99_ms": float(np.percentile(late, 99)),
        "signals_per_s": probe.signals / max(probe.t1 - probe.t0, 1e-9),
        "gui_cpu_pct": 100 * (probe.cpu1 - probe.cpu0) / max(probe.t1 - probe.t0, 1e-9),
    }


def _quiet_offscreen_warnings() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode: Any, _context: Any, message: str) -> None:
        if "This plugin does not support" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def report_build_ms(config: Any) -> float:
    """How long building and showing the report blocks the GUI thread (a synthetic outcome)."""
    from PySide6.QtWidgets import QApplication

    from digitpad.gui.training.report import TrainingReport
    from digitpad.gui.training.worker import TrainingOutcome
    from digitpad.metrics import ClassMetrics

    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    outcome = TrainingOutcome(
        cancelled=False,
        model="digitpad",
        device="cpu",
        weights_path="/tmp/x.pt",
        test_accuracy=0.99,
        best_epoch=1,
        test_count=10000,
        errors=100,
        steps=100,
        seconds=10.0,
        confusion=rng.integers(0, 30, (10, 10)) + np.diag([980] * 10),
        per_class=tuple(ClassMetrics(d, 0.99, 0.99, 0.99, 1000) for d in range(10)),
        misclassified=rng.integers(0, 255, (120, 28, 28), dtype=np.uint8),
        true_labels=rng.integers(0, 10, 120),
        predicted_labels=rng.integers(0, 10, 120),
    )
    t0 = time.perf_counter()
    report = TrainingReport(outcome)
    report.show()
    app.processEvents()
    ms = (time.perf_counter() - t0) * 1e3
    report.close()
    return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "mnist"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=60, help="training steps per run")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--modes", default="headless,thread,thread-yield,process")
    args = parser.parse_args()
    config = make_config(args.data, args.steps, args.batch)
    modes = args.modes.split(",")
    results: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    print(
        f"model {config.model}, {args.steps} steps of {args.batch}, threads 1, cpus {os.cpu_count()}, "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    for r in range(args.rounds):
        for mode in modes:
            figures = headless(config) if mode == "headless" else gui(mode, config)
            results[mode].append(figures)
            print(f"round {r + 1} {mode:13s} " + "  ".join(f"{k} {v:8.1f}" for k, v in figures.items()), flush=True)
    print("\nmedians (throughput relative to the headless median)")
    base = statistics.median(f["ips"] for f in results.get("headless", [])) if "headless" in results else None
    for mode, runs in results.items():
        med = {k: statistics.median(f[k] for f in runs) for k in runs[0]}
        rel = f"  {100 * med['ips'] / base:5.1f}% of headless" if base else ""
        print(f"{mode:13s} " + "  ".join(f"{k} {v:8.1f}" for k, v in med.items()) + rel)
    print(f"\nreport dialog build+show: {report_build_ms(config):.0f} ms (GUI thread, 120 gallery images)")


if __name__ == "__main__":
    main()
