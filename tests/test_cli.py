"""The ``digitpad`` command line, in process through ``digitpad.cli.main`` (one subprocess test for the entry point)."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitpad.resources import sample_images, shipped_weights

SAMPLES = {int(p.stem.split("-")[1]): p for p in sample_images()}


def test_the_entry_point_runs_as_a_user_runs_it():
    """``python -m digitpad``: the one subprocess (the real entry point, a fresh interpreter)."""
    result = subprocess.run(
        [sys.executable, "-m", "digitpad", "predict", str(SAMPLES[4])],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{SAMPLES[4]}: 4 (")


def forged_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` (a decompression bomb)."""
    buf = io.BytesIO()
    Image.new("L", (8, 8)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = 8 + 8  # signature, then length + type of the IHDR chunk
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12 : ihdr + 13])) & 0xFFFFFFFF
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The sample digit 3 written in many formats, plus broken files."""
    folder = tmp_path_factory.mktemp("images")
    ink = np.asarray(Image.open(SAMPLES[3]).convert("L"))  # dark ink on light paper
    out = {}
    Image.fromarray(ink).save(out.setdefault("png", folder / "three.png"))
    Image.fromarray(ink).convert("RGB").save(out.setdefault("jpeg", folder / "three.jpg"), quality=70)
    rgba = np.zeros(ink.shape + (4,), np.uint8)
    rgba[..., :3] = 30  # dark ink colour everywhere...
    rgba[..., 3] = 255 - ink  # ...visible only where the digit is
    Image.fromarray(rgba, "RGBA").save(out.setdefault("rgba", folder / "three-rgba.png"))
    Image.fromarray(ink).convert("P").save(out.setdefault("palette", folder / "three-palette.gif"))
    Image.fromarray(ink.astype(np.uint16) * 257).save(out.setdefault("16bit", folder / "three-16.png"))
    (out.setdefault("empty", folder / "empty.png")).write_bytes(b"")
    good = out["png"].read_bytes()
    (out.setdefault("truncated", folder / "truncated.png")).write_bytes(good[: len(good) // 3])
    (out.setdefault("text", folder / "notes.png")).write_text("these are not pixels\n")
    (out.setdefault("bomb", folder / "bomb.png")).write_bytes(forged_png(30000, 30000))
    return out


def test_help_and_version(digitpad):
    result = digitpad("--version")
    assert result.returncode == 0 and "digitpad" in result.stdout
    result = digitpad("predict", "--help")
    assert result.returncode == 0 and "--json" in result.stdout


def test_predict_recognises_every_sample(digitpad):
    paths = [str(SAMPLES[d]) for d in range(10)]
    result = digitpad("predict", "--json", *paths)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["digit"] for a in answers] == list(range(10))
    for answer in answers:
        assert len(answer["probabilities"]) == 10
        # ten digit probabilities plus P(not a digit) make one distribution
        assert sum(answer["probabilities"]) + answer["not_digit"] == pytest.approx(1.0, abs=1e-4)
        assert answer["confidence"] == max(answer["probabilities"])
        assert answer["verdict"] in ("digit", "unsure") and not answer["empty"]
        assert answer["runner_up"] in range(10) and answer["runner_up"] != answer["digit"]


@pytest.mark.parametrize("kind", ["png", "jpeg", "rgba", "palette", "16bit"])
def test_predict_reads_every_format(files, kind, digitpad):
    result = digitpad("predict", str(files[kind]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{files[kind]}: 3 ("), result.stdout


def test_bad_files_get_one_line_each_and_the_rest_is_processed(files, digitpad):
    bad = ["empty", "truncated", "text", "bomb"]
    args = [str(files[k]) for k in bad] + [str(files["png"]), "/no/such/file.png"]
    result = digitpad("predict", *args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    error_lines = result.stderr.strip().splitlines()
    assert len(error_lines) == len(bad) + 1
    for name, line in zip([files[k].name for k in bad] + ["file.png"], error_lines, strict=False):
        assert name in line
    assert len(result.stdout.splitlines()) == 1
    assert result.stdout.startswith(f"{files['png']}: 3 (")


def test_bad_weights_file_is_one_clear_line(tmp_path, digitpad):
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"\x80\x04not really a checkpoint")
    result = digitpad("predict", "--weights", str(broken), str(SAMPLES[1]))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_evaluate_on_a_labelled_folder(tmp_path, digitpad):
    for digit, path in SAMPLES.items():
        (tmp_path / str(digit)).mkdir()
        (tmp_path / str(digit) / path.name).write_bytes(path.read_bytes())
    result = digitpad("evaluate", "--images", str(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["count"] == 10
    assert report["accuracy"] == 1.0
    assert np.trace(np.array(report["confusion"])) == 10
    rates = report["verdict_rates"]
    assert set(rates) == {"digit", "unsure", "not-a-digit", "empty"}
    assert sum(rates.values()) == pytest.approx(1.0) and rates["empty"] == 0.0 and rates["digit"] >= 0.8
    assert 0.0 <= report["ece"] <= 0.5
    text = digitpad("evaluate", "--images", str(tmp_path))
    assert "verdicts: digit" in text.stdout and "calibration: ECE" in text.stdout


@pytest.mark.mnist
def test_train_dry_run_saves_a_loadable_checkpoint(mnist_dir, tmp_path, digitpad):
    out = tmp_path / "dry.pt"
    result = digitpad("train", "--dry-run", "--data-dir", str(mnist_dir), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "finished" in result.stdout and str(out) in result.stdout
    from digitpad.checkpoint import load_checkpoint

    checkpoint = load_checkpoint(out)
    assert checkpoint.meta["command"].startswith("digitpad train")


@pytest.mark.mnist
def test_train_init_fine_tunes_from_the_given_weights_and_records_them(mnist_dir, tmp_path, digitpad):
    from digitpad.checkpoint import load_checkpoint, tensor_digest

    common = ("train", "--dry-run", "--model", "linear", "--data-dir", str(mnist_dir), "--lr", "0.0001")
    assert digitpad(*common, "--seed", "1", "--out", str(tmp_path / "start.pt")).returncode == 0
    assert digitpad(*common, "--seed", "2", "--out", str(tmp_path / "fresh.pt")).returncode == 0
    result = digitpad(*common, "--seed", "2", "--init", str(tmp_path / "start.pt"), "--out", str(tmp_path / "tuned.pt"))
    assert result.returncode == 0, result.stderr
    start, fresh, tuned = (load_checkpoint(tmp_path / f"{n}.pt") for n in ("start", "fresh", "tuned"))

    def distance(a, b) -> float:
        return sum(float((a.state_dict[k].float() - b.state_dict[k].float()).abs().sum()) for k in a.state_dict)

    # two steps at a tiny learning rate barely move the weights: the tuned run began at start.pt
    assert distance(tuned, start) < 0.01 * distance(fresh, start)
    assert tuned.meta["init"]["file"] == "start.pt"
    assert tuned.meta["init"]["tensor_sha256"] == tensor_digest(start.state_dict)
    assert tuned.meta["init"]["command"] == start.meta["command"]
    assert "--init" in tuned.meta["command"]


@pytest.mark.mnist
@pytest.mark.parametrize("model", ["linear", "digitpad"])
def test_train_init_with_weights_of_another_shape_is_one_clear_line(mnist_dir, tmp_path, digitpad, model):
    # linear: another model; digitpad on MNIST alone: ten outputs, the shipped file has eleven
    result = digitpad(
        "train", "--dry-run", "--model", model, "--data-dir", str(mnist_dir), "--init", str(shipped_weights())
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "--init" in result.stderr or "starting weights" in result.stderr
    from digitpad.paths import user_weights_dir

    assert not list(user_weights_dir().glob("*.pt"))  # nothing was trained, so nothing was saved


def test_train_refuses_to_overwrite_the_shipped_weights(tmp_path, digitpad):
    before = shipped_weights().read_bytes()
    result = digitpad("train", "--dry-run", "--out", str(shipped_weights()))
    assert result.returncode == 1
    assert "never overwritten" in result.stderr
    assert shipped_weights().read_bytes() == before


def test_missing_data_is_one_clear_line(tmp_path, digitpad):
    result = digitpad("train", "--dry-run", "--data-dir", str(tmp_path / "nothing"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "MNIST" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.mnist
def test_compare_trains_and_loads_side_by_side(mnist_dir, digitpad):
    result = digitpad("compare", "linear", str(shipped_weights()), "--dry-run", "--data-dir", str(mnist_dir))
    assert result.returncode == 0, result.stderr
    table = result.stdout.strip().splitlines()[-3:]
    assert table[0].split() == ["model", "accuracy", "parameters", "train", "time"]
    assert table[1].startswith("linear ") and "7,850" in table[1]
    from digitpad.checkpoint import load_checkpoint

    shipped = load_checkpoint(shipped_weights())
    recorded = shipped.meta["test_accuracy"]
    assert table[2].startswith(f"digitpad.pt ({shipped.model})") and f"{recorded:.2%}" in table[2]


def test_list_models_reads_the_catalogue(digitpad):
    result = digitpad("train", "--list-models")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["linear", "mlp", "cnn", "bncnn", "digitpad", "digitpad-ensemble"]
    assert "(default)" in lines[4] and "(default)" not in lines[5] and "7,850 parameters" in lines[0]


def test_an_out_of_range_option_is_a_usage_error(digitpad):
    result = digitpad("train", "--epochs", "0")
    assert result.returncode == 2 and "--epochs must be between 1 and" in result.stderr


def test_an_offline_download_is_one_clear_line_and_changes_nothing(digitpad, tmp_path, monkeypatch):
    from digitpad import mnist_download

    monkeypatch.setattr(mnist_download, "MIRRORS", ("https://127.0.0.1:9/",))  # nothing listens
    target = tmp_path / "mnist"
    result = digitpad("train", "--dry-run", "--download", "--data-dir", str(target))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("digitpad: error: Could not download MNIST")
    assert len(result.stderr.strip().splitlines()) == 1 and not target.exists()
