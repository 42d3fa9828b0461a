"""Read an image file as a grayscale float array plus optional alpha, defensively.

Qt-free and torch-free.  Images come from strangers (Open, drop, paste,
``digitpad predict``), so reading is bounded at every step:

* only a regular file is opened (a FIFO, device or folder is refused from its
  type, before ``open``; the open itself is non-blocking and re-checked);
* at most :data:`MAX_FILE_BYTES` are read, then decoding works on memory;
* Pillow may decode only :data:`ALLOWED_FORMATS`, sniffed from the content,
  all decoded in-process (EPS/PS/PDF would start Ghostscript: refused);
* pixels are capped from the header (:data:`MAX_PIXELS`), JPEGs are scaled
  while decoding and big images are reduced to :data:`MAX_SIDE` right after.

Every failure is an :class:`ImageLoadError` whose message is one line naming
the file, e.g. ``"x.png: file is truncated or corrupt"``.
"""

from __future__ import annotations

import errno
import io
import math
import os
import re
import stat
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from digitpad.errors import ImageLoadError

# Refuse images above this many pixels, checked from the header before any
# decoding: at 4 bytes a pixel (RGBA) this is the largest buffer decoding makes.
MAX_PIXELS = 40_000_000
# Files are read into memory first; a larger one is refused unread.
MAX_FILE_BYTES = 64 * 1024 * 1024
# The longer side an image is reduced to as soon as it is decoded.  The
# normaliser works at 512 px anyway (normalize.WORK_MAX); this keeps the float
# arrays small (2048^2 float32 is 16 MB) without changing what it sees.
MAX_SIDE = 2048
# Raster formats Pillow decodes in-process, without any external program.
ALLOWED_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "ICO", "PPM", "QOI")

# Content that Pillow would hand to Ghostscript (or that is a document, not an
# image): named in the refusal so the user knows why.
_DOCUMENT_MAGIC = (
    (b"%!PS", "PostScript"),
    (b"\xc5\xd0\xd3\xc6", "PostScript"),  # DOS EPS binary header
    (b"%PDF", "PDF"),
)
_FILE_KINDS = (
    (stat.S_ISDIR, "is a folder, not an image file"),
    (stat.S_ISFIFO, "is a named pipe, not an image file"),
    (stat.S_ISSOCK, "is a socket, not an image file"),
    (stat.S_ISCHR, "is a device, not an image file"),
    (stat.S_ISBLK, "is a device, not an image file"),
)


@dataclass(frozen=True)
class GrayImage:
    """A decoded image: what :func:`digitpad.normalize.normalize` takes."""

    gray: np.ndarray  # float32 (H, W) in [0, 1]
    alpha: np.ndarray | None  # float32 (H, W) in [0, 1] when the file had transparency


def load_image(path: str | os.PathLike[str]) -> GrayImage:
    """Decode the image file at ``path``; raises :class:`ImageLoadError`."""
    name = os.fspath(path)
    return _decode(read_image_bytes(path), name)


