"""Copies between ``QImage`` and numpy arrays (no shared buffers, safe across threads).

numpy is imported inside the functions so that importing the GUI does not
pull it in before the window is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QImage

if TYPE_CHECKING:
    import numpy as np


def qimage_to_gray(image: QImage) -> np.ndarray:
    """A ``uint8`` (H, W) copy of ``image`` converted to 8-bit grayscale."""
    import numpy as np

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    height, width, stride = gray.height(), gray.width(), gray.bytesPerLine()
    buffer = np.frombuffer(gray.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, :width].copy()


def gray_to_qimage(gray: np.ndarray) -> QImage:
    """A ``Grayscale8`` image owning a copy of ``gray`` (uint8, or float in [0, 1])."""
    import numpy as np

    if gray.dtype != np.uint8:
        gray = np.clip(np.asarray(gray, dtype=np.float32) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    gray = np.ascontiguousarray(gray)
    height, width = gray.shape
    # QImage wraps the buffer without copying; .copy() detaches it from numpy.
    return QImage(gray.data, width, height, width, QImage.Format.Format_Grayscale8).copy()


def gray_alpha_to_qimage(gray: np.ndarray, alpha: np.ndarray | None) -> QImage:
    """An image for display: ``gray`` (float in [0, 1]) with optional transparency."""
    import numpy as np

    if alpha is None:
        return gray_to_qimage(gray)
    g = np.clip(np.asarray(gray, dtype=np.float32) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    a = np.clip(np.asarray(alpha, dtype=np.float32) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    rgba = np.ascontiguousarray(np.stack([g, g, g, a], axis=-1))
    height, width = g.shape
    return QImage(rgba.data, width, height, width * 4, QImage.Format.Format_RGBA8888).copy()
