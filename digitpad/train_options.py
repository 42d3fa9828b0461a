"""The training options as one table, and ``TrainConfig`` built from it; no torch.

Each :class:`Option` names a ``TrainConfig`` field with its type, default,
valid range or choices and a help line.  ``digitpad train`` builds its flags
from :data:`TRAIN_OPTIONS`, the training dialog its form, and
:func:`training_command` the command line a checkpoint records.  Because
this module imports neither torch nor Qt, opening Model > Train… costs no
torch import in the GUI thread.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from digitpad.errors import TrainingError
from digitpad.model_catalog import CATALOGUE, DEFAULT_MODEL


@dataclass(frozen=True)
class Option:
    """One training option: a ``TrainConfig`` field as the CLI and the dialog show it."""

    name: str  # the TrainConfig field
    type: type  # int, float, str or bool
    default: Any
    help: str
    range: tuple[float, float | None] | None = None  # inclusive; None as the top: no upper limit
    choices: tuple[str, ...] = ()
    optional: bool = False  # None is a valid value ("not set")
    advanced: bool = False  # listed under "advanced" in --help
    label: str = ""  # the dialog's form label (with its & shortcut)
    step: float | None = None  # the form's spin box step
    metavar: str | None = None

    @property
    def flag(self) -> str:
        """The command-line flag; a switch that is on by default is turned off with ``--no-...``."""
        stem = self.name.replace("_", "-")
        return f"--no-{stem}" if self.type is bool and self.default is True else f"--{stem}"

    def check(self, value: Any) -> None:
        """Raise ``TrainingError`` (one line) unless ``value`` is valid for this option."""
        if value is None:
            if self.optional:
                return
            raise TrainingError(f"{self.flag} needs a value")
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            raise TrainingError(f"{self.flag}: expected {self.type.__name__}, got {value!r}")
        if self.choices and value not in self.choices:
            what = "model" if self.name == "model" else self.name.replace("_", " ")
            raise TrainingError(f"unknown {what} {value!r}; choose one of: {', '.join(self.choices)}")
        if self.range is not None and isinstance(value, (int, float)):
            low, high = self.range
            if value < low or (high is not None and value > high):
                limit = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
                raise TrainingError(f"{self.flag} must be {limit} (got {value})")


TRAIN_OPTIONS: tuple[Option, ...] = (
    # The order is the command line's (training_command) and --help's.
    Option(
        "model",
        str,
        DEFAULT_MODEL,
        "registry model name (see `digitpad train --list-models`)",
        choices=tuple(CATALOGUE),
        label="&Model:",
    ),
    Option("epochs", int, 15, "passes over the training set", range=(1, 1000), label="&Epochs:"),
    Option("seed", int, 1, "random seed (runs are reproducible on the CPU)", range=(0, 2**31 - 1)),
    Option("batch_size", int, 128, "images per step", range=(1, 8192), label="&Batch size:", step=32),
    Option(
        "lr",
        float,
        0.1,
        "peak learning rate of the one-cycle schedule",
        range=(0.0001, 10.0),
        label="&Learning rate:",
        step=0.01,
    ),
    Option("optimizer", str, "sgd", "sgd (Nesterov, momentum 0.9) or adamw", choices=("sgd", "adamw"), advanced=True),
    Option("weight_decay", float, 5e-4, "weight decay", range=(0.0, 1.0), advanced=True),
    Option("label_smoothing", float, 0.1, "label smoothing of the loss", range=(0.0, 0.99), advanced=True),
    Option(
        "threads",
        int,
        1,
        "CPU threads for torch (the CLI's default: all cores)",
        range=(1, 1024),
        optional=True,
    ),
    Option(
        "device",
        str,
        "auto",
        "auto (CUDA, then MPS, then CPU), cpu, cuda, cuda:N or mps",
        label="&Device:",
    ),
    Option("max_steps", int, None, "stop after this many steps", range=(1, None), optional=True, advanced=True),
    Option(
        "precision",
        str,
        "auto",
        "auto (bf16 where the hardware has it), fp32 or bf16",
        choices=("auto", "fp32", "bf16"),
        advanced=True,
    ),
    Option(
        "augment",
        bool,
        True,
        "random shifts, rotations and scaling of the training digits",
        label="&Augmentation:",
    ),
    Option("dry_run", bool, False, "a few steps on a small slice: checks that everything works"),
    Option(
        "train_limit", int, None, "use only the first N training images", range=(1, None), optional=True, advanced=True
    ),
    Option(
        "test_limit",
        int,
        None,
        "evaluate on only the first N test images",
        range=(1, None),
        optional=True,
        advanced=True,
    ),
    Option(
        "data_dir",
        str,
        None,
        "folder holding MNIST/raw (default: $DIGITPAD_DATA or the user cache)",
        optional=True,
        label="Data &folder:",
        metavar="DIR",
    ),
    Option("download", bool, False, "download MNIST into the data folder if it is missing"),
    Option(
        "evals_per_epoch",
        int,
        1,
        "test evaluations per epoch (more than 1 adds mid-epoch figures)",
        range=(1, 1000),
        advanced=True,
    ),
    Option(
        "data",
        str,
        "mnist",
        "mnist, or mix: MNIST + Pendigits .tra renders + style forms + not-a-digit (digitpad.synth.mixture), "
        "selected and calibrated on a held-out validation split",
        choices=("mnist", "mix"),
        advanced=True,
    ),
    Option(
        "pendigits",
        str,
        None,
        "pendigits-orig.tra for --data mix (default: $DIGITPAD_PENDIGITS or pendigits/ beside the MNIST folder)",
        optional=True,
        advanced=True,
        metavar="FILE",
    ),
    Option(
        "elastic",
        float,
        0.0,
        "fraction of training images also given a smooth elastic distortion",
        range=(0.0, 1.0),
        advanced=True,
    ),
    Option(
        "pen_renders",
        int,
        3,
        "for --data mix: renders of each Pendigits .tra digit (each at a random pen and size)",
        range=(1, 20),
        advanced=True,
    ),
    Option(
        "pen_variation",
        float,
        0.0,
        "for --data mix: each training render of a Pendigits digit gets a smooth wobble and its strokes "
        "move on their own, by about this share of the digit's height",
        range=(0.0, 0.2),
        advanced=True,
    ),
    Option(
        "cut_pieces",
        int,
        0,
        "for --data mix: this many more training non-digits, each a digit whole with part of its touching "
        "neighbour, as a wrong cut through the pair leaves it (a 0 with the bowl of the 9 beside it)",
        range=(0, 50000),
        advanced=True,
    ),
    Option(
        "all_writers",
        bool,
        False,
        "for --data mix: train on every .tra writer, the validation writers 26-30 too (the final refit of a "
        "chosen recipe; selection and calibration then use the other validation parts)",
        advanced=True,
    ),
    Option(
        "keep",
        float,
        1.0,
        "when fine-tuning (--init): share of the change kept, the rest taken back towards the starting "
        "weights (weight-space ensembling); selection and calibration see the blended weights",
        range=(0.0, 1.0),
        advanced=True,
    ),
    Option(
        "width",
        int,
        None,
        "channels of the digitpad model's second layer (default 32; every layer scales with it)",
        range=(8, 256),
        optional=True,
        advanced=True,
    ),
)

OPTIONS: dict[str, Option] = {option.name: option for option in TRAIN_OPTIONS}


def _default(name: str) -> Any:
    return OPTIONS[name].default


@dataclass(frozen=True)
class TrainConfig:
    """One training's settings.  Defaults come from :data:`TRAIN_OPTIONS` (a test keeps the two in step)."""

    model: str = _default("model")
    epochs: int = _default("epochs")
    seed: int = _default("seed")
    batch_size: int = _default("batch_size")
    lr: float = _default("lr")  # peak OneCycle learning rate
    optimizer: str = _default("optimizer")
    weight_decay: float = _default("weight_decay")
    label_smoothing: float = _default("label_smoothing")
    threads: int | None = _default("threads")  # torch CPU threads (process-wide); None leaves torch's setting
    device: str = _default("device")
    max_steps: int | None = _default("max_steps")
    precision: str = _default("precision")
    augment: bool = _default("augment")
    dry_run: bool = _default("dry_run")  # one epoch of 2 steps on small subsets: checks everything runs
    train_limit: int | None = _default("train_limit")
    test_limit: int | None = _default("test_limit")
    data_dir: str | None = _default("data_dir")  # None: digitpad.paths.default_mnist_dir()
    download: bool = _default("download")  # download MNIST into data_dir when missing
    evals_per_epoch: int = _default("evals_per_epoch")
    data: str = _default("data")  # "mix": digitpad.synth.mixture, selected on its validation split
    pendigits: str | None = _default("pendigits")
    elastic: float = _default("elastic")
    pen_renders: int = _default("pen_renders")
    pen_variation: float = _default("pen_variation")
    cut_pieces: int = _default("cut_pieces")
    all_writers: bool = _default("all_writers")
    keep: float = _default("keep")  # with initial weights: start + keep * (best - start)
    width: int | None = _default("width")  # digitpad model only; None: the model's default
    # Not user options: set by code (benchmarks, tests, the GUI worker).
    model_config: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"width": 32}
    progress_interval_s: float = 0.05  # at most ~20 StepProgress events per second

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["model_config"] = dict(self.model_config)
        return d


