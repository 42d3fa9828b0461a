"""Accuracy, confusion matrix and per-class metrics of a model on a labelled set.

Results are plain Python / numpy values, safe to print, store in a checkpoint's
meta or send across threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from digitpad.normalize import MNIST_MEAN, MNIST_STD



@dataclass(frozen=True)
class ClassMetrics:
    digit: int
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    accuracy: float                 # fraction in [0, 1]
    loss: float                     # mean cross-entropy
    count: int
    confusion: np.ndarray           # int64 (10, 10): rows = true digit, columns = predicted
    per_class: tuple[ClassMetrics, ...]
    misclassified: np.ndarray       # int64 indices into the evaluated set
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


def predict_logits(
    model: nn.Module,
    images: torch.Tensor,
    *,
    batch_size: int = 1000,
    mean: float = MNIST_MEAN,
    std: float = MNIST_STD,
) -> torch.Tensor:
    """Logits for uint8 ``(N, 28, 28)`` images (or float ``(N, 1, 28, 28)`` already standardised)."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = []
    try:
        with torch.inference_mode():
            for start in range(0, images.shape[0], batch_size):
                chunk = images[start : start + batch_size].to(device)
                if chunk.dtype == torch.uint8:
                    chunk = (chunk.unsqueeze(1).float().div_(255.0) - mean) / std
                out.append(model(chunk).float())
    finally:
        model.train(was_training)
    return torch.cat(out) if out else torch.zeros(0, 10)


def evaluate(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    batch_size: int = 1000,
    mean: float = MNIST_MEAN,
    std: float = MNIST_STD,
) -> Evaluation:
    """Evaluate ``model`` on uint8 images ``(N, 28, 28)`` with int labels ``(N,)``."""
    logits = predict_logits(model, images, batch_size=batch_size, mean=mean, std=std)
    labels_t = labels.to(logits.device).long()
    loss = float(torch.nn.functional.cross_entropy(logits, labels_t)) if len(labels_t) else 0.0
    preds = logits.argmax(1).cpu().numpy().astype(np.int64)
    return from_predictions(preds, labels_t.cpu().numpy().astype(np.int64), loss=loss)


def from_predictions(predictions: np.ndarray, labels: np.ndarray, *, loss: float = float("nan")) -> Evaluation:
    """Build an :class:`Evaluation` from predicted and true digits."""
    n = int(labels.shape[0])
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (labels, predictions), 1)
    per_class = []
    for d in range(10):
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
