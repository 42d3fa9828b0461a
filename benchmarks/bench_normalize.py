"""Time ``normalize`` on a 280x280 canvas and on a 3000x3000 photo.

    python benchmarks/bench_normalize.py [--repeat 300]

Prints p50/p99 in milliseconds.  Runs on one thread; needs no MNIST and no torch.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere, no install needed

from digitpad.normalize import normalize


def canvas(pen: int) -> np.ndarray:
    """A '3'-like stroke drawn black on white, like the GUI canvas."""
    image = Image.new("L", (280, 280), 255)
    draw = ImageDraw.Draw(image)
    draw.arc((80, 40, 200, 140), 200, 90, fill=0, width=pen)
    draw.arc((80, 130, 200, 240), 270, 160, fill=0, width=pen)
    return np.asarray(image)


def photo() -> np.ndarray:
    """3000x3000 uint8: lit paper with a gradient, noise and a dark '7'."""
    rng = np.random.default_rng(0)
    image = Image.new("L", (3000, 3000), 0)
    draw = ImageDraw.Draw(image)
    draw.line([(900, 800), (2100, 800), (1300, 2300)], fill=255, width=120)
    ink = np.asarray(image, np.float32) / 255.0
    ramp = np.linspace(0.65, 0.9, 3000, dtype=np.float32)[None, :]
    paper = ramp + rng.normal(0, 0.03, (3000, 3000)).astype(np.float32)
    return np.clip(paper * (1 - 0.8 * ink) * 255, 0, 255).astype(np.uint8)


def bench(name: str, array: np.ndarray, repeat: int) -> None:
    normalize(array)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = normalize(array)
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1e3
    print(f"{name:28s} p50 {np.percentile(ms, 50):7.3f} ms  p99 {np.percentile(ms, 99):7.3f} ms  empty={result.empty}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    bench("canvas 280x280, pen 18 px", canvas(18), args.repeat)
    bench("canvas 280x280, pen 3 px", canvas(3), args.repeat)
    bench("blank canvas 280x280", np.full((280, 280), 255, np.uint8), args.repeat)
    bench("photo 3000x3000", photo(), max(10, args.repeat // 10))


if __name__ == "__main__":
    main()
