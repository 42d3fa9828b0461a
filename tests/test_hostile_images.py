"""Hostile and unlucky image inputs: nothing blocks, nothing runs a program, memory stays bounded."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitpad.errors import ImageLoadError
from digitpad.imageio import MAX_FILE_BYTES, MAX_SIDE, image_from_bytes, load_image

ROOT = Path(__file__).resolve().parents[1]
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX special files")
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n{ } loop\n"


def call_with_guard(fn, *args, guard_s: float = 30.0):
    """Run ``fn`` in a daemon thread; a call that never returns fails the test instead of hanging it."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = fn(*args)
        except BaseException as error:  # handed back to the test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(guard_s)
    assert not thread.is_alive(), f"{fn.__name__}{args} never returned (it blocks)"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


@posix_only
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "x.png"
    os.mkfifo(fifo)
    with pytest.raises(ImageLoadError) as error:
        call_with_guard(load_image, fifo)
    assert "named pipe" in one_line(error)


@posix_only
def test_symlink_to_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "photo.png"
    link.symlink_to(fifo)
    with pytest.raises(ImageLoadError, match="named pipe"):
        call_with_guard(load_image, link)


@posix_only
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_behind_a_symlink_is_a_device_not_an_empty_file(tmp_path):
    link = tmp_path / "zero.png"
    link.symlink_to("/dev/zero")
    with pytest.raises(ImageLoadError) as error:
        call_with_guard(load_image, link)
    message = one_line(error)
    assert "device" in message and "empty" not in message


def test_symlink_to_folder_is_a_folder(tmp_path):
    (tmp_path / "dir").mkdir()
    link = tmp_path / "dir.png"
    link.symlink_to(tmp_path / "dir")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(link)


def test_symlink_to_a_regular_image_is_read(tmp_path):
    Image.new("L", (20, 20), 255).save(tmp_path / "real.png")
    (tmp_path / "link.png").symlink_to(tmp_path / "real.png")
    assert load_image(tmp_path / "link.png").gray.shape == (20, 20)


def test_oversized_file_is_refused_unread(tmp_path):
    path = tmp_path / "huge.bmp"
    with open(path, "wb") as fh:  # sparse: costs no disk
        fh.write(b"BM")
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ImageLoadError) as error:
        load_image(path)
    assert "file too large" in one_line(error)
    with pytest.raises(ImageLoadError, match="file too large"):
        image_from_bytes(b"\0" * (MAX_FILE_BYTES + 1))


@pytest.mark.parametrize(
    "content, kind",
    [(EPS, "PostScript"), (b"\xc5\xd0\xd3\xc6" + b"\0" * 40, "PostScript"), (b"%PDF-1.4\n%...\n", "PDF")],
)
def test_documents_are_refused_in_one_line(tmp_path, content, kind):
    path = tmp_path / "innocent.png"
    path.write_bytes(content)
    with pytest.raises(ImageLoadError) as error:
        load_image(path)
    assert kind in one_line(error)


def test_postscript_never_starts_a_process(tmp_path, monkeypatch):
    started: list = []

    def refuse(*args, **kwargs):
        started.append(args)
        raise AssertionError("a process was started")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(subprocess, "check_call", refuse)
    # Pillow's EPS plugin would accept this: no PostScript magic at the start.
    for i, data in enumerate([EPS, b"  \n" + EPS]):
        path = tmp_path / f"{i}.jpg"
        path.write_bytes(data)
        with pytest.raises(ImageLoadError):
            load_image(path)
        with pytest.raises(ImageLoadError):
            image_from_bytes(data)
    assert not started


@pytest.mark.parametrize("fmt", ["PCX", "SGI", "TGA", "XBM"])
def test_formats_outside_the_allowlist_are_not_decoded(tmp_path, fmt):
    image = Image.new("1" if fmt == "XBM" else "L", (16, 16), 0)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    with pytest.raises(ImageLoadError, match="not an image file"):
        image_from_bytes(buffer.getvalue(), f"x.{fmt.lower()}")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "ICO", "PPM", "QOI"])
def test_allowlisted_formats_are_sniffed_from_content(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (255, 255, 255)).save(buffer, fmt)
    # The name says .txt: only the content counts.
    assert image_from_bytes(buffer.getvalue(), "x.txt").gray.shape == (32, 32)


def digit_on_transparent(size: int) -> Image.Image:
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(size * 0.3, size * 0.15), (size * 0.7, size * 0.15), (size * 0.45, size * 0.85)],
        fill=(0, 0, 0, 255),
        width=size // 12,
    )
    return image


def test_big_images_are_reduced_and_still_read():
    buffer = io.BytesIO()
    digit_on_transparent(5000).save(buffer, "PNG")
    result = image_from_bytes(buffer.getvalue(), "big.png")
    assert max(result.gray.shape) <= MAX_SIDE
    assert result.alpha is not None and result.alpha.shape == result.gray.shape
    assert result.alpha.max() == 1.0 and result.alpha.min() == 0.0


def test_big_jpeg_is_scaled_while_decoding():
    buffer = io.BytesIO()
    digit_on_transparent(6000).convert("RGB").save(buffer, "JPEG", quality=80)
    result = image_from_bytes(buffer.getvalue(), "big.jpg")
    assert max(result.gray.shape) <= MAX_SIDE


def test_big_exif_rotated_image_is_upright():
    gray = np.full((3000, 6000), 255, np.uint8)
    gray[:300, :300] = 0  # a mark top-left
    image = Image.fromarray(gray)
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to be upright
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    result = image_from_bytes(buffer.getvalue())
    height, width = result.gray.shape
    assert height > width  # turned upright
    assert result.gray[: height // 20, width - width // 20 :].mean() < 0.2  # the mark is top-right now


PEAK_SCRIPT = """
import io, sys
from PIL import Image, ImageDraw
from digitpad.imageio import load_image
def hwm():
    return int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) * 1024
base = hwm()
load_image(sys.argv[1])
print(hwm() - base)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_peak_memory_of_a_6300px_rgba_png_stays_under_300_mb(tmp_path):
    path = tmp_path / "big.png"
    digit_on_transparent(6300).save(path)
    # A fresh process: its peak resident size is this load's alone.
    out = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert int(out.stdout.strip()) < 300 * 2**20
