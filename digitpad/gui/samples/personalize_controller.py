"""Model > Personalise, My samples…, the automatic run and "Your handwriting" in the status bar.

GUI thread only.  A run reads the samples from the store here (one query),
hands them as arrays to a :class:`PersonalizeWorker` on its own thread and
shows its progress in the status bar; the pad keeps working.  An accepted run
swaps the new checkpoint in through the window's ``load_weights`` (so the
choice is remembered); a refused one leaves the weights as they were.  Either
way the window says plainly what happened.  Personalising always starts from
the non-personal weights in use, so runs do not drift on top of each other.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QProgressBar, QToolButton

from digitpad.gui.samples.personal import PersonalSamples
from digitpad.gui.samples.personalize_worker import (
    PersonalizeJob,
    PersonalizeWorker,
    start_personalize_thread,
    stop_personalize_thread,
)
from digitpad.paths import user_weights_dir
from digitpad.resources import shipped_weights

AUTO_AFTER = 10
"""With automatic personalising on, a run starts after this many new corrections."""
MIN_SAMPLES = 2


def _new_personal_path() -> Path:
    """``<user weights>/personal-<time>.pt`` (the core's naming; training_run itself would import torch here)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path, n = user_weights_dir() / f"personal-{stamp}.pt", 2
    while path.exists():
        path, n = user_weights_dir() / f"personal-{stamp}-{n}.pt", n + 1
    return path


class PersonalizeController(QObject):
    run_started = Signal()
    run_finished = Signal(object, str)  # report dict, saved checkpoint path ("" when refused)
    run_failed = Signal(str)
    _run_requested = Signal(object)

    def __init__(self, window: Any, samples: PersonalSamples, settings: QSettings) -> None:
        super().__init__(window)
        self.window = window
        self.samples = samples
        self.settings = settings
        self.samples_window: Any = None
        self.running = False
        self._base = ""
        self._count = 0
        self._pending_summary = ""
        self.job_config: dict[str, Any] = {}  # PersonalizeConfig overrides (tests, benchmarks)

        self.personalise_action = QAction("&Personalise", self)
        self.personalise_action.setStatusTip("Adapt the weights to your handwriting in the background")
        self.personalise_action.triggered.connect(self.personalise)
        self.auto_action = QAction(f"Personalise &automatically (after {AUTO_AFTER} corrections)", self)
        self.auto_action.setCheckable(True)
        self.auto_action.setChecked(self.auto())
        self.auto_action.toggled.connect(self.set_auto)
        self.samples_action = QAction("My &samples…", self)
        self.samples_action.setStatusTip("Review, relabel, delete, export or import your samples")
        self.samples_action.triggered.connect(self.show_samples)

        bar = window.statusBar()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setFormat("Personalising %p%")
        self.progress.hide()
        self.mine_label = QLabel()
        self.mine_label.setObjectName("your-handwriting")
        self.mine_label.hide()
        self.back_button = QToolButton()
        self.back_button.setText("Use shipped weights")
        self.back_button.setToolTip("Go back to the weights DigitPad ships with")
        self.back_button.setAutoRaise(True)
        self.back_button.clicked.connect(self.back_to_shipped)
        self.back_button.hide()
        for widget in (self.progress, self.mine_label, self.back_button):
            bar.addPermanentWidget(widget)

        self.worker = PersonalizeWorker()
        self.worker.progressed.connect(self._on_progressed)
        self.worker.finished.connect(self._on_finished)
        self.worker.cancelled.connect(self._on_cancelled)
        self.worker.failed.connect(self._on_failed)
        self._run_requested.connect(self.worker.run)
        self.thread = start_personalize_thread(self.worker)
        window.model_changed.connect(self._on_model_changed)

    def install(self, menu: QMenu) -> None:
        menu.addSeparator()
        menu.addActions([self.samples_action, self.personalise_action, self.auto_action])

    # -------------------------------------------------------------- settings
    def auto(self) -> bool:
        return str(self.settings.value("personal/auto", "false")).lower() == "true"

    @Slot(bool)
    def set_auto(self, on: bool) -> None:
        self.settings.setValue("personal/auto", "true" if on else "false")

    def personal_weights(self) -> str:
        return str(self.settings.value("personal/weights", "") or "")

    def personal_samples(self) -> int:
        try:
            return int(self.settings.value("personal/samples", 0))
        except (TypeError, ValueError):
            return 0

    def _base_weights(self) -> str:
        """The non-personal weights in use (a run never starts from a personal checkpoint)."""
        current = self.window.settings.weights()
        if current and current == self.personal_weights():
            return str(self.settings.value("personal/base", "") or "") or str(shipped_weights())
        return current or str(shipped_weights())

    # ----------------------------------------------------------------- runs
    @Slot()
    def personalise(self) -> bool:
        """Start a run in the background; False (and a message) when it cannot start."""
        if self.running:
            return False
        images, labels = self.samples.read(lambda s: s.arrays(), (None, None))
        if images is None or labels is None:
            return False
        if len(labels) < MIN_SAMPLES:
            self.window.show_error(
                f"Personalising needs at least {MIN_SAMPLES} samples: correct or confirm a few readings first."
            )
            return False
        self._base = self._base_weights()
        self._count = len(labels)
        out = _new_personal_path()
        self.running = True
        self.personalise_action.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.settings.setValue("personal/new_corrections", 0)
        self.run_started.emit()
        self._run_requested.emit(PersonalizeJob(self._base, images, labels, str(out), dict(self.job_config)))
        return True

    @Slot(int, bool)
    def on_sample_saved(self, _sample_id: int, correction: bool) -> None:
        """Counts corrections; starts an automatic run after :data:`AUTO_AFTER` of them."""
        if not correction:
            return
        try:
            count = int(self.settings.value("personal/new_corrections", 0)) + 1
        except (TypeError, ValueError):
            count = 1
        self.settings.setValue("personal/new_corrections", count)
        if self.auto() and count >= AUTO_AFTER and not self.running:
            self.personalise()

    @Slot(int, int, str)
    def _on_progressed(self, step: int, total: int, stage: str) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(step)
        self.progress.setToolTip("Checking on held-out samples" if stage == "checking" else "Adapting on all samples")

    @Slot(object, str)
    def _on_finished(self, report: dict, saved: str) -> None:
        self._end()
        summary = str(report.get("summary", ""))
        if saved:
            self.settings.setValue("personal/weights", saved)
            self.settings.setValue("personal/samples", int(report.get("samples", self._count)))
            self.settings.setValue("personal/base", self._base)
            self._pending_summary = summary  # shown once the new weights are in (loading clears old messages)
            self.window.load_weights(saved)
        else:
            self._tell(summary)
        self.run_finished.emit(report, saved)

    def _tell(self, summary: str) -> None:
        self.window.statusBar().showMessage(summary, 15_000)
        self.window.message_bar.show_message(summary)

    @Slot()
    def _on_cancelled(self) -> None:
        self._end()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._end()
        self.window.show_error(message)
        self.run_failed.emit(message)

    def _end(self) -> None:
        self.running = False
        self.personalise_action.setEnabled(True)
        self.progress.hide()

    # --------------------------------------------------------- weights in use
    @Slot(str)
    def _on_model_changed(self, description: str) -> None:
        personal = self.personal_weights()
        mine = bool(personal) and description == Path(personal).name
        if mine:
            self.mine_label.setText(f"Your handwriting ({self.personal_samples()} samples)")
        self.mine_label.setVisible(mine)
        self.back_button.setVisible(mine)
        if mine and self._pending_summary:
            self._tell(self._pending_summary)
        self._pending_summary = ""

    def uses_personal_weights(self) -> bool:
        return not self.mine_label.isHidden()

    @Slot()
    def back_to_shipped(self) -> None:
        self.window.use_shipped_weights()

    # ------------------------------------------------------------- windows
    @Slot()
    def show_samples(self) -> Any:
        from digitpad.gui.samples.samples_window import SamplesWindow

        if self.samples_window is None:
            self.samples_window = SamplesWindow(self.samples, self.window)
        else:
            self.samples_window.reload()
        self.samples_window.show()
        self.samples_window.raise_()
        return self.samples_window

    def shutdown(self) -> None:
        """Stop a run and wait for the thread (GUI thread; idempotent)."""
        if self.thread is not None:
            stop_personalize_thread(self.worker, self.thread)
            self.thread = None  # type: ignore[assignment]
