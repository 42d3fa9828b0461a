"""The window as a person uses it: messages never move the pad, small screens, stuck states."""

from __future__ import annotations

from gui_helpers import ONE, SEVEN, draw, paper_point
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtTest import QTest

from digitpad.gui.main_window import LOADING_TEXT, NO_MODEL_TEXT
from digitpad.gui.pad.canvas import UNDO_LIMIT

ANSWER_MS = 10_000


def test_a_message_never_moves_the_pad_and_the_first_point_lands_where_pressed(qtbot, window):
    before = window.canvas.geometry(), window.canvas.mapTo(window, QPoint(0, 0))
    window.show_error("Could not open empty.png: the file is empty (0 bytes)")
    qtbot.waitUntil(lambda: window.message_bar.isVisible())
    assert (window.canvas.geometry(), window.canvas.mapTo(window, QPoint(0, 0))) == before
    press = paper_point(window.canvas, 0.5, 0.6)
    QTest.mousePress(window.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    QTest.qWait(50)  # layout requests are posted events: give one the chance to move the pad
    assert window.message_bar.text() == ""  # the pen-down dismissed it...
    assert (window.canvas.geometry(), window.canvas.mapTo(window, QPoint(0, 0))) == before  # ...moving nothing
    QTest.mouseMove(window.canvas, press + QPoint(0, 30))
    QTest.mouseRelease(window.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press + QPoint(0, 30))
    first = window.canvas.strokes()[0].points[0]
    assert abs(first[0] - 0.5) < 0.01 and abs(first[1] - 0.6) < 0.01  # no kink: the old geometry is the new one


def test_a_message_arriving_mid_stroke_moves_nothing(qtbot, window):
    canvas = window.canvas
    before = canvas.geometry()
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, paper_point(canvas, 0.3, 0.3))
    window.show_error("Weights could not be loaded")
    QTest.qWait(50)
    QTest.mouseMove(canvas, paper_point(canvas, 0.6, 0.6))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, paper_point(canvas, 0.6, 0.6))
    assert canvas.geometry() == before
    assert window.message_bar.isVisible()  # it floats over the pad's top edge
    assert window.message_bar.geometry().bottom() < canvas.height() // 4


def test_messages_go_away_when_they_no_longer_apply(qtbot, window):
    from digitpad.resources import resource_path

    window.show_error("Nothing to paste: the clipboard holds no image")
    window.open_file(resource_path("samples", "digit-3.png"))
    qtbot.waitUntil(lambda: window.canvas.has_image(), timeout=ANSWER_MS)
    assert window.message_bar.text() == ""  # the open worked: the paste complaint is over
    window.message_bar._timer.setInterval(10)  # the timeout, shortened for the test
    window.message_bar.show_message("old trouble")
    qtbot.waitUntil(lambda: window.message_bar.text() == "", timeout=2_000)


def test_the_whole_window_fits_a_small_screen_at_any_scale(window):
    # 1280x720 at 150%, 1920x1080 at 200% and 1280x1000 at 200% leave 853x480, 960x540 and
    # 640x500 logical pixels, less a title bar and a panel: the window's minimum must fit 640x460.
    hint = window.minimumSizeHint()
    assert hint.width() <= 640 and hint.height() <= 460, hint
    window.set_number_mode(True)  # the wide pad and its result strip fit too
    try:
        hint = window.minimumSizeHint()
        assert hint.width() <= 640 and hint.height() <= 460, hint
    finally:
        window.set_number_mode(False)
    assert window.canvas.minimumSizeHint().height() >= 200  # the pad keeps room to draw


def test_the_first_size_fits_the_screen_it_opens_on(qtbot, make_window):
    window = make_window()
    available = window.screen().availableGeometry()
    qtbot.waitUntil(lambda: available.contains(window.frameGeometry()))
    window.resize(available.width() + 500, available.height() + 500)
    window._fit_screen()
    assert available.contains(window.frameGeometry())


