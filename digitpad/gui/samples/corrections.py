"""Correcting a reading: the correction bar, the digit keys on the pad, the store and undo.

GUI thread only.  The controller watches what the window shows
(``prediction_shown``): a correction or confirmation stores that reading's
28x28 network input with the user's label (plus the pad's strokes, what the
model read, how sure it was and which model it was) as one sample, and the
result then shows the user's label marked as corrected.  Correcting the same
reading again relabels that sample; "Undo correction" deletes it.  A new
drawing or image starts afresh.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QImage, QKeyEvent, QPalette

from digitpad.gui.pad.correction_bar import CorrectionBar
from digitpad.gui.samples.personal import PersonalSamples
from digitpad.sample_store import Stroke

DIGIT_KEYS = {getattr(Qt.Key, f"Key_{d}"): d for d in range(10)}


class CorrectionController(QObject):
    """Wires a window's result, canvas and :class:`CorrectionBar` to the personal store."""

    sample_saved = Signal(int, bool)  # sample id, True for a correction (False: a confirmation)
    sample_removed = Signal(int)

    def __init__(self, window: Any, bar: CorrectionBar, samples: PersonalSamples) -> None:
        super().__init__(window)
        self.window = window
        self.bar = bar
        self.samples = samples
        self.prediction: Any = None  # the reading on screen
        self.sample_id: int | None = None  # the sample stored for it
        self.label: int | None = None
        bar.corrected.connect(self.correct)
        bar.confirmed.connect(self.confirm)
        bar.undo_requested.connect(self.undo)
        window.prediction_shown.connect(self._on_prediction_shown)
        window.canvas.changed.connect(self._on_new_input)
        window.worker.image_loaded.connect(self._on_image_loaded)  # an opened image is a new reading
        window.canvas.installEventFilter(self)
        window.number_digit_corrected.connect(self.store_number_digit)

    # ----------------------------------------------------------------- input
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Digit keys correct, Enter confirms, Backspace undoes, while the pad has focus."""
        if watched is self.window.canvas and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if mods == Qt.KeyboardModifier.NoModifier and self.prediction is not None:
                key = Qt.Key(event.key())
                if key in DIGIT_KEYS:
                    self.correct(DIGIT_KEYS[key])
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.sample_id is None:
                    self.confirm()
                    return True
                if key == Qt.Key.Key_Backspace and self.sample_id is not None:
                    self.undo()
                    return True
        return False

    @Slot(int)
    def _on_prediction_shown(self, _request_id: int) -> None:
        prediction = self.window.last_prediction
        if prediction is None or prediction.empty:
            self._reset()
            return
        self.prediction = prediction
        if self.sample_id is not None and self.label is not None:
            self._show_corrected()  # the same drawing read again (e.g. new weights): keep the user's label
        else:
            self.bar.set_state(available=True)

    @Slot()
    def _on_new_input(self) -> None:
        self._reset()

    @Slot(int, QImage)
    def _on_image_loaded(self, _request_id: int, _image: QImage) -> None:
        self._reset()

    def _reset(self) -> None:
        self.prediction, self.sample_id, self.label = None, None, None
        self.bar.set_state(available=False)

    # --------------------------------------------------------------- actions
    @Slot(int)
    def correct(self, label: int) -> None:
        """The reading on screen is really ``label``."""
        if self.prediction is None:
            return
        if self.sample_id is not None:
            sid = self.sample_id
            if self.samples.write(lambda s: s.relabel(sid, label) or True) is None:
                return
            self.label = label
        elif not self._store(label):
            return
        self._show_corrected()
        assert self.sample_id is not None
        self.sample_saved.emit(self.sample_id, label != self.prediction.digit)

    @Slot()
    def confirm(self) -> None:
        """The reading on screen is right: keep it as a sample."""
        if self.prediction is None or self.sample_id is not None or self.prediction.digit is None:
            return
        if self._store(int(self.prediction.digit)):
            self._show_corrected()
            assert self.sample_id is not None
            self.sample_saved.emit(self.sample_id, False)

    @Slot()
    def undo(self) -> None:
        """Take the correction back: the sample is deleted and the reading shows again."""
        if self.sample_id is None:
            return
        sid = self.sample_id
        if self.samples.write(lambda s: s.delete(sid)) is None:
            return
        self.sample_id, self.label = None, None
        if self.prediction is not None:
            self.window.result_panel.set_prediction(self.prediction)
        self.bar.set_state(available=self.prediction is not None)
        self.sample_removed.emit(sid)

    @Slot(int, int, object)
    def store_number_digit(self, index: int, digit: int, reading: Any) -> None:
        """Number mode: one corrected digit (a ``DigitReading``) becomes a personal sample."""
        sid = self._add_sample(digit, reading, members=reading.members)
        if sid is not None:
            self.window.statusBar().showMessage(f"Digit {index + 1} corrected to {digit}; saved to My samples", 5000)
            self.sample_saved.emit(sid, digit != reading.digit)

    # ------------------------------------------------------------- internals
    def _store(self, label: int) -> bool:
        sid = self._add_sample(label, self.prediction)
        if sid is None:
            return False
        self.sample_id, self.label = sid, label
        return True

    def _add_sample(self, label: int, reading: Any, members: tuple[int, ...] | None = None) -> int | None:
        """Store ``reading`` (a prediction, or one digit of a number made of the strokes ``members``)
        labelled ``label``, with the pad's strokes unless the pad shows an opened image; its id, or None."""
        canvas = self.window.canvas
        from_file = canvas.has_image()
        strokes = None
        if not from_file:
            drawn = canvas.strokes()
            chosen = drawn if members is None else [drawn[i] for i in members if i < len(drawn)]
            strokes = [Stroke(s.width, tuple(s.points)) for s in chosen]
        model = self.window.model_description or None
        return self.samples.write(
            lambda s: s.add(
                label=label,
                image=reading.preview,
                source="file" if from_file else "pad",
                strokes=strokes,
                predicted=reading.digit,
                confidence=float(reading.confidence),
                model=model,
            )
        )

    def _show_corrected(self) -> None:
        """The user's label in the result, marked as theirs."""
        p, label = self.prediction, self.label
        panel = self.window.result_panel
        panel.digit_label.setText(str(label))
        panel.digit_label.setForegroundRole(QPalette.ColorRole.Link)
        if label == p.digit:
            text = "✓ Confirmed by you — kept as your sample"
        else:
            text = f"✓ Corrected by you (the network read {p.digit}, {p.confidence:.0%})"
        panel.confidence_label.setText(text)
        self.bar.set_state(available=True, chosen=label, note="Saved to My samples.")

    def is_corrected(self) -> bool:
        return self.sample_id is not None
