"""The one home of Qt test support, shared by tests/gui and tests/gui_training.

Timeouts, settings isolation, a test drawing, the signal relays that keep
pytest-qt's waits in the GUI thread, and a predictor a test can hold busy.
(Qt-free support lives in ``tests/mnist_fixture.py``; drawing with mouse
events in ``tests/gui/gui_helpers.py``.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtGui import QImage

from digitpad.gui.pad.inference_worker import load_predictor
from digitpad.gui.widgets.qimage_array import gray_to_qimage
from digitpad.training_events import Started, StepProgress

MODEL_TIMEOUT_MS = 60_000
"""Loading weights: the first load imports torch on a busy 2-core machine."""
ANSWER_TIMEOUT_MS = 20_000
"""One recognition."""
RUN_TIMEOUT_MS = 120_000
"""A tiny training run, on a 2-core machine shared with other work."""


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path) -> Iterator[Path]:
    """Every QSettings of the test lives in its tmp folder, never the user's."""
    folder = tmp_path / "qsettings"
    folder.mkdir()
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


def drawn_seven() -> QImage:
    """A drawing of a 7 as the canvas renders it: white ink on black."""
    image = np.zeros((140, 140), np.uint8)
    image[30:42, 30:110] = 255
    for y in range(42, 120):
        x = int(110 - (y - 42) * 0.45)
        image[y, x - 6 : x + 6] = 255
    return gray_to_qimage(image)


class Relay(QObject):
    """Re-emits an ``InferenceWorker``'s signals in the GUI thread.

    pytest-qt's blockers are plain Python callables: connected straight to a
    worker signal they would run in the worker thread.  Waiting on a relay
    that lives in the GUI thread keeps every wait on the test's own thread,
    and records answered request ids on the way.
    """

    predicted = Signal(int, object)
    failed = Signal(int, str)
    weights_loaded = Signal(str)
    weights_failed = Signal(str)

    def __init__(self, worker: Any) -> None:
        super().__init__()
        self.ids: list[int] = []
        worker.predicted.connect(self._predicted)
        worker.failed.connect(self._failed)
        worker.weights_loaded.connect(self._weights_loaded)
        worker.weights_failed.connect(self._weights_failed)

    @Slot(int, object)
    def _predicted(self, request_id: int, prediction: object) -> None:
        self.ids.append(request_id)
        self.predicted.emit(request_id, prediction)

    @Slot(int, str)
    def _failed(self, request_id: int, message: str) -> None:
        self.failed.emit(request_id, message)

    @Slot(str)
    def _weights_loaded(self, description: str) -> None:
        self.weights_loaded.emit(description)

    @Slot(str)
    def _weights_failed(self, message: str) -> None:
        self.weights_failed.emit(message)


class GuiSide(QObject):
    """Re-emits inference and training worker signals from the GUI thread.

    pytest-qt's ``waitSignal`` stops its timeout timer in whichever thread the
    signal is emitted from; waiting on these relays keeps that in the GUI thread
    (no "Timers cannot be stopped from another thread").
    """

    weights_loaded = Signal(str)
    weights_failed = Signal(str)
    predicted = Signal(int, object)
    progressed = Signal(StepProgress)
    started = Signal(Started)
    failed = Signal(str)
    download_failed = Signal(str)

    @Slot(str)
    def on_weights_loaded(self, text: str) -> None:
        self.weights_loaded.emit(text)

    @Slot(str)
    def on_weights_failed(self, text: str) -> None:
        self.weights_failed.emit(text)

    @Slot(int, object)
    def on_predicted(self, request_id: int, prediction: object) -> None:
        self.predicted.emit(request_id, prediction)

    @Slot(StepProgress)
    def on_progressed(self, event: StepProgress) -> None:
        self.progressed.emit(event)

    @Slot(Started)
    def on_started(self, event: Started) -> None:
        self.started.emit(event)

    @Slot(str)
    def on_failed(self, text: str) -> None:
        self.failed.emit(text)

    @Slot(str)
    def on_download_failed(self, text: str) -> None:
        self.download_failed.emit(text)


class GatedPredictor:
    """Wraps the real ``Predictor``: the first ``predict_image`` call waits.

    ``entered`` is set when the worker is inside its first prediction; it then
    waits for ``release`` (or, with ``hold_s``, at most that long) before
    running the real prediction.  Runs in the worker thread.
    """

    def __init__(self, hold_s: float | None = None) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.hold_s = hold_s
        self.calls = 0
        self._real: Any = None

    def factory(self, path: Path) -> GatedPredictor:
        self._real = load_predictor(path)
        return self

    def predict_image(self, gray: Any, alpha: Any = None, *, dot_rule: bool = True, strokes: Any = None) -> Any:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            if self.hold_s is None:
                self.release.wait(30)
            else:
                time.sleep(self.hold_s)  # simulates a slow model; the test itself never sleeps
        return self._real.predict_image(gray, alpha, dot_rule=dot_rule, strokes=strokes)
