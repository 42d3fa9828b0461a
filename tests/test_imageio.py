"""imageio: every Pillow format and mode to gray + alpha, and one-line errors for bad files."""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features

from digitpad.errors import ImageLoadError
from digitpad.imageio import MAX_PIXELS, GrayImage, image_from_bytes, load_image


def ramp(width: int = 40, height: int = 30) -> np.ndarray:
    """uint8 gradient, left dark, right bright, with a black marker top-left."""
    a = np.tile(np.linspace(40, 240, width).astype(np.uint8), (height, 1))
    a[:4, :4] = 0
    return a


def save(image: Image.Image, path: Path, **kwargs) -> Path:
    image.save(path, **kwargs)
    return path


def check_gray(result: GrayImage, shape: tuple[int, int]) -> None:
    assert isinstance(result, GrayImage)
    assert result.gray.dtype == np.float32
    assert result.gray.shape == shape
    assert 0.0 <= result.gray.min() and result.gray.max() <= 1.0


# -- formats and modes -------------------------------------------------------


@pytest.mark.parametrize(
    "suffix, kwargs",
    [("png", {}), ("bmp", {}), ("tif", {}), ("gif", {}), ("jpg", {"quality": 95}), ("webp", {"lossless": True})],
)
def test_formats_round_trip_gray_values(tmp_path, suffix, kwargs):
    if suffix == "webp" and not features.check("webp"):
        pytest.skip("this Pillow has no WebP support")
    a = ramp()
    path = save(Image.fromarray(a), tmp_path / f"ramp.{suffix}", **kwargs)
    result = load_image(path)
    check_gray(result, a.shape)
    assert result.alpha is None
    tolerance = 3 / 255 if suffix == "jpg" else 1e-6
    assert np.abs(result.gray - a / 255.0).mean() <= tolerance


def test_rgb_becomes_luminance(tmp_path):
    rgb = np.zeros((10, 12, 3), np.uint8)
    rgb[:, :6] = (255, 0, 0)
    rgb[:, 6:] = (0, 0, 255)
    result = load_image(save(Image.fromarray(rgb), tmp_path / "rgb.png"))
    check_gray(result, (10, 12))
    # ITU-R 601-2 luma: red 0.299, blue 0.114
    assert result.gray[0, 0] == pytest.approx(0.299, abs=0.01)
    assert result.gray[0, -1] == pytest.approx(0.114, abs=0.01)


def test_rgba_keeps_alpha(tmp_path):
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., :3] = 200
    rgba[2:5, 2:5, 3] = 255
    rgba[6, 6, 3] = 128
    result = load_image(save(Image.fromarray(rgba, "RGBA"), tmp_path / "a.png"))
    check_gray(result, (10, 10))
    assert result.alpha is not None and result.alpha.dtype == np.float32
    assert result.alpha[3, 3] == 1.0 and result.alpha[0, 0] == 0.0
    assert result.alpha[6, 6] == pytest.approx(128 / 255)


def test_fully_opaque_rgba_has_no_alpha(tmp_path):
    image = Image.fromarray(ramp()).convert("RGBA")
    assert load_image(save(image, tmp_path / "opaque.png")).alpha is None


def test_la_mode(tmp_path):
    image = Image.merge("LA", [Image.fromarray(ramp()), Image.fromarray(np.full((30, 40), 77, np.uint8))])
    result = load_image(save(image, tmp_path / "la.png"))
    assert result.alpha is not None and result.alpha[0, 0] == pytest.approx(77 / 255)


def test_palette_with_transparency(tmp_path):
    image = Image.new("P", (8, 8), 0)
    image.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    image.paste(1, (2, 2, 6, 6))
    path = save(image, tmp_path / "p.png", transparency=0)
    result = load_image(path)
    assert result.alpha is not None
    assert result.alpha[0, 0] == 0.0 and result.alpha[3, 3] == 1.0
    assert result.gray[3, 3] == 0.0


def test_palette_without_transparency(tmp_path):
    image = Image.fromarray(ramp()).convert("P")
    result = load_image(save(image, tmp_path / "p.bmp"))
    check_gray(result, (30, 40))
    assert result.alpha is None


def test_sixteen_bit_png_uses_full_range(tmp_path):
    a = np.tile(np.linspace(0, 65535, 50).astype(np.uint16), (5, 1))
    path = save(Image.fromarray(a), tmp_path / "deep.png")
    result = load_image(path)
    check_gray(result, (5, 50))
    assert result.gray[0, 0] == 0.0 and result.gray[0, -1] == pytest.approx(1.0)
    assert result.gray[0, 25] == pytest.approx(a[0, 25] / 65535, abs=1e-4)


