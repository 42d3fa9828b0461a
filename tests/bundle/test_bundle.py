"""The packaged desktop app: build it from ``packaging/digitpad.spec``, run it, check it works.

Builds the onedir bundle once for this module (work and dist folders under a
temporary folder; the work folder is removed right after the build), then runs
the frozen executables the way a user would: ``predict`` on the bundled
samples and on image files written here in several formats, the GUI's
``--smoke`` check through both executables, and a tiny training run.  Every
run gets its own user folders (``DIGITPAD_HOME``, ``XDG_CONFIG_HOME``); at the
end the bundle must be byte-for-byte what the build produced, and whatever the
app wrote must be in those folders.

Skipped only when PyInstaller is not installed and ``CI`` is not set; under
CI a missing PyInstaller fails (install it with ``pip install ".[packaging]"``).
``DIGITPAD_BUNDLE_WEIGHTS=PATH`` ships PATH instead of ``weights/digitpad.pt``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.bundle, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "packaging" / "digitpad.spec"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
BUILD_TIMEOUT_S = 40 * 60  # a CUDA torch makes a multi-GB bundle; 2 busy cores are slow
RUN_TIMEOUT_S = 300


def _require_pyinstaller() -> None:
    if importlib.util.find_spec("PyInstaller") is not None:
        return
    message = 'PyInstaller is not installed: pip install ".[packaging]" to build and test the bundle'
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _clean_env(home: Path) -> dict[str, str]:
    """The environment of a user who launches the app: no Python settings, own data folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "DIGITPAD_", "VIRTUAL_ENV"))}
    env.update(
        {
            "DIGITPAD_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "QT_QPA_PLATFORM": "offscreen",
            "DIGITPAD_SMOKE_TIMEOUT": str(RUN_TIMEOUT_S - 60),
        }
    )
    return env


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file in the bundle with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in folder.rglob("*")
        if not p.is_dir() or p.is_symlink()
    }


