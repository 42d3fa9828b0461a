"""MNIST for tests: finding the real files, reading their first images, and a tiny copy in idx layout.

``find_mnist()`` is the one place tests look for the real files (the
``mnist_dir`` fixture uses it); ``read_idx_head`` the one reader.

``write_tiny_mnist(root)`` cuts the first images of the real files when they
are available (``DIGITPAD_DATA`` or ``../shared/mnist``) and otherwise draws
synthetic digits with Pillow's built-in font, so tests never depend on the
real data unless they ask for it.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def find_mnist() -> Path | None:
    """The folder holding the real ``MNIST/raw`` files: ``DIGITPAD_DATA``, else ``../shared/mnist``; None when absent."""
    roots = [Path(os.environ["DIGITPAD_DATA"])] if os.environ.get("DIGITPAD_DATA") else []
    roots.append(REPO.parent / "shared" / "mnist")
    for root in roots:
        raw = root / "MNIST" / "raw"
        if all((raw / f).is_file() for pair in FILES.values() for f in pair):
            return root
    return None


def real_mnist_raw() -> Path | None:
    """``find_mnist()/MNIST/raw``, or None."""
    root = find_mnist()
    return root / "MNIST" / "raw" if root is not None else None


def write_idx_images(path: Path, images: np.ndarray) -> None:
    images = np.ascontiguousarray(images, dtype=np.uint8)
    n, h, w = images.shape
    path.write_bytes(struct.pack(">IIII", 0x00000803, n, h, w) + images.tobytes())


def write_idx_labels(path: Path, labels: np.ndarray) -> None:
    labels = np.ascontiguousarray(labels, dtype=np.uint8)
    path.write_bytes(struct.pack(">II", 0x00000801, labels.shape[0]) + labels.tobytes())


def read_idx_head(raw: Path, train: bool, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` images and labels of one real split."""
    img_name, lab_name = FILES[train]
    with open(raw / img_name, "rb") as fh:
        fh.read(16)
        images = np.frombuffer(fh.read(n * 784), dtype=np.uint8).reshape(n, 28, 28)
    with open(raw / lab_name, "rb") as fh:
        fh.read(8)
        labels = np.frombuffer(fh.read(n), dtype=np.uint8)
    return images, labels


def synthetic_digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """White-on-black digits from Pillow's default font, jittered in place and size."""
    from PIL import Image, ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    font = ImageFont.load_default()
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    for i, d in enumerate(labels):
        canvas = Image.new("L", (14, 14), 0)
        ImageDraw.Draw(canvas).text((3, 1), str(int(d)), fill=255, font=font)
        size = int(rng.integers(16, 23))
        glyph = canvas.resize((size, size), Image.BILINEAR)
        ox, oy = rng.integers(0, 28 - size + 1, 2)
        images[i, oy : oy + size, ox : ox + size] = np.asarray(glyph)
    return images, labels


def write_tiny_mnist(root: Path, n_train: int = 600, n_test: int = 200, *, synthetic: bool = False) -> Path:
    """Write ``root/MNIST/raw/*`` (idx layout) and return ``root``."""
    raw_src = None if synthetic else real_mnist_raw()
    raw = Path(root) / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for train, n in ((True, n_train), (False, n_test)):
        if raw_src is not None:
            images, labels = read_idx_head(raw_src, train, n)
        else:
            images, labels = synthetic_digits(n, seed=1 if train else 2)
        img_name, lab_name = FILES[train]
        write_idx_images(raw / img_name, images)
        write_idx_labels(raw / lab_name, labels)
    return Path(root)
