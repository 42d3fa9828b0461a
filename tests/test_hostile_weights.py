"""Hostile and damaged weights files, and saves that fail: one clear line, nothing half-done."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
import torch

from digitpad import checkpoint as ckpt_module
from digitpad.checkpoint import load_checkpoint, remove_stale_temp_files, save_checkpoint, tensor_digest
from digitpad.errors import CheckpointError, CheckpointSaveError
from digitpad.models import build_model
from digitpad.predictor import Predictor
from digitpad.resources import shipped_weights


def save_small(path: Path, model: str = "digitpad", model_config: dict | None = None, **kw) -> dict:
    torch.manual_seed(0)
    state = build_model(model, **(model_config or {})).state_dict()
    save_checkpoint(path, model_name=model, state_dict=state, config={"model_config": model_config or {}}, **kw)
    return state


def refused(path: Path) -> str:
    with pytest.raises(CheckpointError) as info:
        Predictor.from_checkpoint(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_round_trip_stores_and_verifies_a_tensor_hash(tmp_path):
    path = tmp_path / "w.pt"
    state = save_small(path)
    raw = torch.load(path, weights_only=True)
    assert raw["integrity"]["tensor_sha256"] == tensor_digest(state)
    assert load_checkpoint(path).model == "digitpad"


def test_flipped_bytes_in_a_tensor_are_refused(tmp_path):
    path = tmp_path / "w.pt"
    save_small(path)
    with zipfile.ZipFile(path) as archive:
        entry = max(archive.infolist(), key=lambda info: info.file_size)  # the biggest tensor's bytes
        assert "/data/" in entry.filename
    data = bytearray(path.read_bytes())
    name_len = int.from_bytes(data[entry.header_offset + 26 : entry.header_offset + 28], "little")
    extra_len = int.from_bytes(data[entry.header_offset + 28 : entry.header_offset + 30], "little")
    start = entry.header_offset + 30 + name_len + extra_len + 64
    for i in range(start, start + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    assert "do not match their stored checksum" in refused(path)


def test_a_swapped_tensor_under_the_old_hash_is_refused(tmp_path):
    path = tmp_path / "w.pt"
    save_small(path)
    raw = torch.load(path, weights_only=True)
    raw["state_dict"]["fc.bias"] = raw["state_dict"]["fc.bias"] + 1.0
    torch.save(raw, path)
    assert "checksum" in refused(path)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_weights_are_refused(tmp_path, value):
    path = tmp_path / "w.pt"
    torch.manual_seed(0)
    state = build_model("digitpad").state_dict()
    state["fc.weight"][3, 5] = value
    save_checkpoint(path, model_name="digitpad", state_dict=state)  # the hash is right: only finiteness fails
    assert "NaN or infinite" in refused(path)


def test_old_checkpoints_without_a_hash_load_but_are_still_checked(tmp_path):
    path = tmp_path / "old.pt"
    save_small(path)
    raw = torch.load(path, weights_only=True)
    del raw["integrity"]
    torch.save(raw, path)
    assert load_checkpoint(path).model == "digitpad"
    raw["state_dict"]["fc.bias"][0] = float("nan")
    torch.save(raw, path)
    assert "NaN" in refused(path)


@pytest.mark.parametrize(
    "mean, std, phrase",
    [(0.13, 1e30, "std"), (0.13, 0.0, "std"), (0.13, -1.0, "std"), (float("nan"), 0.3, "mean"), (1e9, 0.3, "mean")],
)
def test_normalisation_outside_the_declared_ranges_is_refused(tmp_path, mean, std, phrase):
    path = tmp_path / "w.pt"
    save_small(path, mean=mean, std=std)
    assert f"invalid normalization {phrase}" in refused(path)


def state_for(width: int) -> dict:
    with torch.device("meta"):
        shapes = {k: v.shape for k, v in build_model("digitpad", width=32).state_dict().items()}
    return {k: torch.zeros(s) for k, s in shapes.items()}


@pytest.mark.parametrize(
    "model_config, phrase",
    [
        ({"width": 100000}, "outside the allowed range"),
        ({"width": 2048}, "outside the allowed range"),
        ({"width": -5}, "outside the allowed range"),
        ({"width": "32"}, "non-integer"),
        ({"width": 32.0}, "non-integer"),
        ({"depth": 3}, "unknown setting"),
    ],
)
def test_model_config_is_checked_before_anything_is_built(tmp_path, monkeypatch, model_config, phrase):
    path = tmp_path / "w.pt"
    save_checkpoint(path, model_name="digitpad", state_dict=state_for(32), config={"model_config": model_config})
    built: list = []
    monkeypatch.setattr(ckpt_module, "build_model", lambda *a, **k: built.append((a, k)))
    assert phrase in refused(path)
    assert not built  # refused from the declared ranges: not even a meta-device model


def test_parameter_budget_is_checked_on_the_meta_device(tmp_path, monkeypatch):
    monkeypatch.setattr(ckpt_module, "PARAMETER_BUDGET", 100_000)
    path = tmp_path / "w.pt"
    save_small(path)  # 136,954 parameters
    assert "the budget is 100,000" in refused(path)


def test_model_config_is_checked_for_weights_handed_over_in_memory():
    with pytest.raises(CheckpointError, match="allowed range"):
        Predictor.from_state_dict("digitpad", {}, model_config={"width": 100000})


def test_text_file_renamed_pt_is_not_a_weights_file(tmp_path):
    path = tmp_path / "notes.pt"
    path.write_text("my notes: buy milk\n" * 20)
    message = refused(path)
    assert "is not a DigitPad weights file" in message and "unsafe" not in message


@pytest.mark.skipif(os.name != "posix", reason="needs mkfifo")
def test_fifo_named_pt_does_not_block(tmp_path):
    fifo = tmp_path / "w.pt"
    os.mkfifo(fifo)
    errors: list = []

    def load() -> None:
        try:
            load_checkpoint(fifo)
        except CheckpointError as error:
            errors.append(str(error))

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "loading a FIFO blocked"
    assert errors and "not a regular file" in errors[0]


def test_shipped_weights_carry_a_hash_that_matches():
    raw = torch.load(shipped_weights(), weights_only=True)
    assert raw["integrity"]["tensor_sha256"] == tensor_digest(raw["state_dict"])


# -- saving ------------------------------------------------------------------


def failing(error_number: int):
    def fail(*args, **kwargs):
        raise OSError(error_number, os.strerror(error_number))

    return fail


@pytest.mark.parametrize(
    "target, error_number, cause",
    [
        ("fsync", errno.ENOSPC, "no space left on device"),
        ("fsync", errno.EDQUOT, "disk quota exceeded"),
        ("replace", errno.EROFS, "read-only file system"),
    ],
)
def test_failed_save_is_one_typed_line_and_leaves_nothing(tmp_path, monkeypatch, target, error_number, cause):
    path = tmp_path / "w.pt"
    save_small(path)
    before = path.read_bytes()
    monkeypatch.setattr(ckpt_module.os, target, failing(error_number))
    with pytest.raises(CheckpointSaveError) as info:
        save_small(path)
    assert str(info.value) == f"could not save the weights in {tmp_path}: {cause}"
    assert info.value.folder == str(tmp_path) and info.value.cause == cause
    monkeypatch.undo()
    assert path.read_bytes() == before  # the old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.pt"]  # no temp file left


def test_permission_denied_on_save_names_the_folder(tmp_path, monkeypatch):
    real_open = os.open

    def deny(file, flags, *args):
        if str(file).endswith(".tmp"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(file, flags, *args)

    monkeypatch.setattr(ckpt_module.os, "open", deny)
    with pytest.raises(CheckpointSaveError, match=r"in .*: permission denied$"):
        save_small(tmp_path / "w.pt")


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temp_files_of_dead_processes_are_removed_by_the_next_save(tmp_path):
    host = ckpt_module._host_tag()
    dead = tmp_path / f".w.pt.{host}-{dead_pid()}.0a1b2c3d.tmp"
    live = tmp_path / f".w.pt.{host}-{os.getppid()}.0a1b2c3d.tmp"  # a live process: maybe saving right now
    unrelated = tmp_path / ".notes.tmp"
    for p in (dead, live, unrelated):
        p.write_bytes(b"partial")
    save_small(tmp_path / "w.pt")
    assert not dead.exists() and live.exists() and unrelated.exists()
    old = tmp_path / ".w.pt.k2j4h5x.tmp"  # an older DigitPad's temp name: removed once it is an hour old
    old.write_bytes(b"partial")
    assert remove_stale_temp_files(tmp_path) == []
    os.utime(old, (0, 0))
    assert remove_stale_temp_files(tmp_path) == [old]


def test_save_never_changes_the_process_umask(tmp_path, monkeypatch):
    calls: list = []
    real_umask = os.umask
    monkeypatch.setattr(os, "umask", lambda mask: calls.append(mask) or real_umask(mask))
    save_small(tmp_path / "w.pt")
    assert calls == []
    monkeypatch.undo()
    current = os.umask(0o022)
    os.umask(current)
    assert (tmp_path / "w.pt").stat().st_mode & 0o777 == 0o666 & ~current
