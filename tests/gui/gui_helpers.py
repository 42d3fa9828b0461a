"""Drawing on the canvas with real mouse events, and MNIST digits to trace."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from digitpad.gui.pad.canvas import DrawingCanvas

Polyline = list[tuple[float, float]]  # paper coordinates, 0..1

# Handwriting-like strokes, one list of polylines per digit.
ZERO: list[Polyline] = [
    [(0.5 + 0.22 * math.sin(t / 24 * 2 * math.pi), 0.5 - 0.32 * math.cos(t / 24 * 2 * math.pi)) for t in range(25)]
]
ONE: list[Polyline] = [[(0.42, 0.25), (0.52, 0.15), (0.52, 0.85)]]
SEVEN: list[Polyline] = [[(0.25, 0.2), (0.75, 0.2), (0.62, 0.45), (0.45, 0.85)]]


def paper_point(canvas: DrawingCanvas, x: float, y: float) -> QPoint:
    rect = canvas.paper_rect()
    return QPoint(round(rect.x() + x * rect.width()), round(rect.y() + y * rect.height()))


def draw_stroke(canvas: DrawingCanvas, points: Polyline, steps: int = 6) -> None:
    """Press, move through ``points`` (interpolated), release: one stroke."""
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, paper_point(canvas, *points[0]))
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        for i in range(1, steps + 1):
            f = i / steps
            QTest.mouseMove(canvas, paper_point(canvas, x0 + (x1 - x0) * f, y0 + (y1 - y0) * f))
    QTest.mouseRelease(
        canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, paper_point(canvas, *points[-1])
    )


def draw(canvas: DrawingCanvas, strokes: list[Polyline]) -> None:
    for stroke in strokes:
        draw_stroke(canvas, stroke)


def load_mnist_test(mnist_dir: Path, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` MNIST test images (uint8 N x 28 x 28) and labels."""
    from tests.mnist_fixture import read_idx_head

    return read_idx_head(Path(mnist_dir) / "MNIST" / "raw", train=False, n=count)


def mnist_strokes(image: np.ndarray, threshold: int = 100) -> list[Polyline]:
    """Trace an MNIST digit as pen strokes: one horizontal stroke per run of ink in each row.

    The 28x28 grid is mapped onto the paper's central 80%, like a digit drawn large.
    """
    strokes: list[Polyline] = []
    cell = 0.8 / 28
    for row in range(28):
        ink = image[row] > threshold
        col = 0
        while col < 28:
            if not ink[col]:
                col += 1
                continue
            start = col
            while col < 28 and ink[col]:
                col += 1
            y = 0.1 + (row + 0.5) * cell
            strokes.append([(0.1 + (start + 0.5) * cell, y), (0.1 + (col - 0.5) * cell, y)])
    return strokes
