"""Smoke mode: ``digitpad --smoke OUT.json`` (or ``digitpad-gui --smoke OUT.json [IMAGE]``).

Checks that a build of the app really works, without a person: it builds the
real :class:`MainWindow` (offscreen unless ``QT_QPA_PLATFORM`` says otherwise),
lets the real inference worker load the shipped weights and read a bundled
sample image (or ``IMAGE``), writes what was recognised and how long each
step took to ``OUT.json``, and exits 0.

Any error fails the run with a non-zero exit code: an exception in any thread
(``sys.excepthook``, ``threading.excepthook``; PySide6 reports exceptions in
slots through ``sys.excepthook``), a critical or fatal Qt message, a worker
``failed``/``model_failed`` signal.  A watchdog ends a hang: a ``QTimer`` in
the event loop and, should the event loop itself be stuck, a
``threading.Timer`` that calls ``os._exit``.  ``OUT.json`` is written in every
case (``"ok": false`` and the errors when the run failed).

Settings live in a throwaway INI file, so a smoke run neither reads nor
changes the user's settings (a user's chosen weights never replace the
shipped ones here).

Timings are seconds since the process started (Linux: from ``/proc``; elsewhere
since this module was imported, see ``"clock"``).
"""

from __future__ import annotations

import faulthandler
import json
import os
import re
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, QtMsgType, Slot, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from digitpad.gui.app import SMOKE_OPTION
from digitpad.gui.main_window import MainWindow
from digitpad.gui.settings import APPLICATION, ORGANIZATION
from digitpad.resources import asset_root, resource_path, sample_images

_IMPORTED_AT = time.monotonic()

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
DEFAULT_TIMEOUT_S = 120.0
"""Generous: a cold first start on a busy two-core machine imports torch from disk."""
DEFAULT_SAMPLE = "digit-7.png"


def smoke_output(argv: Sequence[str]) -> str | None:
    """The ``OUT.json`` of ``--smoke OUT.json`` (or ``--smoke=OUT.json``) in ``argv``, else None."""
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == SMOKE_OPTION:
            return args[i + 1] if i + 1 < len(args) else ""
        if arg.startswith(SMOKE_OPTION + "="):
            return arg.split("=", 1)[1]
    return None


def _seconds_since_process_start() -> tuple[float, str]:
    """(seconds since the process started, which clock) — best available on this platform."""
    try:
        stat = Path("/proc/self/stat").read_text()
        # Field 22 (starttime, clock ticks after boot); the command name (field 2) may hold spaces.
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        boot_now = time.clock_gettime(time.CLOCK_BOOTTIME)
        return boot_now - start_ticks / os.sysconf("SC_CLK_TCK"), "process"
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _IMPORTED_AT, "smoke-import"


class _Run:
    """The state of one smoke run; the hooks and the watchdog write into it from any thread."""

    def __init__(self, out: Path, timeout_s: float) -> None:
        self.out = out
        self.timeout_s = timeout_s
        self.errors: list[str] = []
        self.result: dict[str, Any] = {}
        elapsed, self.clock = _seconds_since_process_start()
        self._origin = time.monotonic() - elapsed  # process start on the monotonic clock
        self.timings: dict[str, float] = {"smoke_started": round(elapsed, 4)}
        self._lock = threading.Lock()
        self._written = False

    def mark(self, event: str) -> None:
        self.timings.setdefault(event, round(time.monotonic() - self._origin, 4))

    def error(self, message: str) -> None:
        with self._lock:
            self.errors.append(message)

    def write(self) -> None:
        """Write OUT.json once (atomically: a reader never sees half a file)."""
        with self._lock:
            if self._written:
                return
            self._written = True
            report = {
                "ok": not self.errors and "digit" in self.result,
                **self.result,
                "errors": list(self.errors),
                "clock": self.clock,
                "timings": dict(self.timings),
                "frozen": bool(getattr(sys, "frozen", False)),
                "executable": sys.executable,
            }
            self.out.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.out.with_name(self.out.name + ".tmp")
            tmp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, self.out)

    def exit_code(self) -> int:
        return EXIT_OK if not self.errors and "digit" in self.result else EXIT_FAILED


def _install_error_hooks(run: _Run) -> None:
    """Every uncaught exception, in any thread, and every critical Qt message fails the run."""

    def excepthook(kind, value, tb) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        print(text, file=sys.stderr, flush=True)
        run.error(f"uncaught exception: {kind.__name__}: {value}")

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "?"
        text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        print(text, file=sys.stderr, flush=True)
        run.error(f"uncaught exception in thread {name}: {args.exc_type.__name__}: {args.exc_value}")

    def qt_messages(kind: QtMsgType, _context: Any, message: str) -> None:
        print(f"qt: {message}", file=sys.stderr, flush=True)
        if kind == QtMsgType.QtFatalMsg:
            run.error(f"Qt fatal: {message}")
            run.write()  # Qt aborts once this handler returns
            os._exit(EXIT_FAILED)
        if kind == QtMsgType.QtCriticalMsg:
            run.error(f"Qt critical: {message}")

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
    qInstallMessageHandler(qt_messages)


def _pick_sample(image: str | None) -> Path:
    if image:
        return Path(image)
    preferred = resource_path("samples", DEFAULT_SAMPLE)
    if preferred.is_file():
        return preferred
    samples = sample_images()
    if not samples:
        raise FileNotFoundError(f"no sample images in {resource_path('samples')}")
    return samples[0]


def _expected_digit(path: Path) -> int | None:
    match = re.fullmatch(r"digit-(\d)", path.stem)
    return int(match.group(1)) if match else None


