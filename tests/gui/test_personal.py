"""Correcting a reading, My samples, and personalising through the menu (real window, real threads)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from digitpad.sample_store import SampleStore, default_store_path
from tests.gui.gui_helpers import SEVEN, draw
from tests.personal_writer import flag_ones
from tests.qt_shared import ANSWER_TIMEOUT_MS, MODEL_TIMEOUT_MS


def drawn(qtbot, window) -> int:
    """Draw a 7 and wait for its reading; returns the digit read."""
    with qtbot.waitSignal(window.prediction_shown, timeout=ANSWER_TIMEOUT_MS):
        draw(window.canvas, SEVEN)
    qtbot.waitUntil(lambda: window.last_prediction is not None and window.requests.shown_id == window.latest_request_id)
    return int(window.last_prediction.digit)


def stored() -> list:
    with SampleStore.open(default_store_path()) as store:
        return list(store.samples())


def test_correcting_by_button_stores_the_sample_and_marks_the_result(qtbot, window) -> None:
    bar = window.personal.bar
    assert not bar.digit_buttons[1].isEnabled()  # nothing read yet
    read = drawn(qtbot, window)
    assert bar.digit_buttons[1].isEnabled() and bar.confirm_button.isEnabled()
    qtbot.mouseClick(bar.digit_buttons[1], Qt.MouseButton.LeftButton)
    (sample,) = stored()
    assert (sample.label, sample.source, sample.predicted) == (1, "pad", read)
    assert sample.strokes is not None and len(sample.strokes) == len(SEVEN)
    assert sample.model == window.model_description and 0 < (sample.confidence or 0) <= 1
    np.testing.assert_array_equal(sample.image, window.last_prediction.preview)
    assert window.result_panel.digit_label.text() == "1"
    assert "Corrected by you" in window.result_panel.confidence_label.text()
    assert bar.undo_button.isEnabled() and not bar.confirm_button.isEnabled()
    qtbot.mouseClick(bar.digit_buttons[2], Qt.MouseButton.LeftButton)  # changing my mind relabels, no new row
    assert [s.label for s in stored()] == [2]
    qtbot.mouseClick(bar.undo_button, Qt.MouseButton.LeftButton)
    assert stored() == []
    assert window.result_panel.shown_digit() == read and "Corrected" not in window.result_panel.confidence_label.text()


def test_digit_keys_on_the_pad_correct_and_backspace_undoes(qtbot, window) -> None:
    drawn(qtbot, window)
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_4)
    assert [s.label for s in stored()] == [4]
    assert window.result_panel.digit_label.text() == "4"
    QTest.keyClick(window.canvas, Qt.Key.Key_Backspace)
    assert stored() == []
    draw(window.canvas, [[(0.2, 0.9), (0.3, 0.95)]])  # a new stroke: a new reading, the bar starts afresh
    qtbot.waitUntil(lambda: window.personal.bar.confirm_button.isEnabled(), timeout=ANSWER_TIMEOUT_MS)
    QTest.keyClick(window.canvas, Qt.Key.Key_Return)  # Enter confirms the reading
    (sample,) = stored()
    assert sample.label == sample.predicted == window.last_prediction.digit
    assert "Confirmed by you" in window.result_panel.confidence_label.text()


def test_the_samples_window_relabels_deletes_exports_and_imports(qtbot, window, tmp_path: Path) -> None:
    images = flag_ones(6, seed=7)
    window.personal.samples.write(
        lambda s: s.add_many([{"label": d % 3, "image": images[d], "source": "file"} for d in range(6)])
    )
    window.personal.personalize.samples_action.trigger()
    dialog = window.personal.personalize.samples_window
    qtbot.waitExposed(dialog)
    assert dialog.counts()[:3] == [2, 2, 2]
    assert dialog.tabs.tabText(0) == "All (6)" and dialog.tabs.tabText(1) == "0 (2)"
    dialog.show_digit(1)
    assert dialog.model.rowCount() == 2
    assert dialog.model.data(dialog.model.index(0), Qt.ItemDataRole.DecorationRole).width() > 28
    dialog.select_rows([0])
    assert dialog.relabel_selected(9) == 1
    assert dialog.counts()[1] == 1 and dialog.counts()[9] == 1
    dialog.show_digit(None)
    dialog.select_rows([0, 1])
    assert dialog.delete_selected() == 2
    assert sum(dialog.counts()) == 4 and len(stored()) == 4
    out = tmp_path / "export"
    assert dialog.export_to(out) == 4
    assert sorted(p.parent.name for p in out.rglob("*.png")) == sorted(str(s.label) for s in stored())
    assert dialog.import_from(out) == 4
    assert sum(dialog.counts()) == 8 and dialog.tabs.tabText(0) == "All (8)"


def test_personalising_from_the_menu_then_back_to_shipped(qtbot, window) -> None:
    control = window.personal.personalize
    assert control.mine_label.isHidden()
    images = flag_ones(12, seed=8)
    window.personal.samples.write(lambda s: s.add_many([{"label": 1, "image": im} for im in images]))
    control.job_config = {"steps": 12, "max_general_drop": 0.05}  # a quick run; the guard itself is tested in the core
    with qtbot.waitSignal(control.run_finished, timeout=180_000) as finished:
        with qtbot.waitSignal(control.run_started, timeout=1000):
            control.personalise_action.trigger()
        assert control.progress.isVisible() and not control.personalise_action.isEnabled()
        assert control.personalise() is False  # one run at a time
    report, saved = finished.args
    assert report["accepted"], report["summary"]
    assert saved and Path(saved).is_file() and Path(saved).parent == default_store_path().parent / "weights"
    qtbot.waitUntil(lambda: window.model_description == Path(saved).name, timeout=MODEL_TIMEOUT_MS)
    assert control.mine_label.text() == "Your handwriting (12 samples)" and not control.mine_label.isHidden()
    assert window.settings.weights() == saved  # remembered
    assert "Switched to your handwriting" in window.message_bar.text()
    assert control.progress.isHidden() and control.personalise_action.isEnabled()
    with qtbot.waitSignal(window.model_changed, timeout=MODEL_TIMEOUT_MS) as changed:
        qtbot.mouseClick(control.back_button, Qt.MouseButton.LeftButton)
    assert changed.args[0].endswith("(shipped)")
    assert control.mine_label.isHidden() and control.back_button.isHidden()
    assert window.settings.weights() == ""


def test_correcting_an_opened_image_stores_a_file_sample(qtbot, window) -> None:
    from digitpad.resources import sample_images

    path = next(p for p in sample_images() if p.stem.endswith("4"))
    with qtbot.waitSignal(window.prediction_shown, timeout=ANSWER_TIMEOUT_MS):
        window.open_file(path)
    qtbot.waitUntil(lambda: window.personal.bar.confirm_button.isEnabled(), timeout=ANSWER_TIMEOUT_MS)
    qtbot.mouseClick(window.personal.bar.digit_buttons[9], Qt.MouseButton.LeftButton)
    (sample,) = stored()
    assert (sample.label, sample.source, sample.strokes) == (9, "file", None)
    assert sample.predicted == 4
