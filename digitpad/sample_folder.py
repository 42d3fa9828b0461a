"""Personal samples as image files: ``DIR/<digit>/*.png`` (the layout ``digitpad evaluate --images`` reads).

Export writes each sample's 28x28 network input as a PNG (white ink on
black: normalising it again gives the same input); import reads any image
files in that layout through the same normalisation a user's file gets.
numpy + Pillow only.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from digitpad.commands.evaluate import labelled_files
from digitpad.errors import DataError, DigitPadError
from digitpad.imageio import load_image
from digitpad.normalize import MNIST_MEAN, MNIST_STD, normalize
from digitpad.sample_store import Sample, SampleStore


@dataclass(frozen=True)
class FolderSamples:
    images: np.ndarray  # uint8 (N, 28, 28) network inputs
    labels: np.ndarray  # int64 (N,)
    files: tuple[Path, ...]
    skipped: tuple[str, ...]  # one line per file that could not be used


def read_folder(folder: str | Path) -> FolderSamples:
    """Every usable image under ``folder/<digit>/``. Raises ``DataError`` when there is none."""
    images, labels, files, skipped = [], [], [], []
    for path, digit in labelled_files(Path(folder)):
        try:
            image = load_image(path)
        except DigitPadError as error:
            skipped.append(str(error))
            continue
        norm = normalize(image.gray, image.alpha, mean=MNIST_MEAN, std=MNIST_STD)
        if norm.empty:
            skipped.append(f"{path}: no digit found")
            continue
        images.append(norm.preview)
        labels.append(digit)
        files.append(path)
    if not images:
        raise DataError(f"{folder}: none of the images could be used")
    return FolderSamples(np.stack(images), np.asarray(labels, np.int64), tuple(files), tuple(skipped))


def import_folder(store: SampleStore, folder: str | Path) -> tuple[int, tuple[str, ...]]:
    """Add the folder's images to the store as ``file`` samples (one transaction); ``(added, skipped)``."""
    found = read_folder(folder)
    rows = [
        {"label": int(label), "image": image, "source": "file"}
        for image, label in zip(found.images, found.labels, strict=True)
    ]
    store.add_many(rows)
    return len(rows), found.skipped


def sample_file_name(sample: Sample) -> str:
    return f"sample-{sample.id:06d}.png"


def export_folder(store: SampleStore, folder: str | Path) -> int:
    """Write every sample to ``folder/<digit>/sample-<id>.png``; returns how many. Raises ``DataError``."""
    folder = Path(folder)
    written = 0
    try:
        for sample in store.samples(with_strokes=False):
            sub = folder / str(sample.label)
            sub.mkdir(parents=True, exist_ok=True)
            target = sub / sample_file_name(sample)
            fd, tmp = tempfile.mkstemp(prefix=".sample-", suffix=".png", dir=sub)
            with os.fdopen(fd, "wb") as fh:
                Image.fromarray(sample.image).save(fh, format="PNG")
            os.replace(tmp, target)
            written += 1
    except OSError as exc:
        raise DataError(f"could not export the samples to {folder}: {exc.strerror or exc}") from exc
    return written
