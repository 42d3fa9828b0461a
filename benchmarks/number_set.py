"""Build handwritten numbers from Pendigits: one writer's digits laid out as on a wide pad.

    numbers = build_numbers("../shared/pendigits/pendigits-orig.tes", count=600, seed=0)
    numbers[0].text, numbers[0].strokes          # "2026", [InkStroke, ...] in pad units
    image = render_number(numbers[0])            # uint8, dark ink on white paper

Numbers have 2-6 digits (most 3-4; some years, some repeated digits), each
from one writer's own samples.  Every digit is scaled to the writer's height
(a little jitter), sits on a baseline with a little jitter, and the gaps
between ink boxes are drawn so that about 15% of neighbours touch or overlap.
Some two-stroke digits get their second stroke (the bar of a 4, 5 or 7)
written last, after the whole number, as people do.  Coordinates are pad
units: the number pad is ``PAD_HEIGHT`` tall, the pen ``PEN_WIDTH`` wide.
"""

from __future__ import annotations

import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digitpad.ink import InkStroke
from digitpad.pendigits import PenDigit, read_pendigits
from digitpad.segment_strokes import smooth_path

PAD_HEIGHT = 280.0  # the canvas's render units
PEN_WIDTH = 22.0  # the canvas's default pen
WRITING_HEIGHT = 170.0  # digits about 60% of the pad's height
MARGIN = 40.0
LENGTHS = (2, 3, 4, 5, 6)
LENGTH_WEIGHTS = (0.10, 0.32, 0.33, 0.13, 0.12)
GAP_MEAN, GAP_SD, GAP_MIN = 0.20, 0.19, -0.10  # between ink boxes, in writing heights
LATE_STROKE = 0.15  # chance that a multi-stroke digit's last stroke comes after the number


@dataclass(frozen=True)
class NumberSample:
    text: str
    writer: int
    strokes: tuple[InkStroke, ...]  # in writing order
    digit_of_stroke: tuple[int, ...]  # which digit (0-based, left to right) each stroke belongs to
    width: float  # the pad width the number needs, in pad units
    touching: int  # neighbours whose ink boxes touch or overlap
    pairs: int  # neighbours in all


def _number_text(rng: np.random.Generator) -> str:
    kind = rng.random()
    if kind < 0.12:  # a year
        return str(int(rng.choice([19, 20]))) + f"{int(rng.integers(0, 100)):02d}"
    n = int(rng.choice(LENGTHS, p=LENGTH_WEIGHTS))
    digits = [int(d) for d in rng.integers(0, 10, n)]
    if kind < 0.24 and n >= 2:  # a repeated digit: 1111, 477, 9900
        i = int(rng.integers(0, n - 1))
        digits[i + 1] = digits[i]
        if n >= 3 and rng.random() < 0.5:
            digits[min(n - 1, i + 2)] = digits[i]
    return "".join(map(str, digits))


def build_numbers(
    path: str | Path, count: int = 600, seed: int = 0, writers: Collection[int] | None = None
) -> list[NumberSample]:
    """``count`` numbers from the Pendigits file at ``path``, reproducible with ``seed``; only
    the given ``writers`` when named (tuning: the writers training held out)."""
    rng = np.random.default_rng(seed)
    by_writer: dict[int, dict[int, list[PenDigit]]] = {}
    for d in read_pendigits(path):
        if writers is not None and d.writer not in writers:
            continue
        by_writer.setdefault(d.writer, {}).setdefault(d.label, []).append(d)
    writers = sorted(w for w, labels in by_writer.items() if len(labels) == 10)
    out = []
    for _ in range(count):
        writer = int(rng.choice(writers))
        text = _number_text(rng)
        used: set[int] = set()
        picks = []
        for ch in text:
            pool = [d for d in by_writer[writer][int(ch)] if id(d) not in used]
            pick = pool[int(rng.integers(0, len(pool)))]
            used.add(id(pick))
            picks.append(pick)
        out.append(_layout(text, writer, picks, rng))
    return out


def _layout(text: str, writer: int, digits: list[PenDigit], rng: np.random.Generator) -> NumberSample:
    strokes: list[InkStroke] = []
    owners: list[int] = []
    late: list[tuple[InkStroke, int]] = []
    x = MARGIN
    top = (PAD_HEIGHT - WRITING_HEIGHT) / 2.0
    touching = 0
    for i, digit in enumerate(digits):
        x0, y0, x1, y1 = digit.bounds()
        scale = WRITING_HEIGHT * rng.uniform(0.93, 1.07) / max(y1 - y0, 1.0)
        dy = top + rng.normal(0.0, 0.03) * WRITING_HEIGHT
        if i:
            gap = max(GAP_MIN, rng.normal(GAP_MEAN, GAP_SD)) * WRITING_HEIGHT
            touching += gap <= 0.0
            x += gap
        pieces = [(s - (x0, y0)) * scale + (x + PEN_WIDTH / 2, dy) for s in digit.strokes]
        for k, points in enumerate(pieces):
            stroke = InkStroke(points.astype(np.float32), PEN_WIDTH)
            if k == len(pieces) - 1 and k > 0 and rng.random() < LATE_STROKE:
                late.append((stroke, i))
            else:
                strokes.append(stroke)
                owners.append(i)
        x += (x1 - x0) * scale + PEN_WIDTH  # the right edge of this digit's ink
    for stroke, i in late:
        strokes.append(stroke)
        owners.append(i)
    return NumberSample(text, writer, tuple(strokes), tuple(owners), x + MARGIN, touching, len(digits) - 1)


def render_number(sample: NumberSample, scale: float = 0.4, supersample: int = 3) -> np.ndarray:
    """The number as a picture: dark ink on white paper, uint8; writing height ``170 * scale`` px."""
    w = int(np.ceil(sample.width * scale))
    h = int(np.ceil(PAD_HEIGHT * scale))
    ss = supersample
    canvas = Image.new("L", (w * ss, h * ss), 255)
    draw = ImageDraw.Draw(canvas)
    for stroke in sample.strokes:
        xy = smooth_path(np.asarray(stroke.points, np.float64)) * scale * ss
        pen = stroke.width * scale * ss
        flat = [(float(a), float(b)) for a, b in xy]
        if len(flat) > 1:
            draw.line(flat, fill=0, width=round(pen), joint="curve")
        for a, b in (flat[0], flat[-1]):
            draw.ellipse((a - pen / 2, b - pen / 2, a + pen / 2, b + pen / 2), fill=0)
    return np.asarray(canvas.reduce(ss))


def write_images(samples: list[NumberSample], folder: str | Path) -> list[Path]:
    """PNG files ``<index>_<number>.png`` (the layout ``digitpad evaluate --numbers`` reads)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, sample in enumerate(samples):
        path = folder / f"{i:04d}_{sample.text}.png"
        Image.fromarray(render_number(sample)).save(path)
        paths.append(path)
    return paths
