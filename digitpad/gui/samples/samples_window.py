"""Model > My samples…: your samples as thumbnails grouped by digit; relabel, delete, export, import.

GUI thread only (the store's writer).  Opening reads the ids, labels and
28x28 inputs in one query; thumbnails are drawn when first seen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QTabBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.errors import DigitPadError
from digitpad.gui.samples.personal import PersonalSamples
from digitpad.gui.samples.sample_model import THUMB, SampleListModel


class SamplesWindow(QDialog):
    """A non-modal window over the personal store."""

    exported = Signal(int, str)  # how many, where
    imported = Signal(int, str)

    def __init__(self, samples: PersonalSamples, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("My samples")
        self.samples = samples
        self.model = SampleListModel()
        self.summary = QLabel()
        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        self.tabs.addTab("All")
        for digit in range(10):
            self.tabs.addTab(str(digit))
        self.tabs.currentChanged.connect(self._on_tab)
        self.view = QListView()
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setIconSize(QSize(THUMB, THUMB))
        self.view.setGridSize(QSize(THUMB + 14, THUMB + 26))
        self.view.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)  # lays out 10,000 items without a stall
        self.view.setModel(self.model)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)

        self.relabel_button = QToolButton()
        self.relabel_button.setText("Relabel as…")
        self.relabel_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.relabel_button)
        for digit in range(10):
            action = menu.addAction(str(digit))
            action.setData(digit)
        menu.triggered.connect(self._on_relabel_action)
        self.relabel_button.setMenu(menu)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete_selected)
        delete_key = QAction(self)
        delete_key.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete_key.triggered.connect(self.delete_selected)
        self.addAction(delete_key)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write DIR/<digit>/*.png (the layout digitpad evaluate --images reads)")
        self.export_button.clicked.connect(self._export_dialog)
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Add the images of a DIR/<digit>/* folder")
        self.import_button.clicked.connect(self._import_dialog)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for widget in (self.relabel_button, self.delete_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        for widget in (self.import_button, self.export_button, close):
            buttons.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.resize(720, 520)
        samples.changed.connect(self.reload)
        self.reload()

    # ------------------------------------------------------------- contents
    @Slot()
    def reload(self) -> None:
        """Read the store again (after any change)."""
        arrays = self.samples.read(lambda s: s.thumbnails(), None)
        if arrays is None:
            self.summary.setText("Your samples could not be read.")
            return
        ids, labels, images = arrays
        self.model.set_samples(ids, labels, images)
        counts = [int((labels == d).sum()) for d in range(10)]
        self.tabs.setTabText(0, f"All ({len(ids)})")
        for digit, n in enumerate(counts):
            self.tabs.setTabText(digit + 1, f"{digit} ({n})")
        store = self.samples.store()
        where = f" in {store.path}" if store is not None else ""
        self.summary.setText(
            f"{len(ids)} samples{where}." if len(ids) else "No samples yet: correct or confirm a reading to add one."
        )
        self._update_buttons()

    def counts(self) -> list[int]:
        return [int((self.model.labels == d).sum()) for d in range(10)]

    @Slot(int)
    def _on_tab(self, index: int) -> None:
        self.model.set_digit(None if index <= 0 else index - 1)
        self._update_buttons()

    def show_digit(self, digit: int | None) -> None:
        self.tabs.setCurrentIndex(0 if digit is None else digit + 1)

    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return self.model.sample_ids(rows)

    def select_rows(self, rows: list[int]) -> None:
        from PySide6.QtCore import QItemSelectionModel

        sel = self.view.selectionModel()
        sel.clearSelection()
        for row in rows:
            sel.select(self.model.index(row), QItemSelectionModel.SelectionFlag.Select)

    @Slot()
    def _update_buttons(self) -> None:
        chosen = bool(self.view.selectionModel().selectedIndexes())
        self.relabel_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)
        self.export_button.setEnabled(len(self.model.ids) > 0)

    # -------------------------------------------------------------- actions
    def relabel_selected(self, label: int) -> int:
        ids = self.selected_ids()
        if ids:
            self.samples.write(lambda s: [s.relabel(i, label) for i in ids])
        return len(ids)

    @Slot(QAction)
    def _on_relabel_action(self, action: QAction) -> None:
        self.relabel_selected(int(action.data()))

    @Slot()
    def delete_selected(self) -> int:
        ids = self.selected_ids()
        if not ids:
            return 0
        removed = self.samples.write(lambda s: s.delete(ids))
        return int(removed or 0)

    def export_to(self, folder: str | Path) -> int:
        from digitpad.sample_folder import export_folder

        store = self.samples.store()
        if store is None:
            return 0
        try:
            n = export_folder(store, folder)
        except DigitPadError as error:
            self.samples.failed.emit(str(error))
            return 0
        self.summary.setText(f"Exported {n} samples to {folder}.")
        self.exported.emit(n, str(folder))
        return n

    def import_from(self, folder: str | Path) -> int:
        from digitpad.sample_folder import import_folder

        result = self.samples.write(lambda s: import_folder(s, folder))
        if result is None:
            return 0
        added, skipped = result
        note = f" ({len(skipped)} files skipped)" if skipped else ""
        self.summary.setText(f"Imported {added} samples from {folder}{note}.")
        self.imported.emit(added, str(folder))
        return added

    @Slot()
    def _export_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export samples to")
        if folder:
            self.export_to(folder)

    @Slot()
    def _import_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import samples from (a folder with 0 … 9 inside)")
        if folder:
            self.import_from(folder)
