"""Stroke end to probabilities on screen, through the real window, worker thread and model.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui_latency.py [--strokes 60] [--weights PATH]

For each stroke: press, a few dozen moves (live, throttled requests go out as
in real drawing), then the clock starts just before the mouse release and
stops once the answer to that stroke's request is in the result panel and the
panel has repainted.  Prints the median and p90 in milliseconds (target: a
median of at most 16 ms, one frame at 60 Hz).  Settings go to a temporary folder.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

from gui_bench_window import open_window  # first: isolates settings, picks the platform
from PySide6.QtCore import QEventLoop, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from digitpad.gui.main_window import MainWindow


def point(window: MainWindow, x: float, y: float) -> QPoint:
    rect = window.canvas.paper_rect()
    return QPoint(round(rect.x() + x * rect.width()), round(rect.y() + y * rect.height()))


def one_stroke(window: MainWindow, index: int) -> float:
    """Draw one stroke; return ms from release to the answer painted."""
    canvas = window.canvas
    canvas.clear()
    phase = index * 0.37
    path = [
        (0.5 + 0.3 * math.sin(t / 40 * 2 * math.pi + phase), 0.5 + 0.3 * math.sin(t / 40 * 4 * math.pi))
        for t in range(41)
    ]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point(window, *path[0]))
    for x, y in path[1:]:
        QTest.mouseMove(canvas, point(window, x, y))
        QApplication.processEvents()  # let throttled live requests go out, as while really drawing
    loop = QEventLoop()
    done: dict[str, float] = {}

    def shown(request_id: int) -> None:
        if request_id == window.latest_request_id:
            window.result_panel.repaint()  # synchronous paint: "shown", not just queued
            done["t"] = time.perf_counter()
            loop.quit()

    window.prediction_shown.connect(shown)
    start = time.perf_counter()
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point(window, *path[-1]))
    if "t" not in done:
        QTimer.singleShot(10_000, loop.quit)
        loop.exec()
    window.prediction_shown.disconnect(shown)
    return (done.get("t", math.inf) - start) * 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=60)
    parser.add_argument("--weights", type=Path, help="weights file (default: the shipped ones)")
    args = parser.parse_args()
    app, window = open_window(args.weights)
    for i in range(5):  # warm-up: first calls allocate
        one_stroke(window, i)
    times = sorted(one_stroke(window, i) for i in range(args.strokes))
    p90 = times[int(0.9 * (len(times) - 1))]
    print(
        f"stroke end -> probabilities shown: median {statistics.median(times):.1f} ms, "
        f"p90 {p90:.1f} ms, min {times[0]:.1f} ms, max {times[-1]:.1f} ms  ({len(times)} strokes; target median <= 16 ms)"
    )
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
