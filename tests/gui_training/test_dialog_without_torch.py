"""Opening Model > Train… imports no torch in the GUI thread (checked in a fresh interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

CODE = """
import sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
app = QApplication([])
from digitpad.gui.training.controller import TrainingController
from digitpad.gui.training.dialog import TrainingDialog
from digitpad.gui.training.report import TrainingReport
from digitpad.gui.training.worker import TrainingWorker
dialog = TrainingDialog(None, QSettings(sys.argv[1], QSettings.Format.IniFormat))
dialog.show()
app.processEvents()
config = dialog.config()
assert config.model == "digitpad" and config.threads == 1, config
assert "torch" not in sys.modules, "torch was imported"
assert "torchvision" not in sys.modules, "torchvision was imported"
print("no torch")
"""


def test_opening_the_training_dialog_imports_no_torch(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", CODE, str(tmp_path / "settings.ini")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no torch"
