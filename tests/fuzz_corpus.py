"""The fuzz corpus of hostile and broken inputs, generated (no binary blobs in the repository).

``image_corpus(folder)`` and ``weights_corpus(folder)`` write the files and
return one :class:`Case` per file: its path and what DigitPad should do with
it (``"answer"``: read it; ``"refuse"``: one clear line).  Used by
``benchmarks/fuzz_inputs.py`` (the CLI and the GUI's open path) and by tests.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ANSWER = "answer"
REFUSE = "refuse"
EPS_LOOP = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\n{ } loop\nshowpage\n"


@dataclass(frozen=True)
class Case:
    path: Path
    expect: str  # ANSWER or REFUSE
    note: str


def digit(size: int = 112, mode: str = "L", *, ink: int = 0, paper: int = 255) -> Image.Image:
    """A drawn 7, dark ink on light paper (``mode`` converts it)."""
    image = Image.new("L", (size, size), paper)
    ImageDraw.Draw(image).line(
        [(size * 0.25, size * 0.2), (size * 0.75, size * 0.2), (size * 0.45, size * 0.85)], fill=ink, width=size // 10
    )
    return image if mode == "L" else image.convert(mode)


def digit_rgba(size: int) -> Image.Image:
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(size * 0.25, size * 0.2), (size * 0.75, size * 0.2), (size * 0.45, size * 0.85)],
        fill=(0, 0, 0, 255),
        width=size // 10,
    )
    return image


def encoded(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def forged_png(width: int, height: int) -> bytes:
    """A ~100-byte PNG whose header claims width x height (a decompression bomb)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def _exif_rotated() -> bytes:
    image = digit(200).rotate(90, expand=True)
    exif = image.getexif()
    exif[0x0112] = 6
    return encoded(image, "JPEG", exif=exif.tobytes())


def _animated_gif() -> bytes:
    frames = [digit(80), digit(80, ink=128)]
    return encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)


def _bad_crc_png() -> bytes:
    data = bytearray(encoded(digit(), "PNG"))
    data[-20] ^= 0xFF  # inside the IDAT payload
    return bytes(data)


