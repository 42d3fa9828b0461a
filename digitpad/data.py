"""MNIST in memory: one uint8 tensor per split on the training device.

torchvision reads (or, only when the caller allows it, downloads) the idx
files; after that the whole split lives in one ``(N, 28, 28)`` uint8 tensor
plus int64 labels, and batches are drawn with ``torch.randperm`` (no
DataLoader, no worker processes: fast on two cores, safe in a frozen bundle).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch

from digitpad.errors import DataError
from digitpad.normalize import MNIST_MEAN, MNIST_STD
from digitpad.paths import default_mnist_dir, mnist_present, mnist_raw_dir


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


def load_mnist(
    root: str | Path | None = None,
    *,
    train: bool,
    device: str | torch.device = "cpu",
    download: bool = False,
) -> Split:
    """Read one MNIST split from ``root`` (a folder holding ``MNIST/raw``).

    ``root`` defaults to :func:`digitpad.paths.default_mnist_dir`.  The files are
    downloaded there only when ``download`` is True.  Raises ``DataError``.
    """
    folder = Path(root) if root is not None else default_mnist_dir()
    try:
        from torchvision.datasets import MNIST  # lazy: only the training path needs torchvision
    except ImportError as exc:
        raise DataError(f"training needs torchvision, which this installation does not include ({exc})") from exc
    try:
        dataset = MNIST(str(folder), train=train, download=download)
        images = dataset.data
        labels = dataset.targets
    except DataError:
        raise
    except Exception as exc:  # torchvision raises RuntimeError, URLError, OSError, ValueError...
        which = "training" if train else "test"
        if download:
            reason = f"could not download or read the MNIST {which} set into {folder}"
        else:
            raw = mnist_raw_dir(folder)
            if not mnist_present(folder):
                raise DataError(
                    f"MNIST not found in {folder} (expected {raw}): download it (digitpad train "
                    "--download) or point --data-dir / DIGITPAD_DATA at a folder holding it"
                ) from exc
            reason = f"MNIST {which} set not found or unreadable in {raw}"
        raise DataError(f"{reason}: {_one_line(exc)}") from exc
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
    return max(1, n // batch_size)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
