"""Pendigits digits drawn the way the pad draws them (shared by the personalisation benchmarks).

Each digit's strokes are fitted into the pad's paper (the larger side 60% of
it, centred: about how people fill the square), then painted by the canvas's
own stroke painter at the default pen width into the 280 px image the pad
hands to recognition, and normalised exactly as a drawing is.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere, no install needed

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter

from digitpad.gui.pad.canvas import DEFAULT_PEN_WIDTH, RENDER_SIZE, DrawingCanvas, Stroke
from digitpad.gui.widgets.qimage_array import qimage_to_gray
from digitpad.normalize import MNIST_MEAN, MNIST_STD, normalize
from digitpad.pendigits import PenDigit

FILL = 0.6


def paper_strokes(digit: PenDigit, fill: float = FILL, width: float = DEFAULT_PEN_WIDTH) -> list[Stroke]:
    """The digit's strokes in the canvas's paper coordinates (0..1), centred."""
    x0, y0, x1, y1 = digit.bounds()
    scale = fill / max(x1 - x0, y1 - y0, 1.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    out = []
    for xy in digit.strokes:
        points = tuple((0.5 + (float(x) - cx) * scale, 0.5 + (float(y) - cy) * scale) for x, y in xy)
        out.append(Stroke(float(width), points))
    return out


def render(strokes: list[Stroke], size: int = RENDER_SIZE) -> np.ndarray:
    """uint8 (size, size), white ink on black: what ``DrawingCanvas.render_image`` produces."""
    _app()
    image = QImage(size, size, QImage.Format.Format_Grayscale8)
    image.fill(Qt.GlobalColor.black)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    DrawingCanvas._paint_strokes(painter, float(size), Qt.GlobalColor.white, strokes)
    painter.end()
    return qimage_to_gray(image)


def network_input(digit: PenDigit) -> np.ndarray:
    """The 28x28 uint8 network input (preview) of a pad-drawn Pendigits digit."""
    gray = render(paper_strokes(digit)).astype(np.float32) / 255.0
    return normalize(gray, None, mean=MNIST_MEAN, std=MNIST_STD).preview


def _app() -> QGuiApplication:
    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication([])
    return app  # type: ignore[return-value]
