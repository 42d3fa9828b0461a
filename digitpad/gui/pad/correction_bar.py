"""The row under the result: "Wrong? It's …" 0-9, a confirm button and undo (GUI thread only).

The bar only says what the user chose (``corrected``, ``confirmed``,
``undo_requested``); :class:`digitpad.gui.samples.corrections.CorrectionController`
stores the sample and updates the result.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget


class CorrectionBar(QWidget):
    """Ten digit buttons, "✓ Right" and "Undo correction"."""

    corrected = Signal(int)  # the digit the user says it is
    confirmed = Signal()  # the reading was right
    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("correction-bar")
        self.prompt = QLabel("Wrong? It's")
        self.prompt.setToolTip("Tell DigitPad the right digit (or press a digit key on the pad)")
        self.digit_buttons: list[QPushButton] = []
        digits = QHBoxLayout()
        digits.setSpacing(1)
        for digit in range(10):
            button = QPushButton(str(digit))
            button.setObjectName(f"correct-{digit}")
            button.setAccessibleName(f"It is a {digit}")
            button.setToolTip(f"It's a {digit} (key {digit} on the pad)")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the pad keeps the keyboard
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(16)
            button.setCheckable(True)
            button.clicked.connect(self._on_digit)
            digits.addWidget(button)
            self.digit_buttons.append(button)
        self.confirm_button = QPushButton("✓ Right")
        self.confirm_button.setToolTip("The reading is right: keep it as your sample (Enter on the pad)")
        self.confirm_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.confirm_button.clicked.connect(self.confirmed)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Take the correction back (Backspace on the pad)")
        self.undo_button.setAccessibleName("Undo correction")
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.undo_button.clicked.connect(self.undo_requested)
        self.note = ""  # what the bar last said (its tooltip): the panel has no height to spare
        top = QHBoxLayout()
        top.addWidget(self.prompt, 1)
        top.addWidget(self.confirm_button)
        top.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(digits)
        self.set_state(available=False)

    def set_state(self, *, available: bool, chosen: int | None = None, note: str = "") -> None:
        """``available``: a reading is on screen; ``chosen``: the label already given to it (undo offered)."""
        for digit, button in enumerate(self.digit_buttons):
            button.setEnabled(available)
            button.setChecked(chosen == digit)
        self.confirm_button.setEnabled(available and chosen is None)
        self.undo_button.setEnabled(available and chosen is not None)
        self.note = note
        self.setToolTip(note)

    @Slot()
    def _on_digit(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton) and button in self.digit_buttons:
            self.corrected.emit(self.digit_buttons.index(button))
