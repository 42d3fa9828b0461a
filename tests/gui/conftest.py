"""Fixtures for the GUI tests: real widgets, real threads, the real predictor, offscreen.

Settings never touch the user's: every test gets its own INI file, and
``QSettings.setPath`` points the default (native and INI) locations at a
temporary folder too, for code that builds ``QSettings()`` itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

import digitpad.gui  # noqa: F401  (applies the PySide6 None work-around first)
from digitpad.gui.main_window import MainWindow
from digitpad.resources import shipped_weights
from tests.qt_shared import MODEL_TIMEOUT_MS, isolated_qsettings  # noqa: F401  (autouse fixture)


@pytest.fixture
def weights() -> Path:
    path = shipped_weights()
    if not path.is_file():
        pytest.fail(f"shipped weights missing: {path}")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "digitpad.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings, weights) -> Iterator[Callable[..., MainWindow]]:
    """Builds shown windows whose model has loaded; closes them all at the end."""
    windows: list[MainWindow] = []

    def make(predictor_factory=None, qsettings: QSettings | None = None, wait: bool = True) -> MainWindow:
        window = MainWindow(qsettings or settings, predictor_factory)
        qtbot.addWidget(window)
        windows.append(window)
        if wait:
            with qtbot.waitSignal(window.model_changed, timeout=MODEL_TIMEOUT_MS):
                window.show()
        else:
            window.show()
        qtbot.waitExposed(window)
        return window

    yield make
    for window in windows:
        window.close()  # stops and waits for the worker thread


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window()
