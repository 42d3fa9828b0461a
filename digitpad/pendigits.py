"""Read the Pendigits pen trajectories (UNIPEN text, ``pendigits-orig.tra`` / ``.tes``).

Each digit comes back as its label, its writer and its strokes in the order
they were written, in screen coordinates (y grows downward), so benchmarks and
training code can replay them as pen strokes or render them as images.

    digits = read_pendigits("../shared/pendigits/pendigits-orig.tes")
    digits[0].label, digits[0].writer, digits[0].strokes[0].shape   # 8, 6, (N, 2)

numpy only; the files are small (a few MB), so they are parsed in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitpad.errors import DataError

TABLET_SIZE = 500.0
"""Coordinates are integers in a 500x500 tablet box per digit (y up in the file)."""


@dataclass(frozen=True)
class PenDigit:
    label: int
    writer: int  # as numbered within its file (1-30 in .tra, 1-14 in .tes)
    sample: int  # the file's sample number of this writer's digit
    strokes: tuple[np.ndarray, ...]  # float32 (N, 2) each, (x, y) with y growing downward

    def bounds(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of all points."""
        points = np.concatenate(self.strokes)
        x0, y0 = points.min(axis=0)
        x1, y1 = points.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


def read_pendigits(path: str | Path) -> list[PenDigit]:
    """Every digit of a Pendigits UNIPEN file, in file order. Raises ``DataError``."""
    try:
        lines = Path(path).read_text(encoding="ascii", errors="replace").splitlines()
    except OSError as error:
        raise DataError(f"cannot read Pendigits file {path}: {error.strerror or error}") from None
    return list(_parse(lines, str(path)))


def _parse(lines: Iterable[str], name: str) -> Iterable[PenDigit]:
    label: int | None = None
    writer = sample = 0
    strokes: list[np.ndarray] = []
    points: list[tuple[float, float]] | None = None

    def finish() -> PenDigit | None:
        if label is None or not strokes:
            return None
        return PenDigit(label, writer, sample, tuple(strokes))

    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(".SEGMENT"):
            done = finish()
            if done is not None:
                yield done
            label, strokes = _label(line, name, number), []
        elif line.startswith(".COMMENT"):
            fields = line.split()
            if len(fields) >= 4:
                writer, sample = int(fields[2]), int(fields[3])
        elif line.startswith(".PEN_DOWN"):
            points = []
        elif line.startswith(".PEN_UP"):
            if points:
                xy = np.asarray(points, dtype=np.float32)
                xy[:, 1] = TABLET_SIZE - xy[:, 1]  # the file's y grows upward
                strokes.append(xy)
            points = None
        elif points is not None and not line.startswith("."):
            try:
                x, y = line.split()[:2]
                points.append((float(x), float(y)))
            except ValueError:
                raise DataError(f"{name}:{number}: not a point: {line!r}") from None
    done = finish()
    if done is not None:
        yield done


def _label(line: str, name: str, number: int) -> int:
    try:
        value = int(line.rsplit('"', 2)[1])
    except (IndexError, ValueError):
        raise DataError(f"{name}:{number}: no digit label in {line!r}") from None
    if not 0 <= value <= 9:
        raise DataError(f"{name}:{number}: label {value} is not a digit")
    return value
