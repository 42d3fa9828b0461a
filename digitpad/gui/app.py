"""Start the DigitPad desktop app: ``digitpad-gui [IMAGE]`` or ``digitpad`` with no subcommand.

Start-up is ordered so the window shows before torch is imported: only Qt
and the light core modules load here; the inference worker imports the
predictor (and torch) in its own thread.

``DIGITPAD_GUI_TIMING=1`` prints ``digitpad-timing <event> <time.monotonic()>``
lines to stderr (window shown, model ready) for ``benchmarks/bench_gui_startup.py``;
``DIGITPAD_GUI_QUIT_WHEN_READY=1`` quits as soon as the model is ready.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from digitpad.gui.main_window import MainWindow
from digitpad.gui.settings import APPLICATION, ORGANIZATION
from digitpad.resources import resource_path

SMOKE_OPTION = "--smoke"


class _StartupTimer(QObject):
    """Prints start-up milestones (GUI thread); only used when asked to by the environment."""

    def __init__(self, window: MainWindow, quit_when_ready: bool) -> None:
        super().__init__(window)
        self._window = window
        self._quit_when_ready = quit_when_ready
        window.worker.weights_loaded.connect(self.model_ready)

    @staticmethod
    def mark(event: str) -> None:
        print(f"digitpad-timing {event} {time.monotonic():.6f}", file=sys.stderr, flush=True)

    @Slot()
    def window_shown(self) -> None:
        self.mark("window_shown")

    @Slot(str)
    def model_ready(self, _description: str) -> None:
        self.mark("model_ready")
        if self._quit_when_ready:
            self._window.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app; ``argv`` are the arguments after the program name. Returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a == SMOKE_OPTION or a.startswith(SMOKE_OPTION + "=") for a in args):
        # --smoke OUT.json: the self-check of a build, imported only when asked for
        from digitpad.gui.selfcheck.smoke import main as smoke_main

        return smoke_main(args)
    timing = os.environ.get("DIGITPAD_GUI_TIMING") == "1"
    app = QApplication.instance()
    if app is None:
        # Fractional scale factors (125%, 150%) as they are: crisp strokes at any DPI.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication([sys.argv[0] if sys.argv else "digitpad", *args])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("DigitPad")
    app.setDesktopFileName("digitpad")
    icon = resource_path("icons", "digitpad.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))

    window = MainWindow()
    timer = _StartupTimer(window, os.environ.get("DIGITPAD_GUI_QUIT_WHEN_READY") == "1") if timing else None
    window.show()
    if timer is not None:
        QTimer.singleShot(0, timer.window_shown)  # after the first expose and paint
    files = [a for a in app.arguments()[1:] if not a.startswith("-") and Path(a).is_file()]
    if files:
        window.open_file(files[0])
    code = app.exec()
    window.shutdown()  # also when the app quits without a close event
    # Delete the window now, while nothing else runs, not whenever the garbage collector
    # reaches it: main() can run more than once in a process (the tests), and a window
    # freed by a later collection in the middle of other Qt work crashed PySide6.
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