def check_config(config: TrainConfig) -> None:
    """Raise ``TrainingError`` (one line) for the first invalid option of ``config``."""
    for option in TRAIN_OPTIONS:
        option.check(getattr(config, option.name))
    if config.progress_interval_s < 0:
        raise TrainingError("progress_interval_s must not be negative")


def config_from_values(values: Mapping[str, Any], base: TrainConfig | None = None) -> TrainConfig:
    """``base`` (default: all defaults) with the options in ``values`` that are not None; checked."""
    unknown = set(values) - set(OPTIONS)
    if unknown:
        raise TrainingError(f"unknown training options: {', '.join(sorted(unknown))}")
    changes = {name: value for name, value in values.items() if value is not None}
    config = dataclasses.replace(base or TrainConfig(), **changes)
    check_config(config)
    return config


@dataclass(frozen=True)
class DeviceChoice:
    """An accelerator found on this machine, offered as a value of the ``device`` option."""

    name: str  # for TrainConfig.device, e.g. "cuda:0"
    label: str  # for people, e.g. "CUDA 0: NVIDIA H200"


@dataclass(frozen=True)
class FoundDevices:
    """Every accelerator a probe found (empty: CPU only)."""

    devices: tuple[DeviceChoice, ...] = ()


# Always written, so a command line reads the same whichever defaults a later version has.
_ALWAYS = ("model", "epochs", "seed")


def training_command(config: TrainConfig) -> str:
    """The ``digitpad train`` command line equivalent to ``config`` (for a checkpoint's meta)."""
    parts = ["digitpad", "train"]
    for option in TRAIN_OPTIONS:
        value = getattr(config, option.name)
        if option.name not in _ALWAYS and (value == option.default or value is None):
            continue
        if option.type is bool:
            if value != option.default:
                parts.append(option.flag)
        else:
            parts += [option.flag, str(value)]
    return " ".join(parts)
