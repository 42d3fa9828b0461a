"""Honest confidence: temperature scaling and the expected calibration error (numpy only).

A network trained with label smoothing squeezes its softmax (clear digits top
out near 90%), and one trained without it is overconfident.  One scalar
temperature ``T`` fitted on held-out validation logits (softmax(logits / T)
minimising the negative log-likelihood) fixes most of that without changing
any argmax (Guo et al., "On Calibration of Modern Neural Networks", 2017).
The trainer stores ``T`` in the checkpoint's meta (``temperature``) and the
predictor applies it to every probability it reports.
"""

from __future__ import annotations

import math

import numpy as np

DEFAULT_BINS = 15
T_RANGE = (0.05, 20.0)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature`` (float64 inside, float32 out)."""
    z = np.asarray(logits, np.float64) / float(temperature)
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of ``labels`` under ``softmax(logits / temperature)``."""
    z = np.asarray(logits, np.float64) / float(temperature)
    z -= z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(z).sum(axis=1))
    labels = np.asarray(labels, np.int64)
    return float(np.mean(log_norm - z[np.arange(len(labels)), labels]))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the validation NLL (golden-section search on log T).

    The NLL is convex in 1/T, hence unimodal in log T, so a bracketing search
    finds the optimum without gradients.  Raises ``ValueError`` for an empty set.
    """
    logits = np.asarray(logits, np.float64)
    labels = np.asarray(labels, np.int64)
    if logits.ndim != 2 or len(logits) == 0 or len(labels) != len(logits):
        raise ValueError("fit_temperature needs logits (N, C) and N labels, N > 0")
    lo, hi = math.log(T_RANGE[0]), math.log(T_RANGE[1])
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(logits, labels, math.exp(a)), nll(logits, labels, math.exp(b))
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(logits, labels, math.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(logits, labels, math.exp(b))
    return float(math.exp((lo + hi) / 2.0))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = DEFAULT_BINS) -> float:
    """ECE: the bin-weighted mean |accuracy - confidence| over ``bins`` equal-width bins.

    ``confidence`` is the probability reported for the answer given, ``correct``
    whether that answer was right.  0.0 for an empty set.
    """
    conf = np.asarray(confidence, np.float64)
    hit = np.asarray(correct, np.float64)
    if conf.size == 0:
        return 0.0
    index = np.minimum((conf * bins).astype(np.int64), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.sum() * abs(hit[mask].mean() - conf[mask].mean())
    return float(total / conf.size)
