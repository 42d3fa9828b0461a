"""The weights files in a folder (the user's trained weights), with what their checkpoints say.

Qt-free.  :func:`list_weights` reads each checkpoint with
:func:`digitpad.checkpoint.load_checkpoint` (``weights_only=True``), so it
imports torch: the GUI calls it from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

WEIGHTS_SUFFIXES = (".pt", ".pth")


@dataclass(frozen=True)
class WeightsInfo:
    """One weights file. ``problem`` is a one-line reason when it cannot be used."""

    path: Path
    size: int  # bytes
    modified: datetime  # file time, UTC
    model: str = ""
    test_accuracy: float | None = None
    date: str = ""  # when it was saved, from the checkpoint's meta (ISO 8601)
    problem: str = ""


def weights_files(folder: Path) -> list[Path]:
    """The weights files directly in ``folder``, newest first (none when it does not exist)."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in WEIGHTS_SUFFIXES]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def describe(path: Path) -> WeightsInfo:
    """What ``path`` holds; never raises for a bad file (``problem`` says what is wrong)."""
    from digitpad.checkpoint import load_checkpoint
    from digitpad.errors import DigitPadError

    try:
        stat = path.stat()
    except OSError as error:
        return WeightsInfo(path, 0, datetime.fromtimestamp(0, timezone.utc), problem=str(error.strerror or error))
    modified = datetime.fromtimestamp(stat.st_mtime, timezone.utc)
    try:
        checkpoint = load_checkpoint(path)
    except DigitPadError as error:
        return WeightsInfo(path, stat.st_size, modified, problem=str(error))
    date = checkpoint.meta.get("date")
    return WeightsInfo(
        path,
        stat.st_size,
        modified,
        model=checkpoint.model,
        test_accuracy=checkpoint.test_accuracy,
        date=date if isinstance(date, str) else "",
    )


def list_weights(folder: Path) -> list[WeightsInfo]:
    """:func:`describe` for every weights file in ``folder``, newest first."""
    return [describe(path) for path in weights_files(folder)]
