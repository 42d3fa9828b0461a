"""What the network read: the digit, its confidence, ten bars and the 28x28 input.

GUI thread only.  Widgets are created once and updated in place (no flicker).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from digitpad.gui.pad.input_preview import InputPreview
from digitpad.gui.pad.probability_bars import ProbabilityBars

UNSURE_BELOW = 0.5
"""Below this confidence the digit is shown greyed out and labelled "unsure"."""
PLACEHOLDER_DIGIT = "–"


class ResultPanel(QWidget):
    """Shows one ``Prediction`` (see ``digitpad.predictor``) or the empty state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.digit_label = QLabel(PLACEHOLDER_DIGIT)
        self.digit_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 6)
        font.setBold(True)
        self.digit_label.setFont(font)
        self.digit_label.setAccessibleName("Recognised digit")
        self.confidence_label = QLabel()
        self.confidence_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.confidence_label.setWordWrap(True)
        self.bars = ProbabilityBars()
        self.preview = InputPreview()
        caption = QLabel("Network input\n(28×28)")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        # The digit and the network's input side by side: the panel must fit a
        # 720-pixel-high screen at 200% scale (the window's minimum height).
        preview_box = QVBoxLayout()
        preview_box.setSpacing(2)
        preview_box.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        preview_box.addWidget(caption)
        top = QHBoxLayout()
        top.addWidget(self.digit_label, 1)
        top.addLayout(preview_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.confidence_label)
        layout.addSpacing(4)
        layout.addWidget(self.bars)
        layout.addStretch(1)
        # A fixed width: answers arriving mid-stroke must never move the canvas under the pen.
        self.setFixedWidth(max(240, self.fontMetrics().averageCharWidth() * 32))
        self.clear()

    def clear(self, message: str = "Draw a digit to see what the network reads") -> None:
        """The empty state: no digit, empty bars and preview."""
        self.digit_label.setText(PLACEHOLDER_DIGIT)
        self.digit_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.confidence_label.setText(message)
        self.bars.clear()
        self.preview.set_image(None)

    def set_prediction(self, prediction: Any) -> None:
        """Show a ``Prediction``; an empty one shows no digit, only the preview."""
        from digitpad.gui.widgets.qimage_array import gray_to_qimage

        if prediction.empty or prediction.digit is None:
            self.clear("No digit found")
            self.preview.set_image(gray_to_qimage(prediction.preview))
            return
        confidence = float(prediction.confidence)
        unsure = confidence < UNSURE_BELOW
        self.digit_label.setText(str(int(prediction.digit)))
        self.digit_label.setForegroundRole(
            QPalette.ColorRole.PlaceholderText if unsure else QPalette.ColorRole.WindowText
        )
        self.confidence_label.setText(f"Unsure: {confidence:.0%}" if unsure else f"{confidence:.0%} confident")
        self.bars.set_values([float(p) for p in prediction.probabilities], int(prediction.digit))
        self.preview.set_image(gray_to_qimage(prediction.preview))

    def shown_digit(self) -> int | None:
        """The digit on display, or None in the empty state (for tests and accessibility)."""
        text = self.digit_label.text()
        return int(text) if text.isdigit() else None
