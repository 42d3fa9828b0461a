"""The samples as a Qt list model: ids, labels and 28x28 inputs in numpy, icons made on demand.

GUI thread only.  Opening with 10,000 samples costs one SQL query and three
arrays; an icon is built only when the view first paints that thumbnail.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QPixmap

from digitpad.gui.widgets.qimage_array import gray_to_qimage

THUMB = 56  # two screen pixels per network pixel
IdRole = Qt.ItemDataRole.UserRole + 1
LabelRole = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


class SampleListModel(QAbstractListModel):
    """Thumbnails of one digit's samples (or all of them), in store order."""

    def __init__(self) -> None:
        super().__init__()
        self.ids = np.zeros(0, np.int64)
        self.labels = np.zeros(0, np.int64)
        self.images = np.zeros((0, 28, 28), np.uint8)
        self._rows = np.zeros(0, np.int64)  # indices into the arrays shown for the current filter
        self._icons: dict[int, QPixmap] = {}
        self.digit: int | None = None

    def set_samples(self, ids: np.ndarray, labels: np.ndarray, images: np.ndarray) -> None:
        self.beginResetModel()
        self.ids, self.labels, self.images = ids, labels, images
        self._icons.clear()
        self._rows = self._filtered()
        self.endResetModel()

    def set_digit(self, digit: int | None) -> None:
        """Show only ``digit``'s samples (None: all, grouped by digit)."""
        self.beginResetModel()
        self.digit = digit
        self._rows = self._filtered()
        self.endResetModel()

    def _filtered(self) -> np.ndarray:
        if self.digit is None:
            return np.arange(len(self.ids))
        return np.flatnonzero(self.labels == self.digit)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        i = int(self._rows[index.row()])
        if role == Qt.ItemDataRole.DecorationRole:
            icon = self._icons.get(i)
            if icon is None:
                image = gray_to_qimage(np.ascontiguousarray(255 - self.images[i]))  # dark ink on light
                icon = QPixmap.fromImage(image.scaled(QSize(THUMB, THUMB)))
                self._icons[i] = icon
            return icon
        if role == Qt.ItemDataRole.DisplayRole:
            return str(int(self.labels[i]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Sample {int(self.ids[i])}: {int(self.labels[i])}"
        if role == IdRole:
            return int(self.ids[i])
        if role == LabelRole:
            return int(self.labels[i])
        return None

    def sample_ids(self, rows: list[int]) -> list[int]:
        return [int(self.ids[self._rows[r]]) for r in rows if 0 <= r < len(self._rows)]
