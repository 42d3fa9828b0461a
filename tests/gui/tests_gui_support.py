"""A real predictor wrapped so a test can hold the worker busy at a known moment."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from digitpad.gui.pad.inference_worker import load_predictor


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


class AnswerRecorder(QObject):
    """Records answered request ids in the GUI thread (a ``@Slot``, not a lambda)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[int] = []

    @Slot(int, object)
    def record(self, request_id: int, _prediction: object) -> None:
        self.ids.append(request_id)


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

    def predict_image(self, gray: Any, alpha: Any = None) -> Any:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            if self.hold_s is None:
                self.release.wait(30)
            else:
                time.sleep(self.hold_s)  # simulates a slow model; the test itself never sleeps
        return self._real.predict_image(gray, alpha)
