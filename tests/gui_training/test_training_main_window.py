"""The training controller as the real MainWindow wires it: Model > Train…, close, hot swap."""

from __future__ import annotations

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QTimer

from digitpad.gui.main_window import MainWindow
from digitpad.gui.training.report import kept_description
from digitpad.trainer import TrainConfig
from tests.qt_shared import MODEL_TIMEOUT_MS, RUN_TIMEOUT_MS, GuiSide
from tests.qt_shared import drawn_seven as seven


@pytest.fixture
def wired_window(qtbot, settings, initial_weights, monkeypatch):
    import digitpad.gui.main_window as main_window

    # No shipped weights in a bare checkout: the session's "initial" checkpoint stands in for them.
    monkeypatch.setattr(main_window, "shipped_weights", lambda: initial_weights)
    window = MainWindow(settings)  # not qtbot.addWidget: one test deletes it itself
    gui = GuiSide()
    window.worker.weights_loaded.connect(gui.on_weights_loaded)
    window.worker.predicted.connect(gui.on_predicted)
    try:
        window.show()
        # The window's own slot hears the first load (connected before its worker starts); the relay
        # above may have been connected after that signal was emitted, so it cannot be waited on.
        qtbot.waitUntil(lambda: bool(window.model_description), timeout=MODEL_TIMEOUT_MS)
        window.gui = gui
        yield window
    finally:  # also when setup fails: a running QThread left to the garbage collector aborts the process
        if shiboken6.isValid(window):
            window.close()
            shiboken6.delete(window)


def probabilities(qtbot, window, request_id: int) -> np.ndarray:
    with qtbot.waitSignal(
        window.gui.predicted, timeout=10_000, check_params_cb=lambda rid, _p: rid == request_id
    ) as blocker:
        window.worker.request_drawing(request_id, seven())
    return blocker.args[1].probabilities


def test_closing_mid_training_asks_then_stops_and_waits(qtbot, qtlog, wired_window, tiny_mnist, monkeypatch):
    window = wired_window
    controller = window.training
    assert window.train_action.isEnabled()
    window.train_action.trigger()
    gui = GuiSide()
    controller.worker.progressed.connect(gui.on_progressed)
    config = TrainConfig(model="linear", epochs=50, batch_size=8, lr=0.05, data_dir=str(tiny_mnist), threads=1)
    with qtbot.waitSignal(gui.progressed, timeout=RUN_TIMEOUT_MS):
        controller.start(config)
    monkeypatch.setattr(controller, "ask_stop_training", lambda: False)
    window.close()  # the user says "No": nothing stops
    assert window.isVisible() and controller.is_running()
    monkeypatch.setattr(controller, "ask_stop_training", lambda: True)
    window.close()
    assert not window.isVisible()
    assert controller.worker_thread.isFinished() and window.worker_thread.isFinished()
    thread = controller.worker_thread
    shiboken6.delete(window)  # the C++ objects go now: a running QThread here would abort
    assert not shiboken6.isValid(thread)
    assert not [r for r in qtlog.records if "Destroyed while" in r.message]


def test_swap_from_the_report_then_use_shipped_weights(qtbot, wired_window, tiny_mnist, settings):
    window = wired_window
    controller = window.training
    before = probabilities(qtbot, window, 101)
    controller.open_dialog()
    config = TrainConfig(
        model="linear", epochs=1, batch_size=32, lr=0.05, max_steps=3, data_dir=str(tiny_mnist), threads=1
    )
    with qtbot.waitSignal(controller.report_shown, timeout=RUN_TIMEOUT_MS) as blocker:
        controller.start(config)
    report = blocker.args[0]
    with qtbot.waitSignal(controller.weights_swapped, timeout=MODEL_TIMEOUT_MS):
        report.use_button.click()
    qtbot.waitUntil(lambda: window.model_description == report.outcome.weights_path.rsplit("/", 1)[-1])
    assert window.settings.weights() == report.outcome.weights_path  # remembered across restarts
    assert not np.allclose(probabilities(qtbot, window, 102), before, atol=1e-4)
    with qtbot.waitSignal(window.gui.weights_loaded, timeout=MODEL_TIMEOUT_MS):
        window.shipped_weights_action.trigger()
    np.testing.assert_allclose(probabilities(qtbot, window, 103), before, atol=1e-6)
    assert report.use_button.isEnabled() and window.settings.weights() == ""


def test_quitting_mid_run_shows_stopping_and_closes_the_dialog_with_the_window(
    qtbot, wired_window, tiny_mnist, monkeypatch
):
    window = wired_window
    controller = window.training
    window.train_action.trigger()
    dialog = controller.dialog
    gui = GuiSide()
    controller.worker.progressed.connect(gui.on_progressed)
    config = TrainConfig(model="linear", epochs=50, batch_size=8, lr=0.05, data_dir=str(tiny_mnist), threads=1)
    with qtbot.waitSignal(gui.progressed, timeout=RUN_TIMEOUT_MS):
        controller.start(config)
    monkeypatch.setattr(controller, "ask_stop_training", lambda: True)
    seen: list[tuple[str, bool, bool, bool]] = []

    def look() -> None:  # runs inside the stop's event loop: the dialog is live, not frozen
        seen.append((dialog.stats_label.text(), dialog.isVisible(), window.isVisible(), window.isEnabled()))

    QTimer.singleShot(0, look)
    window.close()
    assert seen, "the GUI thread was blocked while the run stopped"
    text, dialog_shown, window_shown, window_enabled = seen[0]
    assert text.startswith("Stopping…") and dialog_shown and window_shown and not window_enabled
    assert not dialog.isVisible() and not window.isVisible()  # they went together
    assert controller.worker_thread.isFinished() and window.worker_thread.isFinished()
    shiboken6.delete(window)


class _Outcome:
    def __init__(self, cancelled, best_epoch, accuracy, history):
        self.cancelled, self.best_epoch, self.test_accuracy, self.history = cancelled, best_epoch, accuracy, history


def test_the_cancel_report_says_what_was_kept():
    finished = _Outcome(False, 2, 0.98, ({"epoch": 1, "test_accuracy": 0.97, "steps": 468},))
    assert kept_description(finished) == "best after epoch 2"
    stopped_in_first = _Outcome(True, 1, 0.95, ({"epoch": 1, "partial": True, "test_accuracy": 0.95, "steps": 169},))
    assert kept_description(stopped_in_first) == "kept the weights at the stop, 169 steps into epoch 1"
    history = (
        {"epoch": 1, "test_accuracy": 0.97, "steps": 468},
        {"epoch": 2, "partial": True, "test_accuracy": 0.975, "steps": 637},
    )
    assert kept_description(_Outcome(True, 2, 0.975, history)) == (
        "kept the weights at the stop, 169 of 468 steps into epoch 2"
    )
    worse_at_stop = (
        {"epoch": 1, "test_accuracy": 0.97, "steps": 468},
        {"epoch": 2, "partial": True, "test_accuracy": 0.96, "steps": 637},
    )
    assert kept_description(_Outcome(True, 1, 0.97, worse_at_stop)) == (
        "kept the weights after epoch 1, the best finished epoch"
    )
