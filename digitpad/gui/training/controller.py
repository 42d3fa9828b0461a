"""Model > Train…: the glue between the main window, the training dialog, the worker and the report.

Everything here runs in the GUI thread.  The main window makes one
:class:`TrainingController` and hands it its ``train_action`` and inference
worker; the controller opens the :class:`TrainingDialog`, runs training in a
:class:`TrainingWorker` on its own ``QThread``, shows a
:class:`TrainingReport` at the end and, when asked, swaps the new weights
into the inference worker (through ``load_weights``, a path: values cross
threads, objects do not).  Nothing changes the weights in use except that
explicit "Use these weights", so a failed or cancelled run leaves them as
they were.

Neither this module nor the dialog, report and worker modules it loads on
the first Train… import torch (a test checks it): the options, events and
outcome they name are the core's torch-free values.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QObject, QSettings, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from digitpad.train_options import FoundDevices, TrainConfig
from digitpad.training_events import EpochFinished, Started, StepProgress
from digitpad.training_outcome import TrainingOutcome

if TYPE_CHECKING:
    from digitpad.gui.pad.inference_worker import InferenceWorker
    from digitpad.gui.training.dialog import TrainingDialog
    from digitpad.gui.training.report import TrainingReport
    from digitpad.gui.training.worker import TrainingWorker


STOP_WAIT_MS = 30_000
"""On quit, how long the dialog shows "Stopping…" before the thread is waited for regardless."""


class TrainingController(QObject):
    """Owns the training dialog, worker thread and reports of one main window.

    ``load_weights`` is how new weights reach live recognition; pass the main
    window's ``load_weights`` so the window also remembers the choice (the
    default calls ``inference_worker.load_weights`` directly).
    """

    # For tests and the benchmark: the GUI-side ends of a run.
    run_finished = Signal(TrainingOutcome)
    run_cancelled = Signal(TrainingOutcome)  # weights_path is None when nothing was saved
    run_failed = Signal(str)
    report_shown = Signal(QWidget)  # the TrainingReport now shown
    weights_swapped = Signal(str)  # the path now in use
    _run_requested = Signal(TrainConfig)
    _download_requested = Signal(str)
    _probe_requested = Signal()
    _save_kept_requested = Signal(str)
    kept_weights_saved = Signal(str)  # Save as... wrote the weights a run could not save

    def __init__(
        self,
        parent: QWidget,
        train_action: QAction,
        inference_worker: InferenceWorker,
        *,
        load_weights: Callable[[str], None] | None = None,
        settings: QSettings | None = None,
        weights_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self._action = train_action
        self._inference = inference_worker
        self._load_weights = load_weights or inference_worker.load_weights
        self._settings = settings
        self._weights_dir = weights_dir  # None: digitpad.paths.user_weights_dir()
        self.dialog: TrainingDialog | None = None
        self.worker: TrainingWorker | None = None
        self.worker_thread: QThread | None = None
        self.reports: list[TrainingReport] = []
        self._running = False
        self._pending: TrainConfig | None = None  # waits for a download
        self._swap_path: str | None = None
        self._closed = False
        self.progress_signals = 0
        self._message: QMessageBox | None = None
        inference_worker.weights_loaded.connect(self._on_weights_loaded)
        inference_worker.weights_failed.connect(self._on_weights_failed)
        train_action.triggered.connect(self.open_dialog)
        train_action.setEnabled(True)
        train_action.setStatusTip("Train new weights on MNIST")

    # ------------------------------------------------------------- dialog
    @Slot()
    def open_dialog(self) -> TrainingDialog:
        """Show the dialog (creating it and the worker thread on first use)."""
        if self.dialog is None:
            from digitpad.gui.training.dialog import TrainingDialog

            self._ensure_worker()
            self.dialog = TrainingDialog(self._window, self._settings)
            self.dialog.start_requested.connect(self.start)
            self.dialog.cancel_requested.connect(self.cancel)
            self._probe_requested.emit()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def _ensure_worker(self) -> None:
        if self.worker is not None:
            return
        from digitpad.gui.training.worker import TrainingWorker, start_training_thread

        self.worker = TrainingWorker(self._weights_dir)
        w = self.worker
        w.started.connect(self._on_started)
        w.progressed.connect(self._on_progressed)
        w.epoch_finished.connect(self._on_epoch_finished)
        w.finished.connect(self._on_finished)
        w.cancelled.connect(self._on_cancelled)
        w.failed.connect(self._on_failed)
        w.logged.connect(self._on_logged)
        w.downloaded.connect(self._on_downloaded)
        w.download_failed.connect(self._on_download_failed)
        w.devices_found.connect(self._on_devices_found)
        self._run_requested.connect(w.run)
        self._download_requested.connect(w.download)
        self._probe_requested.connect(w.probe_devices)
        self._save_kept_requested.connect(w.save_kept)
        w.kept_saved.connect(self._on_kept_saved)
        w.kept_save_failed.connect(self._offer_save_as)
        self.worker_thread = start_training_thread(w, self)

    def is_running(self) -> bool:
        return self._running

    # ------------------------------------------------------------ a run
    @Slot(TrainConfig)
    def start(self, config: TrainConfig) -> None:
        """Train with ``config``; when MNIST is missing, offer to download it first."""
        from digitpad.mnist_check import mnist_folder_problem
        from digitpad.paths import mnist_present

        if self._running or self._closed:
            return
        self._ensure_worker()
        dialog = self.open_dialog()
        folder = Path(config.data_dir) if config.data_dir else None
        problem = mnist_folder_problem(folder) if folder is not None else None
        if problem:  # an unreadable folder: say so (mnist_present would raise, and Start did nothing)
            dialog.show_ended(f"Cannot train: {problem}")
            self._warn("Cannot train", problem)
            return
        if folder is not None and not mnist_present(folder):
            choice = self.ask_missing_data(folder)
            if choice == "download":
                self._pending = config
                self._set_running(True)
                dialog.set_busy(f"Downloading MNIST into {folder}…")
                self._download_requested.emit(str(folder))
            elif choice == "choose":
                dialog.browse_data_folder()
            return
        self._set_running(True)
        dialog.set_busy("Loading data…")
        assert self.worker is not None
        self.worker.prepare()
        self._run_requested.emit(config)

    def ask_missing_data(self, folder: Path) -> str:
        """ "download", "choose" or "cancel" (a modal question; tests replace this method)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "MNIST not found",
            f"The MNIST files were not found in\n{folder}\n\n"
            "Download them there now (about 12 MB), or choose another folder?",
            parent=self.dialog or self._window,
        )
        download = box.addButton("&Download", QMessageBox.ButtonRole.AcceptRole)
        choose = box.addButton("C&hoose folder…", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return "download" if clicked is download else "choose" if clicked is choose else "cancel"

    @Slot()
    def cancel(self) -> None:
        """Stop the run after its current step: a direct, thread-safe flag (GUI thread)."""
        if self.worker is not None and self._running:
            self.worker.stop()
            if self.dialog is not None:
                self.dialog.append_log("Cancelling after the current step…")

    def _set_running(self, running: bool) -> None:
        self._running = running
        if self.dialog is not None:
            self.dialog.set_running(running)

    # ------------------------------------------ worker signals (GUI thread)
    @Slot(Started)
    def _on_started(self, event: Started) -> None:
        if self.dialog is not None:
            self.dialog.show_started(event)

    @Slot(StepProgress)
    def _on_progressed(self, event: StepProgress) -> None:
        self.progress_signals += 1
        if self.dialog is not None and not self._closed:  # quitting: "Stopping…" stays on show
            self.dialog.show_progress(event)

    @Slot(EpochFinished)
    def _on_epoch_finished(self, event: EpochFinished) -> None:
        if self.dialog is not None:
            self.dialog.show_epoch(event)

    @Slot(str)
    def _on_logged(self, line: str) -> None:
        if self.dialog is not None:
            self.dialog.append_log(line)

    @Slot(TrainingOutcome)
    def _on_finished(self, outcome: TrainingOutcome) -> None:
        self._end(f"Finished: test accuracy {100 * outcome.test_accuracy:.2f}%")
        if not self._closed and outcome.saved:  # unsaved weights (full disk): Save as… comes first
            self.show_report(outcome)
        self._tell_save_problem(outcome)
        self.run_finished.emit(outcome)

    def _tell_save_problem(self, outcome: TrainingOutcome) -> None:
        """A full disk or a refused folder: say so; weights only in memory are offered for Save as…"""
        if not outcome.save_problem or self._closed:
            return
        if outcome.saved:
            self._warn("Weights saved elsewhere", outcome.save_problem)
        else:
            self._offer_save_as(f"{outcome.save_problem}. The trained weights are kept in memory.")

    @Slot(str)
    def _offer_save_as(self, message: str) -> None:
        if self._closed:
            return
        path = self.ask_save_as(message)
        if path:
            self._save_kept_requested.emit(path)

    def ask_save_as(self, message: str) -> str | None:
        """Tell ``message`` and ask where to save the kept weights (None: not now). Tests replace this."""
        from PySide6.QtWidgets import QFileDialog

        parent = self.dialog if self.dialog is not None and self.dialog.isVisible() else self._window
        answer = QMessageBox.warning(
            parent,
            "Weights not saved",
            message,
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard,
            QMessageBox.StandardButton.Save,
        )
        if answer != QMessageBox.StandardButton.Save:
            return None
        path, _ = QFileDialog.getSaveFileName(parent, "Save trained weights as", "", "DigitPad weights (*.pt)")
        return path or None

    @Slot(str)
    def _on_kept_saved(self, path: str) -> None:
        self._on_logged(f"Saved {path}")
        if self.dialog is not None:
            self.dialog.show_ended(f"Saved {path}")
        self.kept_weights_saved.emit(path)

    @Slot(TrainingOutcome)
    def _on_cancelled(self, outcome: TrainingOutcome) -> None:
        if not outcome.saved:
            self._end(
                "Cancelled; the weights could not be saved."
                if outcome.save_problem
                else "Cancelled before the first step; nothing was saved."
            )
        else:
            self._end(f"Cancelled: kept the best model so far (test accuracy {100 * outcome.test_accuracy:.2f}%)")
            if not self._closed:
                self.show_report(outcome)
        self._tell_save_problem(outcome)
        self.run_cancelled.emit(outcome)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._end(f"Training failed: {message}")
        self._warn("Training failed", f"{message}\n\nThe weights in use have not changed.")
        self.run_failed.emit(message)

    @Slot(str)
    def _on_downloaded(self, folder: str) -> None:
        config, self._pending = self._pending, None
        if self.dialog is not None:
            self.dialog.append_log(f"MNIST is now in {folder}")
        self._set_running(False)
        if config is not None and not self._closed:
            self.start(config)

    @Slot(str)
    def _on_download_failed(self, message: str) -> None:
        self._pending = None
        self._end(message)
        self._warn("Download failed", message)

    @Slot(FoundDevices)
    def _on_devices_found(self, found: FoundDevices) -> None:
        if self.dialog is not None:
            self.dialog.set_devices(found)

    def _end(self, text: str) -> None:
        self._running = False
        if self.dialog is not None:
            self.dialog.show_ended(text)

    def _warn(self, title: str, text: str) -> None:
        """A window-modal warning that does not block the event loop (``open``, not ``exec``)."""
        if self._closed:
            return
        parent = self.dialog if self.dialog is not None and self.dialog.isVisible() else self._window
        self._message = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
        self._message.open()

    # ------------------------------------------------------- report, swap
    def show_report(self, outcome: TrainingOutcome) -> TrainingReport:
        from digitpad.gui.training.report import TrainingReport

        report = TrainingReport(outcome, self._window)
        report.use_weights_requested.connect(self.use_weights)
        self.reports.append(report)
        report.show()
        self.report_shown.emit(report)
        return report

    @Slot(str)
    def use_weights(self, path: str) -> None:
        """Swap ``path`` into live recognition; on failure the weights in use stay."""
        self._swap_path = path
        self._load_weights(path)

    @Slot(str)
    def _on_weights_loaded(self, description: str) -> None:
        swapped = self._swap_path is not None and description == Path(self._swap_path).name
        for report in self.reports:
            saved = report.outcome.weights_path
            mine = saved is not None and description == Path(saved).name
            report.set_weights_state(mine, f"Now recognising with {description}" if mine else "")
        if swapped:
            path, self._swap_path = self._swap_path, None
            self.weights_swapped.emit(path)

    @Slot(str)
    def _on_weights_failed(self, message: str) -> None:
        if self._swap_path is None:
            return
        swap, self._swap_path = self._swap_path, None
        for report in self.reports:
            if report.outcome.weights_path == swap:
                report.set_weights_state(False, f"{message} — the weights in use have not changed.")

    # ------------------------------------------------------------ closing
    def confirm_close(self) -> bool:
        """For the main window's ``closeEvent``: True when it may close (asks while training)."""
        if not self._running or self._closed:  # a second close while stopping: no second question
            return True
        return self.ask_stop_training()

    def ask_stop_training(self) -> bool:
        """A modal question (tests replace this method)."""
        answer = QMessageBox.question(
            self._window,
            "Training in progress",
            "A training run is still going. Stop it and quit?\n\n"
            "The best model so far is saved to your weights folder; the weights in use do not change.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _stop_visibly(self, worker: TrainingWorker) -> None:
        """Stop the run while the dialog stays live and says "Stopping…" (not frozen in a wait)."""
        worker.stop()
        if self.dialog is not None:
            self.dialog.show_stopping()
        # The worker's end signal reaches _end (or _on_downloaded) through this loop, which
        # clears _running; a poll sees it even when the signal was queued before we got here.
        loop = QEventLoop()
        poll = QTimer(interval=20)
        poll.timeout.connect(lambda: None if self._running else loop.quit())
        poll.start()
        QTimer.singleShot(STOP_WAIT_MS, loop.quit)
        loop.exec()
        poll.stop()

    def shutdown(self) -> None:
        """Stop any run, quit and wait for the training thread, close dialogs (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.worker is not None and self.worker_thread is not None:
            from digitpad.gui.training.worker import stop_training_thread

            if self._running:
                self._stop_visibly(self.worker)

            stop_training_thread(self.worker, self.worker_thread)  # ends within one training step
        self._running = False
        for widget in [self.dialog, self._message, *self.reports]:
            if widget is not None:
                widget.close()