def test_sixteen_bit_tiff(tmp_path):
    a = np.full((6, 7), 32768, np.uint16)
    result = load_image(save(Image.fromarray(a), tmp_path / "deep.tif"))
    assert result.gray == pytest.approx(np.full((6, 7), 0.5, np.float32), abs=1e-4)


def test_one_bit_and_cmyk(tmp_path):
    bits = Image.fromarray(ramp() > 128)
    result = load_image(save(bits, tmp_path / "bits.png"))
    assert set(np.unique(result.gray)) <= {0.0, 1.0}
    cmyk = Image.fromarray(ramp()).convert("CMYK")
    result = load_image(save(cmyk, tmp_path / "cmyk.jpg", quality=95))
    assert np.abs(result.gray - ramp() / 255.0).mean() < 0.05


def test_gif_first_frame(tmp_path):
    frames = [Image.fromarray(np.full((9, 9), v, np.uint8)) for v in (0, 255)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    result = load_image(path)
    assert result.gray.max() == 0.0


def test_exif_orientation_applied(tmp_path):
    a = np.full((10, 20), 255, np.uint8)
    a[0, 0] = 0  # marker at top-left as stored
    image = Image.fromarray(a)
    exif = image.getexif()
    exif[0x0112] = 6  # stored image must be rotated 90 degrees clockwise to display
    path = save(image, tmp_path / "rotated.jpg", exif=exif, quality=100)
    result = load_image(path)
    assert result.gray.shape == (20, 10)
    # Rotating clockwise moves the top-left marker to the top-right corner.
    assert result.gray[0, -1] < 0.3 and result.gray[0, 0] > 0.7


def test_image_from_bytes_matches_load_image(tmp_path):
    path = save(Image.fromarray(ramp()), tmp_path / "ramp.png")
    from_bytes = image_from_bytes(path.read_bytes())
    np.testing.assert_array_equal(from_bytes.gray, load_image(path).gray)


# -- failures -----------------------------------------------------------------


def assert_one_line(error: pytest.ExceptionInfo, name: str, phrase: str) -> None:
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(name), message
    assert phrase in message, message


def test_missing_file(tmp_path):
    path = tmp_path / "nothing.png"
    with pytest.raises(ImageLoadError) as error:
        load_image(path)
    assert_one_line(error, str(path), "no such file")


def test_directory(tmp_path):
    with pytest.raises(ImageLoadError) as error:
        load_image(tmp_path)
    assert_one_line(error, str(tmp_path), "folder")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_permission_denied(tmp_path):
    path = save(Image.fromarray(ramp()), tmp_path / "locked.png")
    path.chmod(0)
    try:
        with pytest.raises(ImageLoadError) as error:
            load_image(path)
    finally:
        path.chmod(0o600)
    assert_one_line(error, str(path), "permission denied")


def test_zero_bytes(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ImageLoadError) as error:
        load_image(path)
    assert_one_line(error, str(path), "file is empty")
    with pytest.raises(ImageLoadError, match="empty"):
        image_from_bytes(b"")


def test_text_file_renamed_png(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("these are my shopping notes, not a picture\n")
    with pytest.raises(ImageLoadError) as error:
        load_image(path)
    assert_one_line(error, str(path), "not an image file")


@pytest.mark.parametrize("suffix", ["png", "jpg"])
def test_truncated(tmp_path, suffix):
    noise = np.random.default_rng(0).integers(0, 256, (200, 200), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG" if suffix == "png" else "JPEG")
    path = tmp_path / f"cut.{suffix}"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(ImageLoadError) as error:
        load_image(path)
    assert_one_line(error, str(path), "truncated or corrupt")


def forged_png(width: int, height: int) -> bytes:
    """A ~100-byte 1-bit PNG whose header claims width x height pixels."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("width, height", [(30000, 30000), (10000, 5000)])
def test_decompression_bomb_refused_without_decoding(tmp_path, recwarn, width, height):
    assert width * height > MAX_PIXELS
    path = tmp_path / "bomb.png"
    path.write_bytes(forged_png(width, height))
    tracemalloc.start()
    try:
        with pytest.raises(ImageLoadError) as error:
            load_image(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_one_line(error, str(path), "image too large")
    assert peak < 5_000_000  # never allocated the pixels
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageLoadError, match="too large"):
            image_from_bytes(path.read_bytes(), "pasted")


def test_real_image_just_under_the_limit_header_is_accepted(tmp_path):
    # The limit is about pixels, not file size: a small 2000x2000 image loads.
    path = save(Image.new("L", (2000, 2000), 255), tmp_path / "big.png")
    assert load_image(path).gray.shape == (2000, 2000)
