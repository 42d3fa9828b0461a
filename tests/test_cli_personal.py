"""``digitpad samples`` and ``digitpad personalize``, in process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from digitpad.sample_store import SampleStore, default_store_path
from tests.personal_writer import flag_ones


def write_folder(folder: Path, images: np.ndarray, label: int) -> None:
    (folder / str(label)).mkdir(parents=True, exist_ok=True)
    for i, image in enumerate(images):
        Image.fromarray(255 - image).save(folder / str(label) / f"{i}.png")  # black ink on white, like a scan


def test_samples_import_list_export(digitpad, tmp_path: Path) -> None:
    write_folder(tmp_path / "in", flag_ones(3, seed=1), 1)
    write_folder(tmp_path / "in", flag_ones(2, seed=2), 7)
    (tmp_path / "in" / "7" / "broken.png").write_bytes(b"not an image")
    r = digitpad("samples", "import", str(tmp_path / "in"))
    assert r.returncode == 1 and "imported 5 samples" in r.stdout and "broken.png" in r.stderr
    r = digitpad("samples", "list", "--json")
    listed = json.loads(r.stdout)
    assert r.returncode == 0 and listed["total"] == 5 and listed["per_digit"][1] == 3 and listed["per_digit"][7] == 2
    assert listed["store"] == str(default_store_path())
    assert "5 samples in" in digitpad("samples", "list").stdout
    r = digitpad("samples", "export", str(tmp_path / "out"))
    assert r.returncode == 0 and len(list((tmp_path / "out").rglob("*.png"))) == 5
    with SampleStore.open() as store:
        stored = {s.id: s for s in store.samples()}
    for path in (tmp_path / "out").rglob("*.png"):  # export then re-import gives the same network input
        sid = int(path.stem.split("-")[1])
        again = np.asarray(Image.open(path))
        np.testing.assert_array_equal(again, stored[sid].image)
        assert path.parent.name == str(stored[sid].label)


def test_samples_import_of_a_missing_folder_is_one_line(digitpad, tmp_path: Path) -> None:
    r = digitpad("samples", "import", str(tmp_path / "nope"))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "not a folder" in r.stderr


def test_personalize_images_writes_a_checkpoint_that_predict_uses(digitpad, tmp_path: Path) -> None:
    write_folder(tmp_path / "mine", flag_ones(12, seed=3), 1)
    out = tmp_path / "me.pt"
    r = digitpad("personalize", "--images", str(tmp_path / "mine"), "--out", str(out), "--steps", "12", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["samples"] == 12 and report["held_out"] == 3
    assert set(report) >= {
        "accepted",
        "summary",
        "personal_before",
        "personal_after",
        "general_before",
        "general_after",
    }
    if report["accepted"]:
        assert report["out"] == str(out) and out.is_file()
        write_folder(tmp_path / "later", flag_ones(3, seed=4), 1)
        r = digitpad("evaluate", "--weights", str(out), "--images", str(tmp_path / "later"), "--json")
        assert r.returncode == 0 and "accuracy" in json.loads(r.stdout)
    else:
        assert report["out"] is None and not out.exists() and report["summary"].startswith("Kept")


def test_personalize_from_the_store_in_words(digitpad, tmp_path: Path) -> None:
    with SampleStore.open() as store:
        store.add_many([{"label": 1, "image": im} for im in flag_ones(8, seed=5)])
    r = digitpad("personalize", "--steps", "8", "--out", str(tmp_path / "p.pt"))
    assert r.returncode == 0, r.stderr
    assert "8 samples from" in r.stdout and "held-out personal samples (2)" in r.stdout
    assert "general digits (2000)" in r.stdout
    assert ("Switched to your handwriting" in r.stdout) == (tmp_path / "p.pt").is_file()


def test_personalize_with_too_few_samples_is_one_clear_line(digitpad) -> None:
    r = digitpad("personalize")
    assert r.returncode == 1 and "at least 2 samples" in r.stderr and r.stderr.count("\n") == 1
