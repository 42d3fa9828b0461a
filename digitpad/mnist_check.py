"""Check MNIST's idx files before torchvision reads them: one clear line for every broken case.

torchvision turns a damaged or unreadable file into an ``IndexError`` later,
an ``AssertionError``, ``invalid literal for int() with base 16: b''`` or a
``PermissionError`` traceback; here each becomes a :class:`DataError` that
names the file and what is wrong.  Reads only the 16-byte headers and the
labels (70 KB); no torch.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from digitpad.errors import DataError
from digitpad.paths import default_mnist_dir, mnist_raw_dir

IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
SPLIT_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def mnist_folder_problem(folder: str | Path | None) -> str | None:
    """Why MNIST in ``folder`` cannot be read (one line); None when it can or is simply absent.

    A missing folder or file is not a problem here: finding or downloading
    MNIST is :func:`digitpad.mnist_download.ensure_mnist`'s job.
    """
    root = Path(folder) if folder is not None else default_mnist_dir()
    raw = mnist_raw_dir(root)
    for place in (root, root / "MNIST", raw):
        try:
            info = place.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"cannot open the MNIST folder {place}: {_reason(exc)}"
        if not stat.S_ISDIR(info.st_mode):
            return f"{place} is not a folder (expected MNIST's {raw})"
    try:
        os.listdir(raw)
    except OSError as exc:
        return f"cannot read the MNIST folder {raw}: {_reason(exc)}"
    return None


def check_mnist_split(folder: str | Path | None, *, train: bool) -> None:
    """Raise ``DataError`` when the split's idx files exist but are unreadable or corrupt.

    Checked: readable regular files, the idx magic numbers, 28x28 images,
    file sizes that match the headers, as many labels as images, labels 0-9.
    """
    problem = mnist_folder_problem(folder)
    if problem:
        raise DataError(problem)
    raw = mnist_raw_dir(Path(folder) if folder is not None else default_mnist_dir())
    images_path, labels_path = (raw / name for name in SPLIT_FILES[train])
    if not (images_path.exists() and labels_path.exists()):
        return  # missing: ensure_mnist says so (or downloads)
    count = _check_header(images_path, IMAGES_MAGIC, 3, item_bytes=28 * 28)
    labels = _read_labels(labels_path)
    which = "training" if train else "test"
    if len(labels) != count:
        raise DataError(f"MNIST {which} set in {raw} is inconsistent: {count} images but {len(labels)} labels")
    top = max(labels, default=0)
    if top > 9:
        raise DataError(f"MNIST labels file {labels_path} is corrupt: it holds label {top} (labels are 0-9)")


def _check_header(path: Path, magic: int, dims: int, *, item_bytes: int) -> int:
    """The item count from an idx header; ``DataError`` when the file does not match it."""
    data = _read(path, 16 if dims == 3 else 8)
    expected_header = 4 + 4 * dims
    if len(data) < expected_header:
        raise DataError(f"MNIST file {path} is truncated ({len(data)} bytes; not even an idx header)")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise DataError(f"MNIST file {path} is not an MNIST idx file of this kind (magic number {found:#010x})")
    count = int.from_bytes(data[4:8], "big")
    if dims == 3:
        rows, cols = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
        if (rows, cols) != (28, 28):
            raise DataError(f"MNIST file {path} holds {rows}x{cols} images, not 28x28")
    size = _size(path)
    want = expected_header + count * item_bytes
    if size != want:
        kind = "truncated" if size < want else "longer than its header says"
        raise DataError(f"MNIST file {path} is {kind} ({size:,} bytes; {want:,} expected for {count:,} items)")
    return count


def _read_labels(path: Path) -> bytes:
    count = _check_header(path, LABELS_MAGIC, 1, item_bytes=1)
    return _read(path, 8 + count)[8:]


def _read(path: Path, limit: int) -> bytes:
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise DataError(f"MNIST file {path} is not a regular file")
        with open(path, "rb") as fh:
            return fh.read(limit)
    except DataError:
        raise
    except OSError as exc:
        raise DataError(f"cannot read MNIST file {path}: {_reason(exc)}") from None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise DataError(f"cannot read MNIST file {path}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()
