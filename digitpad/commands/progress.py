"""Turns the trainer's events into a live progress line on a terminal.

On a terminal the step line is rewritten in place; in a log (not a TTY) a
step line is printed at most every few seconds so CI logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from digitpad.trainer import Cancelled, EpochFinished, Evaluated, Finished, Started, StepProgress


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


class ProgressPrinter:
    def __init__(self, stream: TextIO | None = None, log_interval_s: float = 5.0) -> None:
        self.stream = stream if stream is not None else sys.stdout  # looked up now: tests swap sys.stdout
        self.live = self.stream.isatty()
        self.log_interval_s = log_interval_s
        self._last_log = 0.0
        self._line_open = False

    def _print(self, text: str) -> None:
        if self._line_open:
            self.stream.write("\n")
            self._line_open = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def __call__(self, event: object) -> None:
        if isinstance(event, Started):
            self._print(
                f"training {event.model} on {event.device} ({event.precision}): {event.parameters:,} parameters, "
                f"{event.train_size:,} training / {event.test_size:,} test images, "
                f"{event.epochs} epochs of {event.steps_per_epoch} steps"
            )
        elif isinstance(event, StepProgress):
            text = (
                f"epoch {event.epoch}/{event.epochs}  step {event.step}/{event.steps_per_epoch}  "
                f"loss {event.loss:.4f}  acc {event.accuracy:.2%}  {event.images_per_s:,.0f} img/s  "
                f"ETA {_duration(event.eta_s)}"
            )
            if self.live:
                self.stream.write("\r" + text.ljust(100))
                self.stream.flush()
                self._line_open = True
            elif time.monotonic() - self._last_log >= self.log_interval_s:
                self._last_log = time.monotonic()
                self._print(text)
        elif isinstance(event, Evaluated):
            self._print(
                f"  epoch {event.epoch} step {event.step}: test accuracy {event.test_accuracy:.2%} "
                f"after {event.train_s:.1f} s of training"
            )
        elif isinstance(event, EpochFinished):
            best = "  (best)" if event.is_best else ""
            self._print(
                f"epoch {event.epoch}/{event.epochs}: train loss {event.train_loss:.4f}, "
                f"test accuracy {event.test_accuracy:.2%}{best}  [{event.seconds:.1f} s]"
            )
        elif isinstance(event, Finished):
            self._print(
                f"finished: best test accuracy {event.best_accuracy:.2%} (epoch {event.best_epoch}) "
                f"in {_duration(event.seconds)}"
            )
        elif isinstance(event, Cancelled):
            self._print(
                f"stopped at epoch {event.epoch} step {event.step}: best test accuracy {event.best_accuracy:.2%} kept"
            )
