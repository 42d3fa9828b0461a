"""The report after a run (GUI thread only): accuracy, confusion heat map, per-class table, gallery.

Shows a :class:`~digitpad.gui.training.worker.TrainingOutcome` (plain values
and numpy arrays; no tensor math here).  "Use these weights" emits
:attr:`use_weights_requested` with the saved file's path; the controller swaps
it into the inference worker and reports back through :meth:`set_weights_state`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitpad.gui.training.confusion_heatmap import ConfusionHeatmap
from digitpad.gui.training.misclassified_gallery import MisclassifiedGallery
from digitpad.gui.training.worker import TrainingOutcome

COLUMNS = ("digit", "precision", "recall", "F1", "count")


def kept_description(outcome: TrainingOutcome) -> str:
    """Which weights the run kept, as the history says: "best after epoch 2", or for a run
    stopped mid-epoch "kept the weights at the stop, 169 of 468 steps into epoch 1"."""
    o = outcome
    if not o.cancelled:
        return f"best after epoch {o.best_epoch}"
    full = [h for h in o.history if not h.get("partial")]
    if any(h.get("epoch") == o.best_epoch and h.get("test_accuracy") == o.test_accuracy for h in full):
        return f"kept the weights after epoch {o.best_epoch}, the best finished epoch"
    partial = [h for h in o.history if h.get("partial")]
    if partial and partial[-1].get("test_accuracy") == o.test_accuracy:
        before = [h for h in full if h.get("epoch", 0) < partial[-1].get("epoch", 0)]
        into = int(partial[-1].get("steps", 0)) - (int(before[-1].get("steps", 0)) if before else 0)
        per_epoch = int(full[0]["steps"]) if full and full[0].get("epoch") == 1 else 0
        of = f" of {per_epoch}" if per_epoch else ""
        return f"kept the weights at the stop, {into:,}{of} steps into epoch {partial[-1].get('epoch')}"
    return f"kept the best weights seen in epoch {o.best_epoch}"


class TrainingReport(QDialog):
    """A non-modal report of one training run."""

    use_weights_requested = Signal(str)  # the checkpoint's path

    def __init__(self, outcome: TrainingOutcome, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome = outcome
        how = "cancelled — best model so far" if outcome.cancelled else "finished"
        self.setWindowTitle(f"Training report: {outcome.model} ({how})")
        self.setModal(False)

        self.summary = QLabel(self._summary_html())
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.heatmap = ConfusionHeatmap()
        self.heatmap.set_matrix(outcome.confusion)
        heat_box = QGroupBox("Confusion matrix")
        QVBoxLayout(heat_box).addWidget(self.heatmap)

        self.table = QTableWidget(len(outcome.per_class), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeaderItem(4).setToolTip("test images of this digit")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for row, m in enumerate(outcome.per_class):
            values = (
                str(m.digit),
                f"{100 * m.precision:.2f}%",
                f"{100 * m.recall:.2f}%",
                f"{100 * m.f1:.2f}%",
                str(m.support),
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        table_box = QGroupBox("Per digit")
        QVBoxLayout(table_box).addWidget(self.table)

        self.gallery = MisclassifiedGallery()
        self.gallery.set_images(outcome.misclassified, outcome.true_labels, outcome.predicted_labels, outcome.errors)
        shown = len(outcome.misclassified)
        more = f" (the first {shown})" if outcome.errors > shown else ""
        gallery_box = QGroupBox(f"Misclassified test digits: {outcome.errors}{more}, true → predicted")
        QVBoxLayout(gallery_box).addWidget(self.gallery)

        self.weights_label = QLabel(f"Saved as <code>{_escape(outcome.weights_path)}</code>")
        self.weights_label.setTextFormat(Qt.TextFormat.RichText)
        self.weights_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.weights_label.setWordWrap(True)

        self.buttons = QDialogButtonBox()
        self.use_button = self.buttons.addButton("&Use these weights", QDialogButtonBox.ButtonRole.AcceptRole)
        self.folder_button = self.buttons.addButton("Show &folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.folder_button.clicked.connect(self.show_folder)
        self.close_button.clicked.connect(self.close)

        middle = QHBoxLayout()
        middle.addWidget(heat_box, 3)
        middle.addWidget(table_box, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(middle, 3)
        layout.addWidget(gallery_box, 2)
        layout.addWidget(self.weights_label)
        layout.addWidget(self.buttons)
        self.resize(900, 780)

    def _summary_html(self) -> str:
        o = self.outcome
        state = (
            "<b>Cancelled</b>: the report shows the best weights kept before the stop."
            if o.cancelled
            else "Training finished."
        )
        return (
            f"<p>{state}</p><p style='font-size:large'>Test accuracy <b>{100 * o.test_accuracy:.2f}%</b> "
            f"({o.test_count - o.errors:,} of {o.test_count:,} test digits; {o.errors:,} wrong), "
            f"{_escape(kept_description(o))}.</p>"
            f"<p>Model <b>{_escape(o.model)}</b> on {_escape(o.device)}, {o.steps:,} steps in "
            f"{o.seconds:.0f} s.</p>"
        )

    @Slot()
    def _on_use_clicked(self) -> None:
        self.use_button.setEnabled(False)
        self.use_button.setText("Loading…")
        self.use_weights_requested.emit(self.outcome.weights_path)

    def set_weights_state(self, in_use: bool, message: str = "") -> None:
        """After a swap: ``in_use`` disables the button ("In use"); a failure re-enables it."""
        self.use_button.setEnabled(not in_use)
        self.use_button.setText("In use" if in_use else "&Use these weights")
        if message:
            self.weights_label.setText(
                f"{_escape(message)}<br>Saved as <code>{_escape(self.outcome.weights_path)}</code>"
            )

    @Slot()
    def show_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.outcome.weights_path).parent)))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
