"""Where DigitPad writes: the user's data folder (retrained weights) and cache (MNIST).

Nothing is ever written next to the code or into a bundle.  ``DIGITPAD_HOME``
moves everything (tests use it); otherwise the platform's conventions apply.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "digitpad"


def _platform_data_home() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _platform_cache_home() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def data_home() -> Path:
    """The user's DigitPad data folder (not created here)."""
    override = os.environ.get("DIGITPAD_HOME")
    if override:
        return Path(override)
    return _platform_data_home() / APP_NAME


def cache_home() -> Path:
    override = os.environ.get("DIGITPAD_HOME")
    if override:
        return Path(override) / "cache"
    return _platform_cache_home() / APP_NAME


def user_weights_dir() -> Path:
    """Where freshly trained weights go, one timestamped file per run."""
    return data_home() / "weights"


def default_mnist_dir() -> Path:
    """Where MNIST is looked for, and downloaded to, when no folder is given.

    ``DIGITPAD_DATA`` names a folder holding ``MNIST/raw`` (torchvision's layout).
    """
    env = os.environ.get("DIGITPAD_DATA")
    if env:
        return Path(env)
    return cache_home() / "mnist"


MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def mnist_raw_dir(folder: str | Path) -> Path:
    """Where torchvision's ``MNIST(folder)`` reads the idx files."""
    return Path(folder) / "MNIST" / "raw"


def mnist_present(folder: str | Path) -> bool:
    """True when ``folder/MNIST/raw`` holds the four idx files torchvision reads."""
    raw = mnist_raw_dir(folder)
    return all((raw / name).is_file() for name in MNIST_FILES)


def default_pendigits() -> Path:
    """Where ``digitpad train --data mix`` looks for ``pendigits-orig.tra`` when none is given.

    ``DIGITPAD_PENDIGITS`` names the file; otherwise ``pendigits/pendigits-orig.tra``
    next to the default MNIST folder (``../shared`` in a development checkout).
    """
    env = os.environ.get("DIGITPAD_PENDIGITS")
    if env:
        return Path(env)
    return default_mnist_dir().parent / "pendigits" / "pendigits-orig.tra"
