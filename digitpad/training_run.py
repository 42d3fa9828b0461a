"""A whole training run in the core: data, device, training, evaluation, atomic save, one result.

    run = TrainingRun(TrainConfig(epochs=3))          # MNIST from config.data_dir (downloaded if allowed)
    for event in run.events():                         # the trainer's frozen, throttled events
        ...                                            # run.stop() from any thread ends it between steps
    outcome = run.outcome                              # TrainingOutcome: path, metrics, history, gallery

The CLI's ``train``, the app's training worker and the benchmarks all use it.
Two hooks make it the base for other kinds of run: ``data`` (a
:data:`~digitpad.data.DataSource`: MNIST by default, or images in memory)
and ``initial_state`` (weights to fine-tune from).  Personalising is not one
of them: it needs frozen BatchNorm, a distillation loss and a guard instead
of a test set, so :mod:`digitpad.personalize` has its own short loop.  Weights are always saved under one naming
scheme (:func:`new_weights_path`) unless ``out`` names the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.data import DataSource
from digitpad.errors import CheckpointSaveError, TrainingError
from digitpad.paths import user_weights_dir
from digitpad.resources import shipped_weights
from digitpad.train_options import TrainConfig
from digitpad.trainer import StateDict, Trainer, TrainResult
from digitpad.training_events import Event, Started
from digitpad.training_outcome import TrainingOutcome

MAX_GALLERY = 120
"""How many misclassified test images the outcome carries."""


def new_weights_path(model: str, folder: str | Path | None = None, *, now: datetime | None = None) -> Path:
    """``folder/<model>-YYYYmmdd-HHMMSS.pt`` (``-2``, ``-3``... when taken); the user's weights folder by default."""
    folder = Path(folder) if folder is not None else user_weights_dir()
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    path = folder / f"{model}-{stamp}.pt"
    n = 2
    while path.exists():  # two runs in one second never overwrite each other
        path = folder / f"{model}-{stamp}-{n}.pt"
        n += 1
    return path


def check_output(path: str | Path) -> Path:
    """``path``, unless it is the shipped weights file (never overwritten): then ``TrainingError``."""
    path = Path(path)
    if path.resolve() == shipped_weights().resolve():
        raise TrainingError(f"{path} is the shipped weights file, which is never overwritten: choose another --out")
    return path


class TrainingRun:
    """One run from data to saved, evaluated weights; ``events()`` drives it, ``stop()`` is thread-safe."""

    def __init__(
        self,
        config: TrainConfig,
        *,
        data: DataSource | None = None,
        initial_state: StateDict | None = None,
        out: str | Path | None = None,
        weights_dir: str | Path | None = None,
        command: str | None = None,
        meta: Mapping[str, Any] | None = None,
        gallery_size: int = MAX_GALLERY,
    ) -> None:
        """``out``: the checkpoint to write (default: a new name in ``weights_dir``, itself defaulting to the
        user's weights folder); ``command``: recorded in the checkpoint (default: the equivalent
        ``digitpad train`` line); ``meta``: extra plain values for the checkpoint's meta."""
        self.config = config
        self.trainer = Trainer(config, data=data, initial_state=initial_state)  # TrainingError for bad settings
        self._out = check_output(out) if out is not None else None
        self._weights_dir = weights_dir
        self._command = command
        self._meta = dict(meta or {})
        self._gallery = gallery_size
        self._outcome: TrainingOutcome | None = None

    def stop(self) -> None:
        """End the run after the current step (any thread); the best weights so far are still saved."""
        self.trainer.stop()

    @property
    def outcome(self) -> TrainingOutcome | None:
        """The result, once ``events()`` is exhausted."""
        return self._outcome

    @property
    def result(self) -> TrainResult | None:
        """The trainer's own result (best weights as a CPU state dict), for callers that keep training."""
        return self.trainer.result

    def events(self) -> Iterator[Event]:
        """Train, yielding the trainer's events; then evaluate and save, and set :attr:`outcome`."""
        device = "?"
        for event in self.trainer.run():
            if isinstance(event, Started):
                device = event.device
            yield event
        result = self.trainer.result
        if result is None:  # pragma: no cover - Trainer.run() always sets it before its last event
            raise TrainingError("training ended without a result")
        path: Path | None = None
        problem: str | None = None
        if not (result.cancelled and result.steps == 0):  # a run stopped before its first step saves nothing
            target = self._out or new_weights_path(result.model, self._weights_dir)
            path, problem = self._save(target, result.model)
        self._outcome = dataclasses.replace(outcome_of(result, path, device, self._gallery), save_problem=problem)

    def _save(self, target: Path, model: str) -> tuple[Path | None, str | None]:
        """Save to ``target``; on a full disk or a permission error, to the user's weights folder.

        Returns (where the weights went or None, one line about what went wrong or None).  When
        both fail the weights stay in memory: :meth:`save_as` writes them later.
        """
        try:
            return self.save_as(target), None
        except CheckpointSaveError as error:
            fallback_dir = user_weights_dir()
            if target.parent.resolve() == fallback_dir.resolve():
                return None, str(error)
            try:
                fallback = self.save_as(new_weights_path(model, fallback_dir))
            except CheckpointSaveError as second:
                return None, f"{error}; in {second.folder} too: {second.cause}"
            return fallback, f"{error}; saved them in {fallback} instead"

    def save_as(self, path: str | Path) -> Path:
        """Write the run's best weights to ``path`` (atomic); ``CheckpointSaveError`` when it cannot."""
        return Path(self.trainer.save(Path(path), command=self._command, meta=self._meta))

    def execute(self, on_event: Callable[[Event], None] | None = None) -> TrainingOutcome:
        """Run to the end, passing each event to ``on_event``; returns the outcome."""
        for event in self.events():
            if on_event is not None:
                on_event(event)
        assert self._outcome is not None
        return self._outcome


def outcome_of(result: TrainResult, path: Path | None, device: str, gallery_size: int = MAX_GALLERY) -> TrainingOutcome:
    """The plain-value summary of ``result``; the gallery comes from the test images already in memory."""
    ev = result.evaluation
    wrong = np.asarray(ev.misclassified[:gallery_size], dtype=np.int64)
    images = result.test.images[wrong].cpu().numpy().astype(np.uint8, copy=True)
    true = result.test.labels[wrong].cpu().numpy().astype(np.int64, copy=True)
    predicted = np.asarray(ev.predictions, dtype=np.int64)[wrong].copy()
    return TrainingOutcome(
        cancelled=result.cancelled,
        model=result.model,
        device=device,
        weights_path=str(path) if path is not None else None,
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
        history=tuple(dict(h) for h in result.history),
    )
