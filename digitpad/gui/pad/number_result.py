"""What the network read as a number: the number large, one tile per digit, one digit's details.

GUI thread only.  Each tile shows the digit's 28x28 input, the digit and its
confidence; a digit that is not sure is marked.  Clicking a tile shows its ten
probabilities and ten buttons to correct that digit alone; a correction
changes the number on display and is announced by ``digit_corrected`` (the
hook for a personal sample store: it carries the digit's 28x28 input).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QFont, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.gui.pad.probability_bars import ProbabilityBars

PLACEHOLDER = "–"
TILE_ICON = 56  # the 28x28 input shown at twice its size
UNSURE_STYLE = "QToolButton { border: 2px solid palette(highlight); border-style: dashed; }"
EMPTY_HINT = "Write a number to see what the network reads"
LOW_CONFIDENCE = 0.75
"""Tiles below this confidence (or whose verdict is not "digit") are marked: the ones worth a look."""


def _low(d: Any) -> bool:
    return d.verdict != "digit" or float(d.confidence) < LOW_CONFIDENCE


class NumberResult(QWidget):
    """Shows a ``NumberReading`` (see ``digitpad.number_reader``) or the empty state.

    Signals: ``digit_corrected(index, digit, reading_digit)`` when the user
    corrects one digit (``reading_digit`` is the ``DigitReading`` as read).
    """

    digit_corrected = Signal(int, int, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reading: Any = None
        self._corrections: dict[int, int] = {}
        self._selected: int | None = None
        self._tiles: list[QToolButton] = []

        self.number_label = QLabel(PLACEHOLDER)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 3.2)
        font.setBold(True)
        self.number_label.setFont(font)
        self.number_label.setAccessibleName("Recognised number")
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint_label = QLabel(EMPTY_HINT)
        self.hint_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.hint_label.setWordWrap(True)

        self._tile_row = QHBoxLayout()
        self._tile_row.setContentsMargins(0, 0, 0, 0)
        self._tile_row.addStretch(1)
        tiles = QWidget()
        tiles.setLayout(self._tile_row)
        scroll = QScrollArea()
        scroll.setWidget(tiles)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumHeight(TILE_ICON + 3 * self.fontMetrics().height() + 12)

        self.detail_label = QLabel()
        self.bars = ProbabilityBars()
        self._correct_group = QButtonGroup(self)
        grid = QGridLayout()
        grid.setSpacing(2)
        for digit in range(10):
            button = QPushButton(str(digit))
            button.setAccessibleName(f"Correct to {digit}")
            button.setFixedWidth(self.fontMetrics().horizontalAdvance("00") + 16)
            self._correct_group.addButton(button, digit)
            grid.addWidget(button, digit // 5, digit % 5)
        self._correct_group.idClicked.connect(self._on_correct)
        detail = QVBoxLayout()
        detail.addWidget(self.detail_label)
        correct_caption = QLabel("Correct this digit to:")
        detail.addWidget(correct_caption)
        detail.addLayout(grid)
        detail.addStretch(1)
        self._detail = QWidget()
        row = QHBoxLayout(self._detail)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bars)
        row.addLayout(detail)

        left = QVBoxLayout()
        left.addWidget(self.number_label)
        left.addWidget(self.hint_label)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left)
        layout.addWidget(scroll, 1)
        layout.addWidget(self._detail)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.clear()

    # ---------------------------------------------------------------- queries
    def shown_number(self) -> str:
        """The number on display, corrections included ("" in the empty state)."""
        text = self.number_label.text()
        return "" if text == PLACEHOLDER else text

    def tiles(self) -> list[QToolButton]:
        return list(self._tiles)

    def selected(self) -> int | None:
        return self._selected

    # --------------------------------------------------------------- commands
    def clear(self, message: str = EMPTY_HINT) -> None:
        self._reading = None
        self._corrections = {}
        self._set_tiles([])
        self.number_label.setText(PLACEHOLDER)
        self.number_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.hint_label.setText(message)
        self._select(None)

    def set_reading(self, reading: Any) -> None:
        """Show a ``NumberReading``; an empty one shows the empty state."""
        if reading is None or not reading.digits:
            self.clear("No number found")
            return
        self._reading = reading
        self._corrections = {}
        self._set_tiles(list(reading.digits))
        self.number_label.setForegroundRole(QPalette.ColorRole.WindowText)
        low = sum(_low(d) for d in reading.digits)
        self.hint_label.setText(f"{low} digit{'s' if low > 1 else ''} not sure (dashed): click to check" if low else "")
        self._refresh_number()
        self._select(None)

    def select(self, index: int | None) -> None:
        """Show the probabilities of digit ``index`` (and the buttons to correct it)."""
        self._select(index)

    # ---------------------------------------------------------------- private
    def _set_tiles(self, digits: list[Any]) -> None:
        from digitpad.gui.widgets.qimage_array import gray_to_qimage

        for tile in self._tiles:
            self._tile_row.removeWidget(tile)
            tile.deleteLater()
        self._tiles = []
        for index, d in enumerate(digits):
            tile = QToolButton()
            tile.setCheckable(True)
            tile.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            tile.setIconSize(QSize(TILE_ICON, TILE_ICON))
            pixmap = QPixmap.fromImage(gray_to_qimage(d.preview)).scaled(
                TILE_ICON, TILE_ICON, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
            )
            tile.setIcon(QIcon(pixmap))
            tile.setProperty("digit_index", index)
            tile.clicked.connect(self._on_tile)
            self._tile_row.insertWidget(index, tile)
            self._tiles.append(tile)
            self._refresh_tile(index)

    def _refresh_tile(self, index: int) -> None:
        d = self._reading.digits[index]
        tile = self._tiles[index]
        if index in self._corrections:
            tile.setText(f"{self._corrections[index]}\ncorrected")
            tile.setStyleSheet("")
            tile.setAccessibleName(f"Digit {index + 1}: {self._corrections[index]}, corrected")
            return
        sure = not _low(d)
        tile.setText(f"{d.digit}{'' if sure else '?'}\n{d.confidence:.0%}")
        tile.setStyleSheet("" if sure else UNSURE_STYLE)
        tile.setToolTip("" if sure else "Not sure: click to see the alternatives")
        tile.setAccessibleName(f"Digit {index + 1}: {d.digit}, {d.confidence:.0%}{'' if sure else ', not sure'}")

    def _refresh_number(self) -> None:
        text = "".join(
            str(self._corrections.get(i, d.digit)) if d.verdict != "not-a-digit" or i in self._corrections else "?"
            for i, d in enumerate(self._reading.digits)
        )
        self.number_label.setText(text)

    def _select(self, index: int | None) -> None:
        self._selected = index
        for i, tile in enumerate(self._tiles):
            tile.setChecked(i == index)
        if index is None or self._reading is None:
            self._detail.setVisible(False)
            return
        d = self._reading.digits[index]
        self.bars.set_values([float(p) for p in d.probabilities], int(d.digit))
        self.detail_label.setText(f"Digit {index + 1} of {len(self._reading.digits)}: read {d.digit}")
        self._detail.setVisible(True)

    @Slot()
    def _on_tile(self) -> None:
        tile = self.sender()
        index = int(tile.property("digit_index")) if tile is not None else None
        self._select(None if index == self._selected else index)

    @Slot(int)
    def _on_correct(self, digit: int) -> None:
        index = self._selected
        if index is None or self._reading is None:
            return
        self._corrections[index] = digit
        self._refresh_tile(index)
        self._refresh_number()
        self.digit_corrected.emit(index, digit, self._reading.digits[index])
