"""A dismissible message strip that floats over the top of a host widget (GUI thread only).

The strip is a child of its host but never part of a layout: showing or
hiding it cannot resize or move anything under it (the drawing pad must not
jump under the pen).  It goes away when dismissed, when the owner says the
message no longer applies, or after a timeout.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

DEFAULT_TIMEOUT_MS = 15_000
_INSET = 6  # logical pixels between the host's edges and the strip


class MessageBar(QFrame):
    """One line of trouble ("could not open …"); never a modal dialog."""

    dismissed = Signal()

    def __init__(self, host: QWidget, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        super().__init__(host)
        self._host = host
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def text(self) -> str:
        """The message on show, or "" when none is."""
        return "" if self.isHidden() else self.label.text()

    def show_message(self, text: str) -> None:
        """Show ``text`` over the top of the host (replacing any earlier message)."""
        self.label.setText(text)
        self.place()
        self.show()
        self.raise_()
        self._timer.start()

    @Slot()
    def dismiss(self) -> None:
        """Hide the message (it no longer applies); harmless when none is shown."""
        self._timer.stop()
        if not self.isHidden():
            self.hide()
            self.dismissed.emit()

    def place(self) -> None:
        """Span the host's top edge (the host calls this when it is resized)."""
        width = max(1, self._host.width() - 2 * _INSET)
        height = self.heightForWidth(width) if self.hasHeightForWidth() else self.sizeHint().height()
        self.setGeometry(_INSET, _INSET, width, max(height, self.minimumSizeHint().height()))


class MessageHost(QWidget):
    """Holds ``content`` (filling it) with a :class:`MessageBar` floating over its top."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(content)
        self.message_bar = MessageBar(self)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.message_bar.isHidden():
            self.message_bar.place()
