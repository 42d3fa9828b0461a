"""Draw a candidate digit's strokes exactly as the canvas renders a drawing (any thread).

The digit pad hands the recogniser the canvas rendered at one pixel per
render unit with Qt's anti-aliased round pen; number mode draws each
candidate digit the same way (same pen, same path smoothing, one pixel per
unit, whole-pixel offsets), so a digit written alone on the number pad reads
as it does on the digit pad.  Painting on a ``QImage`` is safe outside the
GUI thread; the inference worker calls this in its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from digitpad.gui.pad.canvas import _ink_pen, stroke_path
from digitpad.gui.widgets.qimage_array import qimage_to_gray


def render_like_canvas(strokes: Sequence[Any]) -> Any:
    """White-on-black uint8 picture of ``InkStroke``s (points and pen in render units), margin included."""
    xs = [float(x) for s in strokes for x in s.points[:, 0]]
    ys = [float(y) for s in strokes for y in s.points[:, 1]]
    pen = max(float(s.width) for s in strokes)
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) + pen
    margin = math.ceil(0.25 * extent + pen / 2 + 2)
    left, top = math.floor(min(xs)) - margin, math.floor(min(ys)) - margin  # whole pixels: same anti-aliasing
    w = math.ceil(max(xs)) + margin - left
    h = math.ceil(max(ys)) + margin - top
    image = QImage(w, h, QImage.Format.Format_Grayscale8)
    image.fill(Qt.GlobalColor.black)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for stroke in strokes:
        painter.setPen(_ink_pen(QColor(Qt.GlobalColor.white), float(stroke.width)))
        painter.drawPath(stroke_path([QPointF(float(x) - left, float(y) - top) for x, y in stroke.points]))
    painter.end()
    return qimage_to_gray(image)
