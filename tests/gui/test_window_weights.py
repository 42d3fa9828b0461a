"""Model > Trained weights…: list the user's weights with accuracy and date, use, delete, show folder."""

from __future__ import annotations

import os
import shutil

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from digitpad.weights_catalog import list_weights

MODEL_MS = 30_000


def _weights_home(tmp_path, monkeypatch, weights):
    monkeypatch.setenv("DIGITPAD_HOME", str(tmp_path / "home"))
    folder = tmp_path / "home" / "weights"
    folder.mkdir(parents=True)
    older = shutil.copy(weights, folder / "cnn-20260101-090000.pt")
    newer = shutil.copy(weights, folder / "cnn-20260102-090000.pt")
    os.utime(older, (1_700_000_000, 1_700_000_000))
    (folder / "notes.pt").write_text("not weights\n")
    (folder / "readme.txt").write_text("ignored: not a weights file\n")
    return folder, older, newer


def test_the_catalogue_reads_accuracy_and_date(tmp_path, monkeypatch, weights):
    folder, older, newer = _weights_home(tmp_path, monkeypatch, weights)
    found = list_weights(folder)
    assert [i.path.name for i in found][-1] == "cnn-20260101-090000.pt"  # newest first
    good = [i for i in found if not i.problem]
    assert len(good) == 2 and all(i.test_accuracy and 0.9 < i.test_accuracy <= 1 and i.date for i in good)
    (bad,) = [i for i in found if i.problem]
    assert bad.path.name == "notes.pt" and "\n" not in bad.problem


def test_list_use_delete_and_show_folder(qtbot, window, tmp_path, monkeypatch, weights):
    folder, older, newer = _weights_home(tmp_path, monkeypatch, weights)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    window.trained_weights_action.trigger()
    dialog = window._weights_dialog
    assert len(dialog.paths()) == 3  # the names at once; what the checkpoints say follows from the thread
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=MODEL_MS)
    rows = {item.text(0): item for item in (dialog.tree.topLevelItem(i) for i in range(3))}
    assert rows[newer.name].text(2).endswith("%")  # accuracy from the checkpoint's meta
    assert rows[newer.name].text(3).startswith("20")  # its date
    assert rows["notes.pt"].text(1) == "unusable"
    dialog.select(str(folder / "notes.pt"))
    assert not dialog.use_button.isEnabled() and dialog.delete_button.isEnabled()  # broken: delete only

    dialog.select(str(newer))
    with qtbot.waitSignal(window.model_changed, timeout=MODEL_MS) as blocker:
        dialog.use_button.click()
    assert blocker.args[0] == "cnn-20260102-090000.pt"
    assert window.settings.weights() == str(newer)
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=MODEL_MS)  # the new model refreshed the list

    dialog.select(str(older))
    assert dialog.delete_button.isEnabled()
    monkeypatch.setattr(dialog, "confirm_delete", lambda path: False)
    dialog.delete_button.click()
    assert older.exists()  # "No" keeps it
    monkeypatch.setattr(dialog, "confirm_delete", lambda path: True)
    with qtbot.waitSignal(dialog.listed, timeout=MODEL_MS):
        dialog.delete_button.click()
    assert not older.exists() and str(older) not in dialog.paths() and len(dialog.paths()) == 2

    dialog.folder_button.click()
    assert opened == [QUrl.fromLocalFile(str(folder))]


def test_an_empty_folder_says_how_weights_get_there(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITPAD_HOME", str(tmp_path / "nothing-yet"))
    window.trained_weights_action.trigger()
    dialog = window._weights_dialog
    qtbot.waitUntil(lambda: not dialog.empty_label.isHidden(), timeout=MODEL_MS)
    assert "Model > Train…" in dialog.empty_label.text() and dialog.paths() == []
