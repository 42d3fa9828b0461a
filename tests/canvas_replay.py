"""Replay pen strokes as mouse events on the real ``DrawingCanvas``.

Shared by the canvas benchmarks (``benchmarks/bench_*_canvas.py``) and the
pytest-qt normalisation test.  Strokes are ``(N, 2)`` point arrays in any
screen-like coordinates (y down); they are scaled so the drawing's height is
``height`` of the paper (width-limited drawings keep their aspect), centred,
and sent to the canvas as press / move / release events, exactly as a mouse
would draw them.  The canvas then renders the image the inference worker gets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from digitpad.gui.pad.canvas import DrawingCanvas

CANVAS_SIDE = 420  # the canvas's size hint


def new_canvas() -> DrawingCanvas:
    """A canvas at its default size (hidden; events are delivered directly)."""
    canvas = DrawingCanvas()
    canvas.resize(CANVAS_SIDE, CANVAS_SIDE)
    return canvas


def fit_strokes(strokes: Sequence[np.ndarray], height: float, *, max_width: float = 0.95) -> list[np.ndarray]:
    """Strokes scaled into paper coordinates (0..1): ``height`` of the paper tall, centred."""
    points = np.concatenate([np.asarray(s, np.float64) for s in strokes])
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1e-6)
    scale = height / span[1]
    if span[0] * scale > max_width:
        scale = max_width / span[0]
    centre = (lo + hi) / 2.0
    return [(np.asarray(s, np.float64) - centre) * scale + 0.5 for s in strokes]


def _send(canvas: DrawingCanvas, kind: QEvent.Type, pos: QPointF, button: Qt.MouseButton) -> None:
    buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton
    event = QMouseEvent(kind, pos, canvas.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas, event)


def draw(canvas: DrawingCanvas, strokes: Sequence[np.ndarray], *, pen: float) -> None:
    """Clear the canvas and draw ``strokes`` (paper coordinates) with ``pen`` as mouse events."""
    canvas.clear()
    canvas.set_pen_width(pen)
    rect = canvas.paper_rect()
    for stroke in strokes:
        pts = [QPointF(rect.x() + x * rect.width(), rect.y() + y * rect.height()) for x, y in stroke]
        _send(canvas, QEvent.Type.MouseButtonPress, pts[0], Qt.MouseButton.LeftButton)
        for p in pts[1:]:
            _send(canvas, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton)
        _send(canvas, QEvent.Type.MouseButtonRelease, pts[-1], Qt.MouseButton.LeftButton)


def drawn_gray(canvas: DrawingCanvas) -> np.ndarray:
    """What the inference worker receives for the drawing: float32 (280, 280) in [0, 1]."""
    return canvas.render_gray().astype(np.float32) / np.float32(255.0)


def app_input(canvas: DrawingCanvas) -> tuple[np.ndarray, bool]:
    """What the window hands the worker for the digit pad's drawing (``inference_worker.drawing_of``:
    the recogniser's pen), as the worker turns it into pixels: float32 in [0, 1], and the dot rule
    it reads them with (off when the pen moved)."""
    gray, dot_rule, _ = app_request(canvas)
    return gray, dot_rule


def app_request(canvas: DrawingCanvas) -> tuple[np.ndarray, bool, list[np.ndarray]]:
    """:func:`app_input` and the pen paths the worker hands the stroke model (render units, in order)."""
    from digitpad.gui.pad.inference_worker import drawing_of
    from digitpad.gui.widgets.qimage_array import qimage_to_gray

    image, moved, paths = drawing_of(canvas)
    strokes = [np.asarray(p, np.float32).reshape(-1, 2) for p in paths]
    return qimage_to_gray(image).astype(np.float32) / np.float32(255.0), not moved, strokes


def read_like_the_app(predictor, canvas: DrawingCanvas):
    """The digit pad's reading of the drawing, as the window asks the worker for it (with the pen
    paths: a predictor with a stroke model attached uses them, as the app's does)."""
    gray, dot_rule, strokes = app_request(canvas)
    return predictor.predict_image(gray, dot_rule=dot_rule, strokes=strokes)
