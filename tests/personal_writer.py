"""A tiny synthetic writer for the personalisation tests: a European 1 with a long flag.

The shipped weights read every one of these as 7 (checked by the tests).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from digitpad.normalize import normalize


def flag_one(rng: np.random.Generator) -> np.ndarray:
    """One 28x28 network input (uint8) of a flagged 1, drawn on a 280 px pad."""
    image = Image.new("L", (280, 280), 0)
    draw = ImageDraw.Draw(image)

    def j(v: float) -> float:
        return v + rng.uniform(-12, 12)

    draw.line(
        [(j(70), j(105)), (j(160), j(50)), (j(165), j(235))], fill=255, width=int(rng.uniform(18, 26)), joint="curve"
    )
    return normalize(np.asarray(image, np.float32) / 255).preview


def flag_ones(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack([flag_one(rng) for _ in range(n)])
