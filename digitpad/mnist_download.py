"""Find MNIST, or download it safely: https only, SHA-256 checked, all or nothing; no torch.

The four archives are fetched over https (a redirect to plain http is
refused), each checked against its published size and SHA-256, unpacked
with a size cap (no gzip bomb) and checked again.  Everything happens in a
temporary folder beside the target; the files move into ``folder/MNIST/raw``
only when all four are good, so a failed download (offline, disk full, a
tampered mirror) leaves ``folder`` exactly as it was.  The CLI's
``--download`` and the app's "Download" button both come here.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import urlparse

from digitpad.errors import DataError
from digitpad.paths import default_mnist_dir, mnist_present, mnist_raw_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MnistFile:
    """One idx file and the gzip archive it is published as."""

    name: str  # the unpacked file, as torchvision reads it from MNIST/raw
    archive_bytes: int
    archive_sha256: str
    size: int
    sha256: str

    @property
    def archive(self) -> str:
        return self.name + ".gz"


MNIST_ARCHIVES: tuple[MnistFile, ...] = (
    MnistFile(
        "train-images-idx3-ubyte",
        9_912_422,
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        47_040_016,
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    MnistFile(
        "train-labels-idx1-ubyte",
        28_881,
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        60_008,
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    MnistFile(
        "t10k-images-idx3-ubyte",
        1_648_877,
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        7_840_016,
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    MnistFile(
        "t10k-labels-idx1-ubyte",
        4_542,
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        10_008,
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
)

MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",  # torchvision's first mirror
    "https://storage.googleapis.com/cvdf-datasets/mnist/",  # TensorFlow's
)
TIMEOUT_S = 30.0
_CHUNK = 1 << 20

Fetch = Callable[[str], IO[bytes]]
"""Opens a URL for reading (tests pass one that serves bytes from memory)."""


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlparse(newurl).scheme != "https":
            raise DataError(f"refusing a redirect from {req.full_url} to {newurl}: not https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def https_fetch(url: str) -> IO[bytes]:
    """The real fetch: urllib over https only, redirects included."""
    if urlparse(url).scheme != "https":
        raise DataError(f"refusing to download {url}: not https")
    opener = urllib.request.build_opener(_HttpsOnlyRedirects())
    response: IO[bytes] = opener.open(url, timeout=TIMEOUT_S)
    return response


def download_mnist(
    folder: str | Path | None = None,
    *,
    mirrors: Sequence[str] | None = None,
    files: Sequence[MnistFile] = MNIST_ARCHIVES,
    fetch: Fetch | None = None,
    log_line: Callable[[str], None] | None = None,
) -> Path:
    """Download MNIST into ``folder/MNIST/raw`` (all or nothing) and return ``folder``.

    Raises ``DataError`` with one user-facing line ending "Nothing was changed."
    """
    target = Path(folder) if folder is not None else default_mnist_dir()
    mirrors = tuple(MIRRORS if mirrors is None else mirrors)
    for mirror in mirrors:
        if urlparse(mirror).scheme != "https":
            raise DataError(f"Could not download MNIST: refusing the mirror {mirror} (not https). Nothing was changed.")
    fetch = fetch or https_fetch
    created = not target.exists()
    staging: Path | None = None
    try:
        target.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".mnist-download-", dir=target))
        if log_line is not None:
            log_line(f"Downloading MNIST into {target}…")
        for item in files:
            _fetch_one(item, mirrors, fetch, staging)
        raw = mnist_raw_dir(target)
        raw.mkdir(parents=True, exist_ok=True)
        for item in files:
            os.replace(staging / item.name, raw / item.name)
    except Exception as error:
        log.debug("MNIST download failed", exc_info=True)
        raise DataError(
            f"Could not download MNIST (are you offline?): {_one_line(error)}. Nothing was changed."
        ) from error
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created and not mnist_present(target):
            shutil.rmtree(target, ignore_errors=True)
    return target


def ensure_mnist(folder: str | Path | None = None, *, download: bool = False) -> Path:
    """The folder holding ``MNIST/raw``; downloads it there first when missing and ``download`` is True."""
    root = Path(folder) if folder is not None else default_mnist_dir()
    if mnist_present(root):
        return root
    if download:
        return download_mnist(root)
    raise DataError(
        f"MNIST not found in {root} (expected {mnist_raw_dir(root)}): download it (digitpad train "
        "--download) or point --data-dir / DIGITPAD_DATA at a folder holding it"
    )


def _fetch_one(item: MnistFile, mirrors: Sequence[str], fetch: Fetch, staging: Path) -> None:
    errors: list[str] = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + item.archive
        try:
            archive = staging / item.archive
            _copy_capped(fetch(url), archive, item.archive_bytes)
            _check(archive, item.archive_bytes, item.archive_sha256, url)
            with gzip.open(archive, "rb") as packed:
                _copy_capped(packed, staging / item.name, item.size)
            _check(staging / item.name, item.size, item.sha256, url)
            archive.unlink()
            return
        except Exception as error:  # the next mirror may do better
            errors.append(_one_line(error))
    raise DataError(f"{item.archive}: {'; '.join(errors) or 'no mirror'}")


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def close(self) -> None: ...


def _copy_capped(source: _Readable, path: Path, expected: int) -> None:
    """Copy at most ``expected + 1`` bytes: enough to tell a too-large file without reading it all."""
    written = 0
    try:
        with open(path, "wb") as out:
            while written <= expected:
                chunk = source.read(min(_CHUNK, expected + 1 - written))
                if not chunk:
                    break
                out.write(chunk)
                written += len(chunk)
    finally:
        source.close()


def _check(path: Path, size: int, sha256: str, url: str) -> None:
    actual = path.stat().st_size
    if actual != size:
        raise DataError(f"{url} gave {actual:,} bytes, expected {size:,}")
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise DataError(f"{url} does not match its published SHA-256 checksum")


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
