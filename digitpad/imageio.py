"""Read any image Pillow understands as a grayscale float array plus optional alpha.

Qt-free and torch-free.  Every failure is an :class:`ImageLoadError` whose
message is one line naming the file, e.g. ``"x.png: file is truncated or corrupt"``.
"""

from __future__ import annotations

import errno
import io
import os
import re
import warnings
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from digitpad.errors import ImageLoadError

# Refuse images above this many pixels, checked from the header before any
# decoding: a 40-megapixel grayscale float image is already 160 MB.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class GrayImage:
    """A decoded image: what :func:`digitpad.normalize.normalize` takes."""

    gray: np.ndarray  # float32 (H, W) in [0, 1]
    alpha: np.ndarray | None  # float32 (H, W) in [0, 1] when the file had transparency


def load_image(path: str | os.PathLike[str]) -> GrayImage:
    """Decode the image file at ``path``; raises :class:`ImageLoadError`."""
    name = os.fspath(path)
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise ImageLoadError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ImageLoadError(f"{name}: is a folder, not an image file") from None
    except PermissionError:
        raise ImageLoadError(f"{name}: permission denied") from None
    except OSError as error:
        raise ImageLoadError(f"{name}: cannot be read ({_reason(error)})") from None
    with handle:
        try:
            if os.fstat(handle.fileno()).st_size == 0:
                raise ImageLoadError(f"{name}: file is empty")
        except OSError as error:
            raise ImageLoadError(f"{name}: cannot be read ({_reason(error)})") from None
        return _decode(handle, name)


def image_from_bytes(data: bytes, name: str = "image data") -> GrayImage:
    """Decode an image held in memory (a drop, the clipboard); ``name`` labels errors."""
    if not data:
        raise ImageLoadError(f"{name}: file is empty")
    return _decode(io.BytesIO(data), name)


def _reason(error: OSError) -> str:
    return error.strerror or errno.errorcode.get(error.errno or 0, str(error))


def _decode(handle: BinaryIO, name: str) -> GrayImage:
    # Pillow's own bomb limits (89 Mpx warning, 179 Mpx error) are above ours;
    # its warning would only duplicate the refusal below, so keep it quiet.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(handle)
        except Image.DecompressionBombError as error:
            match = re.search(r"\((\d+) pixels\)", str(error))
            size = f"{int(match.group(1)):,} pixels" if match else "too many pixels"
            raise ImageLoadError(f"{name}: image too large ({size}; the limit is {MAX_PIXELS:,})") from None
        except UnidentifiedImageError:
            raise ImageLoadError(f"{name}: not an image file (or a format DigitPad cannot read)") from None
        except Exception:  # a broken header can raise nearly anything
            raise ImageLoadError(f"{name}: file is truncated or corrupt") from None
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageLoadError(f"{name}: image too large ({width}x{height} pixels; the limit is {MAX_PIXELS:,})")
            if width == 0 or height == 0:
                raise ImageLoadError(f"{name}: image has no pixels")
            try:
                image.load()
                gray, alpha = _to_arrays(_upright(image))
            except MemoryError:
                raise ImageLoadError(f"{name}: image too large to decode") from None
            except Exception:
                raise ImageLoadError(f"{name}: file is truncated or corrupt") from None
    return GrayImage(gray=gray, alpha=alpha)


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; a broken EXIF block is ignored, not fatal."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image


def _to_arrays(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        values = np.asarray(image).astype(np.float32)
        top = max(65535.0, float(values.max()))
        return np.clip(values / top, 0.0, 1.0), None
    if mode == "F":
        values = np.nan_to_num(np.asarray(image, dtype=np.float32))
        top = float(values.max())
        values = values / top if top > 1.0 else values
        return np.clip(values, 0.0, 1.0).astype(np.float32), None
    has_alpha = mode in ("LA", "La", "RGBA", "RGBa", "PA") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
        gray = np.asarray(rgba.convert("RGB").convert("L"), dtype=np.float32) / 255.0
        if float(alpha.min()) >= 1.0:
            alpha = None  # declared but unused transparency
        return gray, alpha
    if mode not in ("L", "1", "RGB", "P"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV, ...
    gray = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    return gray, None
