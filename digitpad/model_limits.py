"""What a weights file may ask for: declared ranges per model and a parameter budget.

Torch-free, so a file is judged before anything is built from it.  A hostile
``model_config`` (``width: 100000``, ``width: -5``) or normalisation
(``std: 1e30``) is refused here with one line, never handed to a constructor.
The ranges sit next to the model registry's names (:mod:`digitpad.models`)
and may move into the torch-free model catalogue with them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

# Constructor arguments each model accepts, with their inclusive integer range.
CONFIG_RANGES: dict[str, dict[str, tuple[int, int]]] = {
    "linear": {},
    "mlp": {},
    "cnn": {},
    "bncnn": {},
    "digitpad": {"width": (4, 128), "classes": (10, 11)},  # width 128: about 2.2 M parameters; 11: + not-a-digit
    "digitpad-ensemble": {"width": (4, 64), "classes": (10, 11), "members": (2, 4)},  # at most 4 x 0.55 M
}
# No registered model at its largest declared size comes near this; a file
# asking for more is refused before the model is built (checked on torch's
# "meta" device, which allocates nothing).
PARAMETER_BUDGET = 5_000_000
# Normalisation of [0, 1] pixels: any sane mean lies in [0, 1] and any sane
# std well inside this range (MNIST: 0.1307 and 0.3081).
MEAN_RANGE = (-1.0, 2.0)
STD_RANGE = (1e-3, 10.0)


def config_problem(model: str, config: Any) -> str | None:
    """Why ``config`` is not an acceptable ``model_config`` for ``model``; None if it is."""
    ranges = CONFIG_RANGES.get(model)
    if ranges is None:
        return f"unknown model {model!r}"
    if not isinstance(config, Mapping):
        return "a model_config that is not a mapping"
    for key, value in config.items():
        if key not in ranges:
            return f"an unknown setting {key!r} for model {model!r}"
        low, high = ranges[key]
        if isinstance(value, bool) or not isinstance(value, int):
            return f"a non-integer {key} ({value!r:.40})"
        if not low <= value <= high:
            return f"{key} {value} outside the allowed range {low}..{high}"
    return None


def normalization_problem(mean: float, std: float) -> str | None:
    """Why ``mean``/``std`` cannot be this model's input normalisation; None if they can."""
    if not (math.isfinite(mean) and MEAN_RANGE[0] <= mean <= MEAN_RANGE[1]):
        return f"an invalid normalization mean {mean:g} (allowed {MEAN_RANGE[0]:g}..{MEAN_RANGE[1]:g})"
    if not (math.isfinite(std) and STD_RANGE[0] <= std <= STD_RANGE[1]):
        return f"an invalid normalization std {std:g} (allowed {STD_RANGE[0]:g}..{STD_RANGE[1]:g})"
    return None
