"""Nets trained apart, joined into one file: the model, the checks on its members, the command."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from digitpad.checkpoint import load_checkpoint, save_checkpoint
from digitpad.cli import main
from digitpad.data import Split
from digitpad.ensemble import ENSEMBLE_MODEL, check_members, join_members, stacked_state
from digitpad.errors import CheckpointError, TrainingError
from digitpad.models import DigitPadNet, build_model
from digitpad.predictor import Predictor

MIX = {"data": "mix", "seed": 1, "all_writers": False, "pen_renders": 3, "pen_variation": 0.0, "cut_pieces": 0}
MIXTURE = {"val_mnist": 5000, "cut_pieces": 0}


def member(path, seed: int, *, config=None, meta=None, width: int = 8):
    torch.manual_seed(seed)
    net = DigitPadNet(width=width, classes=11).eval()
    with torch.no_grad():  # BatchNorm statistics that are not the identity, so fusing them matters
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    cfg = {**MIX, "model": "digitpad", "model_config": {"width": width, "classes": 11}, **(config or {})}
    info = {"mixture_config": MIXTURE, "command": f"digitpad train --seed {seed}", "test_accuracy": 0.5, **(meta or {})}
    save_checkpoint(path, model_name="digitpad", state_dict=net.state_dict(), config=cfg, meta=info)
    return load_checkpoint(path)


def test_the_ensemble_reads_the_mean_of_its_nets_logits(tmp_path):
    a, b = member(tmp_path / "a.pt", 0), member(tmp_path / "b.pt", 1)
    model = build_model(ENSEMBLE_MODEL, width=8, classes=11, members=2)
    model.load_state_dict(stacked_state([a, b]), strict=True)
    x = torch.randn(5, 1, 28, 28)
    with torch.no_grad():
        mean = (a.build_model()(x) + b.build_model()(x)) / 2
        assert torch.allclose(model.eval()(x), mean, atol=1e-6)
        assert not torch.allclose(a.build_model()(x), mean, atol=1e-3)  # the members differ


def test_with_ask_below_the_second_net_reads_only_what_the_first_is_unsure_of(tmp_path):
    a = member(tmp_path / "a.pt", 0, meta={"temperature": 2.0})
    b = member(tmp_path / "b.pt", 1)
    x = torch.randn(64, 1, 28, 28)
    with torch.no_grad():
        first, second = a.build_model()(x), b.build_model()(x)
        sure = torch.softmax(first / 2.0, dim=1).amax(dim=1)  # the first net at its own temperature
        gate = float(sure.median())
        model = build_model(ENSEMBLE_MODEL, width=8, classes=11, members=2)
        model.load_state_dict(stacked_state([a, b], ask_below=gate), strict=True)
        out = model.eval()(x)
        asked = sure < gate
        assert 0 < int(asked.sum()) < 64
        assert torch.allclose(out[~asked], first[~asked], atol=1e-6)
        assert torch.allclose(out[asked], (first[asked] + second[asked]) / 2, atol=1e-6)
        model.ask_below.fill_(1.0)  # 1: every net reads every image
        assert torch.allclose(model(x), (first + second) / 2, atol=1e-6)


@pytest.mark.parametrize(
    "change, phrase",
    [
        ({"config": {"seed": 2}}, "another validation split \\(seed"),
        ({"config": {"cut_pieces": 1500}}, "another validation split \\(cut_pieces"),
        ({"meta": {"mixture_config": {"val_mnist": 4000}}}, "its mixture differs"),
        ({"width": 16}, "another shape"),
    ],
)
def test_members_of_another_split_or_shape_are_refused(tmp_path, change, phrase):
    a = member(tmp_path / "a.pt", 0)
    b = member(tmp_path / "b.pt", 1, **change)
    with pytest.raises(TrainingError, match=phrase):
        check_members([a, b])


def test_one_member_or_a_non_mix_run_is_refused(tmp_path):
    a = member(tmp_path / "a.pt", 0)
    with pytest.raises(TrainingError, match="2 to 4"):
        check_members([a])
    plain = [member(tmp_path / f"{k}.pt", k, config={"data": "mnist"}) for k in (0, 1)]
    with pytest.raises(TrainingError, match="'mix' runs"):
        check_members(plain)


def test_join_fits_the_temperature_on_validation_and_the_predictor_reads_it(tmp_path, mnist_dir):
    a, b = member(tmp_path / "a.pt", 0), member(tmp_path / "b.pt", 1)
    rng = np.random.default_rng(0)
    val = Split(torch.from_numpy(rng.integers(0, 256, (64, 28, 28), dtype=np.uint8)), torch.arange(64) % 11)
    joined = join_members([a, b], data_dir=str(mnist_dir), validation=val, test_limit=200, ask_below=0.5)
    assert joined.model_config == {"width": 8, "classes": 11, "members": 2}
    meta = joined.meta
    assert meta["validation_size"] == 64 and meta["test_size"] == 200 and meta["selected_on"] == "validation"
    assert meta["ask_below"] == 0.5 and float(joined.state_dict["ask_below"]) == 0.5
    assert [m["command"] for m in meta["members"]] == ["digitpad train --seed 0", "digitpad train --seed 1"]
    assert meta["members"][0]["tensor_sha256"] != meta["members"][1]["tensor_sha256"]
    path = save_checkpoint(
        tmp_path / "e.pt", model_name=ENSEMBLE_MODEL, state_dict=joined.state_dict, config=joined.config, meta=meta
    )
    predictor = Predictor.from_checkpoint(path)  # fused for inference, the fitted temperature applied
    assert predictor.temperature == pytest.approx(meta["temperature"]) and predictor.temperature != 1.0
    x = rng.normal(size=(4, 28, 28)).astype(np.float32)
    with torch.no_grad():
        t = torch.from_numpy(x).unsqueeze(1)
        first = a.build_model()(t)
        ask = torch.softmax(first, dim=1).amax(dim=1) < 0.5  # the member's own temperature: 1 here
        logits = torch.where(ask[:, None], (first + b.build_model()(t)) / 2, first)
    expected = torch.softmax(logits / meta["temperature"], dim=1).numpy()
    assert np.allclose(predictor.predict_all(x), expected, atol=1e-5)


def test_an_ensemble_file_asking_for_too_many_members_is_refused(tmp_path):
    path = tmp_path / "big.pt"
    save_checkpoint(path, model_name=ENSEMBLE_MODEL, state_dict={}, config={"model_config": {"members": 9}})
    with pytest.raises(CheckpointError, match="members 9 outside the allowed range 2..4"):
        load_checkpoint(path).build_model()


def test_the_command_refuses_mismatched_files_in_one_line(tmp_path, capsys):
    member(tmp_path / "a.pt", 0)
    member(tmp_path / "b.pt", 1, config={"seed": 7})
    out = tmp_path / "e.pt"
    assert main(["ensemble", str(tmp_path / "a.pt"), str(tmp_path / "b.pt"), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("digitpad: error: b.pt was selected on another validation split") and "\n" not in err
    assert not out.exists()


def test_first_not_digit_averages_the_digits_and_keeps_the_first_nets_not_a_digit(tmp_path):
    a, b = member(tmp_path / "a.pt", 0), member(tmp_path / "b.pt", 1)
    model = build_model(ENSEMBLE_MODEL, width=8, classes=11, members=2)
    model.load_state_dict(stacked_state([a, b], first_not_digit=True), strict=True)
    x = torch.randn(6, 1, 28, 28)
    with torch.no_grad():
        first, second = a.build_model()(x), b.build_model()(x)
        out = model.eval()(x)
    assert torch.allclose(out[:, :10], (first[:, :10] + second[:, :10]) / 2, atol=1e-6)
    assert torch.allclose(out[:, 10], first[:, 10], atol=1e-6)
