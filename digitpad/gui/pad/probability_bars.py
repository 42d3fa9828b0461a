"""Ten custom-painted probability bars, one per digit (GUI thread only)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


class ProbabilityBars(QWidget):
    """Horizontal bars "0 ▇▇▇ 12%" … "9"; the most probable digit is highlighted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: tuple[float, ...] = (0.0,) * 10
        self._best: int | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Probabilities")

    def values(self) -> tuple[float, ...]:
        return self._values

    def set_values(self, values: Sequence[float], best: int | None) -> None:
        """Show ten probabilities (0..1); ``best`` is highlighted (None: nothing)."""
        new = tuple(float(v) for v in values)
        if len(new) != 10:
            raise ValueError("expected ten probabilities")
        if new == self._values and best == self._best:
            return
        self._values, self._best = new, best
        self.setToolTip("\n".join(f"{d}: {v:.1%}" for d, v in enumerate(new)))
        self.update()

    def clear(self) -> None:
        self.set_values((0.0,) * 10, None)

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 6

    def sizeHint(self) -> QSize:
        return QSize(220, 10 * self._row_height())

    def minimumSizeHint(self) -> QSize:
        # Rows may shrink to the text's height: the window must fit small screens at 200%.
        return QSize(140, 10 * (self.fontMetrics().height() + 1))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        metrics = self.fontMetrics()
        row = self.height() / 10.0
        label_w = metrics.horizontalAdvance("9") + 8
        pct_w = metrics.horizontalAdvance("100%") + 8
        bar_w = max(10.0, self.width() - label_w - pct_w)
        for digit, value in enumerate(self._values):
            top = digit * row
            best = digit == self._best
            text_role = QPalette.ColorRole.Text if best or value >= 0.005 else QPalette.ColorRole.PlaceholderText
            painter.setPen(palette.color(text_role))
            font = painter.font()
            font.setBold(best)
            painter.setFont(font)
            painter.drawText(
                QRectF(0, top, label_w - 6, row),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(digit),
            )
            track = QRectF(label_w, top + row * 0.2, bar_w, row * 0.6)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(track, 3, 3)
            if value > 0:
                fill = QRectF(track.x(), track.y(), max(2.0, bar_w * min(1.0, value)), track.height())
                role = QPalette.ColorRole.Highlight if best else QPalette.ColorRole.Mid
                painter.setBrush(palette.color(role))
                painter.drawRoundedRect(fill, 3, 3)
            painter.setPen(palette.color(text_role))
            painter.drawText(
                QRectF(label_w + bar_w, top, pct_w, row),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{value:.0%}" if value > 0 else "",
            )
