"""The trainer's progress events: small frozen values, safe to send across threads.

``Trainer.run()`` yields them; the CLI prints them, the GUI worker turns them
into signals, tests iterate over them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Started:
    model: str
    device: str
    precision: str
    parameters: int
    train_size: int
    test_size: int
    epochs: int
    steps_per_epoch: int
    steps_total: int


@dataclass(frozen=True)
class StepProgress:
    epoch: int  # 1-based
    epochs: int
    step: int  # 1-based within the epoch
    steps_per_epoch: int
    steps_total: int  # steps done in the whole run so far
    loss: float  # mean training loss since the previous event
    accuracy: float  # training accuracy (augmented batches) since the previous event
    images_per_s: float
    eta_s: float
    lr: float


@dataclass(frozen=True)
class Evaluated:
    """A mid-epoch test evaluation (only with ``evals_per_epoch > 1``)."""

    epoch: int
    step: int
    steps_total: int
    test_accuracy: float
    train_s: float  # training time so far, evaluations excluded


@dataclass(frozen=True)
class EpochFinished:
    epoch: int
    epochs: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    best_accuracy: float
    is_best: bool
    seconds: float  # this epoch, evaluation included
    train_s: float  # whole run so far, evaluations excluded


@dataclass(frozen=True)
class Finished:
    best_accuracy: float
    best_epoch: int
    epochs_completed: int
    steps_total: int
    seconds: float


@dataclass(frozen=True)
class Cancelled:
    best_accuracy: float
    best_epoch: int
    epoch: int
    step: int
    steps_total: int
    seconds: float


Event = Started | StepProgress | Evaluated | EpochFinished | Finished | Cancelled
