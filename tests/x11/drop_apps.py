"""The two programs of the real-X11 drop test: ``target`` (DigitPad's window) and ``source`` (a drag source).

    python tests/x11/drop_apps.py target SETTINGS.ini
    python tests/x11/drop_apps.py source FILE X Y

Each prints one line per milestone on stdout for the test to read.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QMimeData, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDrag, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel


def _say(line: str) -> None:
    print(line, flush=True)


def target(settings_path: str) -> int:
    app = QApplication(sys.argv[:1])
    from digitpad.gui.main_window import MainWindow

    window = MainWindow(QSettings(settings_path, QSettings.Format.IniFormat))
    window.move(0, 0)
    window.resize(800, 560)
    window.show()

    def ready(_description: str) -> None:
        canvas = window.canvas
        centre = canvas.mapToGlobal(canvas.rect().center())
        _say(f"READY {centre.x()} {centre.y()}")

    def answered(_request_id: int) -> None:
        if window.canvas.has_image():
            _say(f"OPENED {window.result_panel.shown_digit()}")
            QTimer.singleShot(0, window.close)

    opened = window.open_file

    def open_file(path: object) -> None:
        _say(f"DROP {path}")
        opened(path)

    window.open_file = open_file  # type: ignore[method-assign]
    window.model_changed.connect(ready)
    window.prediction_shown.connect(answered)
    QTimer.singleShot(90_000, window.close)  # never outlive the test
    code = app.exec()
    window.shutdown()
    return code


class _Source(QLabel):
    """Starts a file drag on the first press, like a file manager."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"drag {path.name}")
        self._path = path
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(self._path))])
        drag = QDrag(self)
        drag.setMimeData(mime)
        result = drag.exec(Qt.DropAction.CopyAction)
        # exec() returns once the drop is sent; the target then asks this process for the
        # data, so it must keep running (the test ends it).
        _say(f"DROPPED {result.name}")


def source(path: str, x: str, y: str) -> int:
    app = QApplication(sys.argv[:1])
    widget = _Source(Path(path))
    widget.setGeometry(int(x), int(y), 200, 200)
    widget.show()
    QTimer.singleShot(200, lambda: _say("SHOWN"))
    QTimer.singleShot(90_000, app.quit)
    return app.exec()


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    sys.exit(target(*rest) if mode == "target" else source(*rest))
