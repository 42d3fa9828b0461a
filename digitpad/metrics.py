"""Accuracy, confusion matrix and per-class precision/recall/F1 (numpy only).

Results are plain Python / numpy values, safe to print, store in a checkpoint's
meta or send across threads; importing this module does not import torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class ClassMetrics:
    digit: int
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    accuracy: float  # fraction in [0, 1]
    loss: float  # mean cross-entropy
    count: int
    confusion: np.ndarray  # int64 (10, 10): rows = true digit, columns = predicted
    per_class: tuple[ClassMetrics, ...]
    misclassified: np.ndarray  # int64 indices into the evaluated set
    predictions: np.ndarray = field(repr=False)  # int64 (N,)

    @property
    def errors(self) -> int:
        return int(self.misclassified.shape[0])

    def per_class_dict(self) -> dict[str, dict[str, float]]:
        """Plain values for a checkpoint: ``{"0": {"precision":..., "recall":..., "f1":..., "support":...}}``."""
        return {
            str(m.digit): {"precision": m.precision, "recall": m.recall, "f1": m.f1, "support": m.support}
            for m in self.per_class
        }


def from_predictions(predictions: np.ndarray, labels: np.ndarray, *, loss: float = float("nan")) -> Evaluation:
    """Build an :class:`Evaluation` from predicted and true digits."""
    n = int(labels.shape[0])
    # 10 digits; an 11th row/column when a not-a-digit class (10) occurs
    k = max(10, int(labels.max(initial=0)) + 1, int(predictions.max(initial=0)) + 1)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (labels, predictions), 1)
    per_class = []
    for d in range(k):
        tp = int(confusion[d, d])
        predicted = int(confusion[:, d].sum())
        actual = int(confusion[d, :].sum())
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append(ClassMetrics(d, precision, recall, f1, actual))
    wrong = np.nonzero(predictions != labels)[0].astype(np.int64)
    accuracy = float((n - wrong.shape[0]) / n) if n else 0.0
    return Evaluation(accuracy, loss, n, confusion, tuple(per_class), wrong, predictions)
