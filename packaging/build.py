"""Build the DigitPad desktop bundle: ``python packaging/build.py``.

Runs PyInstaller on ``packaging/digitpad.spec`` (onedir: ``dist/digitpad/``
holding the ``digitpad`` and ``digitpad-gui`` executables), removes the
intermediate build folder, and prints the bundle's size and the build time.
``--archive`` also writes ``dist/digitpad-VERSION-PLATFORM.tar.gz`` (``.zip``
on Windows).  Needs ``pip install ".[packaging]"``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "packaging" / "digitpad.spec"


def folder_size(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (links not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path, *, keep_work: bool = False, log_level: str = "WARN") -> Path:
    """Run PyInstaller; returns the bundle folder (``dist/digitpad``)."""
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--log-level",
        log_level,
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
    ]
    try:
        subprocess.run(command, check=True, cwd=REPO)
    finally:
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
    return dist / "digitpad"


def archive(bundle: Path) -> Path:
    """Pack the bundle folder as the release archive next to it (links kept as links)."""
    sys.path.insert(0, str(REPO))
    from digitpad import __version__

    system = platform.system().lower()
    base = bundle.parent / f"digitpad-{__version__}-{system}-{platform.machine().lower()}"
    if system == "windows":
        return Path(shutil.make_archive(str(base), "zip", root_dir=bundle.parent, base_dir=bundle.name))
    path = base.with_name(base.name + ".tar.gz")
    with tarfile.open(path, "w:gz", compresslevel=6) as tar:  # 9 is twice as slow for 1% less
        tar.add(bundle, arcname=bundle.name)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=REPO / "build", help="PyInstaller's work folder (removed after)")
    parser.add_argument("--keep-work", action="store_true", help="keep the work folder (faster rebuilds)")
    parser.add_argument("--archive", action="store_true", help="also write the release archive")
    parser.add_argument("--log-level", default="WARN", help="PyInstaller's log level (default: WARN)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    bundle = build(args.dist.resolve(), args.work.resolve(), keep_work=args.keep_work, log_level=args.log_level)
    elapsed = time.monotonic() - started
    print(f"built {bundle} in {elapsed:.0f} s: {folder_size(bundle) / 2**20:.0f} MiB on disk")
    if args.archive:
        packed = archive(bundle)
        print(f"archive {packed}: {packed.stat().st_size / 2**20:.0f} MiB")
    suffix = ".exe" if os.name == "nt" else ""
    print(f"run it: {bundle / ('digitpad' + suffix)} --help, or the app: {bundle / ('digitpad-gui' + suffix)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
