"""Temperature fitting and the expected calibration error."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.calibration import expected_calibration_error, fit_temperature, nll, softmax


def sampled(n: int, temperature: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Logits and labels drawn from softmax(logits / temperature): that temperature is the truth."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 4, (n, 11))
    p = softmax(logits, temperature).astype(np.float64)
    labels = np.array([rng.choice(11, p=row / row.sum()) for row in p])
    return logits, labels


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_fit_recovers_the_temperature_that_generated_the_labels(true_t):
    logits, labels = sampled(4000, true_t)
    assert fit_temperature(logits, labels) == pytest.approx(true_t, rel=0.1)


def test_fitted_temperature_minimises_the_nll():
    logits, labels = sampled(2000, 1.7, seed=3)
    t = fit_temperature(logits, labels)
    for other in (t * 0.8, t * 1.25):
        assert nll(logits, labels, t) < nll(logits, labels, other)


def test_temperature_fixes_a_squeezed_softmax():
    logits, labels = sampled(4000, 1.0, seed=1)
    squeezed = logits * 0.4  # like label smoothing: right answers, timid probabilities
    before = softmax(squeezed)
    t = fit_temperature(squeezed, labels)
    after = softmax(squeezed, t)
    ece_before = expected_calibration_error(before.max(1), before.argmax(1) == labels)
    ece_after = expected_calibration_error(after.max(1), after.argmax(1) == labels)
    assert t == pytest.approx(0.4, rel=0.1)
    assert ece_after < 0.03 < ece_before
    assert (before.argmax(1) == after.argmax(1)).all()  # a temperature never changes the answer


def test_ece_by_hand():
    conf = np.array([0.95, 0.95, 0.55, 0.55])
    correct = np.array([1, 1, 1, 0])
    # bins: {0.95: accuracy 1.0 -> gap 0.05}, {0.55: accuracy 0.5 -> gap 0.05}
    assert expected_calibration_error(conf, correct) == pytest.approx(0.05)
    assert expected_calibration_error(np.array([1.0]), np.array([1])) == 0.0
    assert expected_calibration_error(np.array([]), np.array([])) == 0.0


def test_fit_refuses_an_empty_set():
    with pytest.raises(ValueError):
        fit_temperature(np.zeros((0, 10)), np.zeros(0))
