"""The torch-free contract layer: one option table, TrainConfig from it, the model catalogue."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from digitpad.cli import build_parser
from digitpad.errors import TrainingError
from digitpad.model_catalog import CATALOGUE, DEFAULT_MODEL, catalogue_names
from digitpad.train_options import OPTIONS, TRAIN_OPTIONS, TrainConfig, config_from_values, training_command


def test_train_config_is_the_table():
    fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
    assert [o.name for o in TRAIN_OPTIONS] == [n for n in fields if n not in ("model_config", "progress_interval_s")]
    defaults = TrainConfig()
    for option in TRAIN_OPTIONS:
        assert getattr(defaults, option.name) == option.default, option.name
        annotation = option.type.__name__ + (" | None" if option.optional else "")
        assert fields[option.name].type == annotation, option.name
        option.check(option.default)  # every default is valid


def test_every_option_is_a_flag_of_train_and_compare():
    parser = build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]  # type: ignore[union-attr]
    flags = {s for action in train._actions for s in action.option_strings}
    assert {o.flag for o in TRAIN_OPTIONS} <= flags
    args = parser.parse_args(["train", "--epochs", "3", "--no-augment", "--optimizer", "adamw", "--max-steps", "9"])
    from digitpad.commands.train import config_from_args

    config = config_from_args(args)
    assert (config.epochs, config.augment, config.optimizer, config.max_steps) == (3, False, "adamw", 9)
    assert config.threads is None  # headless: all cores
    assert config.lr == OPTIONS["lr"].default


@pytest.mark.parametrize("argv", [["--epochs", "0"], ["--lr", "-1"], ["--optimizer", "rmsprop"], ["--epochs", "x"]])
def test_out_of_range_flags_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["train", *argv])
    assert info.value.code == 2
    assert "digitpad train: error:" in capsys.readouterr().err


def test_config_values_are_checked():
    assert config_from_values({"epochs": 4, "lr": None}).epochs == 4
    with pytest.raises(TrainingError, match="unknown model 'nope'"):
        config_from_values({"model": "nope"})
    with pytest.raises(TrainingError, match="--batch-size must be between 1 and"):
        config_from_values({"batch_size": 0})
    with pytest.raises(TrainingError, match="unknown training options"):
        config_from_values({"epoch": 3})


def test_the_command_line_round_trips():
    config = TrainConfig(epochs=3, seed=5, lr=0.01, augment=False, max_steps=7, data_dir="/d")
    argv = training_command(config).split()[1:]
    from digitpad.commands.train import config_from_args

    again = config_from_args(build_parser().parse_args(argv))
    assert dataclasses.replace(again, threads=1) == config


def test_the_catalogue_is_the_registry():
    from digitpad.models import MODELS, build_model, parameter_count

    assert list(CATALOGUE) == list(MODELS) and DEFAULT_MODEL in CATALOGUE
    assert catalogue_names(default_first=True)[0] == DEFAULT_MODEL
    for name, entry in CATALOGUE.items():
        assert parameter_count(build_model(name)) == entry.parameters, name
        assert MODELS[name].description == entry.description


def test_the_contract_layer_imports_without_torch():
    code = (
        "import sys\n"
        "import digitpad.train_options, digitpad.model_catalog, digitpad.training_events\n"
        "import digitpad.training_outcome, digitpad.mnist_download, digitpad.metrics\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
