"""Light and dark appearance: follow the system's colour scheme, or force one (GUI thread only).

"system" leaves the platform's own style and palette alone when they already
match the system's scheme (Windows, macOS and GNOME/KDE platform themes do
that themselves); where the platform reports a dark scheme but hands Qt a
light palette (a bare X11 session, for one), DigitPad applies its own dark
palette.  "light" and "dark" use the Fusion style with DigitPad's palettes, so
they look the same everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")
THEME_LABELS = {"system": "&System", "light": "&Light", "dark": "&Dark"}

_ORIGINAL_STYLE = "digitpad_platform_style"
_FORCED_PALETTE = "digitpad_forced_palette"  # "", "light" or "dark": what apply() set last
_CR = QPalette.ColorRole
_CG = QPalette.ColorGroup


def dark_palette() -> QPalette:
    """A dark palette with readable disabled text and a blue highlight."""
    p = QPalette()
    colors = {
        _CR.Window: "#2b2d30",
        _CR.WindowText: "#e6e6e6",
        _CR.Base: "#1e1f22",
        _CR.AlternateBase: "#2f3134",
        _CR.ToolTipBase: "#3c3f44",
        _CR.ToolTipText: "#f0f0f0",
        _CR.PlaceholderText: "#8c8f94",
        _CR.Text: "#e6e6e6",
        _CR.Button: "#35373b",
        _CR.ButtonText: "#e6e6e6",
        _CR.BrightText: "#ff6b6b",
        _CR.Light: "#4a4d52",
        _CR.Midlight: "#404247",
        _CR.Mid: "#5c5f66",
        _CR.Dark: "#1a1b1d",
        _CR.Shadow: "#000000",
        _CR.Highlight: "#3d7be0",
        _CR.HighlightedText: "#ffffff",
        _CR.Link: "#6ea8ff",
        _CR.LinkVisited: "#b48eff",
    }
    for role, value in colors.items():
        p.setColor(role, QColor(value))
    for role in (_CR.WindowText, _CR.Text, _CR.ButtonText):
        p.setColor(_CG.Disabled, role, QColor("#75787d"))
    p.setColor(_CG.Disabled, _CR.Highlight, QColor("#4a4d52"))
    return p


def light_palette() -> QPalette:
    """Fusion's own light palette (what a bare Linux session shows)."""
    from PySide6.QtWidgets import QStyleFactory

    style = QStyleFactory.create("Fusion")
    return style.standardPalette() if style is not None else QPalette()


def system_scheme() -> Qt.ColorScheme:
    """What the platform says: Dark, Light or Unknown."""
    return QGuiApplication.styleHints().colorScheme()


def is_dark(palette: QPalette) -> bool:
    """True when text is lighter than the window behind it."""
    return palette.color(_CR.WindowText).lightness() > palette.color(_CR.Window).lightness()


class ThemeManager(QObject):
    """Applies a theme to the application and re-applies "system" when the system changes.

    ``changed`` is emitted after the palette changed (widgets that draw from
    the palette, such as the toolbar icons, refresh then).
    """

    changed = Signal()

    def __init__(self, app: QApplication, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        # The platform's own style, remembered once per application (a later window
        # must not take a forced Fusion for the platform's choice).
        if app.property(_ORIGINAL_STYLE) is None:
            app.setProperty(_ORIGINAL_STYLE, app.style().name())
        self._original_style = str(app.property(_ORIGINAL_STYLE))
        self.theme = "system"
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_changed)

    def apply(self, theme: str) -> None:
        """Use ``theme`` ("system", "light" or "dark"); anything else means "system"."""
        self.theme = theme if theme in THEMES else "system"
        forced = self._app.property(_FORCED_PALETTE)
        if self.theme == "system":
            if forced:  # undo what DigitPad set; otherwise the platform's look is in place already
                self._set_style(self._original_style)
                self._app.setPalette(QPalette())  # nothing resolved: back to the platform's palette
                self._app.setProperty(_FORCED_PALETTE, "")
            if system_scheme() == Qt.ColorScheme.Dark and not is_dark(self._app.palette()):
                self._force("dark")
        else:
            self._force(self.theme)
        self.changed.emit()

    def _force(self, theme: str) -> None:
        if self._app.property(_FORCED_PALETTE) == theme:
            return  # already on screen: no palette churn through every widget
        self._set_style("Fusion")
        self._app.setPalette(dark_palette() if theme == "dark" else light_palette())
        self._app.setProperty(_FORCED_PALETTE, theme)

    def _set_style(self, name: str) -> None:
        # Replacing the style deletes the old one under every widget: only when it changes.
        if self._app.style().name().lower() != name.lower():
            self._app.setStyle(name)

    def dark(self) -> bool:
        """Whether what is on screen now is dark."""
        return is_dark(self._app.palette())

    @Slot(Qt.ColorScheme)
    def _on_system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.theme == "system":
            self.apply("system")
