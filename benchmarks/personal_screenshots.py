"""Screenshots of the correction row, "Your handwriting" and My samples, under an X server (Xvfb).

    Xvfb :94 -screen 0 1280x1000x24 &
    DISPLAY=:94 python benchmarks/personal_screenshots.py docs/correction.png docs/my-samples.png

Writes a European 1 (a long flag) on the pad with real mouse events; the
shipped weights read it as 7; presses the 1 key on the pad (a correction).
For the status bar's "Your handwriting" a copy of the shipped weights stands
in for a personal checkpoint (the label only reflects which file is in use).
Then opens Model > My samples… over a few dozen Pendigits digits.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

TMP = tempfile.mkdtemp(prefix="digitpad-shot-")
os.environ["DIGITPAD_HOME"] = TMP
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QPoint, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

FLAG_ONE = [[(0.3, 0.35), (0.46, 0.22), (0.58, 0.15), (0.585, 0.45), (0.59, 0.85)]]
REPO = Path(__file__).resolve().parent.parent


def grab(widget, out: Path) -> None:
    screen = QGuiApplication.primaryScreen()
    frame = widget.frameGeometry()
    shot = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    shot.save(str(out))
    print(f"{out}: {frame.width()}x{frame.height()}")


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("DigitPad")
    from digitpad.gui.main_window import MainWindow
    from digitpad.resources import shipped_weights

    mine = Path(TMP) / "weights" / "personal-20261201-101500.pt"
    mine.parent.mkdir(parents=True)
    shutil.copy(shipped_weights(), mine)
    settings = QSettings(str(Path(TMP) / "digitpad.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/theme", "light")
    settings.setValue("personal/weights", str(mine))
    settings.setValue("personal/samples", 37)
    settings.setValue("model/weights", str(mine))
    window = MainWindow(settings)
    window.resize(900, 640)
    window.move(10, 10)
    window.show()
    QTest.qWaitForWindowExposed(window)
    ready: list[bool] = []
    window.model_changed.connect(lambda _d: ready.append(True))
    while not ready:
        QTest.qWait(50)
    canvas = window.canvas
    rect = canvas.paper_rect()

    def at(x: float, y: float) -> QPoint:
        return QPoint(round(rect.x() + x * rect.width()), round(rect.y() + y * rect.height()))

    for stroke in FLAG_ONE:
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(*stroke[0]))
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
            for i in range(1, 9):
                QTest.mouseMove(canvas, at(x0 + (x1 - x0) * i / 8, y0 + (y1 - y0) * i / 8))
                QTest.qWait(5)
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(*stroke[-1]))
    for _ in range(50):
        if window.shown_request_id == window.latest_request_id and window.last_prediction is not None:
            break
        QTest.qWait(100)
    print(f"read as {window.last_prediction.digit} ({window.last_prediction.confidence:.0%})")
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_1)
    QTest.qWait(300)
    grab(window, Path(sys.argv[1]))

    from pendigits_canvas import network_input

    from digitpad.pendigits import read_pendigits

    digits = read_pendigits(REPO.parent / "shared" / "pendigits" / "pendigits-orig.tra")[:36]
    window.personal.samples.write(lambda s: s.add_many([{"label": d.label, "image": network_input(d)} for d in digits]))
    dialog = window.personal.personalize.show_samples()
    dialog.resize(640, 420)
    dialog.move(200, 120)
    QTest.qWaitForWindowExposed(dialog)
    dialog.select_rows([2, 3])
    QTest.qWait(300)
    grab(dialog, Path(sys.argv[2]))
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
