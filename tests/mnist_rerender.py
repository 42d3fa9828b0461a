"""MNIST test digits re-rendered the way users' images arrive: big, off-centre,
inverted or on a transparent background (shared by the tests and
``benchmarks/rerendered_accuracy.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from digitpad.normalize import Normalized, normalize

MODES = ("white-on-black", "black-on-white", "rgba")


def mnist_test(mnist_dir: Path, n: int) -> tuple[np.ndarray, np.ndarray]:
    raw = mnist_dir / "MNIST" / "raw"
    images = np.frombuffer((raw / "t10k-images-idx3-ubyte").read_bytes(), np.uint8, offset=16)
    labels = np.frombuffer((raw / "t10k-labels-idx1-ubyte").read_bytes(), np.uint8, offset=8)
    return images.reshape(-1, 28, 28)[:n], labels[:n].astype(np.int64)


def rerender(digit: np.ndarray, mode: str, rng: np.random.Generator) -> Normalized:
    """An MNIST digit upscaled 7-13x onto a larger canvas at a random offset."""
    size = int(28 * rng.uniform(7, 13))
    big = np.asarray(Image.fromarray(digit).resize((size, size), Image.BICUBIC), np.float32) / 255
    h, w = int(size * rng.uniform(1.05, 1.8)), int(size * rng.uniform(1.05, 1.8))
    canvas = np.zeros((h, w), np.float32)
    y, x = rng.integers(0, h - size + 1), rng.integers(0, w - size + 1)
    canvas[y : y + size, x : x + size] = big
    if mode == "white-on-black":
        return normalize(canvas)
    if mode == "black-on-white":
        return normalize(1.0 - canvas)
    garbage = rng.random(canvas.shape).astype(np.float32)
    return normalize(np.where(canvas > 0, 0.0, garbage).astype(np.float32), canvas)
