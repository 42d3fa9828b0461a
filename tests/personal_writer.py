"""A tiny synthetic writer for the personalisation tests: a 1 with a long, nearly flat flag.

The flag leaves the top at about 17 degrees below the horizontal, where most
writers' 7s have their bar, so the shipped weights read these as 7 (checked by
the tests); a flag of 30 degrees or more reads as 1 for everyone.
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
        [(j(60), j(80)), (j(160), j(50)), (j(165), j(235))], fill=255, width=int(rng.uniform(18, 26)), joint="curve"
    )
    return normalize(np.asarray(image, np.float32) / 255).preview


def flag_ones(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack([flag_one(rng) for _ in range(n)])
