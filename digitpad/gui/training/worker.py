"""Training off the GUI thread: a worker object that turns a core training run's events into signals.

One long-lived :class:`TrainingWorker` is moved to its own ``QThread`` (see
:func:`start_training_thread`).  The GUI asks for work through queued signals
connected to the worker's slots (:meth:`run`, :meth:`download`,
:meth:`probe_devices`); cancelling is the direct, thread-safe :meth:`stop`
(a flag the run checks between steps), never a queued slot: the busy thread
would only run that after training had ended.

The whole run (data, device, training, evaluation, saving) is the core's
:class:`~digitpad.training_run.TrainingRun`; this module only iterates it and
emits.  Values cross threads, objects do not: every signal carries a frozen
value of a named type (the trainer's events, a
:class:`~digitpad.training_outcome.TrainingOutcome`, strings).  Progress is
throttled once, at the source: the run is asked for at most
:data:`PROGRESS_INTERVAL_S`'s worth of ``StepProgress`` events.  Nothing here
imports torch; the core does, in the worker thread.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from digitpad.errors import DigitPadError
from digitpad.gui.widgets.worker_thread import start_worker_thread, stop_worker_thread
from digitpad.train_options import FoundDevices, TrainConfig
from digitpad.training_events import Cancelled, EpochFinished, Event, Finished, Started, StepProgress
from digitpad.training_outcome import TrainingOutcome

if TYPE_CHECKING:
    from digitpad.training_run import TrainingRun

__all__ = ["PROGRESS_INTERVAL_S", "TrainingOutcome", "TrainingWorker", "start_training_thread", "stop_training_thread"]

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1
"""At most ten ``progressed`` signals a second (plus each epoch's last step)."""


class TrainingWorker(QObject):
    """Runs one training (or download) at a time in the thread it was moved to.

    Signals (past tense, emitted from the worker thread, queued to the GUI):
    ``started`` / ``progressed`` / ``epoch_finished`` (the run's events),
    ``finished`` / ``cancelled`` (a :class:`TrainingOutcome`; after a cancel
    before the first step its ``weights_path`` is None: nothing was saved),
    ``failed`` (one user-facing line), ``logged`` (a log line),
    ``downloaded`` / ``download_failed`` and ``devices_found``.
    """

    started = Signal(Started)
    progressed = Signal(StepProgress)
    epoch_finished = Signal(EpochFinished)
    finished = Signal(TrainingOutcome)
    cancelled = Signal(TrainingOutcome)
    failed = Signal(str)
    logged = Signal(str)
    downloaded = Signal(str)  # the folder now holding MNIST
    download_failed = Signal(str)  # one user-facing line; nothing was changed
    devices_found = Signal(FoundDevices)
    kept_saved = Signal(str)  # the path the weights kept in memory were saved to (Save as...)
    kept_save_failed = Signal(str)  # one user-facing line; the weights are still kept

    def __init__(self, weights_dir: Path | None = None, *, yield_between_steps: bool = False) -> None:
        super().__init__()
        self._weights_dir = weights_dir  # None: digitpad.paths.user_weights_dir() at save time
        self._yield = yield_between_steps
        self._lock = threading.Lock()
        self._run: TrainingRun | None = None
        self._kept: TrainingRun | None = None  # a run whose weights could not be saved (worker thread)
        self._stop_requested = False
        self._steps_per_epoch = 0
        self.signals_emitted = 0  # progressed signals, for tests and benchmarks

    # ------------------------------------------------ any thread (thread-safe)
    def prepare(self) -> None:
        """Clear an earlier cancel; call before queueing :meth:`run` (a cancel after this one counts)."""
        with self._lock:
            self._stop_requested = False

    def stop(self) -> None:
        """Cancel the run in progress after its current step; a direct call, not a slot."""
        with self._lock:
            self._stop_requested = True
            if self._run is not None:
                self._run.stop()

    # ------------------------------------------------------ worker thread only
    @Slot(TrainConfig)
    def run(self, config: TrainConfig) -> None:
        """Train with ``config``, save the best weights, then emit ``finished`` or ``cancelled``."""
        try:
            self._train(config)
        except DigitPadError as error:
            self.failed.emit(str(error))
        except Exception as error:  # a worker never dies: the window shows the line and stays usable
            log.exception("training failed")
            self.failed.emit(f"Training failed: {error}")
        finally:
            with self._lock:
                self._run = None

    def _train(self, config: TrainConfig) -> None:
        from digitpad.training_run import TrainingRun

        interval = max(config.progress_interval_s, PROGRESS_INTERVAL_S)  # the one throttle: at the source
        run = TrainingRun(dataclasses.replace(config, progress_interval_s=interval), weights_dir=self._weights_dir)
        with self._lock:
            self._run = run
            if self._stop_requested:  # cancelled while queued: the run stops before its first step
                run.stop()
        self.logged.emit(f"Loading MNIST from {config.data_dir}…")
        for event in run.events():
            self._emit(event)
            if self._yield:
                time.sleep(0)  # hand the GIL to the GUI thread between steps
        outcome = run.outcome
        assert outcome is not None  # events() sets it before it ends
        # Weights that could not be saved (full disk) stay in memory for Save as...
        self._kept = run if outcome.save_problem and not outcome.saved else None
        if outcome.save_problem:
            self.logged.emit(outcome.save_problem)
        self.logged.emit(f"Saved {outcome.weights_path}" if outcome.saved else "Nothing was saved.")
        (self.cancelled if outcome.cancelled else self.finished).emit(outcome)

    @Slot(str)
    def save_kept(self, path: str) -> None:
        """Write the weights a run could not save to ``path``; answered by ``kept_saved``/``kept_save_failed``."""
        run = self._kept
        if run is None:
            self.kept_save_failed.emit("There are no unsaved trained weights.")
            return
        try:
            saved = run.save_as(path)
        except DigitPadError as error:
            self.kept_save_failed.emit(str(error))
            return
        self._kept = None
        self.kept_saved.emit(str(saved))

    def _emit(self, event: Event) -> None:
        if isinstance(event, StepProgress):
            self.signals_emitted += 1
            self.progressed.emit(event)
        elif isinstance(event, Started):
            self._steps_per_epoch = event.steps_per_epoch
            self.started.emit(event)
        elif isinstance(event, EpochFinished):
            self.epoch_finished.emit(event)
        elif isinstance(event, Cancelled):
            self.logged.emit(
                f"Cancelled in epoch {event.epoch} at step {event.step}/{self._steps_per_epoch}; "
                f"best test accuracy {100 * event.best_accuracy:.2f}% (epoch {event.best_epoch})"
            )
        elif isinstance(event, Finished):
            self.logged.emit(
                f"Finished {event.epochs_completed} epochs in {event.seconds:.0f} s; "
                f"best test accuracy {100 * event.best_accuracy:.2f}% (epoch {event.best_epoch})"
            )

    @Slot(str)
    def download(self, folder: str) -> None:
        """Download MNIST into ``folder`` (the core's all-or-nothing, checksummed download), then emit."""
        from digitpad.mnist_download import download_mnist

        try:
            download_mnist(folder, log_line=self.logged.emit)
        except DigitPadError as error:
            self.download_failed.emit(str(error))
        except Exception as error:  # pragma: no cover - download_mnist turns failures into DataError
            log.exception("MNIST download failed")
            self.download_failed.emit(f"Could not download MNIST: {error}. Nothing was changed.")
        else:
            self.downloaded.emit(folder)

    @Slot()
    def probe_devices(self) -> None:
        """Emit ``devices_found`` with every CUDA or MPS device present (CUDA init stays off the GUI thread)."""
        found = FoundDevices()
        try:
            from digitpad.devices import accelerators

            found = accelerators()
        except Exception:  # a broken driver only means: no accelerator to offer
            log.debug("device probe failed", exc_info=True)
        self.devices_found.emit(found)


def start_training_thread(worker: TrainingWorker, parent: QObject | None = None) -> QThread:
    """Move ``worker`` to a new running thread named "training"; returns the thread (GUI thread)."""
    return start_worker_thread(worker, "training", parent)


def stop_training_thread(worker: TrainingWorker, thread: QThread) -> None:
    """Cancel any run, quit and wait: the worker ends within one training step (GUI thread)."""
    stop_worker_thread(worker, thread)
