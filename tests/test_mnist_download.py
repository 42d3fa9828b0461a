"""MNIST's download: https only, SHA-256 checked, all or nothing (served from memory, never the network)."""

from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path

import pytest

from digitpad.errors import DataError
from digitpad.mnist_download import MNIST_ARCHIVES, MnistFile, download_mnist, ensure_mnist, https_fetch
from digitpad.paths import MNIST_FILES, mnist_present, mnist_raw_dir


def fake_mirror(contents: dict[str, bytes]) -> tuple[list[MnistFile], dict[str, bytes], list[str]]:
    """Archives for ``contents`` (name -> unpacked bytes), their specs, and a list recording fetched URLs."""
    specs, served = [], {}
    for name, data in contents.items():
        packed = gzip.compress(data)
        served[name + ".gz"] = packed
        specs.append(
            MnistFile(
                name, len(packed), hashlib.sha256(packed).hexdigest(), len(data), hashlib.sha256(data).hexdigest()
            )
        )
    return specs, served, []


def fetcher(served: dict[str, bytes], log: list[str]):
    def fetch(url: str) -> io.BytesIO:
        log.append(url)
        name = url.rsplit("/", 1)[1]
        if name not in served:
            raise OSError(f"404 {url}")
        return io.BytesIO(served[name])

    return fetch


CONTENTS = {name: (name * 50).encode() for name in MNIST_FILES}


def test_all_four_files_arrive_checked(tmp_path):
    specs, served, log = fake_mirror(CONTENTS)
    target = tmp_path / "data"
    assert download_mnist(target, mirrors=["https://a.example/"], files=specs, fetch=fetcher(served, log)) == target
    assert mnist_present(target)
    for name, data in CONTENTS.items():
        assert (mnist_raw_dir(target) / name).read_bytes() == data
    assert all(url.startswith("https://a.example/") for url in log) and len(log) == 4
    assert [p.name for p in target.iterdir()] == ["MNIST"]  # no staging folder left behind


def test_a_tampered_file_changes_nothing(tmp_path):
    specs, served, log = fake_mirror(CONTENTS)
    served["t10k-labels-idx1-ubyte.gz"] = gzip.compress(b"evil" * 100)
    target = tmp_path / "data"
    with pytest.raises(DataError) as info:
        download_mnist(target, mirrors=["https://a.example/"], files=specs, fetch=fetcher(served, log))
    message = str(info.value)
    assert message.startswith("Could not download MNIST") and message.endswith("Nothing was changed.")
    assert "\n" not in message and not target.exists()


def test_a_bad_mirror_falls_back_to_the_next(tmp_path):
    specs, served, log = fake_mirror(CONTENTS)
    good = fetcher(served, log)

    def fetch(url: str) -> io.BytesIO:
        if url.startswith("https://broken.example/"):
            return io.BytesIO(b"not gzip at all")
        return good(url)

    target = tmp_path / "existing"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    download_mnist(target, mirrors=["https://broken.example/", "https://good.example/"], files=specs, fetch=fetch)
    assert mnist_present(target) and (target / "keep.txt").read_text() == "mine"


def test_an_existing_folder_is_left_as_it_was_on_failure(tmp_path):
    specs, served, log = fake_mirror(CONTENTS)
    del served["train-labels-idx1-ubyte.gz"]
    target = tmp_path / "existing"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(DataError):
        download_mnist(target, mirrors=["https://a.example/"], files=specs, fetch=fetcher(served, log))
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]


def test_a_file_larger_than_published_is_refused_without_reading_it_all(tmp_path):
    specs, served, log = fake_mirror(CONTENTS)
    name = "train-images-idx3-ubyte.gz"
    served[name] = served[name] + b"\0" * 10_000_000
    with pytest.raises(DataError, match="bytes, expected"):
        download_mnist(tmp_path / "d", mirrors=["https://a.example/"], files=specs, fetch=fetcher(served, log))


@pytest.mark.parametrize("url", ["http://yann.lecun.com/exdb/mnist/", "ftp://example.org/"])
def test_plain_http_is_refused(tmp_path, url):
    with pytest.raises(DataError, match="not https"):
        download_mnist(tmp_path / "d", mirrors=[url], fetch=lambda u: pytest.fail("fetched"))
    with pytest.raises(DataError, match="not https"):
        https_fetch(url + "train-images-idx3-ubyte.gz")
    assert not (tmp_path / "d").exists()


@pytest.mark.mnist
def test_the_published_checksums_match_the_real_files(mnist_dir: Path):
    """The unpacked SHA-256 sums are the files every test and benchmark reads."""
    for item in MNIST_ARCHIVES:
        data = (mnist_raw_dir(mnist_dir) / item.name).read_bytes()
        assert len(data) == item.size and hashlib.sha256(data).hexdigest() == item.sha256


@pytest.mark.mnist
def test_ensure_mnist_finds_or_says_how_to_get_it(tmp_path, mnist_dir):
    assert ensure_mnist(mnist_dir) == mnist_dir
    with pytest.raises(DataError, match="not found") as info:
        ensure_mnist(tmp_path / "nowhere")
    assert "--download" in str(info.value) and not (tmp_path / "nowhere").exists()
