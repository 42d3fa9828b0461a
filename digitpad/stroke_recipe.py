"""The stroke model's training recipe (no torch: the command line builds its options from it)."""

from __future__ import annotations

from dataclasses import dataclass

# The largest combination weight a stroke file may carry (a loaded file outside 0..this falls back to 0.5).
MAX_COMBINE_WEIGHT = 4.0


@dataclass(frozen=True)
class StrokeRecipe:
    epochs: int = 30
    seed: int = 0
    width: int = 64
    batch: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    forms: int = 3000
    nondigits: int = 3000
    val_forms: int = 500
    val_nondigits: int = 500
    mark_p: float = 0.3  # as the image mixture: share of real 0/1/7 given a style mark
    reverse_p: float = 0.0  # per training drawing per epoch: each stroke written the other way with this chance
    reorder_p: float = 0.0  # ... and the strokes written in a random order with this chance
    members: int = 1  # nets from seeds seed, seed+1, ... on the same data; their logits averaged
    writers_limit: int | None = None  # only the first N training digits (tests, dry runs)
