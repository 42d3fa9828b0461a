"""The non-modal Train dialog: settings form, progress bars, live curves and a log (GUI thread only).

The dialog never trains and never touches torch: its form is built from the
core's option table (:mod:`digitpad.train_options`), it builds a ``TrainConfig``
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
from digitpad.model_catalog import CATALOGUE, catalogue_names
from digitpad.paths import default_mnist_dir
from digitpad.train_options import OPTIONS, FoundDevices, Option, TrainConfig, config_from_values
from digitpad.training_events import EpochFinished, Started, StepProgress

SETTINGS_GROUP = "training"
MAX_LOG_LINES = 2000
FORM_OPTIONS = ("model", "epochs", "batch_size", "lr", "augment", "device", "data_dir")
"""The options the form offers, in its order; the rest keep their defaults (the CLI has them all)."""


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

    start_requested = Signal(TrainConfig)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a model")
        self.setModal(False)
        self._settings = settings if settings is not None else QSettings()
        self._running = False
        defaults = TrainConfig()

        # ---- settings form: one row per option of the table (digitpad.train_options)
        self._fields: dict[str, QWidget] = {}
        self.model_box = QComboBox()
        for name in catalogue_names(default_first=True):
            self.model_box.addItem(name, name)
            self.model_box.setItemData(
                self.model_box.count() - 1, CATALOGUE[name].description, Qt.ItemDataRole.ToolTipRole
            )
        self.model_info = QLabel()
        self.model_info.setWordWrap(True)
        self.model_info.setEnabled(False)  # dimmed: a description, not a control
        self.model_box.currentIndexChanged.connect(self._on_model_changed)
        self.device_box = QComboBox()
        self.device_box.addItem("Auto (GPU when present)", "auto")
        self.device_box.addItem("CPU", "cpu")
        self.data_edit = QLineEdit()
        self.data_edit.setPlaceholderText(str(default_mnist_dir()))
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse_data_folder)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_edit, 1)
        data_row.addWidget(self.browse_button)
        special: dict[str, QWidget] = {"model": self.model_box, "device": self.device_box, "data_dir": self.data_edit}
        form = QFormLayout()
        for name in FORM_OPTIONS:
            option = OPTIONS[name]
            widget = special.get(name) or _field_for(option)
            widget.setToolTip(option.help[:1].upper() + option.help[1:])
            self._fields[name] = widget
            if name == "data_dir":
                label = QLabel(option.label)
                label.setBuddy(self.data_edit)  # a row holding a layout gets no buddy by itself
                form.addRow(label, data_row)
            else:
                form.addRow(option.label, widget)
            if name == "model":
                form.addRow("", self.model_info)
        self.data_edit.setToolTip("A folder holding MNIST/raw; DigitPad offers to download MNIST there if missing")
        self.epochs_box = self._spin("epochs")
        self.batch_box = self._spin("batch_size")
        self.lr_box = self._double("lr")
        self.augment_box = self._check("augment")
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
    def _spin(self, name: str) -> QSpinBox:
        widget = self._fields[name]
        assert isinstance(widget, QSpinBox)
        return widget

    def _double(self, name: str) -> QDoubleSpinBox:
        widget = self._fields[name]
        assert isinstance(widget, QDoubleSpinBox)
        return widget

    def _check(self, name: str) -> QCheckBox:
        widget = self._fields[name]
        assert isinstance(widget, QCheckBox)
        return widget

    def load_settings(self, defaults: TrainConfig) -> None:
        s = self._settings
        s.beginGroup(SETTINGS_GROUP)
        try:
            for name in FORM_OPTIONS:
                if name not in ("device", "data_dir"):
                    _set_value(self._fields[name], s.value(name), getattr(defaults, name))
            self._wanted_device = str(s.value("device", defaults.device))
            self.data_edit.setText(str(s.value("data_dir", "") or ""))
        finally:
            s.endGroup()
        self._select_device(self._wanted_device)
        self._on_model_changed()

    def save_settings(self) -> None:
        s = self._settings
        s.beginGroup(SETTINGS_GROUP)
        for name in FORM_OPTIONS:
            s.setValue(name, _value(self._fields[name]))
        s.endGroup()
        s.sync()

    def data_folder(self) -> Path:
        """The chosen data folder (the default when the field is empty)."""
        text = self.data_edit.text().strip()
        return Path(text).expanduser() if text else default_mnist_dir()

    def config(self) -> TrainConfig:
        """A ``TrainConfig`` from the form (the widgets only hold valid values); one thread beside the app."""
        values = {name: _value(self._fields[name]) for name in FORM_OPTIONS}
        values["data_dir"] = str(self.data_folder())
        return config_from_values(values, base=TrainConfig(threads=1))

    def set_devices(self, found: FoundDevices) -> None:
        """Add the accelerators the worker found."""
        for device in found.devices:
            if self.device_box.findData(device.name) < 0:
                self.device_box.addItem(device.label, device.name)
        self._select_device(self._wanted_device)

    def _select_device(self, name: str) -> None:
        index = self.device_box.findData(name)
        if index >= 0:
            self.device_box.setCurrentIndex(index)

    @Slot()
    def _on_model_changed(self) -> None:
        name = self.model_box.currentData()
        self.model_info.setText(CATALOGUE[name].description if name in CATALOGUE else "")

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


def _field_for(option: Option) -> QWidget:
    """A spin box, double spin box or check box for an int, float or bool option, limited to its range."""
    low, high = option.range or (0, None)
    if option.type is bool:
        return QCheckBox(option.help[:1].upper() + option.help[1:])
    if option.type is int:
        spin = QSpinBox()
        spin.setRange(int(low), int(high) if high is not None else 2**31 - 1)
        if option.step:
            spin.setSingleStep(int(option.step))
        return spin
    if option.type is float:
        double = QDoubleSpinBox()
        double.setDecimals(4)
        double.setRange(float(low), float(high) if high is not None else 1e9)
        if option.step:
            double.setSingleStep(option.step)
        return double
    raise TypeError(f"no form field for option {option.name} of type {option.type.__name__}")


def _value(widget: QWidget) -> Any:
    if isinstance(widget, QComboBox):
        return str(widget.currentData())
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.value()
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    raise TypeError(f"unexpected form field {widget!r}")


def _set_value(widget: QWidget, stored: Any, default: Any) -> None:
    """Show a value read back from QSettings (strings in INI files), or ``default`` when unusable."""
    if isinstance(widget, QComboBox):
        index = widget.findData(str(stored if stored is not None else default))
        widget.setCurrentIndex(max(0, index))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(str(stored if stored is not None else default).lower() in ("true", "1"))
    elif isinstance(widget, QSpinBox):
        widget.setValue(_int(stored, default))
    elif isinstance(widget, QDoubleSpinBox):
        widget.setValue(_float(stored, default))


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
