"""Toolbar and menu icons drawn from the shipped SVGs in the palette's colours (GUI thread only).

Each ``resources/icons/<name>.svg`` is a line drawing in ``currentColor``.
:func:`palette_icon` paints it with the palette's button text colour for the
normal state and a clearly fainter colour for the disabled state, at the
usual icon sizes and at 1x and 2x pixel density, so the icons follow a light
or dark theme and an enabled button never looks like a disabled one.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from digitpad.resources import resource_path

ICON_SIZES = (16, 20, 24, 32, 48)
_RATIOS = (1.0, 2.0)
DISABLED_ALPHA = 0.38  # Material's disabled-content opacity: visible, plainly inactive


@lru_cache(maxsize=64)
def _svg_text(name: str) -> str:
    path = resource_path("icons", f"{name}.svg")
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def icon_colors(palette: QPalette) -> tuple[QColor, QColor]:
    """(normal, disabled) ink for icons on buttons of ``palette``."""
    normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
    disabled = QColor(normal)
    disabled.setAlphaF(DISABLED_ALPHA)
    return normal, disabled


def _render(svg: str, color: QColor, size: int, ratio: float) -> QPixmap:
    data = svg.replace("currentColor", color.name(QColor.NameFormat.HexRgb))
    if color.alphaF() < 1.0:  # SVG colours carry no alpha: use the stroke opacity
        data = data.replace("<svg ", f'<svg stroke-opacity="{color.alphaF():.2f}" ', 1)
    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    side = round(size * ratio)
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def palette_icon(name: str, palette: QPalette) -> QIcon:
    """The shipped icon ``name`` in ``palette``'s colours; an empty icon when it is missing."""
    svg = _svg_text(name)
    icon = QIcon()
    if not svg:
        return icon
    normal, disabled = icon_colors(palette)
    for size in ICON_SIZES:
        for ratio in _RATIOS:
            icon.addPixmap(_render(svg, normal, size, ratio), QIcon.Mode.Normal)
            icon.addPixmap(_render(svg, normal, size, ratio), QIcon.Mode.Active)
            icon.addPixmap(_render(svg, disabled, size, ratio), QIcon.Mode.Disabled)
    return icon
