"""What the network read: the verdict, the digit, its confidence, ten bars and the 28x28 input.

GUI thread only.  Widgets are created once and updated in place (no flicker).
The four verdicts (``digitpad.verdict``): a firm digit shows big; ``unsure``
shows both candidates ("1 or 7?") greyed; ``not-a-digit`` says so and names the
closest digit; ``empty`` says "No digit found".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from digitpad.gui.pad.input_preview import InputPreview
from digitpad.gui.pad.probability_bars import ProbabilityBars

PLACEHOLDER_DIGIT = "–"
NOT_A_DIGIT_TEXT = "Not a\ndigit"  # two lines: it shares the row with the 28x28 preview


class ResultPanel(QWidget):
    """Shows one ``Prediction`` (see ``digitpad.predictor``) or the empty state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.digit_label = QLabel(PLACEHOLDER_DIGIT)
        self.digit_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 6)
        font.setBold(True)
        self._big_font = font
        # "1 or 7?" and "Not a digit" must fit the panel's fixed width
        self._medium_font = QFont(font)
        self._medium_font.setPointSizeF(self.font().pointSizeF() * 2.6)
        self.digit_label.setFont(font)
        self._shown: int | None = None
        self._verdict = "empty"
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
        self._shown, self._verdict = None, "empty"
        self.digit_label.setFont(self._big_font)
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
        digit = int(prediction.digit)
        confidence = float(prediction.confidence)
        probs = [float(p) for p in prediction.probabilities]
        verdict = str(getattr(prediction, "verdict", "digit"))
        runner = getattr(prediction, "runner_up", None)
        self._verdict = verdict
        if verdict == "not-a-digit":
            self._shown = None
            self._show(NOT_A_DIGIT_TEXT, self._medium_font, dim=True)
            not_digit = float(getattr(prediction, "not_digit", 0.0))
            self.confidence_label.setText(
                f"Looks like no digit ({not_digit:.0%} sure); closest digit: {digit} at {confidence:.0%}"
            )
        elif verdict == "unsure" and runner is not None:
            self._shown = digit
            self._show(f"{digit} or {int(runner)}?", self._medium_font, dim=True)
            self.confidence_label.setText(f"Unsure: {digit} {confidence:.0%}, {int(runner)} {probs[int(runner)]:.0%}")
        else:
            self._shown = digit
            self._show(str(digit), self._big_font, dim=False)
            self.confidence_label.setText(f"{confidence:.0%} confident")
        self.bars.set_values(probs, digit)
        self.preview.set_image(gray_to_qimage(prediction.preview))

    def _show(self, text: str, font: QFont, *, dim: bool) -> None:
        self.digit_label.setFont(font)
        self.digit_label.setText(text)
        self.digit_label.setForegroundRole(QPalette.ColorRole.PlaceholderText if dim else QPalette.ColorRole.WindowText)

    def shown_digit(self) -> int | None:
        """The (best) digit on display, None in the empty and not-a-digit states (tests, accessibility)."""
        return self._shown

    def shown_verdict(self) -> str:
        """The verdict on display: "digit", "unsure", "not-a-digit" or "empty"."""
        return self._verdict
