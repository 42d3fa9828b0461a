"""Corrupt or unreadable MNIST: one clear line (DataError), never a torchvision traceback."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digitpad.data import load_mnist
from digitpad.errors import DataError
from tests.mnist_fixture import write_idx_images, write_idx_labels, write_tiny_mnist

RAW = ("MNIST", "raw")


@pytest.fixture
def tiny(tmp_path) -> Path:
    write_tiny_mnist(tmp_path, n_train=60, n_test=20, synthetic=True)
    return tmp_path


def raw(root: Path) -> Path:
    return root.joinpath(*RAW)


def refused(root: Path, train: bool = True) -> str:
    with pytest.raises(DataError) as info:
        load_mnist(root, train=train)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_tiny_mnist_still_loads(tiny):
    assert len(load_mnist(tiny, train=True)) == 60


def test_labels_out_of_range(tiny):
    labels = np.arange(60) % 10
    labels[7] = 12
    write_idx_labels(raw(tiny) / "train-labels-idx1-ubyte", labels)
    message = refused(tiny)
    assert "label 12" in message and "train-labels-idx1-ubyte" in message


def test_truncated_images(tiny):
    path = raw(tiny) / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:5000])
    assert "is truncated" in refused(tiny)


def test_empty_labels_file(tiny):
    (raw(tiny) / "t10k-labels-idx1-ubyte").write_bytes(b"")
    assert "truncated" in refused(tiny, train=False)


def test_wrong_magic(tiny):
    path = raw(tiny) / "train-images-idx3-ubyte"
    data = bytearray(path.read_bytes())
    data[3] = 0x01
    path.write_bytes(bytes(data))
    assert "not an MNIST idx file" in refused(tiny)


def test_image_and_label_counts_differ(tiny):
    write_idx_labels(raw(tiny) / "train-labels-idx1-ubyte", np.arange(50) % 10)
    assert "60 images but 50 labels" in refused(tiny)


def test_wrong_image_size(tiny):
    write_idx_images(raw(tiny) / "train-images-idx3-ubyte", np.zeros((60, 32, 32), np.uint8))
    assert "32x32" in refused(tiny)


def test_a_folder_in_place_of_a_file(tiny):
    path = raw(tiny) / "train-images-idx3-ubyte"
    path.unlink()
    path.mkdir()
    assert "not a regular file" in refused(tiny)


def test_unreadable_raw_folder(tiny, monkeypatch):
    real_listdir = os.listdir

    def deny(path):
        if Path(path) == raw(tiny):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", deny)
    message = refused(tiny)
    assert message == f"cannot read the MNIST folder {raw(tiny)}: permission denied"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_raw_folder_for_real(tiny):
    raw(tiny).chmod(0)
    try:
        assert "permission denied" in refused(tiny)
    finally:
        raw(tiny).chmod(0o755)


def test_cli_train_on_corrupt_labels_is_one_line(tiny):
    labels = np.arange(60) % 10
    labels[0] = 200
    write_idx_labels(raw(tiny) / "train-labels-idx1-ubyte", labels)
    out = subprocess.run(
        [sys.executable, "-m", "digitpad", "train", "--data-dir", str(tiny), "--epochs", "1", "--threads", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert out.returncode == 1
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert lines and "label 200" in lines[-1] and "Traceback" not in out.stderr