def run_smoke(out: str | Path, image: str | None = None, timeout_s: float | None = None) -> int:
    """Run the smoke check, write ``out``; returns the exit code (0 only when it all worked)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if timeout_s is None:
        timeout_s = float(os.environ.get("DIGITPAD_SMOKE_TIMEOUT", DEFAULT_TIMEOUT_S))
    run = _Run(Path(out).resolve(), timeout_s)

    # Last resort, outside the event loop: ends the process even when the GUI thread hangs.
    def hard_stop() -> None:
        run.error(f"watchdog: no result after {timeout_s + 15:.0f} s, event loop stuck")
        run.write()
        os._exit(EXIT_TIMEOUT)

    fallback = threading.Timer(timeout_s + 15, hard_stop)
    fallback.daemon = True
    fallback.start()
    # And should a deadlock hold the GIL, faulthandler's own C thread dumps every
    # thread's stack and exits (with 1); OUT.json is then missing, which fails too.
    hang_log = _hang_log(run.out)
    faulthandler.dump_traceback_later(timeout_s + 30, exit=True, file=hang_log)
    try:
        return _run_window(run, image)
    except BaseException as error:
        traceback.print_exc()
        run.error(f"{type(error).__name__}: {error}")
        return EXIT_FAILED
    finally:
        faulthandler.cancel_dump_traceback_later()
        fallback.cancel()
        run.write()


def _hang_log(out: Path) -> Any:
    """Where faulthandler writes: stderr, or a file next to OUT.json when there is none (windowed)."""
    try:
        sys.stderr.fileno()
        return sys.stderr
    except (AttributeError, OSError, ValueError):
        out.parent.mkdir(parents=True, exist_ok=True)
        return open(out.with_name(out.name + ".hang.txt"), "w", encoding="utf-8")


class _Observer(QObject):
    """Watches the window and its worker; lives in the GUI thread, so every slot runs there.

    The worker's ``failed`` comes from the inference thread: connected to a plain
    function it would run in that thread and close the window from there.
    """

    def __init__(self, run: _Run, window: MainWindow, expected: int | None, sample: Path) -> None:
        super().__init__(window)
        self._run = run
        self._window = window
        self._expected = expected
        self._sample = sample
        self._done = False
        window.model_changed.connect(self.model_loaded)
        window.model_failed.connect(self.failed)
        window.prediction_shown.connect(self.prediction_shown)
        window.worker.failed.connect(self.request_failed)

    def _finish(self, code: int) -> None:
        if self._done:
            return
        self._done = True
        self._window.close()  # stops the inference worker and waits for its thread
        QApplication.exit(code)

    @Slot()
    def window_shown(self) -> None:
        self._run.mark("window_shown")

    @Slot(str)
    def model_loaded(self, description: str) -> None:
        self._run.mark("model_loaded")
        self._run.result["model"] = description

    @Slot(int)
    def prediction_shown(self, _request_id: int) -> None:
        prediction = self._window.last_prediction
        self._run.mark("first_prediction")
        self._run.result.update(
            {
                "empty": bool(prediction.empty),
                "digit": prediction.digit,
                "confidence": round(float(prediction.confidence), 6),
                "probabilities": [round(float(p), 6) for p in prediction.probabilities],
            }
        )
        if self._expected is not None and prediction.digit != self._expected:
            self._run.error(f"recognised {prediction.digit} in {self._sample.name}, expected {self._expected}")
        self._finish(EXIT_OK)

    @Slot(str)
    def failed(self, message: str) -> None:
        self._run.error(f"app reported: {message}")
        self._finish(EXIT_FAILED)

    @Slot(int, str)
    def request_failed(self, _request_id: int, message: str) -> None:
        self.failed(message)

    @Slot()
    def watchdog(self) -> None:
        self._run.error(f"watchdog: no prediction after {self._run.timeout_s:.0f} s")
        self._finish(EXIT_TIMEOUT)


def _run_window(run: _Run, image: str | None) -> int:
    _install_error_hooks(run)
    run.mark("qt_imported")
    sample = _pick_sample(image)
    expected = _expected_digit(sample)
    run.result.update(
        {"sample": sample.name, "sample_path": str(sample), "expected": expected, "asset_root": str(asset_root())}
    )

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "digitpad"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    with tempfile.TemporaryDirectory(prefix="digitpad-smoke-") as settings_dir:
        settings = QSettings(str(Path(settings_dir) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings)
        observer = _Observer(run, window, expected, sample)
        QTimer.singleShot(int(run.timeout_s * 1000), observer.watchdog)
        window.show()
        QTimer.singleShot(0, observer.window_shown)  # after the first expose and paint, like app.py's timer
        window.open_file(sample)  # the same path as `digitpad-gui IMAGE`
        code = app.exec()
        window.shutdown()  # idempotent; covers an exit that bypassed close
        run.mark("exited")
        del observer, window, settings
    if code != EXIT_OK and not run.errors:
        run.error(f"event loop exited with {code}")
    return run.exit_code() if code == EXIT_OK else code


def main(argv: Sequence[str] | None = None) -> int:
    """``--smoke OUT.json [IMAGE]`` (other options are ignored)."""
    args = list(sys.argv[1:] if argv is None else argv)
    out = smoke_output(args)
    if not out:
        print("usage: digitpad --smoke OUT.json [IMAGE]", file=sys.stderr)
        return EXIT_USAGE
    rest = [a for a in args if a not in (SMOKE_OPTION, out) and not a.startswith(SMOKE_OPTION + "=")]
    images = [a for a in rest if not a.startswith("-")]
    return run_smoke(out, images[0] if images else None)


if __name__ == "__main__":
    sys.exit(main())
