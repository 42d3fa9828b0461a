"""DigitPad's main window: canvas, result panel, menus, toolbar, status bar.

Everything here runs in the GUI thread.  Recognition happens in the
:class:`InferenceWorker`'s thread; this window only tags requests with ids,
shows the newest answer and drops stale ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QImage,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from digitpad.gui.pad.canvas import MAX_PEN_WIDTH, MIN_PEN_WIDTH, DrawingCanvas
from digitpad.gui.pad.image_sources import image_data, local_file, png_bytes
from digitpad.gui.pad.inference_worker import (
    InferenceWorker,
    PredictorFactory,
    number_request_of,
    start_worker,
    stop_worker,
)
from digitpad.gui.pad.number_result import NumberResult
from digitpad.gui.pad.result_panel import ResultPanel
from digitpad.gui.settings import AppSettings
from digitpad.gui.training.controller import TrainingController
from digitpad.gui.widgets.message_bar import MessageBar
from digitpad.resources import shipped_weights

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"
WEIGHTS_FILTER = "DigitPad weights (*.pt *.pth);;All files (*)"
DEBOUNCE_MS = 30
"""While the pen moves, at most one request per this many milliseconds."""
LOADING_TEXT = "Loading model…"
NUMBER_ASPECT = 3.2
"""Number mode: the paper is this many times as wide as it is tall (six digits fit comfortably)."""


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
        self.latest_request_id = 0
        self.shown_request_id = 0  # the request whose answer is on screen
        self.stale_answers = 0  # answers dropped because a newer request exists
        self.last_prediction: Any = None
        self.last_reading: Any = None  # number mode: the NumberReading on screen
        self._source: tuple[str, Any] = ("drawing", None)  # what the latest request showed
        self._previous_source = self._source
        self._image_request_id = -1  # the request whose image the canvas shows
        self._requested_weights: str | None = None
        self.model_description = ""  # e.g. "digitpad.pt (shipped)" once a model is loaded
        self._closed = False

        self.canvas = DrawingCanvas()
        self.canvas.set_pen_width(self.settings.pen_width())
        self.result_panel = ResultPanel()
        self.number_result = NumberResult()
        self.number_result.setVisible(False)
        self.number_result.digit_corrected.connect(self._on_digit_corrected)
        self.message_bar = MessageBar()
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.message_bar)
        left.addWidget(self.canvas, 1)
        left.addWidget(self.number_result)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addLayout(left, 1)
        layout.addWidget(self.result_panel)
        self.setCentralWidget(central)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._request_drawing)

        self._make_actions()
        self._make_menus_and_toolbar()
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
        chosen = self.settings.weights()
        self.load_weights(chosen if chosen else str(shipped_weights()))

        if self.settings.number_mode():
            self.number_action.setChecked(True)  # before the first answer: no request is lost
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(820, 560)
        self._update_actions()

    # ------------------------------------------------------------- building
    def _icon(self, theme: QIcon.ThemeIcon, fallback: QStyle.StandardPixmap) -> QIcon:
        return QIcon.fromTheme(theme, self.style().standardIcon(fallback))

    def _action(self, text: str, slot: Any, shortcuts: Any = None, icon: QIcon | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(icon)
        if shortcuts is not None:
            action.setShortcuts(shortcuts if isinstance(shortcuts, list) else [shortcuts])
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        SP, TI, KS = QStyle.StandardPixmap, QIcon.ThemeIcon, QKeySequence.StandardKey
        self.open_action = self._action(
            "&Open image…",
            self.open_image_dialog,
            KS.Open,
            self._icon(TI.DocumentOpen, SP.SP_DialogOpenButton),
            "Recognise the digit in an image file",
        )
        self.paste_action = self._action(
            "&Paste",
            self.paste,
            KS.Paste,
            self._icon(TI.EditPaste, SP.SP_FileIcon),
            "Recognise an image or image file from the clipboard",
        )
        self.save_action = self._action(
            "&Save drawing…",
            self.save_drawing_dialog,
            KS.Save,
            self._icon(TI.DocumentSave, SP.SP_DialogSaveButton),
            "Save the drawing as a PNG image",
        )
        self.quit_action = self._action(
            "&Quit", self.close, KS.Quit, self._icon(TI.ApplicationExit, SP.SP_DialogCloseButton)
        )
        self.undo_action = self._action(
            "&Undo", self.canvas.undo, KS.Undo, self._icon(TI.EditUndo, SP.SP_ArrowBack), "Undo the last stroke"
        )
        self.redo_action = self._action(
            "&Redo", self.canvas.redo, KS.Redo, self._icon(TI.EditRedo, SP.SP_ArrowForward), "Redo a stroke"
        )
        self.clear_action = self._action(
            "&Clear",
            self.canvas.clear,
            [QKeySequence(Qt.Key.Key_Delete), QKeySequence(Qt.Key.Key_Escape)],
            self._icon(TI.EditClear, SP.SP_DialogResetButton),
            "Erase the drawing (Delete or Escape)",
        )
        self.load_weights_action = self._action(
            "&Load weights…", self.load_weights_dialog, tip="Recognise with another weights file"
        )
        self.shipped_weights_action = self._action(
            "Use &shipped weights", self.use_shipped_weights, tip="Recognise with the weights DigitPad ships with"
        )
        self.train_action = QAction("&Train…", self)  # enabled by the TrainingController
        self.train_action.setEnabled(False)
        self.train_action.setStatusTip("Train new weights on MNIST in the background")
        self.about_action = self._action("&About DigitPad", self.show_about)
        self.number_action = QAction("&Number mode", self)
        self.number_action.setCheckable(True)
        self.number_action.setShortcut(QKeySequence("Ctrl+M"))
        self.number_action.setStatusTip("Write several digits on a wide pad and read them as one number")
        self.number_action.toggled.connect(self.set_number_mode)

    def _make_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.open_action, self.paste_action, self.save_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action, self.clear_action])
        bar.addMenu("&View").addAction(self.number_action)
        model_menu = bar.addMenu("&Model")
        model_menu.addActions([self.load_weights_action, self.shipped_weights_action])
        model_menu.addSeparator()
        model_menu.addAction(self.train_action)
        bar.addMenu("&Help").addAction(self.about_action)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.addActions([self.open_action, self.paste_action, self.save_action])
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action, self.clear_action])
        toolbar.addSeparator()
        self.pen_width_box = QSpinBox()
        self.pen_width_box.setRange(MIN_PEN_WIDTH, MAX_PEN_WIDTH)
        self.pen_width_box.setValue(round(self.canvas.pen_width()))
        self.pen_width_box.setPrefix("Pen ")
        self.pen_width_box.setToolTip("Pen width for new strokes")
        self.pen_width_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.pen_width_box.valueChanged.connect(self._on_pen_width)
        toolbar.addWidget(self.pen_width_box)
        toolbar.addSeparator()
        toolbar.addAction(self.number_action)

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
            if not self._debounce.isActive():  # throttle: live updates while the pen moves
                self._debounce.start()
        else:
            self._request_drawing()  # undo, redo, clear: answer at once

    @Slot()
    def _request_drawing(self) -> None:
        self._debounce.stop()
        self._source = ("drawing", None)
        self.latest_request_id += 1
        if self.canvas.is_empty():
            self.result_panel.clear()  # nothing to ask; the new id makes answers in flight stale
            self.number_result.clear()
            self.last_prediction = None
            self.last_reading = None
            return
        if self.number_mode():
            self.worker.request_number(self.latest_request_id, number_request_of(self.canvas))
            return
        self.worker.request_drawing(self.latest_request_id, self.canvas.render_image())

    @Slot()
    def _update_actions(self) -> None:
        self.undo_action.setEnabled(self.canvas.can_undo())
        self.redo_action.setEnabled(self.canvas.can_redo())
        has_ink = bool(self.canvas.strokes())
        self.save_action.setEnabled(has_ink)
        self.clear_action.setEnabled(has_ink or self.canvas.has_image())

    @Slot(int)
    def _on_pen_width(self, width: int) -> None:
        self.canvas.set_pen_width(width)
        self.settings.set_pen_width(width)

    # --------------------------------------------------------------- answers
    @Slot(int, object)
    def _on_predicted(self, request_id: int, prediction: Any) -> None:
        if request_id != self.latest_request_id:
            self.stale_answers += 1
            return
        self.last_prediction = prediction
        self.shown_request_id = request_id
        self.result_panel.set_prediction(prediction)
        self.prediction_shown.emit(request_id)

    @Slot(int, object)
    def _on_number_read(self, request_id: int, reading: Any) -> None:
        if request_id != self.latest_request_id:
            self.stale_answers += 1
            return
        self.last_reading = reading
        self.shown_request_id = request_id
        self.number_result.set_reading(reading)
        self.number_shown.emit(request_id)

    @Slot(int, int, object)
    def _on_digit_corrected(self, index: int, digit: int, reading_digit: Any) -> None:
        """One digit of the number corrected by the user.

        Hook for the personal sample store: ``reading_digit.input`` is the
        28x28 standardised input, ``digit`` its true label.
        """
        self.statusBar().showMessage(f"Digit {index + 1} corrected to {digit}", 5000)
        self.number_digit_corrected.emit(index, digit, reading_digit)

    @Slot(int, str)
    def _on_failed(self, request_id: int, message: str) -> None:
        if request_id != self.latest_request_id:
            self.stale_answers += 1
            return
        if self._source[0] != "drawing" and self._image_request_id != request_id:
            self._source = self._previous_source  # the file never showed: keep what was there
        self.show_error(message)

    @Slot(int, QImage)
    def _on_image_loaded(self, request_id: int, image: QImage) -> None:
        if request_id == self.latest_request_id:
            self._image_request_id = request_id
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
        self._debounce.stop()
        self.message_bar.dismiss()
        self.latest_request_id += 1
        self._previous_source, self._source = self._source, source
        if self.number_mode():
            if kind == "file":
                self.worker.request_number_file(self.latest_request_id, value)
            else:
                self.worker.request_number_bytes(self.latest_request_id, value)
        elif kind == "file":
            self.worker.request_file(self.latest_request_id, value)
        else:
            self.worker.request_bytes(self.latest_request_id, value)

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
        self.worker.load_weights(str(path))

    @Slot()
    def load_weights_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load weights", self.settings.last_folder(), WEIGHTS_FILTER)
        if path:
            self._set_status(LOADING_TEXT)
            self.load_weights(path)

    @Slot()
    def use_shipped_weights(self) -> None:
        self._set_status(LOADING_TEXT)
        self.load_weights(str(shipped_weights()))

    @Slot(str)
    def _on_weights_loaded(self, description: str) -> None:
        requested = self._requested_weights or ""
        is_shipped = not requested or Path(requested).resolve() == shipped_weights().resolve()
        self.settings.set_weights("" if is_shipped else requested)
        self._requested_weights = None
        self.model_description = description
        self._set_status(f"Ready — model: {description}")
        self._request_source(self._source)  # show what the new weights read
        self.model_changed.emit(description)

    @Slot(str)
    def _on_weights_failed(self, message: str) -> None:
        self._requested_weights = None  # a fallback that follows is the shipped model
        self.show_error(message)
        self.model_failed.emit(message)

    # ---------------------------------------------------------------- window
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
        self._debounce.stop()
        self.settings.set_geometry(self.saveGeometry())
        self.settings.sync()
        self.hide()  # the window goes at once even if the worker finishes a job first
        self.training.shutdown()
        stop_worker(self.worker, self.worker_thread)
