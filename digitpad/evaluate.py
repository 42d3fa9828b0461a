"""Evaluate a model on a labelled set of MNIST-style images (torch).

The metrics themselves (numpy only) are in :mod:`digitpad.metrics`.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from digitpad.metrics import ClassMetrics, Evaluation, from_predictions  # noqa: F401  (re-exported)
from digitpad.normalize import MNIST_MEAN, MNIST_STD


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
    """Evaluate ``model`` on uint8 images ``(N, 28, 28)`` with int labels ``(N,)``.

    A model with a not-a-digit output (11 logits) on a set of digits only (every
    label < 10) is scored on its digit reading, the argmax of the ten digit
    logits: the digit the app shows.  With not-a-digit labels (10) in the set,
    all outputs compete.
    """
    return evaluation_of(predict_logits(model, images, batch_size=batch_size, mean=mean, std=std), labels)


def evaluation_of(logits: torch.Tensor, labels: torch.Tensor) -> Evaluation:
    """:func:`evaluate`'s figures from logits already computed (scored the same way)."""
    labels_t = labels.to(logits.device).long()
    loss = float(torch.nn.functional.cross_entropy(logits, labels_t)) if len(labels_t) else 0.0
    digits_only = len(labels_t) == 0 or int(labels_t.max()) < 10
    preds = (logits[:, :10] if digits_only else logits).argmax(1).cpu().numpy().astype(np.int64)
    return from_predictions(preds, labels_t.cpu().numpy().astype(np.int64), loss=loss)
