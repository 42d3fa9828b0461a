"""The verdict rules and the predictor's calibrated, 10-digit view of an 11-output model."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from digitpad.predictor import Predictor
from digitpad.verdict import DIGIT, EMPTY, NOT_A_DIGIT, UNSURE, VerdictRule, decide, decide_batch, rates


def probs(**digits: float) -> np.ndarray:
    p = np.zeros(10)
    for k, v in digits.items():
        p[int(k[1:])] = v
    return p


def test_a_clear_digit():
    v = decide(probs(d3=0.97, d5=0.02), 0.01)
    assert (v.verdict, v.digit, v.runner_up) == (DIGIT, 3, 5)


def test_two_close_digits_are_unsure_and_name_both():
    v = decide(probs(d1=0.55, d7=0.40), 0.05)
    assert (v.verdict, v.digit, v.runner_up) == (UNSURE, 1, 7)


def test_low_confidence_is_unsure():
    assert decide(probs(d4=0.45, d9=0.15, d1=0.1, d7=0.1, d2=0.1), 0.1).verdict == UNSURE


def test_not_a_digit_wins_over_every_digit_or_above_its_threshold():
    assert decide(probs(d8=0.3, d0=0.2), 0.5).verdict == NOT_A_DIGIT
    assert decide(probs(d8=0.25, d0=0.2, d3=0.2), 0.35).verdict == NOT_A_DIGIT  # above the best digit
    assert decide(probs(d8=0.9), 0.1).verdict == DIGIT


def test_rule_from_checkpoint_meta_and_back():
    rule = VerdictRule.from_meta({"verdict": {"min_confidence": 0.7, "close_ratio": "x", "not_digit_at": 0.4}})
    assert rule == VerdictRule(min_confidence=0.7, not_digit_at=0.4)
    assert VerdictRule.from_meta({}) == VerdictRule()
    assert VerdictRule.from_meta({"verdict": rule.as_dict()}) == rule


def test_batch_verdicts_and_rates():
    batch = np.stack([np.r_[probs(d2=0.99), 0.01], np.r_[probs(d2=0.1), 0.9], np.r_[probs(d1=0.5, d7=0.45), 0.05]])
    verdicts = decide_batch(batch)
    assert verdicts == [DIGIT, NOT_A_DIGIT, UNSURE]
    assert rates(verdicts) == pytest.approx({DIGIT: 1 / 3, UNSURE: 1 / 3, NOT_A_DIGIT: 1 / 3, EMPTY: 0.0})


class Fixed(nn.Module):
    """Always answers the same logits (a stand-in network)."""

    def __init__(self, logits: list[float]) -> None:
        super().__init__()
        self.register_buffer("logits", torch.tensor([logits], dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits.expand(x.shape[0], -1)


def drawing() -> np.ndarray:
    image = np.zeros((100, 100), np.float32)
    image[20:80, 45:55] = 1.0
    return image


def test_predictor_applies_the_checkpoint_temperature_and_keeps_ten_digit_probabilities():
    logits = [4.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.0]
    cold = Predictor(Fixed(logits))
    warm = Predictor(Fixed(logits), meta={"temperature": 2.0})
    assert warm.temperature == 2.0 and cold.temperature == 1.0
    a, b = cold.predict_image(drawing()), warm.predict_image(drawing())
    expected = np.exp(np.array(logits) / 2.0)
    expected /= expected.sum()
    np.testing.assert_allclose(b.probabilities, expected[:10], rtol=1e-5)
    assert b.not_digit == pytest.approx(expected[10], rel=1e-5)
    assert b.probabilities.sum() + b.not_digit == pytest.approx(1.0, abs=1e-5)
    assert a.digit == b.digit == 0 and a.confidence > b.confidence
    assert warm.predict_batch(np.zeros((3, 28, 28), np.float32)).shape == (3, 10)


def test_predictor_verdicts():
    assert Predictor(Fixed([0.0] * 10 + [6.0])).predict_image(drawing()).verdict == NOT_A_DIGIT
    one_or_seven = Predictor(Fixed([0, 3.0, 0, 0, 0, 0, 0, 2.8, 0, 0, 0])).predict_image(drawing())
    assert (one_or_seven.verdict, one_or_seven.digit, one_or_seven.runner_up) == (UNSURE, 1, 7)
    empty = Predictor(Fixed([0.0] * 11)).predict_image(np.zeros((50, 50), np.float32))
    assert empty.empty and empty.verdict == EMPTY and empty.digit is None
    ten = Predictor(Fixed([9.0] + [0.0] * 9)).predict_image(drawing())  # a 10-output model: no not-a-digit
    assert ten.verdict == DIGIT and ten.not_digit == 0.0
