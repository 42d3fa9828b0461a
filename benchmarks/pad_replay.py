"""Replay pen strokes with real mouse events on DigitPad's canvas (offscreen Qt).

``PadReplayer`` writes a number on the number pad and returns what the window
hands the inference worker; ``digit_pad_reading`` writes one Pendigits digit
on the square digit pad and reads the canvas's rendering as the app does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from digitpad.gui.main_window import NUMBER_ASPECT
from digitpad.gui.pad.canvas import RENDER_SIZE, DrawingCanvas
from digitpad.gui.pad.inference_worker import number_request_of
from digitpad.ink import InkStroke, from_paper
from tests.canvas_replay import read_like_the_app

_app = None


def _canvas(aspect: float, size: tuple[int, int]) -> DrawingCanvas:
    global _app
    _app = QApplication.instance() or QApplication([])
    canvas = DrawingCanvas()
    canvas.set_paper_aspect(aspect)
    canvas.resize(*size)
    canvas.show()
    return canvas


def _write(canvas: DrawingCanvas, strokes: list[np.ndarray], width_units: float) -> None:
    """Mouse events through every point; ``strokes`` in pad units on a paper ``width_units`` x 280."""
    rect = canvas.paper_rect()
    sx, sy = rect.width() / width_units, rect.height() / RENDER_SIZE

    def at(p: np.ndarray) -> QPoint:
        return QPoint(round(rect.x() + p[0] * sx), round(rect.y() + p[1] * sy))

    for points in strokes:
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(points[0]))
        for p in points[1:]:
            QTest.mouseMove(canvas, at(p))
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(points[-1]))


class PadReplayer:
    """The number pad, as big as in a 1000-pixel-wide window."""

    def __init__(self) -> None:
        self.canvas = _canvas(NUMBER_ASPECT, (1000, 340))
        self.paper_units = RENDER_SIZE * NUMBER_ASPECT

    def __call__(self, sample) -> list[InkStroke]:
        self.canvas.clear()
        strokes = [np.asarray(s.points, np.float64) for s in sample.strokes]
        fit = min(1.0, (self.paper_units - 20.0) / max(sample.width, 1.0))  # a long number is written smaller
        _write(self.canvas, [p * fit for p in strokes], self.paper_units)
        request = number_request_of(self.canvas)
        return from_paper(request.strokes, request.width, request.height)


_digit_canvas: DrawingCanvas | None = None


def digit_pad_reading(predictor, digit, writing_height: float = 170.0):
    """A Pendigits digit written on the square digit pad (centred, 170/280 tall), read as the app reads it:
    the ``Prediction`` (digit, verdict, probabilities)."""
    global _digit_canvas
    if _digit_canvas is None:
        _digit_canvas = _canvas(1.0, (420, 420))
    canvas = _digit_canvas
    canvas.clear()
    x0, y0, x1, y1 = digit.bounds()
    scale = writing_height / max(y1 - y0, 1.0)
    offset = np.array([(RENDER_SIZE - (x1 - x0) * scale) / 2, (RENDER_SIZE - writing_height) / 2])
    _write(canvas, [(s - (x0, y0)) * scale + offset for s in digit.strokes], float(RENDER_SIZE))
    return read_like_the_app(predictor, canvas)


def number_pad_reading(reader, digit, writing_height: float = 170.0):
    """The same digit written alone on the number pad (left part of the paper), read as a number:
    the ``NumberReading``."""
    global _number_canvas
    if "_number_canvas" not in globals():
        _number_canvas = PadReplayer()
    pad = _number_canvas
    pad.canvas.clear()
    x0, y0, x1, y1 = digit.bounds()
    scale = writing_height / max(y1 - y0, 1.0)
    offset = np.array([300.0, (RENDER_SIZE - writing_height) / 2])
    _write(pad.canvas, [(s - (x0, y0)) * scale + offset for s in digit.strokes], pad.paper_units)
    request = number_request_of(pad.canvas)
    return reader.read_strokes(from_paper(request.strokes, request.width, request.height))
