"""The real DigitPad window for the GUI benchmarks, isolated from the user's settings.

Import this before anything else from Qt: it points the app's data and
settings at a temporary folder and selects the offscreen platform by default.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TMP = tempfile.mkdtemp(prefix="digitpad-bench-")
os.environ["DIGITPAD_HOME"] = TMP
os.environ["XDG_CONFIG_HOME"] = TMP

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere, no install needed
from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import digitpad.gui  # noqa: E402,F401  (PySide6 work-around first)
from digitpad.gui.main_window import MainWindow  # noqa: E402


def wait_for(signal, timeout_ms: int = 60_000) -> None:
    """Run the event loop until ``signal`` fires (or the timeout passes)."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def open_window(weights: Path | None) -> tuple[QApplication, MainWindow]:
    """Show the main window with ``weights`` (default: the shipped ones) and wait for the model."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = QSettings(str(Path(TMP) / "bench.ini"), QSettings.Format.IniFormat)
    if weights:
        settings.setValue("model/weights", str(weights.resolve()))
    window = MainWindow(settings)
    window.show()
    wait_for(window.model_changed)
    print(f"model: {window.model_description}   platform: {app.platformName()}")
    return app, window
