"""A scrolling grid of misclassified test digits with their true and predicted labels (GUI thread).

Takes plain numpy values (uint8 ``(K, 28, 28)`` white ink on black, int
labels) and shows each digit enlarged with a caption "true 4 → 9".
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QWidget

ICON_PX = 56


def digit_pixmap(image: np.ndarray, size: int = ICON_PX) -> QPixmap:
    """A 28x28 uint8 image as a ``size`` px pixmap (nearest neighbour: the pixels stay crisp)."""
    data = np.ascontiguousarray(image, dtype=np.uint8)
    h, w = data.shape
    qimage = QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8).copy()  # own the pixels
    return QPixmap.fromImage(
        qimage.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
    )


class MisclassifiedGallery(QListWidget):
    """Icon grid of wrong answers; each item's text is "true T → P" and its tooltip says more."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(ICON_PX, ICON_PX))
        self.setGridSize(QSize(ICON_PX + 28, ICON_PX + 26))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.setWordWrap(False)

    def set_images(
        self, images: np.ndarray, true_labels: np.ndarray, predicted: np.ndarray, total_errors: int | None = None
    ) -> None:
        """Show ``images`` with their labels; ``total_errors`` notes when only some are shown."""
        self.clear()
        for image, true, pred in zip(images, true_labels, predicted, strict=False):
            item = QListWidgetItem(QIcon(digit_pixmap(image)), f"{int(true)} → {int(pred)}")
            item.setToolTip(f"A {int(true)}, read as {int(pred)}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.addItem(item)
        shown = len(images)
        if total_errors is not None and total_errors > shown:
            self.setToolTip(f"The first {shown} of {total_errors} misclassified test digits")
        else:
            self.setToolTip(f"{shown} misclassified test digits")
