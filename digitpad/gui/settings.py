"""What DigitPad remembers between runs, as typed accessors over ``QSettings``.

Organisation "DigitPad", application "DigitPad".  Tests pass their own
``QSettings`` (an INI file in a temporary folder) so the user's are never touched.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from digitpad.gui.pad.canvas import DEFAULT_PEN_WIDTH

ORGANIZATION = "DigitPad"
APPLICATION = "DigitPad"


class AppSettings:
    """Window geometry, pen width, last folder, the chosen weights file and the theme."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)

    def geometry(self) -> QByteArray | None:
        value = self.qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, geometry: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)

    def pen_width(self) -> int:
        try:
            return int(self.qsettings.value("canvas/pen_width", DEFAULT_PEN_WIDTH))
        except (TypeError, ValueError):
            return DEFAULT_PEN_WIDTH

    def set_pen_width(self, width: int) -> None:
        self.qsettings.setValue("canvas/pen_width", int(width))

    def last_folder(self) -> str:
        return str(self.qsettings.value("files/last_folder", "") or "")

    def set_last_folder(self, folder: str) -> None:
        self.qsettings.setValue("files/last_folder", folder)

    def weights(self) -> str:
        """The weights file the user chose; "" means the shipped weights."""
        return str(self.qsettings.value("model/weights", "") or "")

    def set_weights(self, path: str) -> None:
        self.qsettings.setValue("model/weights", path)

    def number_mode(self) -> bool:
        """True when the pad was last used for whole numbers (View > Number mode)."""
        return str(self.qsettings.value("pad/mode", "digit")) == "number"

    def set_number_mode(self, on: bool) -> None:
        self.qsettings.setValue("pad/mode", "number" if on else "digit")

    def theme(self) -> str:
        """ "system" (follow the desktop), "light" or "dark"."""
        value = str(self.qsettings.value("view/theme", "system") or "system")
        return value if value in ("system", "light", "dark") else "system"

    def set_theme(self, theme: str) -> None:
        self.qsettings.setValue("view/theme", theme)

    def sync(self) -> None:
        self.qsettings.sync()
