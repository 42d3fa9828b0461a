"""Toolbar and menu icons drawn from the shipped SVGs in the palette's colours (GUI thread only).

Each ``resources/icons/<name>.svg`` is a line drawing in ``currentColor``.
:func:`palette_icon` writes it once per colour, in the palette's button text
colour for the normal state and a clearly fainter one for the disabled state,
and hands both files to Qt's SVG icon engine, which renders them in C++ at
whatever size and pixel density a toolbar or menu asks for.  So the icons
follow a light or dark theme, and an enabled button never looks disabled.

(No ``QPixmap`` is made in Python on purpose: a pixmap wrapper that Python's
garbage collector happens to free in a worker thread crashes this PySide6.)
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPalette

from digitpad.resources import resource_path

DISABLED_ALPHA = 0.38  # Material's disabled-content opacity: visible, plainly inactive
_folder: Path | None = None


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


def coloured_svg(svg: str, color: QColor) -> str:
    """``svg`` with ``currentColor`` replaced by ``color`` (alpha as stroke and fill opacity)."""
    data = svg.replace("currentColor", color.name(QColor.NameFormat.HexRgb))
    if color.alphaF() < 1.0:  # SVG colours carry no alpha
        opacity = f"{color.alphaF():.2f}"
        data = data.replace("<svg ", f'<svg stroke-opacity="{opacity}" fill-opacity="{opacity}" ', 1)
    return data


def _icon_file(name: str, color: QColor) -> str:
    """The recoloured SVG as a file in this process's icon folder (written once, atomically)."""
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="digitpad-icons-"))
        atexit.register(shutil.rmtree, _folder, True)
    data = coloured_svg(_svg_text(name), color)
    path = _folder / f"{name}-{hashlib.sha1(data.encode()).hexdigest()[:12]}.svg"
    if not path.exists():
        temp = path.with_suffix(".tmp")
        temp.write_text(data, encoding="utf-8")
        os.replace(temp, path)
    return str(path)


def palette_icon(name: str, palette: QPalette) -> QIcon:
    """The shipped icon ``name`` in ``palette``'s colours; an empty icon when it is missing."""
    icon = QIcon()
    if not _svg_text(name):
        return icon
    normal, disabled = icon_colors(palette)
    icon.addFile(_icon_file(name, normal), QSize(), QIcon.Mode.Normal)
    icon.addFile(_icon_file(name, normal), QSize(), QIcon.Mode.Active)
    icon.addFile(_icon_file(name, disabled), QSize(), QIcon.Mode.Disabled)
    return icon
