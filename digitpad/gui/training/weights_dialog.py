"""Model > Trained weights…: the files training runs saved; use, delete, show the folder.

GUI thread, except :class:`_CatalogWorker`, which reads the checkpoints
(torch) in its own thread and hands back plain ``WeightsInfo`` values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitpad.gui.widgets.worker_thread import start_worker_thread, stop_worker_thread

COLUMNS = ("File", "Model", "Test accuracy", "Saved", "Size")
_USABLE = Qt.ItemDataRole.UserRole + 1  # False until the checkpoint was read, and for broken files


class _CatalogWorker(QObject):
    """Reads the weights folder off the GUI thread (checkpoints need torch)."""

    scanned = Signal(int, list)  # scan id, [WeightsInfo]

    @Slot(int, str)
    def scan(self, scan_id: int, folder: str) -> None:
        from digitpad.weights_catalog import list_weights

        try:
            found = list_weights(Path(folder))
        except OSError:
            found = []  # the folder vanished mid-scan: show it empty, a refresh tries again
        self.scanned.emit(scan_id, found)

    def stop(self) -> None:
        """Nothing to interrupt: a scan is a few small files."""


def _saved(info: Any) -> str:
    text = info.date or info.modified.isoformat(timespec="seconds")
    return text.replace("T", " ").split("+")[0]


class TrainedWeightsDialog(QDialog):
    """Lists ``folder``'s weights with accuracy and date; ``use_requested(path)`` swaps one in."""

    use_requested = Signal(str)
    listed = Signal()  # the list on screen is up to date (for tests)
    _scan_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None, folder: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle("Trained weights")
        self.folder = Path(folder)
        self._scan_id = 0
        self._listed_id = 0  # the scan whose answer is on screen
        self.folder_label = QLabel(f"Weights saved by training runs, in {self.folder}")
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(self._use_selected)
        self.empty_label = QLabel("No trained weights yet: Model > Train… saves one file per run here.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.use_button = QPushButton("&Use for recognition")
        self.delete_button = QPushButton("&Delete…")
        self.folder_button = QPushButton("Show &folder")
        for button in (self.use_button, self.delete_button, self.folder_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.use_button.clicked.connect(self._use_selected)
        self.delete_button.clicked.connect(self._delete_selected)
        self.folder_button.clicked.connect(self.show_folder)
        self.buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.folder_label)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.buttons)
        self.resize(640, 320)
        self._worker = _CatalogWorker()
        self._worker.scanned.connect(self._on_scanned)
        self._scan_requested.connect(self._worker.scan)
        self._thread = start_worker_thread(self._worker, "weights-catalog", self)
        self._update_buttons()

    # ------------------------------------------------------------ listing
    @Slot()
    def refresh(self) -> None:
        """Read the folder again: the names at once, what the checkpoints say from the worker thread.

        Answered by ``listed`` once the checkpoints have been read.
        """
        from digitpad.weights_catalog import weights_files  # the listing itself needs no torch

        self._scan_id += 1
        self.tree.clear()
        files = weights_files(self.folder)
        for path in files:
            item = QTreeWidgetItem([path.name, "…", "…", "", f"{path.stat().st_size / 1024:.0f} KB"])
            item.setData(0, Qt.ItemDataRole.UserRole, str(path))
            item.setData(0, _USABLE, False)  # usable once its checkpoint has been read
            self.tree.addTopLevelItem(item)
        self.empty_label.setVisible(not files)
        self._update_buttons()
        self._scan_requested.emit(self._scan_id, str(self.folder))

    @Slot(int, list)
    def _on_scanned(self, scan_id: int, found: list) -> None:
        if scan_id != self._scan_id:
            return  # a newer scan is on its way
        self._listed_id = scan_id
        self.tree.clear()
        for info in found:
            accuracy = f"{100 * info.test_accuracy:.2f}%" if info.test_accuracy is not None else "—"
            item = QTreeWidgetItem(
                [info.path.name, info.model or "?", accuracy, _saved(info), f"{info.size / 1024:.0f} KB"]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, str(info.path))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(0, _USABLE, not info.problem)
            if info.problem:
                item.setToolTip(0, info.problem)
                item.setText(1, "unusable")
                item.setForeground(1, self.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            self.tree.addTopLevelItem(item)
        self.empty_label.setVisible(not found)
        self._update_buttons()
        self.listed.emit()

    def is_reading(self) -> bool:
        """True while the newest scan of the folder has not answered yet."""
        return self._listed_id != self._scan_id

    def paths(self) -> list[str]:
        """The files on screen, top to bottom."""
        return [
            str(self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole))
            for i in range(self.tree.topLevelItemCount())
        ]

    def selected_path(self) -> str | None:
        items = self.tree.selectedItems()
        return str(items[0].data(0, Qt.ItemDataRole.UserRole)) if items else None

    def select(self, path: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            item.setSelected(item.data(0, Qt.ItemDataRole.UserRole) == path)

    @Slot()
    def _update_buttons(self) -> None:
        items = self.tree.selectedItems()
        usable = bool(items) and bool(items[0].data(0, _USABLE))
        self.use_button.setEnabled(usable)
        self.delete_button.setEnabled(bool(items))

    # ------------------------------------------------------------ actions
    @Slot()
    def _use_selected(self) -> None:
        path = self.selected_path()
        if path is not None and self.use_button.isEnabled():
            self.use_requested.emit(path)

    @Slot()
    def _delete_selected(self) -> None:
        path = self.selected_path()
        if path is None or not self.confirm_delete(Path(path)):
            return
        try:
            Path(path).unlink()
        except FileNotFoundError:
            pass  # already gone: the refresh shows it
        except OSError as error:
            QMessageBox.warning(self, "Could not delete", f"Could not delete {Path(path).name}: {error.strerror}")
        self.refresh()

    def confirm_delete(self, path: Path) -> bool:
        """A modal question (tests replace this method)."""
        answer = QMessageBox.question(
            self,
            "Delete weights",
            f"Delete {path.name}?\n\nThe file is removed from {path.parent}; this cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def show_folder(self) -> bool:
        """Open the folder in the desktop's file manager (created first when missing)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    # ------------------------------------------------------------ closing
    def shutdown(self) -> None:
        """Stop and wait for the catalogue thread (the main window calls this on close)."""
        if self._thread.isRunning():
            stop_worker_thread(self._worker, self._thread)
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)  # only hides: the dialog is reused on the next Trained weights…
