"""Training off the GUI thread: a worker object that turns ``Trainer.run()`` events into signals.

One long-lived :class:`TrainingWorker` is moved to its own ``QThread`` (see
:func:`start_training_thread`).  The GUI asks for work through queued signals
connected to the worker's slots (:meth:`run`, :meth:`download`,
:meth:`probe_devices`); cancelling is the direct, thread-safe :meth:`stop`
(a flag the trainer checks between steps), never a queued slot: the busy
thread would only run that after training had ended.

Values cross threads, objects do not: the trainer's frozen events go out as
they are (plain floats and ints) and the end of a run is one frozen
:class:`TrainingOutcome` holding numpy arrays and plain numbers, never
tensors.  Progress is throttled here as well as in the trainer, so the GUI
sees at most :data:`PROGRESS_INTERVAL_S`'s worth of ``progressed`` signals.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from digitpad.gui.widgets.worker_thread import start_worker_thread, stop_worker_thread
from digitpad.metrics import ClassMetrics
from digitpad.paths import MNIST_FILES, mnist_present, mnist_raw_dir

if TYPE_CHECKING:
    from digitpad.trainer import TrainConfig, Trainer

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1
"""At most ten ``progressed`` signals a second (plus each epoch's last step)."""
MAX_GALLERY = 120
"""How many misclassified test images travel to the report."""


@dataclass(frozen=True)
class TrainingOutcome:
    """What a finished or cancelled run produced; plain values and numpy arrays only."""

    cancelled: bool
    model: str
    device: str
    weights_path: str  # the saved checkpoint (user weights folder)
    test_accuracy: float  # of the kept (best) weights
    best_epoch: int
    test_count: int
    errors: int
    steps: int
    seconds: float
    confusion: np.ndarray  # int64 (10, 10): rows true digit, columns predicted
    per_class: tuple[ClassMetrics, ...]
    misclassified: np.ndarray = field(repr=False)  # uint8 (K, 28, 28), white ink on black
    true_labels: np.ndarray = field(repr=False)  # int64 (K,)
    predicted_labels: np.ndarray = field(repr=False)  # int64 (K,)


class TrainingWorker(QObject):
    """Runs one training (or download) at a time in the thread it was moved to.

    Signals (past tense, emitted from the worker thread, queued to the GUI):
    ``started`` (the trainer's ``Started`` event), ``progressed`` (``StepProgress``),
    ``epoch_finished`` (``EpochFinished``), ``finished`` / ``cancelled``
    (:class:`TrainingOutcome`; ``cancelled`` carries ``None`` when no step ran, so
    nothing was saved), ``failed`` (one user-facing line), ``logged`` (a log line),
    ``downloaded`` / ``download_failed`` and ``devices_found``.
    """

    started = Signal(object)
    progressed = Signal(object)
    epoch_finished = Signal(object)
    finished = Signal(object)
    cancelled = Signal(object)
    failed = Signal(str)
    logged = Signal(str)
    downloaded = Signal(str)  # the folder now holding MNIST
    download_failed = Signal(str)  # one user-facing line; nothing was changed
    devices_found = Signal(list)  # [(device name for TrainConfig, label)]

    def __init__(self, weights_dir: Path | None = None, *, yield_between_steps: bool = False) -> None:
        super().__init__()
        self._weights_dir = weights_dir  # None: digitpad.paths.user_weights_dir() at save time
        self._yield = yield_between_steps
        self._lock = threading.Lock()
        self._trainer: Trainer | None = None
        self._stop_requested = False
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
            if self._trainer is not None:
                self._trainer.stop()

    # ------------------------------------------------------ worker thread only
    @Slot(object)
    def run(self, config: TrainConfig) -> None:
        """Train with ``config``, save the best weights, then emit ``finished`` or ``cancelled``."""
        from digitpad.errors import DigitPadError

        try:
            self._train(config)
        except DigitPadError as error:
            self.failed.emit(str(error))
        except Exception as error:  # a worker never dies: the window shows the line and stays usable
            log.exception("training failed")
            self.failed.emit(f"Training failed: {error}")
        finally:
            with self._lock:
                self._trainer = None

    def _train(self, config: TrainConfig) -> None:
        from digitpad.trainer import Cancelled, EpochFinished, Finished, Started, StepProgress, Trainer

        config = dataclasses.replace(config, progress_interval_s=max(config.progress_interval_s, PROGRESS_INTERVAL_S))
        trainer = Trainer(config)
        with self._lock:
            if self._stop_requested:
                self.cancelled.emit(None)
                return
            self._trainer = trainer
        self.logged.emit(f"Loading MNIST from {config.data_dir}…")
        last_emit = 0.0
        device, per_epoch = "?", 0
        for event in trainer.run():
            if isinstance(event, StepProgress):
                now = time.monotonic()
                if now - last_emit >= PROGRESS_INTERVAL_S or event.step == event.steps_per_epoch:
                    last_emit = now
                    self.signals_emitted += 1
                    self.progressed.emit(event)
                if self._yield:
                    time.sleep(0)  # hand the GIL to the GUI thread between steps
            elif isinstance(event, Started):
                device, per_epoch = event.device, event.steps_per_epoch
                self.started.emit(event)
            elif isinstance(event, EpochFinished):
                self.epoch_finished.emit(event)
            elif isinstance(event, Cancelled):
                self.logged.emit(
                    f"Cancelled in epoch {event.epoch} at step {event.step}/{per_epoch}; "
                    f"best test accuracy {100 * event.best_accuracy:.2f}% (epoch {event.best_epoch})"
                )
            elif isinstance(event, Finished):
                self.logged.emit(
                    f"Finished {event.epochs_completed} epochs in {event.seconds:.0f} s; "
                    f"best test accuracy {100 * event.best_accuracy:.2f}% (epoch {event.best_epoch})"
                )
        result = trainer.result
        if result is None:  # pragma: no cover - run() always sets it before its last event
            raise RuntimeError("training ended without a result")
        if result.cancelled and result.steps == 0:
            self.logged.emit("Cancelled before the first step: nothing was saved.")
            self.cancelled.emit(None)
            return
        path = self._save(trainer, config)
        self.logged.emit(f"Saved {path}")
        outcome = self._outcome(trainer, config, path, device)
        (self.cancelled if result.cancelled else self.finished).emit(outcome)

    def _save(self, trainer: Trainer, config: TrainConfig) -> Path:
        from digitpad.paths import user_weights_dir

        folder = self._weights_dir or user_weights_dir()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(folder) / f"{config.model}-{stamp}.pt"
        n = 2
        while path.exists():  # two runs in one second never overwrite each other
            path = Path(folder) / f"{config.model}-{stamp}-{n}.pt"
            n += 1
        return Path(trainer.save(path))  # atomic: temp file, fsync, os.replace

    def _outcome(self, trainer: Trainer, config: TrainConfig, path: Path, device: str) -> TrainingOutcome:
        from digitpad.data import load_mnist

        result = trainer.result
        assert result is not None
        ev = result.evaluation
        # The trainer evaluated the first test_count test images; read them again for the gallery.
        test = load_mnist(config.data_dir, train=False).head(ev.count)
        wrong = ev.misclassified[:MAX_GALLERY]
        images = test.images[wrong].numpy().astype(np.uint8, copy=True)
        true = test.labels[wrong].numpy().astype(np.int64, copy=True)
        predicted = np.asarray(ev.predictions, dtype=np.int64)[wrong].copy()
        return TrainingOutcome(
            cancelled=result.cancelled,
            model=result.model,
            device=device,
            weights_path=str(path),
            test_accuracy=result.best_accuracy,
            best_epoch=result.best_epoch,
            test_count=ev.count,
            errors=ev.errors,
            steps=result.steps,
            seconds=result.seconds,
            confusion=np.array(ev.confusion, dtype=np.int64),
            per_class=tuple(ev.per_class),
            misclassified=images,
            true_labels=true,
            predicted_labels=predicted,
        )

    @Slot(str)
    def download(self, folder: str) -> None:
        """Download MNIST into ``folder`` (all or nothing), then emit ``downloaded``.

        Files go to a temporary folder beside the target first and move into
        ``folder/MNIST/raw`` only when all four are there, so a failed download
        (offline, disk full) leaves ``folder`` exactly as it was.
        """
        target = Path(folder)
        created = not target.exists()
        staging: Path | None = None
        try:
            from torchvision.datasets import MNIST

            target.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".mnist-download-", dir=target))
            self.logged.emit(f"Downloading MNIST into {target}…")
            for train in (True, False):
                MNIST(str(staging), train=train, download=True)
            raw = mnist_raw_dir(target)
            raw.mkdir(parents=True, exist_ok=True)
            for name in MNIST_FILES:
                (mnist_raw_dir(staging) / name).replace(raw / name)
        except Exception as error:
            log.debug("MNIST download failed", exc_info=True)
            text = str(error).strip().splitlines()
            detail = text[0] if text else type(error).__name__
            self.download_failed.emit(f"Could not download MNIST (are you offline?): {detail}. Nothing was changed.")
        else:
            self.downloaded.emit(str(target))
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            if created and not mnist_present(target):
                shutil.rmtree(target, ignore_errors=True)

    @Slot()
    def probe_devices(self) -> None:
        """Emit ``devices_found`` with every CUDA or MPS device present (CUDA init stays off the GUI thread)."""
        found: list[tuple[str, str]] = []
        try:
            import torch

            if torch.cuda.is_available():
                for i in range(torch.cuda.device_count()):
                    found.append((f"cuda:{i}", f"CUDA {i}: {torch.cuda.get_device_name(i)}"))
            mps = getattr(torch.backends, "mps", None)
            if mps is not None and mps.is_available():
                found.append(("mps", "Apple MPS"))
        except Exception:  # a broken driver only means: no accelerator to offer
            log.debug("device probe failed", exc_info=True)
        self.devices_found.emit(found)


def start_training_thread(worker: TrainingWorker, parent: QObject | None = None) -> QThread:
    """Move ``worker`` to a new running thread named "training"; returns the thread (GUI thread)."""
    return start_worker_thread(worker, "training", parent)


def stop_training_thread(worker: TrainingWorker, thread: QThread) -> None:
    """Cancel any run, quit and wait: the worker ends within one training step (GUI thread)."""
    stop_worker_thread(worker, thread)
