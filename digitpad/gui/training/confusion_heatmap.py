"""A confusion matrix painted as a heat map (GUI thread only).

Rows are the true digit, columns the predicted one.  Each cell's colour is
the fraction of its row (so a rare digit's errors show as clearly as a
common one's): correct answers on the diagonal shade toward the palette's
highlight colour, errors toward red; both blend from the palette's base
colour, so the map reads in light and dark themes alike.  The count is
written in every non-empty cell in a colour that contrasts with its fill.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

ERROR_COLOUR = QColor(214, 39, 40)


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    t = min(max(t, 0.0), 1.0)
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def _luminance(c: QColor) -> float:
    return 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF()


class ConfusionHeatmap(QWidget):
    """Paints a 10x10 confusion matrix with axis labels; ``set_matrix`` takes int counts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matrix = np.zeros((10, 10), dtype=np.int64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(300, 300))
        self.setToolTip(
            "Rows: true digit. Columns: predicted digit. "
            "Colour: share of the row (diagonal: correct, elsewhere: errors)."
        )

    def set_matrix(self, matrix: np.ndarray) -> None:
        """Show ``matrix`` (rows true digit, columns predicted)."""
        self._matrix = np.asarray(matrix, dtype=np.int64).copy()
        self.update()

    def matrix(self) -> np.ndarray:
        return self._matrix.copy()

    def cell_colour(self, row: int, column: int) -> QColor:
        """The fill of one cell (also what tests check)."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        total = int(self._matrix[row].sum())
        share = self._matrix[row, column] / total if total else 0.0
        if row == column:
            return _blend(base, palette.color(QPalette.ColorRole.Highlight), share)
        # errors are rare: a square root makes a 1-2 % confusion visible
        return _blend(base, ERROR_COLOUR, min(1.0, float(np.sqrt(share)) * 1.6))

    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        label_w = max(34, self.fontMetrics().horizontalAdvance("true 0") + 8)
        label_h = self.fontMetrics().height() * 2 + 4
        side = max(10.0, min(self.width() - label_w, self.height() - label_h) / 10.0)
        left, top = float(label_w), float(label_h)
        painter.setPen(text)
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(QRectF(left, 0, side * 10, label_h / 2), Qt.AlignmentFlag.AlignCenter, "predicted")
        painter.drawText(QRectF(0, 0, label_w, label_h), Qt.AlignmentFlag.AlignCenter, "true")
        painter.setFont(self.font())
        for d in range(10):
            painter.drawText(
                QRectF(left + d * side, label_h / 2, side, label_h / 2), Qt.AlignmentFlag.AlignCenter, str(d)
            )
            painter.drawText(
                QRectF(0, top + d * side, label_w - 6, side),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(d),
            )
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, min(small.pointSizeF(), side / 3.2)))
        painter.setFont(small)
        grid = palette.color(QPalette.ColorRole.Mid)
        for r in range(10):
            for c in range(10):
                rect = QRectF(left + c * side, top + r * side, side, side)
                fill = self.cell_colour(r, c)
                painter.fillRect(rect, fill)
                painter.setPen(grid)
                painter.drawRect(rect)
                count = int(self._matrix[r, c])
                if count:
                    painter.setPen(
                        QColor(Qt.GlobalColor.black) if _luminance(fill) > 0.5 else QColor(Qt.GlobalColor.white)
                    )
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count))
        painter.end()
