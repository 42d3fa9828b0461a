"""Start-up, settings across runs, weights choice and the ``main()`` entry point."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings

from digitpad.gui import app as gui_app
from digitpad.gui.settings import APPLICATION, ORGANIZATION

REPO = Path(__file__).resolve().parents[2]
MODEL_MS = 30_000


def test_importing_the_gui_does_not_import_torch_or_numpy():
    code = (
        "import sys; import digitpad.gui.app, digitpad.gui.main_window; "
        "print(sorted(m for m in ('torch', 'numpy') if m in sys.modules))"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_settings_are_remembered_across_windows(qtbot, make_window, settings, weights, tmp_path):
    first = make_window()
    first.resize(first.width() - 60, first.height())  # the offscreen screen is only 800x600
    size = first.size()
    first.pen_width_box.setValue(31)
    mine = tmp_path / "mine.pt"
    shutil.copyfile(weights, mine)
    with qtbot.waitSignal(first.model_changed, timeout=MODEL_MS):
        first.load_weights(mine)
    first.settings.set_last_folder(str(tmp_path))
    first.close()

    second = make_window(qsettings=QSettings(settings.fileName(), QSettings.Format.IniFormat), wait=False)
    qtbot.waitUntil(lambda: second.model_description.startswith("mine.pt"), timeout=MODEL_MS)
    assert "shipped" not in second.model_description
    assert second.statusBar().currentMessage() == f"Ready — model: {second.model_description}"
    assert second.canvas.pen_width() == 31 and second.pen_width_box.value() == 31
    assert second.size() == size
    assert second.settings.last_folder() == str(tmp_path)
    with qtbot.waitSignal(second.model_changed, timeout=MODEL_MS):
        second.shipped_weights_action.trigger()
    assert second.settings.weights() == ""


def test_missing_chosen_weights_fall_back_with_a_message(qtbot, make_window, settings, tmp_path):
    settings.setValue("model/weights", str(tmp_path / "deleted.pt"))
    window = make_window(wait=False)
    qtbot.waitUntil(lambda: window.model_description.startswith("digitpad.pt"), timeout=MODEL_MS)
    assert "deleted.pt" in window.message_bar.text()
    assert window.statusBar().currentMessage().startswith("Ready — model: digitpad.pt")
    assert window.settings.weights() == ""  # the next start does not complain again


def test_load_weights_dialog_with_a_bad_file_keeps_the_model(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x00" * 100)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: (str(bad), "")))
    with qtbot.waitSignal(window.model_failed, timeout=MODEL_MS):
        window.load_weights_action.trigger()
    assert window.message_bar.text()
    assert window.model_description.startswith("digitpad.pt")
    assert window.settings.weights() == ""


def test_main_runs_and_returns_zero(qtbot, monkeypatch):
    monkeypatch.setenv("DIGITPAD_GUI_TIMING", "1")
    monkeypatch.setenv("DIGITPAD_GUI_QUIT_WHEN_READY", "1")
    assert gui_app.main([]) == 0
    default = QSettings(ORGANIZATION, APPLICATION)
    assert default.value("window/geometry") is not None  # written to the test's own folder
