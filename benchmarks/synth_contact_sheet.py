"""Contact sheet of the synthetic training forms and non-digits, as the network sees them.

    python benchmarks/synth_contact_sheet.py [--out docs/synth_contact_sheet.png] [--per-row 12]

One row per digit form (``digitpad.synth.forms``), then one per non-digit
family (training families, then the held-out benchmark families), each cell a
random instance rendered exactly as the training mixture renders it (canvas-
like strokes at a random pen and size within the mixture's limits, then the
app's normalisation to 28x28; shown 2x).  For checking by eye that every form
looks like its label.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from digitpad.synth.forms import FORMS, draw_form  # noqa: E402
from digitpad.synth.mixture import MixtureConfig, draw_normalized  # noqa: E402
from digitpad.synth.nondigits import HELD_OUT_FAMILIES, TRAIN_FAMILIES, held_out_nondigit, train_nondigit  # noqa: E402


def cell(strokes, rng: np.random.Generator, max_rel: float) -> np.ndarray:
    image = draw_normalized(strokes, rng, max_rel)
    return np.zeros((28, 28), np.uint8) if image is None else image


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(REPO / "docs" / "synth_contact_sheet.png"))
    p.add_argument("--per-row", type=int, default=12)
    p.add_argument("--seed", type=int, default=3)
    args = p.parse_args()
    rng = np.random.default_rng(args.seed)

    def source(r: np.random.Generator):
        names = list(FORMS)
        return draw_form(names[int(r.integers(0, len(names)))], r)

    mc = MixtureConfig()
    n = args.per_row
    rows: list[tuple[str, list[np.ndarray]]] = []
    for name in FORMS:
        rows.append((name, [cell(draw_form(name, rng)[1], rng, mc.max_form_pen) for _ in range(n)]))
    for fam in TRAIN_FAMILIES:
        rows.append((f"nd:{fam}", [cell(train_nondigit(fam, source, rng), rng, mc.max_pen) for _ in range(n)]))
    for fam in HELD_OUT_FAMILIES:
        rows.append((f"test:{fam}", [cell(held_out_nondigit(fam, rng), rng, mc.max_pen) for _ in range(n)]))
    s, label_w = 56, 90
    sheet = Image.new("L", (label_w + args.per_row * (s + 2), len(rows) * (s + 2)), 40)
    draw = ImageDraw.Draw(sheet)
    for r, (name, cells) in enumerate(rows):
        y = r * (s + 2)
        draw.text((4, y + s // 2 - 6), name, fill=255)
        for c, img in enumerate(cells):
            sheet.paste(Image.fromarray(img).resize((s, s), Image.NEAREST), (label_w + c * (s + 2), y))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out)
    print(f"wrote {args.out} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
