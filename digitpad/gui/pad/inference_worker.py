"""Live recognition off the GUI thread.

One long-lived :class:`InferenceWorker` is moved to a ``QThread`` and owns its
own ``Predictor``; torch is imported there, never in the GUI thread.  Like
Qt's mandelbrot example, requests do not queue up: :meth:`request` stores the
newest one under a mutex and wakes the worker, which loops "take the newest,
process it" until nothing is pending, so a burst of pen moves costs one or two
predictions, not hundreds.  Every request carries an id; the GUI drops answers
whose id is not its latest.

Values cross threads, objects do not: a fresh ``QImage`` or a path goes in, a
frozen ``Prediction`` (numpy arrays) and a ``QImage`` copy come out.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QMutex, QMutexLocker, QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QImage

from digitpad.gui.widgets.worker_thread import start_worker_thread, stop_worker_thread

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)


class PredictionLike(Protocol):
    """What crosses to the GUI thread for one drawing: a frozen ``digitpad.predictor.Prediction``.

    Named by this protocol because the class itself lives beside torch, which the GUI
    thread never imports (and numpy is not loaded when the window is built).
    """

    @property
    def empty(self) -> bool: ...
    @property
    def digit(self) -> int | None: ...
    @property
    def confidence(self) -> float: ...
    @property
    def probabilities(self) -> np.ndarray: ...
    @property
    def preview(self) -> np.ndarray: ...


class NumberReadingLike(Protocol):
    """What crosses to the GUI thread for a number: a frozen ``digitpad.number_reader.NumberReading``."""

    @property
    def empty(self) -> bool: ...
    @property
    def number(self) -> str: ...


class PredictorLike(Protocol):
    def predict_image(
        self, gray: np.ndarray, alpha: np.ndarray | None = None, *, dot_rule: bool = True, strokes: Any = None
    ) -> PredictionLike: ...


PredictorFactory = Callable[[Path], PredictorLike]


def load_predictor(path: Path) -> PredictorLike:
    """The real factory: imports the core predictor (and torch) on first use.

    Runs in the worker thread.
    """
    from digitpad.devices import set_cpu_threads
    from digitpad.predictor import Predictor

    set_cpu_threads(1)  # two cores are shared with the GUI and the rest of the system
    _remove_stale_saves_once()
    predictor = Predictor.from_checkpoint(path)
    predictor.strokes = _stroke_model()
    return predictor


@functools.cache
def _stroke_model() -> Any:
    """The stroke model (the user's, else the shipped one), loaded once; None without a usable file:
    the pad then reads with the image model alone, as image files always are."""
    from digitpad.stroke_model import default_stroke_model

    return default_stroke_model()


@functools.cache
def _remove_stale_saves_once() -> None:
    """At start-up (first load, worker thread): temp files that killed saves left in the user's weights folder."""
    from digitpad.checkpoint import remove_stale_temp_files
    from digitpad.paths import user_weights_dir

    removed = remove_stale_temp_files(user_weights_dir())
    if removed:
        log.info("removed %d temp file(s) of interrupted saves", len(removed))


@dataclass(frozen=True)
class _Request:
    request_id: int
    drawing: QImage | None = None  # Grayscale8, white ink on black
    pen_moved: bool = False  # the drawing's strokes travelled: a solid blob is a fat-pen digit, not a dot
    strokes: tuple[Any, ...] = ()  # the drawing's pen paths ((k, 2) points, render units), in writing order
    path: Path | None = None  # an image file
    data: bytes | None = None  # an encoded image (clipboard)
    number: NumberRequest | None = None  # read a whole number (strokes, or the file/bytes above)


@dataclass(frozen=True)
class NumberRequest:
    """A number to read: pad strokes ``(pen width, points as fractions of the paper)`` on a
    ``width`` x ``height`` paper (the canvas's render units), or, with no strokes, the request's file."""

    strokes: tuple[tuple[float, tuple[tuple[float, float], ...]], ...] = ()
    width: float = 0.0
    height: float = 0.0


class InferenceWorker(QObject):
    """Recognises drawings and image files in its own thread.

    Public methods (:meth:`request_drawing`, :meth:`request_file`,
    :meth:`request_bytes`, :meth:`load_weights`, :meth:`stop`) are thread-safe
    and may be called directly from the GUI thread: they store the job under a
    mutex and post a wake-up, so they never wait for the busy worker.
    """

    predicted = Signal(int, PredictionLike)  # request id, a digitpad.predictor.Prediction
    failed = Signal(int, str)  # request id, one user-facing line
    image_loaded = Signal(int, QImage)  # request id, the opened image for display
    weights_loaded = Signal(str)  # description, e.g. "digitpad.pt (shipped)"
    weights_failed = Signal(str)  # one user-facing line
    number_read = Signal(int, NumberReadingLike)  # request id, a digitpad.number_reader.NumberReading
    _wake = Signal()

    def __init__(self, fallback_weights: Path | None = None, predictor_factory: PredictorFactory | None = None) -> None:
        super().__init__()
        self._fallback = Path(fallback_weights) if fallback_weights else None
        self._factory = predictor_factory or load_predictor
        self._mutex = QMutex()
        self._pending: _Request | None = None
        self._pending_weights: Path | None = None
        self._stopping = False
        self._predictor: PredictorLike | None = None  # touched only in the worker thread
        self._number_reader: Any = None  # a NumberReader over _predictor (worker thread only)
        # Queued: _drain always runs in the worker's own thread.
        self._wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------ any thread (thread-safe)
    def request_drawing(
        self,
        request_id: int,
        image: QImage,
        pen_moved: bool = False,
        strokes: tuple[Any, ...] = (),
    ) -> None:
        """Recognise ``image`` (a ``Grayscale8`` copy the caller no longer uses); ``pen_moved``: its
        strokes travelled at least a pen width (``segment_strokes.pen_moved``), so it is never a dot;
        ``strokes``: its pen paths in writing order, for the stroke model."""
        self._submit(_Request(request_id, drawing=image, pen_moved=pen_moved, strokes=strokes))

    def request_file(self, request_id: int, path: str | Path) -> None:
        """Load an image file, emit ``image_loaded``, then recognise it."""
        self._submit(_Request(request_id, path=Path(path)))

    def request_bytes(self, request_id: int, data: bytes) -> None:
        """Like :meth:`request_file` for an encoded image in memory (clipboard)."""
        self._submit(_Request(request_id, data=bytes(data)))

    def request_number(self, request_id: int, number: NumberRequest) -> None:
        """Read a whole number from pad strokes; answered by ``number_read`` (or ``failed``)."""
        self._submit(_Request(request_id, number=number))

    def request_number_file(self, request_id: int, path: str | Path) -> None:
        """Load an image file, emit ``image_loaded``, then read the number in it (``number_read``)."""
        self._submit(_Request(request_id, path=Path(path), number=NumberRequest()))

    def request_number_bytes(self, request_id: int, data: bytes) -> None:
        """Like :meth:`request_number_file` for an encoded image in memory (clipboard)."""
        self._submit(_Request(request_id, data=bytes(data), number=NumberRequest()))

    @Slot(str)
    def load_weights(self, path: str) -> None:
        """Swap in the weights at ``path``; on failure the current model stays.

        At start-up, when no model is loaded yet, a failure falls back to the
        shipped weights.  Answered by ``weights_loaded`` or ``weights_failed``.
        """
        with QMutexLocker(self._mutex):
            if self._stopping:
                return  # after stop() the object may already be gone with its thread
            self._pending_weights = Path(path)
        self._wake.emit()

    def stop(self) -> None:
        """Ask the worker to stop between jobs: a flag, not a queued slot."""
        with QMutexLocker(self._mutex):
            self._stopping = True
            self._pending = None
            self._pending_weights = None

    def _submit(self, request: _Request) -> None:
        with QMutexLocker(self._mutex):
            if self._stopping:
                return
            self._pending = request  # the newest request replaces any older pending one
        self._wake.emit()

    # ------------------------------------------------------ worker thread only
    @Slot()
    def _drain(self) -> None:
        while True:
            with QMutexLocker(self._mutex):
                if self._stopping:
                    return
                weights, self._pending_weights = self._pending_weights, None
                request = None
                if weights is None:
                    request, self._pending = self._pending, None
            if weights is not None:
                self._load(weights)  # weights first: the pending request then uses them
            elif request is not None:
                self._run(request)
            else:
                return

    def _describe(self, path: Path) -> str:
        """The file name, plus " (shipped)" for the shipped weights.

        Other weights are described by their bare file name: the training
        controller matches a swapped-in file by it.
        """
        shipped = self._fallback is not None and path.resolve() == self._fallback.resolve()
        return f"{path.name} (shipped)" if shipped else path.name

    def _try_load(self, path: Path) -> PredictorLike | str:
        try:
            return self._factory(path)
        except Exception as error:  # CheckpointError, or anything a broken file provokes
            log.debug("loading weights %s failed", path, exc_info=True)
            from digitpad.errors import DigitPadError

            if isinstance(error, DigitPadError):
                return str(error)
            return f"Could not load weights {path.name}: {error}"

    def _load(self, path: Path) -> None:
        result = self._try_load(path)
        if isinstance(result, str):
            self.weights_failed.emit(result)
            if self._predictor is not None or self._fallback is None or path == self._fallback:
                return
            path = self._fallback
            result = self._try_load(path)
            if isinstance(result, str):
                self.weights_failed.emit(result)
                return
        self._predictor = result
        self.weights_loaded.emit(self._describe(path))

    def _run(self, request: _Request) -> None:
        from digitpad.errors import DigitPadError

        if request.number is not None:
            self._run_number(request, request.number)
            return
        try:
            gray, alpha = self._input_of(request)
            if self._predictor is None:
                raise RuntimeError("No model is loaded")
            paths = None
            if request.strokes:
                import numpy as np

                paths = [np.asarray(points, np.float32).reshape(-1, 2) for points in request.strokes]
            prediction = self._predictor.predict_image(gray, alpha, dot_rule=not request.pen_moved, strokes=paths)
        except DigitPadError as error:
            self.failed.emit(request.request_id, str(error))
        except Exception as error:  # never let one bad input kill the worker
            log.exception("recognition failed")
            self.failed.emit(request.request_id, f"Recognition failed: {error}")
        else:
            self.predicted.emit(request.request_id, prediction)

    def _run_number(self, request: _Request, number: NumberRequest) -> None:
        """Segment and read a number (worker thread): every digit in one batch."""
        from digitpad.errors import DigitPadError

        try:
            if self._predictor is None:
                raise RuntimeError("No model is loaded")
            if self._number_reader is None or self._number_reader.predictor is not self._predictor:
                from digitpad.gui.pad.stroke_render import render_like_canvas
                from digitpad.number_reader import NumberReader

                # Candidates drawn as the canvas draws: one digit reads as on the digit pad.
                self._number_reader = NumberReader(self._predictor, render=render_like_canvas)  # type: ignore[arg-type]
            if request.drawing is None and request.path is None and request.data is None:
                from digitpad.ink import from_paper

                reading = self._number_reader.read_strokes(from_paper(number.strokes, number.width, number.height))
            else:
                gray, alpha = self._input_of(request)
                reading = self._number_reader.read_image(gray, alpha)
        except DigitPadError as error:
            self.failed.emit(request.request_id, str(error))
        except Exception as error:  # never let one bad input kill the worker
            log.exception("reading a number failed")
            self.failed.emit(request.request_id, f"Reading the number failed: {error}")
        else:
            self.number_read.emit(request.request_id, reading)

    def _input_of(self, request: _Request) -> tuple[Any, Any]:
        from digitpad.gui.widgets.qimage_array import gray_alpha_to_qimage, qimage_to_gray

        if request.drawing is not None:
            import numpy as np

            gray = qimage_to_gray(request.drawing).astype(np.float32) / np.float32(255.0)
            return gray, None
        from digitpad.imageio import image_from_bytes, load_image

        image = load_image(request.path) if request.path is not None else image_from_bytes(request.data or b"")
        self.image_loaded.emit(request.request_id, gray_alpha_to_qimage(image.gray, image.alpha))
        return image.gray, image.alpha


def drawing_of(canvas: Any) -> tuple[QImage, bool, tuple[Any, ...]]:
    """What the digit pad asks the worker to read (GUI thread): the drawing rendered with the
    recogniser's pen (``digitpad.ink.reading_widths``: a marker-thick pen is read thinner),
    whether the pen travelled (then a solid blob is a fat-pen digit, never a dot), and the pen
    paths in render units, in writing order (for the stroke model)."""
    from digitpad.gui.pad.canvas import RENDER_SIZE
    from digitpad.ink import from_paper, pen_moved, reading_widths

    strokes = canvas.ink_strokes()
    ink = from_paper([(s.width, s.points) for s in strokes], RENDER_SIZE * canvas.paper_aspect(), float(RENDER_SIZE))
    paths = tuple(stroke.points for stroke in ink)  # fresh float32 arrays (from_paper), never the canvas's own
    return canvas.render_image(widths=reading_widths(ink)), pen_moved(ink), paths


def number_request_of(canvas: Any) -> NumberRequest:
    """A canvas's strokes as a number request (GUI thread): plain values, in the canvas's render units."""
    from digitpad.gui.pad.canvas import RENDER_SIZE

    strokes = tuple((s.width, s.points) for s in canvas.strokes())
    return NumberRequest(strokes, RENDER_SIZE * canvas.paper_aspect(), float(RENDER_SIZE))


def start_worker(worker: InferenceWorker, parent: QObject | None = None) -> QThread:
    """Move ``worker`` to a new running thread; returns the thread (GUI thread)."""
    return start_worker_thread(worker, "inference", parent)


def stop_worker(worker: InferenceWorker, thread: QThread) -> None:
    """Stop, quit and wait: the worker finishes at most its current job (GUI thread)."""
    stop_worker_thread(worker, thread)
