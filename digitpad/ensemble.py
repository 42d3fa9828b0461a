"""Join independently trained DigitPad nets into one ``digitpad-ensemble`` weights file.

    joined = join_members([load_checkpoint(a), load_checkpoint(b)], data_dir=..., pendigits=...)
    save_checkpoint(out, model_name=ENSEMBLE_MODEL, state_dict=joined.state_dict, ...)

Nets trained apart err on different drawings, so the mean of their logits
reads more of them right.  The members must be ``digitpad`` nets of one shape
selected on the same validation split: "mix" runs with the same seed and the
same mixture (the split is drawn from the seed), so that split is still unseen
by every member.  The ensemble's temperature is fitted there again and MNIST's
test set is only reported, as after a training run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from digitpad.checkpoint import Checkpoint, tensor_digest
from digitpad.data import Split
from digitpad.errors import TrainingError
from digitpad.models import build_model
from digitpad.normalize import MNIST_MEAN, MNIST_STD
from digitpad.train_options import OPTIONS, TrainConfig, config_from_values

ENSEMBLE_MODEL = "digitpad-ensemble"
MEMBER_MODEL = "digitpad"
MAX_MEMBERS = 4
# What must be equal in every member's training config for their validation splits to be one split.
SPLIT_KEYS = ("data", "seed", "all_writers", "pen_renders", "pen_variation", "cut_pieces")


@dataclass(frozen=True)
class Joined:
    state_dict: dict[str, torch.Tensor]
    model_config: dict[str, int]
    config: dict[str, Any]  # the first member's training config, model and model_config replaced
    meta: dict[str, Any]  # temperature, validation and MNIST test figures, the members


def check_members(members: Sequence[Checkpoint]) -> dict[str, Any]:
    """The members' common model_config; ``TrainingError`` (one line) when they cannot be joined."""
    if not 2 <= len(members) <= MAX_MEMBERS:
        raise TrainingError(f"an ensemble joins 2 to {MAX_MEMBERS} weights files, got {len(members)}")
    first = members[0]
    for k, m in enumerate(members):
        name = m.path.name if m.path else f"member {k + 1}"
        if m.model != MEMBER_MODEL:
            raise TrainingError(f"{name} holds a {m.model!r} model; an ensemble joins {MEMBER_MODEL!r} nets")
        if dict(m.config.get("model_config") or {}) != dict(first.config.get("model_config") or {}):
            raise TrainingError(f"{name} has another shape than the first file (model_config differs)")
        for key in SPLIT_KEYS:
            if m.config.get(key) != first.config.get(key):
                raise TrainingError(
                    f"{name} was selected on another validation split ({key}: "
                    f"{m.config.get(key)!r} vs {first.config.get(key)!r})"
                )
        if m.meta.get("mixture_config") != first.meta.get("mixture_config"):
            raise TrainingError(f"{name} was selected on another validation split (its mixture differs)")
        if (m.mean, m.std) != (first.mean, first.std):
            raise TrainingError(f"{name} normalises its input differently")
    if first.config.get("data") != "mix":
        raise TrainingError("an ensemble joins 'mix' runs (selected on a validation split held out of training)")
    return dict(first.config.get("model_config") or {})


def stacked_state(
    members: Sequence[Checkpoint], ask_below: float = 1.0, first_not_digit: bool = False
) -> dict[str, torch.Tensor]:
    """The members' tensors under ``members.K.`` (the :class:`~digitpad.models.DigitPadEnsemble` layout),
    with ``ask_below``, the first member's own temperature and ``first_not_digit``."""
    state = {f"members.{k}.{name}": t for k, m in enumerate(members) for name, t in m.state_dict.items()}
    t = members[0].meta.get("temperature", 1.0)
    first_t = float(t) if isinstance(t, (int, float)) and 0 < t < 100 else 1.0
    state["ask_below"] = torch.tensor(float(ask_below))
    state["first_temperature"] = torch.tensor(first_t)
    state["first_not_digit"] = torch.tensor(1.0 if first_not_digit else 0.0)
    return state


def join_members(
    members: Sequence[Checkpoint],
    *,
    data_dir: str | None = None,
    pendigits: str | None = None,
    download: bool = False,
    ask_below: float = 1.0,
    first_not_digit: bool = False,
    validation: Split | None = None,
    test_limit: int | None = None,
) -> Joined:
    """Join ``members`` (checked), fit the temperature on their validation split, report MNIST test.

    ``data_dir``/``pendigits`` override where the first member's config found MNIST and Pendigits;
    ``ask_below`` < 1: the other nets read only what the first is less sure of (``DigitPadEnsemble``);
    ``first_not_digit``: the not-a-digit logit is the first member's, only the digits are averaged;
    ``validation`` (tests) stands for the split rebuilt from the members' seed and mixture,
    ``test_limit`` reads only the first images of MNIST test.  Raises ``TrainingError`` or ``DataError``."""
    from digitpad.evaluate import evaluation_of, predict_logits
    from digitpad.synth.mixture import mixture_source
    from digitpad.trainer import report_mix

    model_config = check_members(members) | {"members": len(members)}
    if not 0.0 < ask_below <= 1.0:
        raise TrainingError(f"ask_below must be in (0, 1], got {ask_below:g}")
    config = _training_config(members[0].config, data_dir, pendigits, download)
    state = stacked_state(members, ask_below, first_not_digit)
    model = build_model(ENSEMBLE_MODEL, **model_config)
    model.load_state_dict(state, strict=True)
    model.eval()
    device = torch.device("cpu")
    val = validation if validation is not None else mixture_source(config)(device).test
    val_logits = predict_logits(model, val.images, mean=MNIST_MEAN, std=MNIST_STD)
    val_eval = evaluation_of(val_logits, val.labels)
    test_eval, _, extra = report_mix(
        config, model, model.state_dict(), val, val_eval.accuracy, device, test_limit, val_logits
    )
    meta = {
        **extra,
        "test_size": test_eval.count,
        "test_errors": test_eval.errors,
        "per_class": test_eval.per_class_dict(),
        "confusion": test_eval.confusion.tolist(),
        "mixture_config": members[0].meta.get("mixture_config"),
        "members": [_member_record(m) for m in members],
        "ask_below": float(ask_below),
        "first_not_digit": bool(first_not_digit),
    }
    saved = {**dict(members[0].config), "model": ENSEMBLE_MODEL, "model_config": model_config}
    return Joined(state, model_config, saved, meta)


def _training_config(
    stored: Mapping[str, Any], data_dir: str | None, pendigits: str | None, download: bool
) -> TrainConfig:
    """The first member's training options (checked), the data where given here, never a dry run."""
    values = {k: v for k, v in stored.items() if k in OPTIONS and k != "threads"}
    values.update(dry_run=False, download=download)
    values.update({k: v for k, v in (("data_dir", data_dir), ("pendigits", pendigits)) if v})
    return config_from_values(values)


def _member_record(m: Checkpoint) -> dict[str, Any]:
    meta = m.meta
    return {
        "file": m.path.name if m.path else "",
        "tensor_sha256": tensor_digest(m.state_dict),
        "command": meta.get("command", ""),
        "init": meta.get("init"),
        "test_accuracy": meta.get("test_accuracy"),
        "validation_accuracy": meta.get("validation_accuracy"),
        "temperature": meta.get("temperature"),
        "train_seconds": meta.get("train_seconds"),
    }
