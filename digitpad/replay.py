"""General digits that ship with DigitPad, so personalising works offline.

``resources/replay/mnist-replay.npz`` holds two disjoint, class-balanced
random subsets of MNIST's **training** set (never the test set), uint8:

* ``replay``: mixed into every personalisation batch so the model keeps
  reading everyone else's digits;
* ``guard``: never trained on by personalisation; the no-regression check
  measures general accuracy on it before and after.

Built once with ``python -m digitpad.replay DATA_DIR`` (the file records the
MNIST indices it took, its seed and sizes).  numpy only.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitpad.errors import DataError
from digitpad.resources import resource_path

REPLAY_FILE = ("replay", "mnist-replay.npz")
REPLAY_PER_CLASS = 400  # 4,000 replay digits
GUARD_PER_CLASS = 200  # 2,000 guard digits
SEED = 11


@dataclass(frozen=True)
class ReplaySet:
    replay_images: np.ndarray  # uint8 (R, 28, 28)
    replay_labels: np.ndarray  # int64 (R,)
    guard_images: np.ndarray  # uint8 (G, 28, 28)
    guard_labels: np.ndarray  # int64 (G,)


def replay_path() -> Path:
    return resource_path(*REPLAY_FILE)


def load_replay(path: str | Path | None = None) -> ReplaySet:
    """The shipped replay and guard digits. Raises ``DataError``."""
    path = Path(path) if path is not None else replay_path()
    try:
        with np.load(path, allow_pickle=False) as data:
            out = ReplaySet(
                data["replay_images"].astype(np.uint8),
                data["replay_labels"].astype(np.int64),
                data["guard_images"].astype(np.uint8),
                data["guard_labels"].astype(np.int64),
            )
    except FileNotFoundError:
        raise DataError(f"the general digits for personalising are missing ({path})") from None
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(f"the general digits for personalising are unreadable ({path.name}: {exc})") from exc
    if out.replay_images.shape[1:] != (28, 28) or out.guard_images.shape[1:] != (28, 28):
        raise DataError(f"the general digits in {path.name} have an unexpected shape")
    return out


def build_replay(train_images: np.ndarray, train_labels: np.ndarray, out: str | Path, seed: int = SEED) -> Path:
    """Draw the two subsets from MNIST **training** arrays and write them atomically (compressed)."""
    rng = np.random.default_rng(seed)
    replay_idx, guard_idx = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(train_labels == digit))
        replay_idx.append(idx[:REPLAY_PER_CLASS])
        guard_idx.append(idx[REPLAY_PER_CLASS : REPLAY_PER_CLASS + GUARD_PER_CLASS])
    r = rng.permutation(np.concatenate(replay_idx))
    g = np.sort(np.concatenate(guard_idx))
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        replay_images=train_images[r].astype(np.uint8),
        replay_labels=train_labels[r].astype(np.uint8),
        guard_images=train_images[g].astype(np.uint8),
        guard_labels=train_labels[g].astype(np.uint8),
        replay_mnist_train_index=r.astype(np.int32),
        guard_mnist_train_index=g.astype(np.int32),
        seed=np.int64(seed),
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(buffer.getvalue())
    os.replace(tmp, out)
    return out


def _read_idx(path: Path, offset: int) -> np.ndarray:
    return np.frombuffer(path.read_bytes(), np.uint8, offset=offset)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build resources/replay/mnist-replay.npz from MNIST's training set.")
    parser.add_argument("data_dir", help="folder holding MNIST/raw")
    parser.add_argument("--out", default=None, help="default: the package's resources/replay/mnist-replay.npz")
    args = parser.parse_args(argv)
    raw = Path(args.data_dir) / "MNIST" / "raw"
    images = _read_idx(raw / "train-images-idx3-ubyte", 16).reshape(-1, 28, 28)
    labels = _read_idx(raw / "train-labels-idx1-ubyte", 8).astype(np.int64)
    path = build_replay(images, labels, args.out or replay_path())
    print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
