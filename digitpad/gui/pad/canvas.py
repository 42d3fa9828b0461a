"""The drawing canvas: strokes in, a grayscale image out.

Strokes are stored as point lists in normalised paper coordinates (0..1 over
a centred square "paper"), so the drawing survives resizes, high-DPI screens
and undo/redo.  What is on screen is cached in a ``QImage`` backing store that
only the GUI thread touches; the worker receives a fresh ``QImage`` rendered
at a fixed size (a value, never an object the GUI keeps drawing into).

Everything here runs in the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

if TYPE_CHECKING:  # numpy is imported lazily: not needed before the first request
    import numpy as np

RENDER_SIZE = 280
"""Side of the image handed to the recogniser; pen widths are in these units."""
DEFAULT_PEN_WIDTH = 22
MIN_PEN_WIDTH = 4
MAX_PEN_WIDTH = 60
EMPTY_TEXT = "Draw a digit"
NUMBER_EMPTY_TEXT = "Write a number"
UNDO_LIMIT = 300
"""Undo steps kept; older ones are dropped (3,000 Clears once held 61 MiB)."""
_MARGIN = 8  # logical pixels between the widget edge and the paper


@dataclass(frozen=True)
class Stroke:
    """One pen-down..pen-up trace; ``width`` is in ``RENDER_SIZE`` units."""

    width: float
    points: tuple[tuple[float, float], ...]


def _mid(a: QPointF, b: QPointF) -> QPointF:
    return QPointF((a.x() + b.x()) / 2.0, (a.y() + b.y()) / 2.0)


def stroke_path(points: list[QPointF]) -> QPainterPath:
    """A smooth path through ``points``: quadratic curves between midpoints."""
    path = QPainterPath(points[0])
    if len(points) == 1:
        path.lineTo(points[0])  # a dot: the round cap draws it
        return path
    for i in range(1, len(points) - 1):
        path.quadTo(points[i], _mid(points[i], points[i + 1]))
    path.lineTo(points[-1])
    return path


def _ink_pen(color: QColor, width: float) -> QPen:
    return QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)


class DrawingCanvas(QWidget):
    """A square paper to draw a digit on with mouse, pen or finger.

    Signals (all emitted in the GUI thread):
    ``changed`` while a stroke is drawn (pen down, every move) and on undo,
    redo and clear; ``stroke_finished`` when the pen lifts; ``history_changed`` when
    undo/redo availability may have changed; ``drawing_started`` when a stroke
    begins (an image shown on the paper is dismissed then).
    """

    changed = Signal()
    stroke_finished = Signal()
    history_changed = Signal()
    drawing_started = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[Stroke] = []
        self._undo: list[list[Stroke]] = []
        self._redo: list[list[Stroke]] = []
        # The stroke being drawn, in paper coordinates: a layout change mid-stroke
        # (the window resizing under the pen) cannot distort it.
        self._current: list[tuple[float, float]] | None = None
        self._current_width = float(DEFAULT_PEN_WIDTH)
        self._pen_width = float(DEFAULT_PEN_WIDTH)
        self._image: QImage | None = None  # an opened image shown on the paper
        self._store = QImage()  # ink only, transparent elsewhere; device pixels
        self._aspect = 1.0  # paper width / height: 1 for a digit, wider for a number
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Drawing canvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # ----------------------------------------------------------------- queries
    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 200)

    def strokes(self) -> list[Stroke]:
        return list(self._strokes)

    def is_empty(self) -> bool:
        return not self._strokes and self._current is None

    def is_drawing(self) -> bool:
        return self._current is not None

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def has_image(self) -> bool:
        return self._image is not None

    def pen_width(self) -> float:
        return self._pen_width

    def paper_rect(self) -> QRectF:
        """The paper (a square, or wider in number mode) in widget (logical) coordinates."""
        free_w = max(1.0, self.width() - 2.0 * _MARGIN)
        free_h = max(1.0, self.height() - 2.0 * _MARGIN)
        h = min(free_h, free_w / self._aspect)
        w = h * self._aspect
        return QRectF((self.width() - w) / 2.0, (self.height() - h) / 2.0, w, h)

    def paper_aspect(self) -> float:
        return self._aspect

    def set_paper_aspect(self, aspect: float) -> None:
        """Make the paper ``aspect`` times as wide as it is tall (number mode).

        Strokes (and undo/redo) keep their shape: their x coordinates, stored as
        fractions of the paper width, are rescaled.
        """
        aspect = float(aspect)
        if aspect == self._aspect:
            return
        factor = self._aspect / aspect

        def remap(strokes: list[Stroke]) -> list[Stroke]:
            return [Stroke(s.width, tuple((x * factor, y) for x, y in s.points)) for s in strokes]

        self._strokes = remap(self._strokes)
        self._undo = [remap(state) for state in self._undo]
        self._redo = [remap(state) for state in self._redo]
        self._aspect = aspect
        self._rebuild_store()
        self.update()

    # ---------------------------------------------------------------- commands
    def set_pen_width(self, width: float) -> None:
        """Width of new strokes, in ``RENDER_SIZE`` units (old strokes keep theirs)."""
        self._pen_width = float(min(MAX_PEN_WIDTH, max(MIN_PEN_WIDTH, width)))

    @Slot()
    def undo(self) -> None:
        if not self._undo:
            return
        self._redo.append(self._strokes)
        self._strokes = self._undo.pop()
        self._after_edit()

    @Slot()
    def redo(self) -> None:
        if not self._redo:
            return
        self._undo.append(self._strokes)
        self._strokes = self._redo.pop()
        self._after_edit()

    @Slot()
    def clear(self) -> None:
        """Erase everything (undoable) and dismiss an image shown on the paper."""
        if not self._strokes and self._image is None:
            return
        if self._strokes:
            self._push_undo()
            self._strokes = []
        self._image = None
        self._after_edit()

    def show_image(self, image: QImage) -> None:
        """Show an opened image on the paper instead of the drawing.

        The drawing is cleared (undo brings it back); the next stroke dismisses
        the image and returns to drawing.
        """
        if self._strokes:
            self._push_undo()
            self._strokes = []
        self._image = image
        self._rebuild_store()
        self.history_changed.emit()
        self.update()

    # --------------------------------------------------------------- rendering
    def render_image(self, size: int = RENDER_SIZE, widths: Sequence[float] | None = None) -> QImage:
        """The drawing as a fresh ``Grayscale8`` image: white ink on black.

        ``widths`` (one per stroke of :meth:`ink_strokes`) draws the strokes
        with other pens: the recogniser's (``digitpad.ink.reading_widths``).  A new
        image every call, so it can be handed to another thread as a value.
        """
        strokes = self._all_strokes()
        if widths is not None:
            if len(widths) != len(strokes):
                raise ValueError(f"{len(widths)} pen widths for {len(strokes)} strokes")
            strokes = [Stroke(float(w), s.points) for s, w in zip(strokes, widths, strict=True)]
        image = QImage(size, size, QImage.Format.Format_Grayscale8)
        image.fill(Qt.GlobalColor.black)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_strokes(painter, float(size), float(size), Qt.GlobalColor.white, strokes)
        painter.end()
        return image

    def render_gray(self, size: int = RENDER_SIZE) -> np.ndarray:
        """The drawing as a ``uint8`` (size, size) array, white ink on black."""
        from digitpad.gui.widgets.qimage_array import qimage_to_gray

        return qimage_to_gray(self.render_image(size))

    def ink_strokes(self) -> list[Stroke]:
        """Every stroke on the paper, the one being drawn included (last)."""
        return self._all_strokes()

    def _all_strokes(self) -> list[Stroke]:
        strokes = list(self._strokes)
        if self._current:
            strokes.append(Stroke(self._current_width, tuple(self._current)))
        return strokes

    @staticmethod
    def _paint_strokes(
        painter: QPainter, width: float, height: float, color: QColor | Qt.GlobalColor, strokes: list[Stroke]
    ) -> None:
        for stroke in strokes:
            pen = _ink_pen(QColor(color), stroke.width * height / RENDER_SIZE)  # pen widths follow the height
            painter.setPen(pen)
            points = [QPointF(x * width, y * height) for x, y in stroke.points]
            painter.drawPath(stroke_path(points))

    def _ink_color(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Text)

    def _rebuild_store(self) -> None:
        """Re-render every stroke into the backing store (resize, undo, theme)."""
        ratio = self.devicePixelRatioF()
        store = QImage(
            QSize(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio))),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        store.setDevicePixelRatio(ratio)
        store.fill(Qt.GlobalColor.transparent)
        rect = self.paper_rect()
        painter = QPainter(store)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(rect)
        painter.translate(rect.topLeft())
        self._paint_strokes(painter, rect.width(), rect.height(), self._ink_color(), self._all_strokes())
        painter.end()
        self._store = store

    def _paint_segment(self) -> None:
        """Draw only the newest piece of the current stroke into the store."""
        if not self._current or self._store.isNull():
            return
        rect = self.paper_rect()
        pts = [self._to_widget(p, rect) for p in self._current[-3:]]
        width = self._current_width * rect.height() / RENDER_SIZE
        path = QPainterPath()
        if len(pts) == 1:
            path.moveTo(pts[0])
            path.lineTo(pts[0])
        elif len(pts) == 2:
            path.moveTo(pts[0])
            path.lineTo(_mid(pts[0], pts[1]))
        else:
            path.moveTo(_mid(pts[-3], pts[-2]))
            path.quadTo(pts[-2], _mid(pts[-2], pts[-1]))
        self._stroke_into_store(path, width, rect)

    def _stroke_into_store(self, path: QPainterPath, width: float, rect: QRectF) -> None:
        painter = QPainter(self._store)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(rect)
        painter.setPen(_ink_pen(self._ink_color(), width))
        painter.drawPath(path)
        painter.end()
        pad = width / 2.0 + 2.0
        self.update(path.boundingRect().adjusted(-pad, -pad, pad, pad).toAlignedRect())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.Window))
        rect = self.paper_rect()
        painter.fillRect(rect, palette.color(QPalette.ColorRole.Base))
        if self._image is not None:
            self._paint_image(painter, rect)
        else:
            if self._store.devicePixelRatio() != self.devicePixelRatioF():
                self._rebuild_store()  # moved to a screen with another scale factor
            painter.drawImage(0, 0, self._store)
        if self.is_empty() and self._image is None:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.6)
            painter.setFont(font)
            painter.drawText(
                rect, Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT if self._aspect == 1.0 else NUMBER_EMPTY_TEXT
            )
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))

    def _paint_image(self, painter: QPainter, rect: QRectF) -> None:
        image = self._image
        assert image is not None
        size = image.size().toSizeF().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(
            rect.center().x() - size.width() / 2, rect.center().y() - size.height() / 2, size.width(), size.height()
        )
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, image)

    # ------------------------------------------------------------------ events
    def resizeEvent(self, event: QResizeEvent) -> None:
        self._rebuild_store()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._rebuild_store()
            self.update()
        super().changeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._current is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._current is not None:
            self._extend(event.position())
            self._finish()
        event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        # Accepting a tablet event stops Qt from synthesising a mouse event.
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove and self._current is not None:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease and self._current is not None:
            self._finish()
        event.accept()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
            assert isinstance(event, QTouchEvent)
            points = event.points()
            if points:  # one finger draws; further fingers are ignored
                pos = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(pos)
                elif kind == QEvent.Type.TouchUpdate and self._current is not None:
                    self._extend(pos)
            if kind in (QEvent.Type.TouchEnd, QEvent.Type.TouchCancel) and self._current is not None:
                self._finish()
            event.accept()
            return True
        return super().event(event)

    # ---------------------------------------------------------- stroke state
    def _begin(self, pos: QPointF) -> None:
        was_blank = self.is_empty() or self._image is not None
        if self._image is not None:
            self._image = None
            self._rebuild_store()
        self.drawing_started.emit()
        self._current = [self._to_paper(pos, self.paper_rect())]
        if was_blank:
            self.update()  # the "Draw a digit" hint (or the image) goes with the first pen-down
        self._current_width = self._pen_width
        self._paint_segment()
        self.changed.emit()

    def _extend(self, pos: QPointF) -> None:
        assert self._current is not None
        rect = self.paper_rect()
        last = self._to_widget(self._current[-1], rect)
        if abs(last.x() - pos.x()) + abs(last.y() - pos.y()) < 0.75:
            return  # sub-pixel jitter adds points, not ink
        self._current.append(self._to_paper(pos, rect))
        self._paint_segment()
        self.changed.emit()

    def _finish(self) -> None:
        assert self._current is not None
        stroke = Stroke(self._current_width, tuple(self._current))
        self._current = None
        self._push_undo()
        self._strokes = self._strokes + [stroke]
        self._redo.clear()
        # Re-render from whole paths: the live segments' overlapping anti-aliased
        # edges leave faint scallops that a single stroked path does not.
        self._rebuild_store()
        self.update()
        self.history_changed.emit()
        self.stroke_finished.emit()  # not `changed`: the last pen move already said so

    def _push_undo(self) -> None:
        self._undo.append(self._strokes)
        if len(self._undo) > UNDO_LIMIT:
            del self._undo[: len(self._undo) - UNDO_LIMIT]  # the oldest steps go first
        self._redo.clear()

    def _after_edit(self) -> None:
        self._image = None  # undo, redo and clear always return to the drawing
        self._rebuild_store()
        self.update()
        self.history_changed.emit()
        self.changed.emit()

    @staticmethod
    def _to_widget(point: tuple[float, float], rect: QRectF) -> QPointF:
        return QPointF(rect.x() + point[0] * rect.width(), rect.y() + point[1] * rect.height())

    @staticmethod
    def _to_paper(pos: QPointF, rect: QRectF) -> tuple[float, float]:
        return ((pos.x() - rect.x()) / rect.width(), (pos.y() - rect.y()) / rect.height())