def image_corpus(folder: str | Path) -> list[Case]:
    """Write the image corpus into ``folder``; returns its cases."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(name: str, expect: str, note: str, data: bytes | Callable[[], bytes] | None = None) -> Path:
        path = folder / name
        if data is not None:
            path.write_bytes(data() if callable(data) else data)
        cases.append(Case(path, expect, note))
        return path

    seven = digit()
    # Ordinary images, every allowlisted format and mode: read.
    add("l.png", ANSWER, "grayscale PNG", encoded(seven, "PNG"))
    add("rgba.png", ANSWER, "RGBA PNG, ink on transparency", encoded(digit_rgba(112), "PNG"))
    add(
        "palette-transparent.png",
        ANSWER,
        "palette PNG with transparency",
        encoded(seven.convert("P"), "PNG", transparency=255),
    )
    add(
        "sixteen-bit.png",
        ANSWER,
        "16-bit PNG",
        encoded(Image.fromarray(np.asarray(seven).astype(np.uint16) * 257), "PNG"),
    )
    add("one-bit.png", ANSWER, "1-bit PNG", encoded(seven.convert("1"), "PNG"))
    add("rgb.jpg", ANSWER, "JPEG", encoded(seven.convert("RGB"), "JPEG", quality=90))
    add("progressive.jpg", ANSWER, "progressive JPEG", encoded(seven, "JPEG", progressive=True))
    add("cmyk.jpg", ANSWER, "CMYK JPEG", encoded(seven.convert("CMYK"), "JPEG"))
    add("exif-rotated.jpg", ANSWER, "JPEG with EXIF orientation 6", _exif_rotated)
    add("digit.bmp", ANSWER, "BMP", encoded(seven, "BMP"))
    add("digit.gif", ANSWER, "GIF", encoded(seven, "GIF"))
    add("animated.gif", ANSWER, "animated GIF (first frame)", _animated_gif)
    add("digit.tif", ANSWER, "TIFF", encoded(seven, "TIFF"))
    add("cmyk-lzw.tif", ANSWER, "CMYK TIFF, LZW", encoded(seven.convert("CMYK"), "TIFF", compression="tiff_lzw"))
    add("digit.webp", ANSWER, "WebP lossless", encoded(seven, "WEBP", lossless=True))
    add("digit.ico", ANSWER, "ICO", encoded(seven.resize((64, 64)), "ICO"))
    add("digit.pgm", ANSWER, "PGM", encoded(seven, "PPM"))
    add("digit.qoi", ANSWER, "QOI", encoded(seven.convert("RGB"), "QOI"))
    add("really-a-png.txt", ANSWER, "PNG named .txt (content counts)", encoded(seven, "PNG"))
    add("tiny.png", ANSWER, "1x1 image (no digit found)", encoded(Image.new("L", (1, 1), 255), "PNG"))
    add("blank.png", ANSWER, "blank page (no digit found)", encoded(Image.new("L", (400, 300), 255), "PNG"))
    add("big-6300-rgba.png", ANSWER, "6300x6300 RGBA PNG (39.7 Mpx)", lambda: encoded(digit_rgba(6300), "PNG"))
    add("big-6000.jpg", ANSWER, "6000x6000 JPEG", lambda: encoded(digit(6000).convert("RGB"), "JPEG", quality=70))
    link = add("link-to-png.png", ANSWER, "symlink to a PNG")
    link.symlink_to(folder / "l.png")

    # Broken or hostile: one clear line each.
    add("empty.png", REFUSE, "0 bytes", b"")
    add("notes.png", REFUSE, "text named .png", b"my shopping list, not a picture\n" * 8)
    add("random.png", REFUSE, "random bytes", np.random.default_rng(0).bytes(4096))
    add("half.png", REFUSE, "truncated PNG", lambda: encoded(seven, "PNG")[:300])
    add("half.jpg", REFUSE, "truncated JPEG", lambda: encoded(seven, "JPEG")[:200])
    add("bad-crc.png", REFUSE, "PNG with a broken IDAT", _bad_crc_png)
    add("header-only.png", REFUSE, "PNG signature only", b"\x89PNG\r\n\x1a\n")
    add("bomb-30000.png", REFUSE, "header claims 30000x30000", forged_png(30000, 30000))
    add("bomb-10000x5000.png", REFUSE, "header claims 10000x5000", forged_png(10000, 5000))
    add("loop.png", REFUSE, "PostScript that loops forever, named .png", EPS_LOOP)
    add("loop.eps", REFUSE, "PostScript that loops forever", EPS_LOOP)
    add(
        "dos-eps.jpg",
        REFUSE,
        "DOS EPS binary header",
        b"\xc5\xd0\xd3\xc6" + struct.pack("<6I", 30, len(EPS_LOOP), 0, 0, 0, 0) + EPS_LOOP,
    )
    add("spaced.png", REFUSE, "PostScript after blank lines", b"\n\n  " + EPS_LOOP)
    add("document.pdf", REFUSE, "a PDF", b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    add("page.svg", REFUSE, "SVG (vector)", b'<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"/>')
    add("page.html", REFUSE, "HTML", b"<html><body><img src=x></body></html>")
    add("archive.zip", REFUSE, "a ZIP archive", _zip_bytes)
    add("digit.pcx", REFUSE, "PCX (not allowlisted)", encoded(seven, "PCX"))
    add("digit.tga", REFUSE, "TGA (not allowlisted)", encoded(seven, "TGA"))
    add("digit.sgi", REFUSE, "SGI (not allowlisted)", encoded(seven, "SGI"))
    add("digit.xbm", REFUSE, "XBM (not allowlisted)", encoded(seven.convert("1"), "XBM"))
    add("missing.png", REFUSE, "no such file")
    dangling = add("dangling.png", REFUSE, "dangling symlink")
    dangling.symlink_to(folder / "nowhere.png")
    (folder / "a-folder.png").mkdir(exist_ok=True)
    add("a-folder.png", REFUSE, "a folder named .png")
    huge = add("huge.bmp", REFUSE, "80 MB file (sparse)")
    with open(huge, "wb") as fh:
        fh.write(encoded(Image.new("L", (8, 8)), "BMP"))
        fh.truncate(80 * 2**20)
    if os.name == "posix":
        os.mkfifo(add("fifo.png", REFUSE, "a FIFO named .png"))
        add("link-to-fifo.png", REFUSE, "symlink to a FIFO").symlink_to(folder / "fifo.png")
        add("zero.png", REFUSE, "symlink to /dev/zero").symlink_to("/dev/zero")
        add("null.png", REFUSE, "symlink to /dev/null").symlink_to("/dev/null")
        add("urandom.jpg", REFUSE, "symlink to /dev/urandom").symlink_to("/dev/urandom")
    return cases


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


class _Evil:
    """Unpickling this calls ``print`` (harmless here; ``os.system`` in a real attack)."""

    def __reduce__(self):
        return (print, ("PWNED: code ran while loading weights",))


def weights_corpus(folder: str | Path, shipped: str | Path) -> list[Case]:
    """Write the weights corpus into ``folder`` from the ``shipped`` checkpoint; returns its cases."""
    import torch

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    raw = torch.load(shipped, map_location="cpu", weights_only=True)
    cases: list[Case] = []

    def add(name: str, expect: str, note: str) -> Path:
        cases.append(Case(folder / name, expect, note))
        return folder / name

    def variant(name: str, expect: str, note: str, edit: Callable[[dict], None]) -> None:
        payload = {k: (dict(v) if isinstance(v, dict) else v) for k, v in raw.items()}
        payload["state_dict"] = {k: v.clone() for k, v in raw["state_dict"].items()}
        payload["config"] = dict(raw["config"])
        edit(payload)
        torch.save(payload, add(name, expect, note))

    shipped_bytes = Path(shipped).read_bytes()
    add("copy.pt", ANSWER, "the shipped weights").write_bytes(shipped_bytes)
    variant("no-hash.pt", ANSWER, "an older file without a tensor hash", lambda p: p.pop("integrity", None))
    variant("width-16.pt", ANSWER, "a digitpad net of width 16", lambda p: _rebuild(p, "digitpad", {"width": 16}))
    variant("linear.pt", ANSWER, "the linear model", lambda p: _rebuild(p, "linear", {}))

    add("empty.pt", REFUSE, "0 bytes").write_bytes(b"")
    add("notes.pt", REFUSE, "a text file named .pt").write_text("these are not weights\n" * 10)
    add("half.pt", REFUSE, "truncated to half").write_bytes(shipped_bytes[: len(shipped_bytes) // 2])
    add("head.pt", REFUSE, "truncated to 100 bytes").write_bytes(shipped_bytes[:100])
    add("random.pt", REFUSE, "random bytes").write_bytes(np.random.default_rng(1).bytes(50_000))
    flipped = bytearray(shipped_bytes)
    for i in range(len(flipped) // 2, len(flipped) // 2 + 64):
        flipped[i] ^= 0xFF
    add("flipped-64.pt", REFUSE, "64 flipped bytes in the tensor data").write_bytes(bytes(flipped))
    variant("nan.pt", REFUSE, "NaN weights", lambda p: _fill(p, float("nan")))
    variant("inf.pt", REFUSE, "Inf weights", lambda p: _fill(p, float("inf")))
    variant("std-1e30.pt", REFUSE, "std = 1e30", lambda p: p.update(normalization={"mean": 0.1307, "std": 1e30}))
    variant("std-0.pt", REFUSE, "std = 0", lambda p: p.update(normalization={"mean": 0.1307, "std": 0.0}))
    variant("mean-nan.pt", REFUSE, "mean = NaN", lambda p: p.update(normalization={"mean": float("nan"), "std": 0.3}))
    variant("width-100000.pt", REFUSE, "model_config width 100000", lambda p: _config(p, {"width": 100000}))
    variant("width-minus-5.pt", REFUSE, "model_config width -5", lambda p: _config(p, {"width": -5}))
    variant("width-2048.pt", REFUSE, "model_config width 2048 (2.6 GB)", lambda p: _config(p, {"width": 2048}))
    variant("width-text.pt", REFUSE, "model_config width 'wide'", lambda p: _config(p, {"width": "wide"}))
    variant("depth.pt", REFUSE, "an unknown model_config key", lambda p: _config(p, {"depth": 3}))
    variant("unknown-model.pt", REFUSE, "an unknown model name", lambda p: p.update(model="gpt"))
    variant("wrong-arch.pt", REFUSE, "digitpad weights labelled cnn", lambda p: p.update(model="cnn"))
    variant("no-state.pt", REFUSE, "no state_dict", lambda p: p.pop("state_dict"))
    variant(
        "renamed-tensor.pt",
        REFUSE,
        "a tensor renamed",
        lambda p: p["state_dict"].update(extra=p["state_dict"].pop(tensor_key(p["state_dict"], "fc.bias"))),
    )
    torch.save([1, 2, 3], add("list.pt", REFUSE, "a list, not a checkpoint"))
    torch.save({"model": "digitpad", "state_dict": _Evil()}, add("evil.pt", REFUSE, "a pickle that runs code"))
    add("raw-pickle.pt", REFUSE, "a raw pickle that runs code").write_bytes(pickle.dumps(_Evil()))
    huge = add("huge.pt", REFUSE, "200 MB file (sparse)")
    with open(huge, "wb") as fh:
        fh.write(shipped_bytes[:1000])
        fh.truncate(200 * 2**20)
    (folder / "a-folder.pt").mkdir(exist_ok=True)
    add("a-folder.pt", REFUSE, "a folder named .pt")
    add("missing.pt", REFUSE, "no such file")
    if os.name == "posix":
        os.mkfifo(add("fifo.pt", REFUSE, "a FIFO named .pt"))
        add("zero.pt", REFUSE, "symlink to /dev/zero").symlink_to("/dev/zero")
    return cases


def tensor_key(state: dict, name: str) -> str:
    """The key of tensor ``name`` (``"fc.bias"``) in ``state``: the net's own, or the first member's when
    the file is an ensemble (``members.0.fc.bias``)."""
    return name if name in state else f"members.0.{name}"


def _fill(payload: dict, value: float) -> None:
    payload["state_dict"][tensor_key(payload["state_dict"], "fc.weight")][0, :8] = value


def _config(payload: dict, model_config: dict) -> None:
    payload["config"]["model_config"] = model_config


def _rebuild(payload: dict, model: str, model_config: dict) -> None:
    from digitpad.models import build_model

    state = build_model(model, **model_config).state_dict()
    payload.update(model=model, state_dict=state)
    payload["config"]["model_config"] = model_config
    payload.pop("integrity", None)
