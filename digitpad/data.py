"""Training data in memory: one uint8 tensor per split on the training device.

A run gets its data from a :data:`DataSource` (a function of the device):
:func:`mnist_source` reads MNIST (found, or downloaded safely by
:mod:`digitpad.mnist_download` when the caller allows it) through
torchvision; :func:`arrays_source` takes images already in memory (a user's
own samples, generated data).  After that the whole split lives in one ``(N, 28, 28)`` uint8 tensor
plus int64 labels, and batches are drawn with ``torch.randperm`` (no
DataLoader, no worker processes: fast on two cores, safe in a frozen bundle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from digitpad.errors import DataError
from digitpad.mnist_check import check_mnist_split
from digitpad.mnist_download import ensure_mnist
from digitpad.normalize import MNIST_MEAN, MNIST_STD
from digitpad.paths import mnist_raw_dir


@dataclass(frozen=True)
class Split:
    """One split: ``images`` uint8 (N, 28, 28), ``labels`` int64 (N,), on one device."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def head(self, n: int | None) -> Split:
        """The first ``n`` samples (all when ``n`` is None)."""
        if n is None or n >= len(self):
            return self
        return Split(self.images[:n], self.labels[:n])

    def to(self, device: str | torch.device) -> Split:
        return Split(self.images.to(device), self.labels.to(device))

    @classmethod
    def from_arrays(cls, images: np.ndarray, labels: np.ndarray, device: str | torch.device = "cpu") -> Split:
        """From uint8 ``(N, 28, 28)`` images (white ink on black, MNIST's scale) and ``(N,)`` digit labels."""
        images = np.asarray(images)
        labels = np.asarray(labels)
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
            raise DataError(f"images must be uint8 (N, 28, 28), got {images.dtype} {images.shape}")
        if labels.shape != (images.shape[0],) or (labels.size and (labels.min() < 0 or labels.max() > 9)):
            raise DataError(f"labels must be {images.shape[0]} digits 0-9, got shape {labels.shape}")
        return cls(
            torch.from_numpy(np.ascontiguousarray(images)).to(device),
            torch.from_numpy(labels.astype(np.int64)).to(device),
        )

    @staticmethod
    def concat(*splits: Split) -> Split:
        """One split holding all of ``splits`` in order (e.g. new samples plus replayed MNIST)."""
        return Split(torch.cat([s.images for s in splits]), torch.cat([s.labels for s in splits]))


@dataclass(frozen=True)
class TrainingData:
    """What a run trains on and evaluates on (the best weights are kept by ``test`` accuracy)."""

    train: Split
    test: Split
    info: Mapping[str, Any] = field(default_factory=dict)  # plain values for the checkpoint's meta (e.g. counts)


DataSource = Callable[[torch.device], TrainingData]
"""Loads a run's data onto the given device; raises ``DataError``."""


def mnist_source(root: str | Path | None = None, *, download: bool = False) -> DataSource:
    """MNIST's train and test splits from ``root`` (downloaded there first when allowed and missing)."""

    def load(device: torch.device) -> TrainingData:
        train, test = load_splits(root, device=device, download=download)
        return TrainingData(train, test)

    return load


def arrays_source(
    train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray, test_labels: np.ndarray
) -> DataSource:
    """A run on images already in memory (uint8 ``(N, 28, 28)``, labels 0-9); checked at once."""
    train = Split.from_arrays(train_images, train_labels)
    test = Split.from_arrays(test_images, test_labels)

    def load(device: torch.device) -> TrainingData:
        return TrainingData(train.to(device), test.to(device))

    return load


def load_mnist(
    root: str | Path | None = None,
    *,
    train: bool,
    device: str | torch.device = "cpu",
    download: bool = False,
) -> Split:
    """Read one MNIST split from ``root`` (a folder holding ``MNIST/raw``).

    ``root`` defaults to :func:`digitpad.paths.default_mnist_dir`.  The files are
    downloaded there (https, checksummed, all or nothing) only when ``download``
    is True.  Raises ``DataError``.
    """
    check_mnist_split(root, train=train)  # unreadable or corrupt files: one clear line, not a traceback
    folder = ensure_mnist(root, download=download)  # DataError when missing and not downloadable
    try:
        from torchvision.datasets import MNIST  # lazy: only the training path needs torchvision
    except ImportError as exc:
        raise DataError(f"training needs torchvision, which this installation does not include ({exc})") from exc
    try:
        dataset = MNIST(str(folder), train=train, download=False)
        images = dataset.data
        labels = dataset.targets
    except Exception as exc:  # torchvision raises RuntimeError, OSError, ValueError...
        which = "training" if train else "test"
        raise DataError(
            f"MNIST {which} set not found or unreadable in {mnist_raw_dir(folder)}: {_one_line(exc)}"
        ) from exc
    if images.dtype != torch.uint8 or images.ndim != 3 or tuple(images.shape[1:]) != (28, 28):
        raise DataError(f"MNIST files in {folder} have an unexpected shape {tuple(images.shape)}")
    if labels.shape[0] != images.shape[0]:
        raise DataError(f"MNIST files in {folder}: {images.shape[0]} images but {labels.shape[0]} labels")
    return Split(images.contiguous().to(device), labels.to(torch.int64).to(device))


def load_splits(
    root: str | Path | None = None,
    *,
    device: str | torch.device = "cpu",
    download: bool = False,
) -> tuple[Split, Split]:
    """(train, test) splits on ``device``."""
    return (
        load_mnist(root, train=True, device=device, download=download),
        load_mnist(root, train=False, device=device, download=download),
    )


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float32 (N, 1, 28, 28) in [0, 1]."""
    return images.unsqueeze(1).float().div_(255.0)


def standardize(x: torch.Tensor, mean: float = MNIST_MEAN, std: float = MNIST_STD) -> torch.Tensor:
    """[0, 1] floats -> the network's input scale (in place when possible)."""
    return x.sub_(mean).div_(std)


def batches(
    split: Split, batch_size: int, generator: torch.Generator | None = None, *, shuffle: bool = True
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """(uint8 images, labels) batches; the last partial batch is dropped when shuffling."""
    n = len(split)
    if shuffle:
        order = torch.randperm(n, generator=generator).to(split.labels.device)
        stop = n - n % batch_size if n >= batch_size else n
    else:
        order = None
        stop = n
    for start in range(0, stop, batch_size):
        if order is None:
            yield split.images[start : start + batch_size], split.labels[start : start + batch_size]
        else:
            idx = order[start : start + batch_size]
            yield split.images[idx], split.labels[idx]


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Optimizer steps in one epoch of ``n`` images (the last partial batch is dropped)."""
    return max(1, n // batch_size)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
