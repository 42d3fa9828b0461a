"""Pieces shared by the two Qt test folders (tests/gui, tests/gui_training)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from digitpad.gui.widgets.qimage_array import gray_to_qimage


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path) -> Iterator[Path]:
    """Every QSettings of the test lives in its tmp folder, never the user's."""
    folder = tmp_path / "qsettings"
    folder.mkdir()
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


def drawn_seven() -> QImage:
    """A drawing of a 7 as the canvas renders it: white ink on black."""
    image = np.zeros((140, 140), np.uint8)
    image[30:42, 30:110] = 255
    for y in range(42, 120):
        x = int(110 - (y - 42) * 0.45)
        image[y, x - 6 : x + 6] = 255
    return gray_to_qimage(image)
