"""What a whole training run produced: one small frozen value, numpy arrays and plain numbers only.

No torch here, and not even numpy at import time: the GUI thread names this
type in its signals before anything heavy is loaded (the report shows it),
the CLI prints from it, tests compare it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported at run time: the app's window starts before numpy and torch load
    import numpy as np

    from digitpad.metrics import ClassMetrics


@dataclass(frozen=True)
class TrainingOutcome:
    """The end of a finished or cancelled :class:`~digitpad.training_run.TrainingRun`."""

    cancelled: bool
    model: str
    device: str
    weights_path: str | None  # the saved checkpoint; None when nothing was saved (cancelled before a step)
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
    history: tuple[Mapping[str, float], ...] = field(default=(), repr=False)  # one entry per epoch
    # One line when the weights could not be saved where asked (full disk, no permission): where they
    # went instead, or that they are only in memory (weights_path None; the app offers Save as...).
    save_problem: str | None = None

    @property
    def saved(self) -> bool:
        return self.weights_path is not None
