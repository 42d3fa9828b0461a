"""Accuracy of the shipped weights on MNIST test digits re-rendered like users' images.

    python benchmarks/rerendered_accuracy.py --data-dir ../shared/mnist [--count 10000]

Each test digit is upscaled 7-13x onto a larger canvas at a random offset and
size, then fed through ``digitpad.normalize`` three ways: white on black,
inverted to black on white, and as RGBA on a transparent background (garbage
colour in the transparent pixels).  Prints the accuracy on the originals and
on each re-rendering; the tests require each within 0.3 points.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from anywhere, no install needed

from digitpad.normalize import MNIST_MEAN, MNIST_STD  # noqa: E402
from digitpad.predictor import Predictor  # noqa: E402
from digitpad.resources import shipped_weights  # noqa: E402
from tests.mnist_rerender import MODES, mnist_test, rerender  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default=str(REPO.parent / "shared" / "mnist"))
    p.add_argument("--weights", default=None)
    p.add_argument("--count", type=int, default=10_000)
    args = p.parse_args()
    predictor = Predictor.from_checkpoint(args.weights or shipped_weights())
    images, labels = mnist_test(Path(args.data_dir), args.count)
    originals = ((images.astype(np.float32) / 255.0 - MNIST_MEAN) / MNIST_STD).astype(np.float32)
    baseline = (predictor.predict_batch(originals).argmax(1) == labels).mean() * 100
    print(f"{len(labels)} MNIST test digits, model {predictor.model_name}")
    print(f"{'originals':16s} {baseline:6.2f}%")
    rng = np.random.default_rng(0)
    for mode in MODES:
        results = [rerender(image, mode, rng) for image in images]
        empty = sum(r.empty for r in results)
        inputs = np.stack([r.input if not r.empty else np.zeros((28, 28), np.float32) for r in results])
        predicted = predictor.predict_batch(inputs).argmax(1)
        predicted[[i for i, r in enumerate(results) if r.empty]] = -1
        accuracy = (predicted == labels).mean() * 100
        print(f"{mode:16s} {accuracy:6.2f}%  ({accuracy - baseline:+.2f} points, {empty} read as empty)")


if __name__ == "__main__":
    main()
