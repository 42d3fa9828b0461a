"""The non-modal Train dialog: settings form, progress bars, live curves and a log (GUI thread only).

The dialog never trains and never touches torch: it builds a ``TrainConfig``
from the form and emits :attr:`start_requested`; the
:class:`~digitpad.gui.training.controller.TrainingController` runs it in the
training worker and feeds progress back through the ``show_*`` methods.
Closing the dialog while a run is going only hides it: training carries on in
the background, Model > Train… shows the dialog again, and the report opens
when the run ends.  The form remembers its values with ``QSettings``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitpad.gui.training.charts import TrainingCharts
from digitpad.models import DEFAULT_MODEL, MODELS
from digitpad.paths import default_mnist_dir
from digitpad.trainer import EpochFinished, Started, StepProgress, TrainConfig

SETTINGS_GROUP = "training"
MAX_LOG_LINES = 2000


def format_duration(seconds: float) -> str:
    """ "1 h 02 min", "3 min 05 s", "42 s"."""
    s = max(0, int(round(seconds)))
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    if s >= 60:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s} s"


class TrainingDialog(QDialog):
    """Settings, Start / Cancel / Close, and the progress of the run in progress."""

    start_requested = Signal(object)  # a digitpad.trainer.TrainConfig
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a model")
        self.setModal(False)
        self._settings = settings if settings is not None else QSettings()
        self._running = False
        defaults = TrainConfig()

        # ---- settings form
        self.model_box = QComboBox()
        names = [DEFAULT_MODEL] + [n for n in MODELS if n != DEFAULT_MODEL]  # the default first
        for name in names:
            self.model_box.addItem(name, name)
            self.model_box.setItemData(
                self.model_box.count() - 1, MODELS[name].description, Qt.ItemDataRole.ToolTipRole
            )
        self.model_info = QLabel()
        self.model_info.setWordWrap(True)
        self.model_info.setEnabled(False)  # dimmed: a description, not a control
        self.model_box.currentIndexChanged.connect(self._on_model_changed)
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(1, 200)
        self.batch_box = QSpinBox()
        self.batch_box.setRange(1, 4096)
        self.batch_box.setSingleStep(32)
        self.lr_box = QDoubleSpinBox()
        self.lr_box.setDecimals(4)
        self.lr_box.setRange(0.0001, 5.0)
        self.lr_box.setSingleStep(0.01)
        self.lr_box.setToolTip("Peak learning rate of the one-cycle schedule")
        self.augment_box = QCheckBox("Random shifts, rotations and scaling of the training digits")
        self.device_box = QComboBox()
        self.device_box.addItem("Auto (GPU when present)", "auto")
        self.device_box.addItem("CPU", "cpu")
        self.data_edit = QLineEdit()
        self.data_edit.setPlaceholderText(str(default_mnist_dir()))
        self.data_edit.setToolTip("A folder holding MNIST/raw; DigitPad offers to download MNIST there if missing")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse_data_folder)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_edit, 1)
        data_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("&Model:", self.model_box)
        form.addRow("", self.model_info)
        form.addRow("&Epochs:", self.epochs_box)
        form.addRow("&Batch size:", self.batch_box)
        form.addRow("&Learning rate:", self.lr_box)
        form.addRow("&Augmentation:", self.augment_box)
        form.addRow("&Device:", self.device_box)
        data_label = QLabel("Data &folder:")
        data_label.setBuddy(self.data_edit)  # a row holding a layout gets no buddy by itself
        form.addRow(data_label, data_row)
        self.settings_group = QGroupBox("Settings")
        self.settings_group.setLayout(form)

        # ---- progress
        self.overall_bar = QProgressBar()
        self.overall_bar.setFormat("Overall %p%")
        self.epoch_bar = QProgressBar()
        self.epoch_bar.setFormat("Epoch %p%")
        self.stats_label = QLabel("Not started")
        self.stats_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.charts = TrainingCharts()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(MAX_LOG_LINES)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log.setMinimumHeight(80)
        self.log.setMaximumHeight(130)
        progress = QVBoxLayout()
        bars = QHBoxLayout()
        bars.addWidget(self.overall_bar)
        bars.addWidget(self.epoch_bar)
        progress.addLayout(bars)
        progress.addWidget(self.stats_label)
        progress.addWidget(self.charts, 1)
        progress.addWidget(self.log)
        self.progress_group = QGroupBox("Progress")
        self.progress_group.setLayout(progress)

        # ---- buttons
        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton("&Start", QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton("&Cancel training", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.request_start)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.close_button.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(self.settings_group, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress_group, 1)
        layout.addWidget(self.buttons)
        self.load_settings(defaults)
        self.set_running(False)
        self.resize(760, 760)

    # ------------------------------------------------------------- the form
    def load_settings(self, defaults: TrainConfig) -> None:
        s = self._settings
        s.beginGroup(SETTINGS_GROUP)
        try:
            index = self.model_box.findData(str(s.value("model", defaults.model)))
            self.model_box.setCurrentIndex(max(0, index))
            self.epochs_box.setValue(_int(s.value("epochs"), defaults.epochs))
            self.batch_box.setValue(_int(s.value("batch_size"), defaults.batch_size))
            self.lr_box.setValue(_float(s.value("lr"), defaults.lr))
            self.augment_box.setChecked(str(s.value("augment", defaults.augment)).lower() in ("true", "1"))
            self._wanted_device = str(s.value("device", defaults.device))
            self.data_edit.setText(str(s.value("data_dir", "") or ""))
        finally:
            s.endGroup()
        self._select_device(self._wanted_device)
        self._on_model_changed()

    def save_settings(self) -> None:
        s = self._settings
        s.beginGroup(SETTINGS_GROUP)
        s.setValue("model", self.model_box.currentData())
        s.setValue("epochs", self.epochs_box.value())
        s.setValue("batch_size", self.batch_box.value())
        s.setValue("lr", self.lr_box.value())
        s.setValue("augment", self.augment_box.isChecked())
        s.setValue("device", self.device_box.currentData())
        s.setValue("data_dir", self.data_edit.text().strip())
        s.endGroup()
        s.sync()

    def data_folder(self) -> Path:
        """The chosen data folder (the default when the field is empty)."""
        text = self.data_edit.text().strip()
        return Path(text).expanduser() if text else default_mnist_dir()

    def config(self) -> TrainConfig:
        """A ``TrainConfig`` from the form (the spin boxes only hold valid values)."""
        return TrainConfig(
            model=str(self.model_box.currentData()),
            epochs=self.epochs_box.value(),
            batch_size=self.batch_box.value(),
            lr=self.lr_box.value(),
            augment=self.augment_box.isChecked(),
            device=str(self.device_box.currentData()),
            data_dir=str(self.data_folder()),
            threads=1,
        )

    @Slot(list)
    def set_devices(self, devices: list) -> None:
        """Add the accelerators the worker found: ``[(name, label)]``."""
        for name, label in devices:
            if self.device_box.findData(name) < 0:
                self.device_box.addItem(label, name)
        self._select_device(self._wanted_device)

    def _select_device(self, name: str) -> None:
        index = self.device_box.findData(name)
        if index >= 0:
            self.device_box.setCurrentIndex(index)

    @Slot()
    def _on_model_changed(self) -> None:
        name = self.model_box.currentData()
        self.model_info.setText(MODELS[name].description if name in MODELS else "")

    @Slot()
    def browse_data_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "MNIST data folder", str(self.data_folder()))
        if folder:
            self.data_edit.setText(folder)

    # ---------------------------------------------------------------- state
    @Slot()
    def request_start(self) -> None:
        if self._running:
            return
        self.save_settings()
        self.start_requested.emit(self.config())

    @Slot()
    def _on_cancel_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.cancel_requested.emit()

    def is_running(self) -> bool:
        return self._running

    def set_running(self, running: bool) -> None:
        """Lock the form and offer Cancel while a run (or download) is going."""
        self._running = running
        self.settings_group.setEnabled(not running)
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.cancel_button.setText("&Cancel training")

    def set_busy(self, text: str) -> None:
        """An indeterminate phase (download, loading data): a busy bar and a line of text."""
        self.overall_bar.setRange(0, 0)
        self.stats_label.setText(text)

    def append_log(self, line: str) -> None:
        self.log.appendPlainText(line)

    # ------------------------------------------------------------- progress
    def show_started(self, event: Started) -> None:
        self.charts.reset(event.epochs)
        self.overall_bar.setRange(0, event.steps_total)
        self.overall_bar.setValue(0)
        self.epoch_bar.setRange(0, event.steps_per_epoch)
        self.epoch_bar.setValue(0)
        self._steps_per_epoch = event.steps_per_epoch
        self.stats_label.setText(f"Training {event.model} on {event.device} ({event.precision})…")
        self.append_log(
            f"{event.model}: {event.parameters:,} parameters, {event.train_size:,} training "
            f"and {event.test_size:,} test images, {event.epochs} epochs of "
            f"{event.steps_per_epoch} steps on {event.device} ({event.precision})"
        )

    def show_progress(self, event: StepProgress) -> None:
        self.overall_bar.setValue(event.steps_total)
        self.epoch_bar.setValue(event.step)
        self.epoch_bar.setFormat(f"Epoch {event.epoch}/{event.epochs}: %p%")
        self.stats_label.setText(
            f"Epoch {event.epoch}/{event.epochs}, step {event.step}/{event.steps_per_epoch} — "
            f"{event.images_per_s:,.0f} images/s — ETA {format_duration(event.eta_s)} — "
            f"loss {event.loss:.3f}, accuracy {100 * event.accuracy:.1f}%"
        )
        self.charts.add_step(event.steps_total / max(1, event.steps_per_epoch), event.loss, event.accuracy)

    def show_epoch(self, event: EpochFinished) -> None:
        self.charts.add_epoch(event.epoch, event.test_loss, event.test_accuracy)
        best = " (best so far)" if event.is_best else ""
        self.append_log(
            f"epoch {event.epoch}/{event.epochs}: train loss {event.train_loss:.4f}, "
            f"train accuracy {100 * event.train_accuracy:.2f}%, test accuracy "
            f"{100 * event.test_accuracy:.2f}%{best} ({format_duration(event.seconds)})"
        )

    def show_ended(self, text: str) -> None:
        """The run is over (finished, cancelled or failed): unlock the form and say how it ended."""
        if self.overall_bar.maximum() == 0:
            self.overall_bar.setRange(0, 1)
        self.stats_label.setText(text)
        self.append_log(text)
        self.set_running(False)

    def show_stopping(self) -> None:
        """DigitPad is quitting mid-run: say so until the run has stopped and the window closes."""
        self.set_busy("Stopping… (DigitPad closes when the current step is done)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")

    def closeEvent(self, event: QCloseEvent) -> None:
        # A running training keeps going in the background; Model > Train… shows this dialog again.
        self.save_settings()
        super().closeEvent(event)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
