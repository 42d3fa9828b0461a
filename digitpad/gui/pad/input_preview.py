"""The 28x28 network input, scaled up with hard pixel edges (GUI thread only)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class InputPreview(QWidget):
    """Shows what the network sees: white ink on black, nearest-neighbour scaled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setToolTip("What the network sees: your digit cropped, scaled and centred in 28x28 pixels")
        self.setAccessibleName("Network input preview")

    def image(self) -> QImage | None:
        return self._image

    def set_image(self, image: QImage | None) -> None:
        """A ``Grayscale8`` 28x28 copy, or None to show nothing."""
        self._image = image
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(28 * 4 + 2, 28 * 4 + 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(28 * 3 + 2, 28 * 3 + 2)  # 3x: still every input pixel visible, fits small screens

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        side = min(self.width(), self.height()) - 2
        # Whole multiples of 28 keep every input pixel the same size on screen.
        side = max(28, side - side % 28)
        target = QRectF((self.width() - side) / 2.0, (self.height() - side) / 2.0, side, side)
        painter.fillRect(target, Qt.GlobalColor.black)  # the network's own colours, in any theme
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            painter.drawImage(target, self._image)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
        painter.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5))