def read_image_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the regular file at ``path`` (at most :data:`MAX_FILE_BYTES`).

    Never blocks: the type is checked before ``open`` (a symlink is followed,
    so a link to ``/dev/zero`` is a device), the open is non-blocking and the
    opened file is checked again.  Raises :class:`ImageLoadError`.
    """
    name = os.fspath(path)
    try:
        _check_regular(name, os.stat(path))
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ImageLoadError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ImageLoadError(f"{name}: is a folder, not an image file") from None
    except PermissionError:
        raise ImageLoadError(f"{name}: permission denied") from None
    except OSError as error:
        raise ImageLoadError(f"{name}: cannot be read ({_reason(error)})") from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        try:
            info = os.fstat(fd)
            _check_regular(name, info)  # the file may have been swapped since stat
            if info.st_size == 0:
                raise ImageLoadError(f"{name}: file is empty")
            if info.st_size > MAX_FILE_BYTES:
                raise ImageLoadError(f"{name}: {_too_big(info.st_size)}")
            data = _read_capped(handle, info.st_size)
        except OSError as error:
            raise ImageLoadError(f"{name}: cannot be read ({_reason(error)})") from None
    if not data:
        raise ImageLoadError(f"{name}: file is empty")
    if len(data) > MAX_FILE_BYTES:  # it grew while being read
        raise ImageLoadError(f"{name}: {_too_big(len(data))}")
    return data


def _read_capped(handle: io.RawIOBase, expected: int) -> bytes:
    """Up to ``MAX_FILE_BYTES + 1`` bytes; buffers sized by what is there, not by the cap."""
    chunks: list[bytes] = []
    total = 0
    want = expected + 1  # one more byte tells a file that grew since fstat
    while total <= MAX_FILE_BYTES:
        chunk = handle.read(min(want, MAX_FILE_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = 1 << 20
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def image_from_bytes(data: bytes, name: str = "image data") -> GrayImage:
    """Decode an image held in memory (a drop, the clipboard); ``name`` labels errors."""
    if not data:
        raise ImageLoadError(f"{name}: file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImageLoadError(f"{name}: {_too_big(len(data))}")
    return _decode(bytes(data), name)


def _check_regular(name: str, info: os.stat_result) -> None:
    for is_kind, what in _FILE_KINDS:
        if is_kind(info.st_mode):
            raise ImageLoadError(f"{name}: {what}")
    if not stat.S_ISREG(info.st_mode):
        raise ImageLoadError(f"{name}: not a regular file")


def _too_big(size: int) -> str:
    return f"file too large ({size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB)"


def _reason(error: OSError) -> str:
    return error.strerror or errno.errorcode.get(error.errno or 0, str(error))


def _refuse_documents(data: bytes, name: str) -> None:
    head = data[:1024].lstrip()
    for magic, kind in _DOCUMENT_MAGIC:
        if head.startswith(magic):
            raise ImageLoadError(f"{name}: {kind} files are not accepted, only raster images (PNG, JPEG, ...)")


def _decode(data: bytes, name: str) -> GrayImage:
    _refuse_documents(data, name)
    # Pillow's own bomb limits (89 Mpx warning, 179 Mpx error) are above ours;
    # its warning would only duplicate the refusal below, so keep it quiet.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        except Image.DecompressionBombError as error:
            match = re.search(r"\((\d+) pixels\)", str(error))
            size = f"{int(match.group(1)):,} pixels" if match else "too many pixels"
            raise ImageLoadError(f"{name}: image too large ({size}; the limit is {MAX_PIXELS:,})") from None
        except UnidentifiedImageError:
            raise ImageLoadError(f"{name}: not an image file (or a format DigitPad cannot read)") from None
        except Exception:  # a broken header can raise nearly anything
            raise ImageLoadError(f"{name}: file is truncated or corrupt") from None
        del data  # the BytesIO holds the only copy now
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageLoadError(f"{name}: image too large ({width}x{height} pixels; the limit is {MAX_PIXELS:,})")
            if width == 0 or height == 0:
                raise ImageLoadError(f"{name}: image has no pixels")
            try:
                if image.format == "JPEG":
                    _draft(image)
                image.load()
                gray, alpha = _planes(image)
            except MemoryError:
                raise ImageLoadError(f"{name}: image too large to decode") from None
            except Exception:
                raise ImageLoadError(f"{name}: file is truncated or corrupt") from None
    return GrayImage(gray=gray, alpha=alpha)


def _draft(image: Image.Image) -> None:
    """Let the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding a big image."""
    longer = max(image.size)
    if longer > MAX_SIDE and image.mode in ("L", "RGB", "CMYK", "YCbCr"):
        scale = MAX_SIDE / longer
        image.draft(image.mode, (math.ceil(image.size[0] * scale), math.ceil(image.size[1] * scale)))


# EXIF orientation -> the transpose that makes the image upright (as ImageOps.exif_transpose).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _planes(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """Gray and alpha as float32 arrays, reduced to :data:`MAX_SIDE` and upright.

    Each plane is taken from the decoded image and reduced at once, so at most
    one full-size plane exists next to the decoded buffer (a 40 Mpx RGBA file
    peaks at its 160 MB decode plus one 40 MB plane).
    """
    factor = math.ceil(max(image.size) / MAX_SIDE)
    upright = _ORIENTATION.get(_orientation(image))

    def finish(plane: Image.Image) -> Image.Image:
        if factor > 1:
            plane = plane.reduce(factor)  # integer box filter; gray planes are never premultiplied
        return plane.transpose(upright) if upright is not None else plane

    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        values = np.asarray(finish(image.convert("I") if mode != "I" else image)).astype(np.float32)
        top = max(65535.0, float(values.max()))
        return np.clip(values / top, 0.0, 1.0), None
    if mode == "F":
        values = np.nan_to_num(np.asarray(finish(image), dtype=np.float32))
        top = float(values.max())
        values = values / top if top > 1.0 else values
        return np.clip(values, 0.0, 1.0).astype(np.float32), None
    alpha = None
    if _has_alpha(image):
        if mode not in ("LA", "RGBA"):
            image = image.convert("RGBA")  # palette or colour-key transparency
        alpha = np.asarray(finish(image.getchannel("A")), dtype=np.float32) / 255.0
        if float(alpha.min()) >= 1.0:
            alpha = None  # declared but unused transparency
    elif mode not in ("L", "1", "RGB", "P"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV, ...
    gray = np.asarray(finish(image.convert("L")), dtype=np.float32) / 255.0
    return gray, alpha


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation tag (1 = upright); a broken EXIF block counts as upright."""
    try:
        value = image.getexif().get(0x0112, 1)
        return int(value)
    except Exception:
        return 1


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("LA", "La", "RGBA", "RGBa", "PA") or "transparency" in image.info
