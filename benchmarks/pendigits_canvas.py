"""Pendigits digits written on DigitPad's real pad (shared by the personalisation benchmarks).

Each digit is replayed with real mouse events on the square digit pad the
way ``pad_replay.digit_pad_reading`` does it (centred, 170/280 of the pad
tall, the default pen), the canvas renders it as it renders a drawing for
recognition (``tests.canvas_replay.app_input``), and it is normalised exactly
as a drawing is.  What comes out is the 28x28 network input a correction of
that drawing would store.
"""

from __future__ import annotations

import numpy as np
import pad_replay  # first: offscreen Qt, the repository on sys.path
from pad_replay import RENDER_SIZE, _canvas, _write

from digitpad.normalize import MNIST_MEAN, MNIST_STD, normalize
from digitpad.pendigits import PenDigit
from tests.canvas_replay import app_request

WRITING_HEIGHT = 170.0
_pad = None


def network_input(digit: PenDigit) -> np.ndarray:
    """The 28x28 uint8 network input (preview) of a Pendigits digit written on the pad."""
    return pad_input(digit)[0]


def pad_input(digit: PenDigit) -> tuple[np.ndarray, list[np.ndarray]]:
    """:func:`network_input` and the pen paths the pad hands the stroke model (render units, in order)."""
    global _pad
    if _pad is None:
        _pad = _canvas(1.0, (420, 420))
    _pad.clear()
    x0, y0, x1, y1 = digit.bounds()
    scale = WRITING_HEIGHT / max(y1 - y0, 1.0)
    offset = np.array([(RENDER_SIZE - (x1 - x0) * scale) / 2, (RENDER_SIZE - WRITING_HEIGHT) / 2])
    _write(_pad, [(s - (x0, y0)) * scale + offset for s in digit.strokes], float(RENDER_SIZE))
    gray, dot_rule, strokes = app_request(_pad)  # as the window asks the worker to read it
    return normalize(gray, None, mean=MNIST_MEAN, std=MNIST_STD, dot_rule=dot_rule).preview, strokes


__all__ = ["network_input", "pad_input", "pad_replay"]
