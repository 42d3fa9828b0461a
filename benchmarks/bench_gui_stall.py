"""Continuous scribbling: the GUI thread's worst stall, and memory over 10,000 requests.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui_stall.py [--seconds 10] [--requests 10000] [--weights PATH]

Phase 1 scribbles for ``--seconds`` with real mouse events on the real window
(a move every 8 ms, a new stroke every 60 moves), so live recognition runs
the whole time.  A 5 ms ``Qt.PreciseTimer`` records how late each of its
ticks fires: the worst lateness is the longest the GUI thread was blocked
(target <= 50 ms).  Phase 2 sends ``--requests`` recognition requests through
the window, each waiting for its answer, and samples the resident memory
(target: flat).  Settings go to a temporary folder.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

from gui_bench_window import open_window  # first: isolates settings, picks the platform
from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QPoint, Qt, QTimer, Slot
from PySide6.QtTest import QTest

from digitpad.gui.main_window import MainWindow

TICK_MS = 5


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class LatenessProbe(QObject):
    """A 5 ms timer that records how late it fires (GUI thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = QElapsedTimer()
        self.last = 0
        self.worst_ms = 0.0
        self.lates: list[float] = []
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.clock.start()
        self.last = self.clock.nsecsElapsed()
        self.timer.start()

    @Slot()
    def tick(self) -> None:
        now = self.clock.nsecsElapsed()
        late = max(0.0, (now - self.last) / 1e6 - TICK_MS)
        self.lates.append(late)
        self.worst_ms = max(self.worst_ms, late)
        self.last = now


class Scribbler(QObject):
    """Moves the mouse over the canvas every 8 ms, lifting the pen every 60 moves (GUI thread)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.step = 0
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(8)
        self.timer.timeout.connect(self.move)

    def point(self) -> QPoint:
        t = self.step * 0.05
        rect = self.window.canvas.paper_rect()
        x = 0.5 + 0.35 * math.sin(1.3 * t)
        y = 0.5 + 0.35 * math.sin(2.1 * t + 0.5)
        return QPoint(round(rect.x() + x * rect.width()), round(rect.y() + y * rect.height()))

    @Slot()
    def move(self) -> None:
        canvas = self.window.canvas
        if self.step % 60 == 0:
            if self.step:
                QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, self.point())
            if self.step % 600 == 0:
                canvas.clear()
            QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, self.point())
        else:
            QTest.mouseMove(canvas, self.point())
        self.step += 1


def run_for(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--weights", type=Path, help="weights file (default: the shipped ones)")
    args = parser.parse_args()
    app, window = open_window(args.weights)

    # Phase 1: scribble, watch the GUI thread.
    probe, scribbler = LatenessProbe(), Scribbler(window)
    answered_before, sent_before = window.shown_request_id, window.latest_request_id
    shown = {"n": 0}

    @Slot(int)
    def count(_request_id: int) -> None:
        shown["n"] += 1

    window.prediction_shown.connect(count)
    probe.start()
    scribbler.timer.start()
    run_for(int(args.seconds * 1000))
    scribbler.timer.stop()
    probe.timer.stop()
    lates = sorted(probe.lates)
    print(
        f"{args.seconds:.0f} s of scribbling: {scribbler.step} pen events, "
        f"{window.latest_request_id - sent_before} requests, {shown['n']} answers shown, "
        f"{window.stale_answers} stale answers dropped"
    )
    print(
        f"GUI-thread stall (5 ms timer lateness): max {probe.worst_ms:.1f} ms, "
        f"p99 {lates[int(0.99 * (len(lates) - 1))]:.1f} ms, median {statistics.median(lates):.2f} ms "
        f"({len(lates)} ticks; target max <= 50 ms)"
    )
    del answered_before

    # Phase 2: many requests, each answered, memory sampled.
    samples: list[tuple[int, float]] = [(0, rss_mib())]
    begun = time.perf_counter()
    for i in range(1, args.requests + 1):
        if i % 50 == 1:  # new ink now and then, so the inputs vary
            window.canvas.clear()
            QTest.mousePress(
                window.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, scribbler.point()
            )
            scribbler.step += 7
            QTest.mouseRelease(
                window.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, scribbler.point()
            )
        wait = QEventLoop()
        window.prediction_shown.connect(wait.quit)
        window._request_drawing()  # what every stroke end does
        wait.exec()
        window.prediction_shown.disconnect(wait.quit)
        if i % 1000 == 0:
            samples.append((i, rss_mib()))
    seconds = time.perf_counter() - begun
    print(
        f"{args.requests} answered requests in {seconds:.1f} s ({args.requests / seconds:.0f}/s); RSS MiB: "
        + ", ".join(f"{n}:{m:.0f}" for n, m in samples)
    )
    first_k = samples[1][1] if len(samples) > 1 else samples[0][1]
    print(f"RSS growth from request 1000 to {samples[-1][0]}: {samples[-1][1] - first_k:+.1f} MiB")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
