"""Finds the read-only files DigitPad ships: weights, icons, sample images.

One helper for the three ways DigitPad runs:

* a source checkout: ``weights/`` and ``resources/`` beside the package;
* an installed wheel: the same folders inside the package as ``digitpad/_assets``;
* a PyInstaller bundle: the same folders at the top of the bundle (``sys._MEIPASS``).
"""

from __future__ import annotations

import sys
from pathlib import Path

SHIPPED_WEIGHTS_NAME = "digitpad.pt"
STROKE_WEIGHTS_NAME = "strokes.pt"


def asset_root() -> Path:
    """The folder holding ``weights/`` and ``resources/``."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle)
    package = Path(__file__).resolve().parent
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "weights").is_dir():
        return checkout
    return package / "_assets"


def weights_dir() -> Path:
    return asset_root() / "weights"


def shipped_weights() -> Path:
    """The trained weights that ship with DigitPad (read-only)."""
    return weights_dir() / SHIPPED_WEIGHTS_NAME


def shipped_stroke_weights() -> Path:
    """The stroke model that ships with DigitPad (read-only; ``digitpad.stroke_model``)."""
    return weights_dir() / STROKE_WEIGHTS_NAME


def stroke_weights() -> Path | None:
    """The stroke model the pad uses: the user's own (``digitpad train-strokes``), else the shipped one."""
    from digitpad.paths import user_weights_dir

    for path in (user_weights_dir() / STROKE_WEIGHTS_NAME, shipped_stroke_weights()):
        if path.is_file():
            return path
    return None


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``, e.g. ``resource_path("icons", "digitpad.svg")``."""
    return asset_root().joinpath("resources", *parts)


def sample_images() -> list[Path]:
    """The bundled sample digit images, sorted by name."""
    folder = resource_path("samples")
    return sorted(p for p in folder.glob("*.png") if p.is_file())
