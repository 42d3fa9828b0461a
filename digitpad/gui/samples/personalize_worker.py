"""Personalising off the GUI thread: a worker that turns ``Personalizer.run()`` events into signals.

The worker lives on its own ``QThread`` (not the inference thread: the pad
keeps reading while it runs).  A job goes in as plain values (the base
weights' path, the samples as numpy arrays, where to save); the answer comes
back as a plain dict and a path.  torch is imported here, in the worker
thread, on the first job.  ``stop()`` is a thread-safe flag, never a queued slot.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from digitpad.gui.widgets.worker_thread import start_worker_thread, stop_worker_thread

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonalizeJob:
    base_weights: str
    images: np.ndarray = field(repr=False)  # uint8 (N, 28, 28)
    labels: np.ndarray = field(repr=False)  # int64 (N,)
    out_path: str
    config: dict[str, Any] = field(default_factory=dict)  # PersonalizeConfig overrides


class PersonalizeWorker(QObject):
    """Signals (from the worker thread, queued to the GUI): ``progressed(step, total, stage)``,
    ``finished(report dict, saved path or "")``, ``cancelled()``, ``failed(one line)``."""

    progressed = Signal(int, int, str)
    finished = Signal(object, str)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._job: Any = None  # the running Personalizer (worker thread), for stop()
        self._stopping = False

    def stop(self) -> None:
        """End the current job after its step (any thread)."""
        with self._lock:
            self._stopping = True
            if self._job is not None:
                self._job.stop()

    @Slot(object)
    def run(self, job: PersonalizeJob) -> None:
        """Worker thread: one personalisation."""
        try:
            self._run(job)
        except Exception as error:  # DigitPadError or anything else: one line, the worker survives
            from digitpad.errors import DigitPadError

            log.debug("personalising failed", exc_info=True)
            self.failed.emit(str(error) if isinstance(error, DigitPadError) else f"Personalising failed: {error}")
        finally:
            with self._lock:
                self._job = None

    def _run(self, job: PersonalizeJob) -> None:
        from dataclasses import replace

        from digitpad.checkpoint import load_checkpoint
        from digitpad.personalize import Cancelled, Finished, PersonalizeConfig, Personalizer, Progressed

        config = replace(PersonalizeConfig(threads=1), **job.config)
        personalizer = Personalizer(load_checkpoint(job.base_weights), job.images, job.labels, config)
        with self._lock:
            if self._stopping:
                self._stopping = False
                self.cancelled.emit()
                return
            self._job = personalizer
        for event in personalizer.run():
            if isinstance(event, Progressed):
                self.progressed.emit(event.step, event.steps_total, event.stage)
            elif isinstance(event, Cancelled):
                with self._lock:
                    self._stopping = False
                self.cancelled.emit()
                return
            elif isinstance(event, Finished):
                saved = ""
                if event.report.accepted:
                    saved = str(personalizer.save(job.out_path))
                self.finished.emit(event.report.as_dict(), saved)


def start_personalize_thread(worker: PersonalizeWorker, parent: QObject | None = None) -> QThread:
    return start_worker_thread(worker, "personalize", parent)


def stop_personalize_thread(worker: PersonalizeWorker, thread: QThread) -> None:
    stop_worker_thread(worker, thread)
