"""Screenshots of the result panel's verdict states in the real window (for the README).

    python benchmarks/verdict_screenshots.py OUT_DIR [--weights PATH]

Draws, as mouse strokes on the real canvas, a 1 whose flag makes it look like
a 7 (``unsure``), a star (``not-a-digit``, a family the training never saw)
and a clear 4 (``digit``), waits for each answer and saves the window as
``verdict-unsure.png``, ``verdict-not-a-digit.png`` and ``verdict-digit.png``
(run it under Xvfb for real window decorations and fonts, or offscreen).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np
from gui_bench_window import open_window, wait_for

from digitpad.synth.forms import flag_one, four_closed
from digitpad.synth.nondigits import star
from tests.canvas_replay import draw, fit_strokes


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--weights", type=Path, default=None)
    p.add_argument("--flag-angle", type=float, default=26.0, help="the 1's flag angle below horizontal")
    args = p.parse_args()
    app, window = open_window(args.weights)
    window.resize(900, 640)
    args.out.mkdir(parents=True, exist_ok=True)
    drawings = {
        "unsure": flag_one(0.5, args.flag_angle, 0.02),
        "not-a-digit": star(np.random.default_rng(1)),
        "digit": four_closed(np.random.default_rng(2)),
    }
    for name, strokes in drawings.items():
        window.canvas.clear()
        draw(window.canvas, fit_strokes(strokes, 0.6), pen=window.canvas.pen_width())
        shown_ids: list[int] = []
        window.prediction_shown.connect(shown_ids.append)
        for _ in range(20):  # until the answer to the last stroke is on screen
            if shown_ids and shown_ids[-1] == window.latest_request_id:
                break
            wait_for(window.prediction_shown, 5_000)
        window.prediction_shown.disconnect(shown_ids.append)
        app.processEvents()
        shown = window.last_prediction
        path = args.out / f"verdict-{name}.png"
        window.grab().save(str(path))
        print(f"{path}: verdict {shown.verdict}, digit {shown.digit}, runner-up {shown.runner_up}")
    window.close()


if __name__ == "__main__":
    main()
