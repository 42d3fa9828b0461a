"""The drawing canvas alone: strokes, history, resizing, pen, touch and tablet input."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import ONE, SEVEN, draw, draw_stroke, paper_point
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from digitpad.gui.pad.canvas import EMPTY_TEXT, RENDER_SIZE, DrawingCanvas


@pytest.fixture
def canvas(qtbot) -> DrawingCanvas:
    widget = DrawingCanvas()
    qtbot.addWidget(widget)
    widget.resize(400, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_empty_canvas_shows_its_prompt_and_renders_black(canvas):
    assert canvas.is_empty() and not canvas.can_undo() and not canvas.can_redo()
    assert EMPTY_TEXT == "Draw a digit"
    gray = canvas.render_gray()
    assert gray.shape == (RENDER_SIZE, RENDER_SIZE) and gray.dtype == np.uint8
    assert gray.max() == 0


def test_a_stroke_emits_changed_then_stroke_finished_and_leaves_ink(qtbot, canvas):
    with qtbot.waitSignal(canvas.stroke_finished, timeout=1000):
        with qtbot.waitSignal(canvas.changed, timeout=1000):
            draw(canvas, SEVEN)
    assert len(canvas.strokes()) == 1
    stroke = canvas.strokes()[0]
    assert all(-0.01 <= x <= 1.01 and -0.01 <= y <= 1.01 for x, y in stroke.points)
    gray = canvas.render_gray()
    assert gray.max() == 255 and 0.02 < (gray > 128).mean() < 0.3
    # smooth, not dotted: the stroke is one connected blob of ink along its path
    row = gray[int(0.2 * RENDER_SIZE)]
    ink = np.flatnonzero(row > 128)
    assert ink.size and np.all(np.diff(ink) == 1)


def test_undo_redo_and_clear_are_a_history(canvas):
    draw(canvas, ONE)
    draw(canvas, SEVEN)
    both = canvas.render_gray()
    canvas.undo()
    assert len(canvas.strokes()) == 1 and canvas.can_redo()
    canvas.redo()
    assert np.array_equal(canvas.render_gray(), both)
    canvas.clear()
    assert canvas.is_empty() and canvas.can_undo()
    canvas.undo()
    assert np.array_equal(canvas.render_gray(), both)
    draw(canvas, ONE)
    assert not canvas.can_redo()  # a new stroke forgets the undone future


def test_strokes_survive_resizing(qtbot, canvas):
    draw(canvas, SEVEN)
    before = canvas.render_gray()
    canvas.resize(640, 300)
    qtbot.waitUntil(lambda: canvas.width() == 640)
    assert np.array_equal(canvas.render_gray(), before)
    assert len(canvas.strokes()) == 1


def test_pen_width_applies_to_new_strokes_only(canvas):
    canvas.set_pen_width(8)
    draw_stroke(canvas, [(0.2, 0.3), (0.8, 0.3)])
    canvas.set_pen_width(40)
    draw_stroke(canvas, [(0.2, 0.7), (0.8, 0.7)])
    gray = canvas.render_gray()
    thin = (gray[:, RENDER_SIZE // 2] > 128)[: RENDER_SIZE // 2].sum()
    thick = (gray[:, RENDER_SIZE // 2] > 128)[RENDER_SIZE // 2 :].sum()
    assert [s.width for s in canvas.strokes()] == [8, 40]
    assert thick > 3 * thin


def test_touch_draws_like_the_mouse(qtbot, canvas):
    device = QTest.createTouchDevice()
    QTest.touchEvent(canvas, device).press(0, paper_point(canvas, 0.3, 0.3)).commit()
    for i in range(1, 8):
        QTest.touchEvent(canvas, device).move(0, paper_point(canvas, 0.3 + 0.05 * i, 0.3 + 0.06 * i)).commit()
    with qtbot.waitSignal(canvas.stroke_finished, timeout=1000):
        QTest.touchEvent(canvas, device).release(0, paper_point(canvas, 0.65, 0.72)).commit()
    assert len(canvas.strokes()) == 1 and len(canvas.strokes()[0].points) >= 5


def test_tablet_pen_draws(qtbot, canvas):
    device = QPointingDevice.primaryPointingDevice()

    def send(kind, x, y, buttons):
        pos = QPointF(paper_point(canvas, x, y))
        event = QTabletEvent(
            kind,
            device,
            pos,
            canvas.mapToGlobal(pos),
            0.7,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            Qt.KeyboardModifier.NoModifier,
            Qt.MouseButton.LeftButton,
            buttons,
        )
        QApplication.sendEvent(canvas, event)

    send(QTabletEvent.Type.TabletPress, 0.5, 0.2, Qt.MouseButton.LeftButton)
    for i in range(1, 6):
        send(QTabletEvent.Type.TabletMove, 0.5, 0.2 + 0.12 * i, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(canvas.stroke_finished, timeout=1000):
        send(QTabletEvent.Type.TabletRelease, 0.5, 0.8, Qt.MouseButton.NoButton)
    assert len(canvas.strokes()) == 1


def test_an_image_on_the_paper_gives_way_to_drawing(qtbot, canvas):
    draw(canvas, ONE)
    image = QImage(50, 30, QImage.Format.Format_Grayscale8)
    image.fill(Qt.GlobalColor.white)
    canvas.show_image(image)
    assert canvas.has_image() and canvas.is_empty()
    with qtbot.waitSignal(canvas.drawing_started, timeout=1000):
        draw(canvas, SEVEN)
    assert not canvas.has_image() and len(canvas.strokes()) == 1
    canvas.undo()
    assert canvas.is_empty()
    canvas.undo()  # before the image: the "1"
    assert len(canvas.strokes()) == 1


def test_a_layout_change_mid_stroke_does_not_bend_the_stroke(qtbot, canvas):
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, paper_point(canvas, 0.2, 0.5))
    QTest.mouseMove(canvas, paper_point(canvas, 0.5, 0.5))
    canvas.resize(500, 500)  # e.g. a panel next to the canvas changed width
    QTest.mouseMove(canvas, paper_point(canvas, 0.8, 0.5))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, paper_point(canvas, 0.8, 0.5))
    ys = [y for _x, y in canvas.strokes()[0].points]
    assert max(ys) - min(ys) < 0.01
