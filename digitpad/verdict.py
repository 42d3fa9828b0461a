"""The verdict that comes with every reading: digit, unsure, not-a-digit or empty (numpy only).

From the calibrated probabilities of the ten digits and of not-a-digit (the
model's 11th output; 0 for a 10-output model):

* ``empty``: the normaliser found no meaningful ink;
* ``not-a-digit``: P(not a digit) is at least ``not_digit_at`` or above every digit's;
* ``unsure``: the best digit's probability is below ``min_confidence``, or the
  runner-up has at least ``close_ratio`` of the best one's (the window then
  shows both, "1 or 7?");
* ``digit``: otherwise.

The thresholds were chosen on the validation split (held-out MNIST training
digits and Pendigits ``.tra`` writers), never on a test set; a checkpoint may
carry its own under ``meta["verdict"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

DIGIT = "digit"
UNSURE = "unsure"
NOT_A_DIGIT = "not-a-digit"
EMPTY = "empty"
VERDICTS = (DIGIT, UNSURE, NOT_A_DIGIT, EMPTY)


@dataclass(frozen=True)
class VerdictRule:
    # Chosen with benchmarks/tune_verdict.py on validation drawings only (Pendigits .tra writers
    # 26-30 on the canvas at pens 22/4/60 and 30% height, training-family non-digits, new seed):
    # 98.8% of real digits get "digit" (99.1% of those right), 95.5% of non-digits do not.
    min_confidence: float = 0.5
    close_ratio: float = 0.7
    not_digit_at: float = 0.5

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any] | None) -> VerdictRule:
        """The rule stored in a checkpoint's ``meta["verdict"]`` (defaults for what is missing)."""
        stored = (meta or {}).get("verdict")
        if not isinstance(stored, Mapping):
            return cls()
        values = {}
        for f in fields(cls):
            v = stored.get(f.name)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                values[f.name] = float(v)
        return cls(**values)

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class Verdict:
    verdict: str  # one of VERDICTS
    digit: int | None  # the best digit (None when empty)
    runner_up: int | None  # the second-best digit (None when empty)


def decide(digit_probs: np.ndarray, not_digit: float, rule: VerdictRule = VerdictRule()) -> Verdict:
    """The verdict for one reading: ``digit_probs`` (10,) and P(not a digit)."""
    p = np.asarray(digit_probs, np.float64)
    order = np.argsort(-p, kind="stable")
    best, second = int(order[0]), int(order[1])
    top, runner = float(p[best]), float(p[second])
    if not_digit >= rule.not_digit_at or not_digit > top:
        return Verdict(NOT_A_DIGIT, best, second)
    if top < rule.min_confidence or runner >= rule.close_ratio * top:
        return Verdict(UNSURE, best, second)
    return Verdict(DIGIT, best, second)


def decide_batch(probs: np.ndarray, rule: VerdictRule = VerdictRule()) -> list[str]:
    """Verdicts for ``(N, 10)`` or ``(N, 11)`` calibrated probabilities (11th: not-a-digit)."""
    probs = np.asarray(probs)
    nd = probs[:, 10] if probs.shape[1] > 10 else np.zeros(len(probs))
    return [decide(p[:10], float(q), rule).verdict for p, q in zip(probs, nd, strict=True)]


def rates(verdicts: list[str]) -> dict[str, float]:
    """The fraction of each verdict (all four keys, 0.0 when absent)."""
    n = max(len(verdicts), 1)
    return {v: verdicts.count(v) / n for v in VERDICTS}
