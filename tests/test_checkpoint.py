"""Checkpoints: round trip, atomic write, and refusal of every kind of bad file."""

from __future__ import annotations

import pickle
import zipfile

import pytest
import torch

from digitpad.checkpoint import load_checkpoint, save_checkpoint
from digitpad.errors import CheckpointError
from digitpad.models import build_model


def _save(path, name="bncnn", **kw):
    torch.manual_seed(0)
    model = build_model(name)
    save_checkpoint(
        path,
        model_name=name,
        state_dict=model.state_dict(),
        config={"model": name, "epochs": 1},
        meta={"test_accuracy": 0.5, "command": "x"},
        **kw,
    )
    return model


def test_round_trip(tmp_path):
    path = tmp_path / "sub" / "w.pt"
    model = _save(path, mean=0.2, std=0.4)
    ckpt = load_checkpoint(path)
    assert ckpt.model == "bncnn" and ckpt.mean == pytest.approx(0.2) and ckpt.std == pytest.approx(0.4)
    assert ckpt.test_accuracy == 0.5
    assert set(ckpt.meta["versions"]) == {"digitpad", "torch", "python"}
    assert "date" in ckpt.meta and ckpt.config["epochs"] == 1
    rebuilt = ckpt.build_model()
    assert not rebuilt.training
    x = torch.randn(2, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(rebuilt(x), model.eval()(x))
    assert [p.name for p in path.parent.iterdir()] == ["w.pt"]  # no temp files left behind


def test_plain_values_only(tmp_path):
    path = tmp_path / "w.pt"
    save_checkpoint(
        path,
        model_name="linear",
        state_dict=build_model("linear").state_dict(),
        meta={"path": tmp_path, "version": torch.__version__, "pair": (1, 2)},
    )
    meta = load_checkpoint(path).meta
    assert meta["path"] == str(tmp_path) and type(meta["version"]) is str and meta["pair"] == [1, 2]


def test_overwrite_is_atomic(tmp_path):
    path = tmp_path / "w.pt"
    _save(path)
    _save(path, mean=0.3)
    assert load_checkpoint(path).mean == pytest.approx(0.3)


class _Evil:
    def __reduce__(self):
        import os

        return (os.mkdir, (str(_Evil.marker),))


def test_refuses_pickle_payload(tmp_path):
    marker = tmp_path / "pwned"
    _Evil.marker = marker
    path = tmp_path / "evil.pt"
    torch.save({"state_dict": {}, "model": "linear", "x": _Evil()}, path)
    assert not marker.exists()
    with pytest.raises(CheckpointError, match="refused"):
        load_checkpoint(path)
    assert not marker.exists(), "loading ran code from the file"


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_refuses_raw_pickle(tmp_path):
    marker = tmp_path / "pwned"
    _Evil.marker = marker
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(_Evil()))
    with pytest.raises(CheckpointError):
        load_checkpoint(path)
    assert not marker.exists()


def test_zero_bytes(tmp_path):
    path = tmp_path / "empty.pt"
    path.write_bytes(b"")
    with pytest.raises(CheckpointError, match="empty"):
        load_checkpoint(path)


def test_truncated(tmp_path):
    path = tmp_path / "w.pt"
    _save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        load_checkpoint(path)


def test_garbage(tmp_path):
    path = tmp_path / "w.pt"
    path.write_bytes(b"not a checkpoint at all" * 10)
    with pytest.raises(CheckpointError):
        load_checkpoint(path)


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "nope.pt")


def test_missing_keys(tmp_path):
    path = tmp_path / "w.pt"
    torch.save({"model": "linear"}, path)
    with pytest.raises(CheckpointError, match="missing state_dict"):
        load_checkpoint(path)
    torch.save([1, 2, 3], path)
    with pytest.raises(CheckpointError, match="not a DigitPad checkpoint"):
        load_checkpoint(path)


def test_unknown_model(tmp_path):
    path = tmp_path / "w.pt"
    torch.save({"model": "gpt5", "state_dict": {}}, path)
    with pytest.raises(CheckpointError, match="unknown model"):
        load_checkpoint(path)


def test_wrong_architecture(tmp_path):
    path = tmp_path / "w.pt"
    save_checkpoint(path, model_name="cnn", state_dict=build_model("bncnn").state_dict())
    ckpt = load_checkpoint(path)
    with pytest.raises(CheckpointError, match="do not fit"):
        ckpt.build_model()


def test_errors_are_one_line(tmp_path):
    path = tmp_path / "w.pt"
    _save(path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert names  # a real torch zip archive
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    assert "\n" not in str(info.value)
