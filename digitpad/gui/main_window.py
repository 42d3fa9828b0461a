"""DigitPad's main window: canvas, result panel, menus, toolbar, status bar.

Everything here runs in the GUI thread.  Recognition happens in the
:class:`InferenceWorker`'s thread; a :class:`RequestTracker` gives each
request its id, throttles requests while the pen moves and drops stale
answers; this window lays out the widgets and shows the newest answer.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QSettings, QSize, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from digitpad.gui.pad.canvas import MAX_PEN_WIDTH, MIN_PEN_WIDTH, DrawingCanvas
from digitpad.gui.pad.image_sources import image_data, local_file, png_bytes
from digitpad.gui.pad.inference_worker import (
    InferenceWorker,
    NumberReadingLike,
    PredictionLike,
    PredictorFactory,
    drawing_of,
    number_request_of,
    start_worker,
    stop_worker,
)
from digitpad.gui.pad.number_result import NumberResult
from digitpad.gui.pad.request_tracker import RequestTracker
from digitpad.gui.pad.result_panel import ResultPanel
from digitpad.gui.settings import AppSettings
from digitpad.gui.theme import ThemeManager
from digitpad.gui.training.controller import TrainingController
from digitpad.gui.widgets.message_bar import MessageHost
from digitpad.gui.window_actions import build_actions, build_menus_and_toolbar, refresh_icons
from digitpad.paths import user_weights_dir
from digitpad.resources import shipped_weights

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"
WEIGHTS_FILTER = "DigitPad weights (*.pt *.pth);;All files (*)"
LOADING_TEXT = "Loading model…"
NUMBER_ASPECT = 3.2
"""Number mode: the paper is this many times as wide as it is tall (six digits fit comfortably)."""
NO_MODEL_TEXT = "No model loaded: choose Model > Load weights…"
DEFAULT_SIZE = QSize(860, 600)
"""First-start size in logical pixels, shrunk to fit smaller screens."""


class MainWindow(QMainWindow):
    """The DigitPad window.

    Hooks for other parts of the app: :attr:`training` (the TrainingController
    behind Model > Train…), :meth:`load_weights` (hot-swap a weights file into
    live recognition; answered by ``model_changed`` or ``model_failed``),
    :attr:`worker`, and the ``prediction_shown`` signal.
    """

    prediction_shown = Signal(int)  # request id whose answer is now on screen
    number_shown = Signal(int)  # number mode: request id whose reading is now on screen
    number_digit_corrected = Signal(int, int, object)  # index, digit, the DigitReading as read
    model_changed = Signal(str)  # description of the weights now used for recognition
    model_failed = Signal(str)  # weights could not be loaded (one user-facing line)

    def __init__(self, settings: QSettings | None = None, predictor_factory: PredictorFactory | None = None) -> None:
        super().__init__()
        self.setWindowTitle("DigitPad")
        self.setAcceptDrops(True)
        self.settings = AppSettings(settings)
        self.requests = RequestTracker(parent=self)  # request ids, the pen-move throttle, stale answers
        self.last_prediction: PredictionLike | None = None
        self.last_reading: NumberReadingLike | None = None  # number mode: the NumberReading on screen
        self._source: tuple[str, Any] = ("drawing", None)  # what the latest request showed
        self._previous_source = self._source
        self._image_request_id = -1  # the request whose image the canvas shows
        self._requested_weights: str | None = None
        self._asked_weights: dict[str, str] = {}  # file name -> path of each load asked for
        self._startup_frozen = False  # gc.freeze() done once the first model is in
        self._weights_dialog: Any = None  # Model > Trained weights…, made on first use
        self.model_description = ""  # e.g. "digitpad.pt (shipped)" once a model is loaded
        self._closed = False
        self._fitted = False

        self.theme = ThemeManager(QApplication.instance(), self)  # type: ignore[arg-type]
        self.theme.apply(self.settings.theme())
        self.theme.changed.connect(self._refresh_icons)
        self.canvas = DrawingCanvas()
        self.canvas.set_pen_width(self.settings.pen_width())
        self.result_panel = ResultPanel()
        # The pad has a host of its own so the message strip can float over it:
        # a message never resizes or moves the pad (under the pen or otherwise).
        self.pad_area = MessageHost(self.canvas)
        self.message_bar = self.pad_area.message_bar
        self.number_result = NumberResult()
        self.number_result.setVisible(False)
        self.number_result.digit_corrected.connect(self._on_digit_corrected)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        pad_column = QVBoxLayout()  # number mode: the result strip sits under the wide pad
        pad_column.setContentsMargins(0, 0, 0, 0)
        pad_column.addWidget(self.pad_area, 1)
        pad_column.addWidget(self.number_result)
        layout.addLayout(pad_column, 1)
        layout.addWidget(self.result_panel)
        self.setCentralWidget(central)

        self.requests.throttle_elapsed.connect(self._request_drawing)

        build_actions(self)
        build_menus_and_toolbar(self)
        self._refresh_icons()
        self._status_text = LOADING_TEXT  # shown again once a timed message expires
        self.statusBar().messageChanged.connect(self._restore_status)
        self.statusBar().showMessage(LOADING_TEXT)

        self.canvas.changed.connect(self._on_canvas_changed)
        self.canvas.stroke_finished.connect(self._request_drawing)
        self.canvas.history_changed.connect(self._update_actions)
        self.canvas.drawing_started.connect(self.message_bar.dismiss)

        self.worker = InferenceWorker(shipped_weights(), predictor_factory)
        self.worker.predicted.connect(self._on_predicted)
        self.worker.number_read.connect(self._on_number_read)
        self.worker.failed.connect(self._on_failed)
        self.worker.image_loaded.connect(self._on_image_loaded)
        self.worker.weights_loaded.connect(self._on_weights_loaded)
        self.worker.weights_failed.connect(self._on_weights_failed)
        self.worker_thread = start_worker(self.worker)
        self.training = TrainingController(
            self, self.train_action, self.worker, load_weights=self.load_weights, settings=self.settings.qsettings
        )
        from digitpad.gui.samples.install import install as install_personal

        self.personal = install_personal(self)  # correction bar, My samples, Personalise (issue 11)
        chosen = self.settings.weights()
        self.load_weights(chosen if chosen else str(shipped_weights()))

        if self.settings.number_mode():
            self.number_action.setChecked(True)  # before the first answer: no request is lost
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(DEFAULT_SIZE)
        self._fit_screen()
        self._update_actions()

    # The request bookkeeping lives in self.requests; these read it (tests, benchmarks).
    @property
    def latest_request_id(self) -> int:
        return self.requests.latest_id

    @property
    def shown_request_id(self) -> int:
        return self.requests.shown_id

    @property
    def stale_answers(self) -> int:
        return self.requests.stale_answers

    @Slot()
    def _refresh_icons(self) -> None:
        """Re-draw the shipped icons in the application palette's colours (after a theme change)."""
        refresh_icons(self)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._refresh_icons()
        super().changeEvent(event)

    @Slot(QAction)
    def on_theme_chosen(self, action: QAction) -> None:
        self.set_theme(str(action.data()))

    def set_theme(self, theme: str) -> None:
        """Use and remember ``theme`` ("system", "light" or "dark")."""
        self.theme.apply(theme)
        self.settings.set_theme(self.theme.theme)
        self.theme_actions[self.theme.theme].setChecked(True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # again once shown: only now does the window manager add its frame
            self._fitted = True
            QTimer.singleShot(0, self._fit_screen)

    def _fit_screen(self) -> None:
        """Shrink (and move) the window to fit the screen it is on, at any scale factor."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        available = screen.availableGeometry()
        frame = self.frameGeometry()
        extra = frame.size() - self.size()  # title bar and borders, once the window manager says
        width = min(self.width(), available.width() - extra.width())
        height = min(self.height(), available.height() - extra.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(max(width, 1), max(height, 1))
        frame = self.frameGeometry()
        if not available.contains(frame):
            x = min(max(frame.x(), available.x()), available.right() - frame.width() + 1)
            y = min(max(frame.y(), available.y()), available.bottom() - frame.height() + 1)
            self.move(max(x, available.x()), max(y, available.y()))

    # --------------------------------------------------------------- drawing
    def number_mode(self) -> bool:
        return self.number_action.isChecked()

    @Slot(bool)
    def set_number_mode(self, on: bool) -> None:
        """Digit mode (a square pad, one digit) or number mode (a wide pad, several digits)."""
        if self.number_action.isChecked() != on:
            self.number_action.setChecked(on)  # comes back here through `toggled`
            return
        self.settings.set_number_mode(on)
        self.canvas.set_paper_aspect(NUMBER_ASPECT if on else 1.0)
        self.result_panel.setVisible(not on)
        self.number_result.setVisible(on)
        self.number_result.clear()
        self.result_panel.clear()
        self._request_source(self._source)  # read what is there the new way

    @Slot()
    def _on_canvas_changed(self) -> None:
        if self.canvas.is_drawing() and self.number_mode():
            return  # a number is read when a stroke ends: a half-written digit would only flicker
        if self.canvas.is_drawing():
            self.requests.throttle()  # live updates while the pen moves, at most one per interval
        else:
            self._request_drawing()  # undo, redo, clear: answer at once

    @Slot()
    def _request_drawing(self) -> None:
        request_id = self.requests.new_request()  # also drops a throttled request still waiting
        self._source = ("drawing", None)
        if self.canvas.is_empty():
            self.result_panel.clear()  # nothing to ask; the new id makes answers in flight stale
            self.number_result.clear()
            self.last_prediction = None
            self.last_reading = None
            return
        if self.number_mode():
            self.worker.request_number(request_id, number_request_of(self.canvas))
            return
        if not self.model_description:
            self.result_panel.clear(LOADING_TEXT)  # answered as soon as the model is ready
        self.worker.request_drawing(request_id, *drawing_of(self.canvas))

    @Slot()
    def _update_actions(self) -> None:
        self.undo_action.setEnabled(self.canvas.can_undo())
        self.redo_action.setEnabled(self.canvas.can_redo())
        has_ink = bool(self.canvas.strokes())
        self.save_action.setEnabled(has_ink)
        self.clear_action.setEnabled(has_ink or self.canvas.has_image())

    @Slot(int)
    def on_pen_width(self, width: int) -> None:
        clamped = min(MAX_PEN_WIDTH, max(MIN_PEN_WIDTH, width))
        if clamped != width:
            self.statusBar().showMessage(f"Pen width is {MIN_PEN_WIDTH}–{MAX_PEN_WIDTH}; set to {clamped}", 5000)
            self.pen_width_box.setValue(clamped)  # re-enters with the clamped value
            return
        self.canvas.set_pen_width(width)
        self.settings.set_pen_width(width)

    # --------------------------------------------------------------- answers
    @Slot(int, PredictionLike)
    def _on_predicted(self, request_id: int, prediction: PredictionLike) -> None:
        if not self.requests.accept(request_id):
            return  # stale: a newer request is on its way
        self.last_prediction = prediction
        self.requests.mark_shown(request_id)
        self.result_panel.set_prediction(prediction)
        self.prediction_shown.emit(request_id)

    @Slot(int, NumberReadingLike)
    def _on_number_read(self, request_id: int, reading: NumberReadingLike) -> None:
        if not self.requests.accept(request_id):
            return  # stale: a newer request is on its way
        self.last_reading = reading
        self.requests.mark_shown(request_id)
        self.number_result.set_reading(reading)
        self.number_shown.emit(request_id)

    @Slot(int, int, object)
    def _on_digit_corrected(self, index: int, digit: int, reading_digit: Any) -> None:
        """One digit of the number corrected by the user.

        The personal sample store listens (``gui/samples/corrections.py``) and keeps
        that digit alone, with its strokes, as a sample labelled ``digit``.
        """
        self.statusBar().showMessage(f"Digit {index + 1} corrected to {digit}", 5000)
        self.number_digit_corrected.emit(index, digit, reading_digit)

    @Slot(int, str)
    def _on_failed(self, request_id: int, message: str) -> None:
        if not self.requests.accept(request_id):
            return
        if self._source[0] != "drawing" and self._image_request_id != request_id:
            self._source = self._previous_source  # the file never showed: keep what was there
        self.show_error(message)

    @Slot(int, QImage)
    def _on_image_loaded(self, request_id: int, image: QImage) -> None:
        if self.requests.is_latest(request_id):
            self._image_request_id = request_id
            self.message_bar.dismiss()  # an earlier "could not open" no longer applies
            self.canvas.show_image(image)
            self._update_actions()

    def _set_status(self, text: str) -> None:
        self._status_text = text
        self.statusBar().showMessage(text)

    @Slot(str)
    def _restore_status(self, message: str) -> None:
        if not message and self._status_text:
            self.statusBar().showMessage(self._status_text)

    def show_error(self, message: str) -> None:
        """A problem the user should see: status bar plus a dismissible strip."""
        self.statusBar().showMessage(message, 10_000)
        self.message_bar.show_message(message)

    # ---------------------------------------------------------------- images
    def open_file(self, path: str | Path) -> None:
        """Recognise an image file; on failure the window keeps its state."""
        path = Path(path)
        self.settings.set_last_folder(str(path.parent))
        self._request_source(("file", path))

    def open_image_data(self, data: bytes) -> None:
        """Recognise an encoded image held in memory (clipboard)."""
        self._request_source(("bytes", bytes(data)))

    def _request_source(self, source: tuple[str, Any]) -> None:
        kind, value = source
        if kind == "drawing":
            self._request_drawing()
            return
        self.message_bar.dismiss()
        request_id = self.requests.new_request()
        self._previous_source, self._source = self._source, source
        if self.number_mode():
            if kind == "file":
                self.worker.request_number_file(request_id, value)
            else:
                self.worker.request_number_bytes(request_id, value)
        elif kind == "file":
            self.worker.request_file(request_id, value)
        else:
            self.worker.request_bytes(request_id, value)

    @Slot()
    def open_image_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image", self.settings.last_folder(), IMAGE_FILTER)
        if path:
            self.open_file(path)

    @Slot()
    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not self._open_mime(mime):
            self.show_error("Nothing to paste: the clipboard holds no image")

    def _open_mime(self, mime: QMimeData) -> bool:
        path = local_file(mime)
        if path is not None:
            self.open_file(path)
            return True
        image = image_data(mime)
        if image is not None:
            self.open_image_data(png_bytes(image))
            return True
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if any(url.isLocalFile() for url in mime.urls()) or mime.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self._open_mime(event.mimeData()):
            event.acceptProposedAction()

    @Slot()
    def save_drawing_dialog(self) -> None:
        start = str(Path(self.settings.last_folder()) / "digit.png")
        path, _ = QFileDialog.getSaveFileName(self, "Save drawing", start, "PNG image (*.png)")
        if path:
            self.save_drawing(path)

    def save_drawing(self, path: str | Path) -> bool:
        """Write the drawing as black ink on white (DigitPad reads it back)."""
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".png")
        image = self.canvas.render_image()
        image.invertPixels()
        if not image.save(str(path), "PNG"):
            self.show_error(f"Could not save the drawing to {path}")
            return False
        self.settings.set_last_folder(str(path.parent))
        self.statusBar().showMessage(f"Saved {path.name}", 5000)
        return True

    # ----------------------------------------------------------------- model
    def load_weights(self, path: str | Path) -> None:
        """Hot-swap the weights used for live recognition (answered by the worker)."""
        self._requested_weights = str(path)
        self._asked_weights[Path(path).name] = str(path)
        self._set_status(LOADING_TEXT)
        self.worker.load_weights(str(path))

    @Slot()
    def load_weights_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load weights", self.settings.last_folder(), WEIGHTS_FILTER)
        if path:
            self.load_weights(path)

    @Slot()
    def use_shipped_weights(self) -> None:
        self.load_weights(str(shipped_weights()))

    @Slot()
    def show_trained_weights(self) -> None:
        """Model > Trained weights…: the files training runs saved; use, delete, show folder."""
        from digitpad.gui.training.weights_dialog import TrainedWeightsDialog

        if self._weights_dialog is None:
            self._weights_dialog = TrainedWeightsDialog(self, user_weights_dir())
            self._weights_dialog.use_requested.connect(self.load_weights)
            self.model_changed.connect(self._weights_dialog.refresh)
        self._weights_dialog.refresh()
        self._weights_dialog.show()
        self._weights_dialog.raise_()

    @Slot(str)
    def _on_weights_loaded(self, description: str) -> None:
        # Remember the file that did load (the worker names it), never one merely asked for:
        # a later request may still be loading and fail.
        loaded = self._asked_weights.pop(description.removesuffix(" (shipped)"), "")
        is_shipped = description.endswith(" (shipped)") or not loaded
        self.settings.set_weights("" if is_shipped else loaded)
        asked = self._requested_weights
        if asked and (loaded == asked or (is_shipped and Path(asked).resolve() == shipped_weights().resolve())):
            self.message_bar.dismiss()  # the weights the user asked for last: old trouble is over
            self._requested_weights = None
        self.model_description = description
        if not self._startup_frozen:
            # What is alive now (Qt, torch, the model) lives as long as the app: keep it out of the cyclic
            # collector, whose full passes over those ~200,000 objects held the GIL and froze this thread
            # for up to 88 ms now and then (benchmarks/bench_personal_gui.py, plain scribbling).
            gc.freeze()
            self._startup_frozen = True
        self._set_status(f"Ready — model: {description}")
        self._request_source(self._source)  # show what the new weights read
        self.model_changed.emit(description)

    @Slot(str)
    def _on_weights_failed(self, message: str) -> None:
        requested, self._requested_weights = self._requested_weights, None  # a fallback is the shipped one
        if self.model_description:  # the model in use stays: say so, not "Loading…" for good
            self._status_text = f"Ready — model: {self.model_description}"
        elif not requested or Path(requested).resolve() == shipped_weights().resolve():
            self._status_text = NO_MODEL_TEXT  # the shipped weights failed too: nothing to fall back on
        self.show_error(message)
        self.model_failed.emit(message)

    # ---------------------------------------------------------------- window
    @Slot()
    def show_shortcuts(self) -> None:
        from digitpad.gui.help_dialog import show_help

        show_help(self, "shortcuts")

    @Slot()
    def show_drawing_tips(self) -> None:
        from digitpad.gui.help_dialog import show_help

        show_help(self, "drawing")

    @Slot()
    def show_about(self) -> None:
        from digitpad import __version__

        QMessageBox.about(
            self,
            "About DigitPad",
            f"<h3>DigitPad {__version__}</h3><p>Draw a digit, see what a neural network "
            "reads. Recognition runs locally with a small convolutional network "
            "trained on MNIST.</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.training.confirm_close():  # asks only while a training runs
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Save settings, stop the worker and wait for its thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.requests.cancel()
        self.settings.set_geometry(self.saveGeometry())
        self.settings.sync()
        if self.training.is_running():
            # Stopping a run takes a moment: the window waits, disabled, and closes with the dialog.
            self.setEnabled(False)
            self.statusBar().showMessage("Stopping training…")
        else:
            self.hide()  # the window goes at once even if the worker finishes a job first
        self.training.shutdown()
        self.hide()
        if self._weights_dialog is not None:
            self._weights_dialog.shutdown()
        self.personal.shutdown()
        stop_worker(self.worker, self.worker_thread)