class Bundle:
    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home
        self.internal = root / "_internal"
        self.cli = root / f"digitpad{EXE_SUFFIX}"
        self.gui = root / f"digitpad-gui{EXE_SUFFIX}"
        self.files_after_build = _snapshot(root)

    def run(self, exe: Path, *args: str, timeout: float = RUN_TIMEOUT_S) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(exe), *args], cwd=self.home, env=_clean_env(self.home), timeout=timeout, capture_output=True, text=True
        )
        print(f"$ {exe.name} {' '.join(args)}  -> {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Bundle:
    _require_pyinstaller()
    top = tmp_path_factory.mktemp("bundle")
    work, dist = top / "build", top / "dist"
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # hundreds of MB of intermediate files
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        pytest.fail(f"PyInstaller failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}")
    root = dist / "digitpad"
    size = sum(p.lstat().st_size for p in root.rglob("*") if p.is_file())
    print(f"bundle built in {elapsed:.0f} s: {size / 2**20:.0f} MiB")
    home = top / "user"
    home.mkdir()
    yield Bundle(root, home)
    shutil.rmtree(dist, ignore_errors=True)


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _sample_digit(path: Path) -> int:
    return int(path.stem.split("-")[-1])


def test_layout(bundle: Bundle) -> None:
    assert bundle.cli.is_file() and os.access(bundle.cli, os.X_OK)
    assert bundle.gui.is_file() and os.access(bundle.gui, os.X_OK)
    assert (bundle.internal / "weights" / "digitpad.pt").is_file()
    samples = sorted((bundle.internal / "resources" / "samples").glob("digit-*.png"))
    assert len(samples) == 10
    assert (bundle.internal / "resources" / "icons" / "digitpad.svg").is_file()
    # What torch needs at run time is there; what nobody needs is not.
    torch_dir = bundle.internal / "torch"
    assert (torch_dir / "bin" / f"torch_shm_manager{EXE_SUFFIX}").is_file()
    assert (torch_dir / "nn" / "modules" / "linear.py").is_file()  # sources: inspect.getsource at import
    assert not (torch_dir / "include").exists()
    assert not list(torch_dir.rglob("*.a"))
    dangling = [str(p.relative_to(bundle.root)) for p in bundle.root.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []
    names = {p.name for p in bundle.internal.rglob("*")}
    for unwanted in (
        "QtWebEngineCore",
        "libQt6Quick.so.6",
        "libQt6Qml.so.6",
        "libQt6Pdf.so.6",
        "translations",
        "libqgtk3",
        "libgtk-3",
    ):
        assert not any(n.startswith(unwanted) for n in names), unwanted


def test_predict_bundled_samples(bundle: Bundle) -> None:
    samples = sorted((bundle.internal / "resources" / "samples").glob("digit-*.png"))
    result = bundle.run(bundle.cli, "predict", "--json", *map(str, samples))
    assert result.returncode == 0, result.stderr
    answers = _json_lines(result.stdout)
    assert [a["digit"] for a in answers] == [_sample_digit(p) for p in samples]


def test_predict_fresh_images_in_every_format(bundle: Bundle, tmp_path: Path) -> None:
    """Images written now, in the formats users bring: checks the frozen Pillow's plugins."""
    from PIL import Image, ImageOps

    # The samples are dark ink on white paper, like a scan.
    samples = {_sample_digit(p): p for p in (REPO / "resources" / "samples").glob("digit-*.png")}
    written: list[tuple[Path, int]] = []

    def save(digit: int, name: str, convert, **options) -> None:
        image = convert(Image.open(samples[digit]).convert("L"))
        path = tmp_path / name
        image.save(path, **options)
        written.append((path, digit))

    save(0, "zero.jpg", lambda im: im, quality=90)
    save(1, "one.bmp", lambda im: im)
    save(2, "two-white-on-black.gif", ImageOps.invert)  # MNIST's own polarity
    save(3, "three.webp", lambda im: im.convert("RGB"))
    save(4, "four.tiff", lambda im: im.resize((112, 112)))
    save(
        5,
        "five-transparent.png",  # black ink on a transparent background
        lambda im: Image.merge("LA", (Image.new("L", im.size, 0), ImageOps.invert(im))),
    )
    save(6, "six-rgb.png", lambda im: Image.merge("RGB", (im, im, im)))
    save(9, "nine-big-inverted.png", lambda im: ImageOps.invert(im.resize((600, 600), Image.Resampling.BICUBIC)))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")

    result = bundle.run(bundle.cli, "predict", "--json", *(str(p) for p, _ in written), str(broken))
    assert result.returncode == 1  # the broken file fails, the others are still read
    assert "broken.png" in result.stderr and "Traceback" not in result.stderr
    answers = {Path(a["file"]).name: a["digit"] for a in _json_lines(result.stdout)}
    assert answers == {p.name: digit for p, digit in written}


@pytest.mark.parametrize("executable", ["digitpad-gui", "digitpad"])
def test_gui_smoke(bundle: Bundle, executable: str, tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    result = bundle.run(bundle.root / f"{executable}{EXE_SUFFIX}", "--smoke", str(out))
    assert out.is_file(), result.stderr
    report = json.loads(out.read_text())
    assert result.returncode == 0, report["errors"]
    assert report["ok"] and report["errors"] == []
    assert report["frozen"] is True
    assert Path(report["asset_root"]).resolve() == bundle.internal.resolve()
    assert report["digit"] == report["expected"] == 7
    assert report["model"] == "digitpad.pt (shipped)"
    assert len(report["probabilities"]) == 10
    timings = report["timings"]
    assert 0 < timings["window_shown"] <= timings["first_prediction"]
    assert timings["model_loaded"] <= timings["first_prediction"]


def test_gui_smoke_fails_on_a_broken_image(bundle: Bundle, tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    out = tmp_path / "smoke.json"
    result = bundle.run(bundle.gui, "--smoke", str(out), str(broken))
    assert result.returncode != 0
    report = json.loads(out.read_text())
    assert not report["ok"] and report["errors"]


def test_tiny_training_run(bundle: Bundle, mnist_dir: Path) -> None:
    """Training in the bundle (torchvision, optimizer, torch._dynamo): saved to the user's folder."""
    if importlib.util.find_spec("torchvision") is None:
        pytest.skip("this environment has no torchvision, so the bundle cannot train")
    result = bundle.run(bundle.cli, "train", "--dry-run", "--data-dir", str(mnist_dir))
    assert result.returncode == 0, result.stderr
    saved = list((bundle.home / "data" / "weights").glob("*.pt"))
    assert len(saved) == 1, result.stdout
    check = bundle.run(
        bundle.cli,
        "predict",
        "--weights",
        str(saved[0]),
        str(bundle.internal / "resources" / "samples" / "digit-3.png"),
    )
    assert check.returncode == 0, check.stderr


def test_personalise_offline_from_imported_samples(bundle: Bundle, tmp_path: Path) -> None:
    """Corrections in, adapted weights out, with no MNIST anywhere: the replay digits ship inside."""
    from PIL import Image

    from tests.personal_writer import flag_ones

    folder = tmp_path / "mine" / "1"
    folder.mkdir(parents=True)
    for i, image in enumerate(flag_ones(16, seed=11)):  # a 1 with a flat flag: the shipped weights read 7
        Image.fromarray(255 - image).save(folder / f"{i}.png")
    result = bundle.run(bundle.cli, "samples", "import", str(tmp_path / "mine"))
    assert result.returncode == 0 and "imported 16 samples" in result.stdout, result.stderr
    listed = json.loads(bundle.run(bundle.cli, "samples", "list", "--json").stdout)
    assert listed["total"] == 16 and listed["per_digit"][1] == 16
    assert Path(listed["store"]).is_relative_to(bundle.home / "data")
    out = tmp_path / "me.pt"
    result = bundle.run(bundle.cli, "personalize", "--json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["samples"] == 16 and report["general_count"] == 2000
    assert report["accepted"], report["summary"]
    assert report["personal_after"] > report["personal_before"]
    assert report["general_before"] - report["general_after"] <= 0.003
    fresh = []
    for i, image in enumerate(flag_ones(8, seed=12)):  # the same writer, later
        fresh.append(tmp_path / f"fresh-{i}.png")
        Image.fromarray(255 - image).save(fresh[-1])
    files = list(map(str, fresh))
    before = [a["digit"] for a in _json_lines(bundle.run(bundle.cli, "predict", "--json", *files).stdout)]
    after = [
        a["digit"]
        for a in _json_lines(bundle.run(bundle.cli, "predict", "--json", "--weights", str(out), *files).stdout)
    ]
    assert len(before) == len(after) == 8
    assert after.count(1) > before.count(1) and after.count(1) >= 7, (before, after)


def test_nothing_was_written_into_the_bundle(bundle: Bundle) -> None:
    """Runs at the end of the module: every file the app wrote is in the user's folders."""
    assert _snapshot(bundle.root) == bundle.files_after_build