def test_the_pad_takes_the_space_it_is_given(window):
    window.resize(700, 500)
    QTest.qWait(20)
    small = window.canvas.paper_rect().width()
    window.resize(1100, 800)
    QTest.qWait(20)
    assert window.canvas.paper_rect().width() > small + 150


class _PaintSpy(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())
        return False


def test_the_draw_a_digit_hint_goes_with_the_first_pen_down(qtbot, window):
    canvas = window.canvas
    spy = _PaintSpy()
    canvas.installEventFilter(spy)
    try:
        QTest.qWait(20)
        spy.rects.clear()
        QTest.mousePress(
            canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, paper_point(canvas, 0.2, 0.2)
        )
        qtbot.waitUntil(lambda: bool(spy.rects))
        centre = canvas.paper_rect().center().toPoint()
        # the hint sits in the paper's centre, far from the pen: it is repainted (away) at once
        assert any(rect.contains(centre) for rect in spy.rects)
    finally:
        canvas.removeEventFilter(spy)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, paper_point(canvas, 0.2, 0.2))


def test_undo_history_is_bounded_but_normal_undo_works(window):
    canvas = window.canvas
    draw(canvas, SEVEN)
    for _ in range(UNDO_LIMIT + 50):
        canvas.redo()  # nothing to redo: no effect
        draw(canvas, [[(0.4, 0.4), (0.5, 0.5)]])
        canvas.clear()
    assert len(canvas._undo) <= UNDO_LIMIT
    draw(canvas, ONE)
    canvas.undo()
    assert canvas.is_empty()
    canvas.undo()  # the cleared stroke before it comes back
    assert len(canvas.strokes()) == 1


def test_a_failed_load_does_not_leave_loading_in_the_status_bar(qtbot, window, tmp_path):
    bad = tmp_path / "notes.pt"
    bad.write_text("these are my notes, not weights\n")
    with qtbot.waitSignal(window.model_failed, timeout=ANSWER_MS) as blocker:
        window.load_weights(bad)
    assert "notes.pt" in blocker.args[0]
    assert window._status_text == "Ready — model: digitpad.pt (shipped)"
    window.statusBar().clearMessage()  # what shows once the error's 10 s are over
    assert window.statusBar().currentMessage() == "Ready — model: digitpad.pt (shipped)"
    assert LOADING_TEXT not in window.statusBar().currentMessage()


def test_no_model_at_all_says_so(qtbot, make_window, monkeypatch, tmp_path):
    import digitpad.gui.main_window as main_window

    broken = tmp_path / "digitpad.pt"
    broken.write_bytes(b"")
    monkeypatch.setattr(main_window, "shipped_weights", lambda: broken)
    window = make_window(wait=False)
    qtbot.waitUntil(lambda: window._status_text == NO_MODEL_TEXT, timeout=30_000)


def test_a_drawing_before_the_model_is_ready_says_loading_then_answers(qtbot, make_window):
    from tests.qt_shared import GatedPredictor

    gated = GatedPredictor()

    def slow_factory(path):
        gated.entered.set()
        gated.release.wait(30)  # the model "loads" until the test lets it
        gated.entered.clear()
        return GatedPredictor.factory(gated, path)

    window = make_window(slow_factory, wait=False)
    qtbot.waitUntil(gated.entered.is_set, timeout=10_000)
    draw(window.canvas, ONE)
    assert window.result_panel.confidence_label.text() == LOADING_TEXT
    gated.release.set()
    qtbot.waitUntil(lambda: window.result_panel.shown_digit() == 1, timeout=30_000)


def test_the_pen_box_clamps_visibly(qtbot, window):
    box = window.pen_width_box
    box.setFocus()
    box.lineEdit().selectAll()
    QTest.keyClicks(box, "100")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert box.value() == 60 and window.canvas.pen_width() == 60
    assert window.statusBar().currentMessage() == "Pen width is 4–60; set to 60"
    box.setValue(2)
    assert box.value() == 4 and window.canvas.pen_width() == 4
