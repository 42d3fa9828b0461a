"""Model > Train… end to end: dialog, worker thread, report, cancel, failure and the hot swap."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from digitpad.checkpoint import load_checkpoint
from digitpad.gui.pad.inference_worker import InferenceWorker, start_worker, stop_worker
from digitpad.gui.training.controller import TrainingController
from digitpad.trainer import TrainConfig
from tests.qt_shared import MODEL_TIMEOUT_MS, RUN_TIMEOUT_MS, GuiSide, drawn_seven

seven = drawn_seven


class Harness(QObject):
    """A stand-in main window: a widget, a Train… action and a real inference worker thread."""

    def __init__(self, qtbot, settings, weights_dir: Path, initial: Path) -> None:
        super().__init__()
        self.window = QWidget()
        qtbot.addWidget(self.window)
        self.train_action = QAction("Train…", self.window)
        self.train_action.setEnabled(False)
        self.gui = GuiSide()
        self.inference = InferenceWorker(initial)
        self.inference.weights_loaded.connect(self.gui.on_weights_loaded)
        self.inference.weights_failed.connect(self.gui.on_weights_failed)
        self.inference.predicted.connect(self.gui.on_predicted)
        self.inference_thread = start_worker(self.inference)
        with qtbot.waitSignal(self.gui.weights_loaded, timeout=MODEL_TIMEOUT_MS):
            self.inference.load_weights(str(initial))
        self.controller = TrainingController(
            self.window, self.train_action, self.inference, settings=settings, weights_dir=weights_dir
        )
        self.controller.open_dialog()  # creates the training worker
        self.controller.dialog.hide()
        w = self.controller.worker
        w.progressed.connect(self.gui.on_progressed)
        w.started.connect(self.gui.on_started)
        w.failed.connect(self.gui.on_failed)
        w.download_failed.connect(self.gui.on_download_failed)
        self.qtbot = qtbot

    def probabilities(self, request_id: int) -> np.ndarray:
        with self.qtbot.waitSignal(
            self.gui.predicted, timeout=10_000, check_params_cb=lambda rid, _p: rid == request_id
        ) as blocker:
            self.inference.request_drawing(request_id, seven())
        return blocker.args[1].probabilities

    def close(self) -> None:
        self.controller.shutdown()
        stop_worker(self.inference, self.inference_thread)


@pytest.fixture
def harness(qtbot, settings, weights_dir, initial_weights):
    h = Harness(qtbot, settings, weights_dir, initial_weights)
    yield h
    h.close()
    assert h.inference_thread.isFinished()
    if h.controller.worker_thread is not None:
        assert h.controller.worker_thread.isFinished()


def quick(data: Path, **kw) -> TrainConfig:
    base = dict(model="linear", epochs=2, batch_size=32, lr=0.05, data_dir=str(data), threads=1, seed=3)
    base.update(kw)
    return TrainConfig(**base)


def test_train_action_opens_the_dialog_and_a_run_ends_in_the_report(qtbot, harness, tiny_mnist, weights_dir):
    h = harness
    assert h.train_action.isEnabled()
    h.train_action.trigger()
    dialog = h.controller.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.model_box.itemData(0) == "digitpad"  # the default model comes first
    dialog.model_box.setCurrentIndex(dialog.model_box.findData("linear"))
    dialog.epochs_box.setValue(2)
    dialog.batch_box.setValue(32)
    dialog.data_edit.setText(str(tiny_mnist))
    with qtbot.waitSignal(h.controller.report_shown, timeout=RUN_TIMEOUT_MS) as blocker:
        dialog.start_button.click()
        assert not dialog.start_button.isEnabled() and not dialog.settings_group.isEnabled()
    report = blocker.args[0]
    outcome = report.outcome
    assert not outcome.cancelled and outcome.model == "linear" and outcome.test_count == 200
    assert report.heatmap.matrix().sum() == 200 and report.table.rowCount() == 10
    assert report.gallery.count() == min(outcome.errors, 120) == len(outcome.misclassified)
    assert outcome.misclassified.dtype == np.uint8 and outcome.misclassified.shape[1:] == (28, 28)
    assert all(t != p for t, p in zip(outcome.true_labels, outcome.predicted_labels, strict=False))
    saved = Path(outcome.weights_path)
    assert saved.parent == weights_dir and saved.name.startswith("linear-")
    assert load_checkpoint(saved).test_accuracy == pytest.approx(outcome.test_accuracy)
    train_points, test_points = dialog.charts.point_counts()
    assert train_points >= 2 and test_points == 2
    assert dialog.start_button.isEnabled() and dialog.overall_bar.value() == dialog.overall_bar.maximum()
    assert "epoch 2/2" in dialog.log.toPlainText()


def test_settings_are_remembered(qtbot, settings, harness, tiny_mnist):
    dialog = harness.controller.open_dialog()
    dialog.model_box.setCurrentIndex(dialog.model_box.findData("mlp"))
    dialog.epochs_box.setValue(7)
    dialog.lr_box.setValue(0.02)
    dialog.augment_box.setChecked(False)
    dialog.data_edit.setText(str(tiny_mnist))
    dialog.close()
    from digitpad.gui.training.dialog import TrainingDialog

    again = TrainingDialog(None, settings)
    qtbot.addWidget(again)
    config = again.config()
    assert (config.model, config.epochs, config.lr, config.augment, config.data_dir) == (
        "mlp",
        7,
        pytest.approx(0.02),
        False,
        str(tiny_mnist),
    )


def test_the_form_refuses_invalid_values(harness):
    dialog = harness.controller.open_dialog()
    dialog.epochs_box.setValue(0)
    dialog.batch_box.setValue(-5)
    dialog.lr_box.setValue(-1.0)
    config = dialog.config()
    assert config.epochs >= 1 and config.batch_size >= 1 and config.lr > 0


def test_cancel_mid_epoch_keeps_a_usable_best_model(qtbot, harness, tiny_mnist):
    h = harness
    h.controller.open_dialog()
    config = quick(tiny_mnist, epochs=50, batch_size=8)  # 75 steps an epoch: cancelled long before the end
    with qtbot.waitSignal(h.gui.progressed, timeout=RUN_TIMEOUT_MS) as blocker:
        h.controller.start(config)
    first = blocker.args[0]
    assert first.step < first.steps_per_epoch
    with (
        qtbot.waitSignal(h.controller.run_cancelled, timeout=RUN_TIMEOUT_MS) as blocker,
        qtbot.assertNotEmitted(h.controller.run_finished),
    ):
        h.controller.cancel()  # a direct call: the worker thread is busy training
    outcome = blocker.args[0]
    assert outcome is not None and outcome.cancelled and outcome.steps < 50 * 75
    checkpoint = load_checkpoint(outcome.weights_path)
    assert checkpoint.meta["cancelled"] is True
    checkpoint.build_model()  # the weights fit the architecture
    qtbot.waitUntil(lambda: bool(h.controller.reports))
    assert h.controller.reports[-1].outcome is outcome
    assert "Cancelled in epoch 1" in h.controller.dialog.log.toPlainText()
    assert not h.controller.is_running() and h.controller.dialog.start_button.isEnabled()


def test_unreadable_data_fails_and_leaves_the_weights_in_use(qtbot, harness, tmp_path):
    h = harness
    before = h.probabilities(1)
    broken = tmp_path / "broken"
    raw = broken / "MNIST" / "raw"
    raw.mkdir(parents=True)
    from digitpad.paths import MNIST_FILES

    for name in MNIST_FILES:
        (raw / name).write_bytes(b"\x00\x00\x08\x03not an idx file")
    h.controller.open_dialog()
    with (
        qtbot.waitSignal(h.controller.run_failed, timeout=RUN_TIMEOUT_MS) as blocker,
        qtbot.assertNotEmitted(h.gui.weights_loaded),
        qtbot.assertNotEmitted(h.controller.report_shown),
    ):
        h.controller.start(quick(broken))
    message = blocker.args[0]
    assert "MNIST" in message and "\n" not in message
    assert "failed" in h.controller.dialog.stats_label.text()
    assert h.controller.dialog.start_button.isEnabled()
    np.testing.assert_array_equal(h.probabilities(2), before)


def test_a_missing_folder_asks_and_cancelling_changes_nothing(qtbot, harness, tmp_path, monkeypatch):
    h = harness
    asked = []
    monkeypatch.setattr(h.controller, "ask_missing_data", lambda folder: asked.append(folder) or "cancel")
    missing = tmp_path / "nowhere"
    with qtbot.assertNotEmitted(h.controller.run_failed, wait=200):
        h.controller.start(quick(missing))
    assert asked == [missing] and not h.controller.is_running() and not missing.exists()


def test_the_worker_reports_a_missing_folder_as_failed(qtbot, harness, tmp_path):
    h = harness
    h.controller.open_dialog()
    with qtbot.waitSignal(h.gui.failed, timeout=RUN_TIMEOUT_MS) as blocker:
        h.controller.worker.prepare()
        h.controller._run_requested.emit(quick(tmp_path / "nowhere"))
    assert "not found" in blocker.args[0]


def test_an_offline_download_fails_clearly_and_changes_nothing(qtbot, harness, tmp_path, monkeypatch):
    import digitpad.mnist_download

    monkeypatch.setattr(digitpad.mnist_download, "MIRRORS", ("https://127.0.0.1:9/",))  # nothing listens: offline
    h = harness
    monkeypatch.setattr(h.controller, "ask_missing_data", lambda folder: "download")
    empty = tmp_path / "empty"
    empty.mkdir()
    h.controller.open_dialog()
    with (
        qtbot.waitSignal(h.gui.download_failed, timeout=RUN_TIMEOUT_MS) as blocker,
        qtbot.assertNotEmitted(h.gui.started),
    ):
        h.controller.start(quick(empty))
    assert "Could not download MNIST" in blocker.args[0] and "Nothing was changed" in blocker.args[0]
    qtbot.waitUntil(lambda: not h.controller.is_running())
    assert list(empty.iterdir()) == []
    assert h.controller.dialog.start_button.isEnabled()


def test_use_these_weights_swaps_and_shipped_weights_restore(qtbot, harness, tiny_mnist, initial_weights):
    h = harness
    before = h.probabilities(1)
    h.controller.open_dialog()
    with qtbot.waitSignal(h.controller.report_shown, timeout=RUN_TIMEOUT_MS) as blocker:
        h.controller.start(quick(tiny_mnist, epochs=1, max_steps=3))  # a deliberately poor model
    report = blocker.args[0]
    with qtbot.waitSignal(h.controller.weights_swapped, timeout=MODEL_TIMEOUT_MS) as swapped:
        report.use_button.click()
    assert swapped.args[0] == report.outcome.weights_path
    assert report.use_button.text() == "In use" and not report.use_button.isEnabled()
    after = h.probabilities(2)
    assert not np.allclose(after, before, atol=1e-4)
    # Model > Use shipped weights: the main window loads the shipped file again
    with qtbot.waitSignal(h.gui.weights_loaded, timeout=MODEL_TIMEOUT_MS):
        h.inference.load_weights(str(initial_weights))
    np.testing.assert_allclose(h.probabilities(3), before, atol=1e-6)
    assert report.use_button.isEnabled()


def test_a_failed_swap_keeps_the_weights_in_use(qtbot, harness, tmp_path):
    h = harness
    before = h.probabilities(1)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with qtbot.waitSignal(h.gui.weights_failed, timeout=MODEL_TIMEOUT_MS):
        h.controller.use_weights(str(bad))
    np.testing.assert_array_equal(h.probabilities(2), before)


def test_only_one_run_at_a_time(qtbot, harness, tiny_mnist):
    h = harness
    dialog = h.controller.open_dialog()
    config = quick(tiny_mnist, epochs=50, batch_size=8)
    with qtbot.waitSignal(h.gui.progressed, timeout=RUN_TIMEOUT_MS):
        h.controller.start(config)
    assert not dialog.start_button.isEnabled()
    with qtbot.assertNotEmitted(h.gui.started, wait=100):
        h.controller.start(dataclasses.replace(config, epochs=1))  # ignored while running
        dialog.request_start()
    with qtbot.waitSignal(h.controller.run_cancelled, timeout=RUN_TIMEOUT_MS):
        dialog.cancel_button.click()


def test_progress_is_throttled(qtbot, harness, tiny_mnist):
    h = harness
    h.controller.open_dialog()
    config = quick(tiny_mnist, epochs=6, batch_size=4)  # ~900 tiny steps: far more steps than signals
    with qtbot.waitSignal(h.controller.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        h.controller.start(config)
    seconds = blocker.args[0].seconds
    # at most ten a second plus each epoch's last step
    assert h.controller.progress_signals <= 10 * seconds + 6 + 2
    assert h.controller.progress_signals < 900 / 4
