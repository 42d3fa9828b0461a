"""Screenshots of the real window under an X server (Xvfb), for the README and reviews.

    DISPLAY=:91 python benchmarks/window_screenshots.py OUT.png [--theme dark] [--message] [--digit 3]

Draws a digit with real mouse events, optionally shows a message strip while
the pen is down, waits for the answer and grabs the screen.  Prints the
window's minimum size hint and geometry in logical pixels (run it with
``QT_SCALE_FACTOR=2`` to check the 200% layout).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

THREE = [
    [(0.3 + 0.35 * math.sin(t / 10 * math.pi), 0.15 + 0.35 * (1 - math.cos(t / 10 * math.pi)) / 2) for t in range(11)],
    [(0.3 + 0.38 * math.sin(t / 10 * math.pi), 0.5 + 0.35 * (1 - math.cos(t / 10 * math.pi)) / 2) for t in range(11)],
]


def _wait(ms: int) -> None:
    """Run the event loop for ``ms`` (QTest.qWait did not deliver the worker thread's signals here)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _point(canvas, x: float, y: float) -> QPoint:
    rect = canvas.paper_rect()
    return QPoint(round(rect.x() + x * rect.width()), round(rect.y() + y * rect.height()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--theme", default="light", choices=["system", "light", "dark"])
    parser.add_argument("--message", action="store_true", help="show a message while the pen is down")
    parser.add_argument("--size", default="", help="WxH window size in logical pixels (default: the app's)")
    args = parser.parse_args()

    app = QApplication(sys.argv[:1])
    app.setApplicationName("DigitPad")
    from digitpad.gui.main_window import MainWindow

    folder = tempfile.mkdtemp(prefix="digitpad-shot-")
    settings = QSettings(str(Path(folder) / "digitpad.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/theme", args.theme)
    window = MainWindow(settings)
    if args.size:
        w, h = (int(v) for v in args.size.split("x"))
        window.resize(w, h)
    ready = []
    window.model_changed.connect(lambda _d: ready.append(True))  # before show(): the model may load at once
    window.show()
    QTest.qWaitForWindowExposed(window)
    for _ in range(600):  # at most 30 s
        if ready:
            break
        _wait(50)
    else:
        print("the model did not load within 30 s", file=sys.stderr)
        return 1
    canvas = window.canvas
    for n, stroke in enumerate(THREE):
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _point(canvas, *stroke[0]))
        for x, y in stroke[1:]:
            QTest.mouseMove(canvas, _point(canvas, x, y))
            _wait(10)
        if args.message and n == len(THREE) - 1:
            window.show_error("Could not open empty.png: the file is empty (0 bytes)")
            _wait(100)
        QTest.mouseRelease(
            canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _point(canvas, *stroke[-1])
        )
    for _ in range(30):
        if window.shown_request_id == window.latest_request_id:
            break
        _wait(100)
    screen = QGuiApplication.primaryScreen()
    print(f"screen {screen.size().width()}x{screen.size().height()} logical, ratio {screen.devicePixelRatio()}")
    hint = window.minimumSizeHint()
    print(f"minimumSizeHint {hint.width()}x{hint.height()}, frame {window.frameGeometry().getRect()}")
    print(f"canvas {canvas.geometry().getRect()}, status bar visible {window.statusBar().isVisible()}")
    print(
        f"answer {window.result_panel.shown_digit()} ids {window.latest_request_id} {window.shown_request_id} strokes {len(canvas.strokes())}"
    )
    frame = window.frameGeometry()
    shot = screen.grabWindow(
        0, 0, 0, min(frame.right() + 1, screen.size().width()), min(frame.bottom() + 1, screen.size().height())
    )
    shot.save(str(args.out))
    QTimer.singleShot(0, window.close)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
