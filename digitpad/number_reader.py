"""Read a whole number: segment, normalise every candidate digit, one batched prediction.

    reader = NumberReader(predictor)
    reading = reader.read_strokes([InkStroke(points, width), ...])   # the pad
    reading = reader.read_image(gray, alpha)                         # a file
    reading.number, reading.digits[0].confidence, reading.digits[0].box

Every candidate goes through the same MNIST-faithful :func:`digitpad.normalize.normalize`
a single digit gets, and all of them through one ``predict_batch`` call; the
reading with the best combined confidence wins (:func:`digitpad.segment_lattice.best_path`).
No Qt, no threads: create the reader in the thread that uses it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from digitpad.ink import InkStroke
from digitpad.normalize import MNIST_MEAN, MNIST_STD, Normalized, normalize
from digitpad.segment_lattice import DEFAULT_PRIOR, Box, Lattice, SpanPrior, best_path
from digitpad.segment_strokes import Renderer, stroke_lattice
from digitpad.verdict import VerdictRule, decide

SURE_WHOLE = 0.95
"""A wide piece of an image read with at least this confidence is not tried as touching digits ..."""
ALWAYS_CUT_WIDTH = 1.3
"""... unless it is wider than this many writing heights."""
NOT_DIGIT_PRIOR = 0.3
"""A person writing a number writes digits: among two or more, the not-a-digit output's prior is this
share of a lone drawing's (each candidate's probabilities renormalised; the verdict rule is the
predictor's).  A digit alone on the number pad reads exactly as on the digit pad.

Chosen on validation numbers (400, Pendigits ``.tra`` writers 26-30, never trained on), exact match
on the pad / in images: 1 (as alone): 97.00 / 93.00%; 0.5: 97.50 / 93.00%; 0.3: 97.75 / 93.00%;
0.1: 97.75 / 93.25%.  A scribble, shape or letter written after such a number is still flagged
"?" 98.0% of the time down to 0.3 (0.2: 96.7%, 0.1: 96.0%).  (Applied to lone digits too, it
changed none of the 1,248 validation digits, but on ``.tes`` it showed 0.31 points more lone digits
as digits than the digit pad does: hence two digits or more.)  Checked again for round 23's weights
(trained on cut pieces; validation seeds 7+8, 800 numbers, images / strokes exact): 0.2: 774 / 795;
0.3: 771 / 795; 0.5: 771 / 795; 1: 772 / 793; 0.2 on the check seeds 9+11+12 (1,200): images
1,146 -> 1,147, strokes 1,189 -> 1,189, short of the +3 asked: 0.3 stays."""


class BatchPredictor(Protocol):
    mean: float
    std: float

    def predict_batch(self, inputs: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class DigitReading:
    """One digit of a number."""

    digit: int
    confidence: float
    probabilities: np.ndarray  # float32 (10,)
    box: Box  # (x0, y0, x1, y1): pad units for strokes, pixels of the file for images
    verdict: str  # "digit" or "unsure" (and "not-a-digit" once the model can say so)
    preview: np.ndarray  # uint8 (28, 28), what the network saw
    input: np.ndarray  # float32 (28, 28), the standardised input (for a personal sample store)
    members: tuple[int, ...] = ()  # the strokes this digit was read from (strokes only)


@dataclass(frozen=True)
class NumberReading:
    """A number as read, digits left to right; ``number`` is a string so leading zeros survive."""

    digits: tuple[DigitReading, ...]

    @property
    def empty(self) -> bool:
        return not self.digits

    @property
    def number(self) -> str:
        return "".join("?" if d.verdict == "not-a-digit" else str(d.digit) for d in self.digits)


EMPTY_READING = NumberReading(())


def verdict_of(probabilities: np.ndarray, not_digit: float = 0.0, rule: VerdictRule | None = None) -> str:
    """The verdict on one digit by the predictor's own rule (``digitpad.verdict``): a digit of a
    number is "unsure" or "not-a-digit" exactly when it would be alone."""
    return decide(probabilities, not_digit, rule or VerdictRule()).verdict


def in_a_number(probs: np.ndarray, not_digit_prior: float) -> np.ndarray:
    """``probs`` ``(N, 11)`` with the not-a-digit column's prior scaled by ``not_digit_prior``, rows renormalised."""
    out = np.asarray(probs, np.float32).copy()
    out[:, 10] *= not_digit_prior
    total = out.sum(axis=1, keepdims=True)
    np.divide(out, total, out=out, where=total > 0)
    return out


_Seen = dict[tuple[tuple[int, ...], str, bytes, bool], tuple[Normalized, np.ndarray]]
"""Pictures already read for one image, by content and dot rule: what normalising made, the probabilities."""


def _key(picture: np.ndarray, dot_rule: bool) -> tuple[tuple[int, ...], str, bytes, bool]:
    return picture.shape, picture.dtype.str, picture.tobytes(), dot_rule


class NumberReader:
    """Reads numbers with one predictor (anything with ``predict_batch``, ``mean`` and ``std``)."""

    def __init__(
        self,
        predictor: BatchPredictor,
        prior: SpanPrior = DEFAULT_PRIOR,
        render: Renderer | None = None,
        not_digit_prior: float = NOT_DIGIT_PRIOR,
    ) -> None:
        self.predictor = predictor
        self.prior = prior
        self.render = render  # how candidates from strokes are drawn (None: segment_strokes.picture)
        self.not_digit_prior = not_digit_prior

    def read_strokes(self, strokes: Sequence[InkStroke]) -> NumberReading:
        """The number written as pen strokes (points in any unit, y down; the pen width in the same unit)."""
        return self.read_lattice(stroke_lattice(strokes, self.render), strokes)

    def read_image(self, gray: Any, alpha: np.ndarray | None = None) -> NumberReading:
        """The number in a grayscale image (a ``GrayImage`` or a 2-D array, any polarity)."""
        from digitpad.segment_image import image_lattice

        if hasattr(gray, "gray"):
            gray, alpha = gray.gray, gray.alpha if alpha is None else alpha
        seen: _Seen = {}

        def needs_cuts(pictures: list[np.ndarray], widths: list[float]) -> list[bool]:
            return self._needs_cuts(pictures, widths, seen)

        lattice = image_lattice(np.asarray(gray), alpha, needs_cuts)
        return self.assemble(lattice, *self.recognise(lattice, seen))

    def _needs_cuts(self, pictures: list[np.ndarray], widths: list[float], seen: _Seen | None = None) -> list[bool]:
        """A wide unit is tried as touching digits unless it reads as one digit, surely (one batch).

        What it read goes into ``seen`` (one image's): a unit left whole is the same picture as its span."""
        norms, probs = self._read_pictures(pictures, [True] * len(pictures))
        if seen is not None:
            for picture, norm, row in zip(pictures, norms, probs, strict=True):
                seen[_key(picture, True)] = (norm, row)
        confidence = probs[:, :10].max(axis=1)
        return [bool(c < SURE_WHOLE or w > ALWAYS_CUT_WIDTH) for c, w in zip(confidence, widths, strict=True)]

    def read_lattice(self, lattice: Lattice, strokes: Sequence[InkStroke] | None = None) -> NumberReading:
        """Recognise every candidate in one batch and keep the best path through them; with the pad's
        ``strokes``, the digits on that path are read with the stroke model's vote too (:meth:`votes`)."""
        norms, probs = self.recognise(lattice)
        return self.assemble(lattice, norms, probs, strokes=strokes)

    def votes(
        self, lattice: Lattice, probs: np.ndarray, strokes: Sequence[InkStroke] | None, spans: Sequence[int]
    ) -> np.ndarray:
        """``probs`` with the strokes of each of ``spans`` as a second opinion on it (a predictor with a
        stroke model: ``vote``, which asks it only where the picture is unsure); the other rows as they are.

        Only the digits on the chosen path are voted on: the path (how the strokes group into
        digits) is chosen on the pictures alone.  The stroke model has only seen whole digits
        and whole non-digits; an early version that also voted on the grouping misread one
        validation writer's 9s in numbers (see weights/README.md, the stroke model)."""
        vote = getattr(self.predictor, "vote", None)  # the predictor knows whether it has a stroke model
        if not strokes or vote is None or not spans:
            return probs
        drawings = [[strokes[m].points for m in lattice.spans[k].members] or None for k in spans]
        out = probs.copy()
        out[list(spans)] = np.asarray(vote(probs[list(spans)], drawings), np.float32)
        return out

    def recognise(self, lattice: Lattice, seen: _Seen | None = None) -> tuple[list[Normalized], np.ndarray]:
        """Every span normalised, and its probabilities ``(N, 11)`` in one batch: ten digits and
        not-a-digit (0 for a 10-output model); zeros for a span that holds no digit.  Pictures in
        ``seen`` (read before, with the same dot rule) are not read again."""
        spans = lattice.spans
        known = [seen.get(_key(span.image, not span.pen_moved)) if seen else None for span in spans]
        todo = [k for k, hit in enumerate(known) if hit is None]
        # Strokes that travelled a pen width are never a dot, however solid a fat pen made their ink
        # (as on the digit pad); image spans, and taps, keep the normaliser's dot rule.
        new_norms, new_probs = self._read_pictures(
            [spans[k].image for k in todo], [not spans[k].pen_moved for k in todo]
        )
        fresh = zip(new_norms, new_probs, strict=True)  # in the order of the spans not yet read
        pairs = [hit if hit is not None else next(fresh) for hit in known]
        return [n for n, _ in pairs], np.array([row for _, row in pairs], np.float32).reshape(len(spans), 11)

    def _read_pictures(
        self, pictures: Sequence[np.ndarray], dot_rules: Sequence[bool]
    ) -> tuple[list[Normalized], np.ndarray]:
        """Each picture normalised and its probabilities ``(N, 11)`` (zeros where no digit), one batch."""
        mean = float(getattr(self.predictor, "mean", MNIST_MEAN))
        std = float(getattr(self.predictor, "std", MNIST_STD))
        norms = [normalize(p, mean=mean, std=std, dot_rule=rule) for p, rule in zip(pictures, dot_rules, strict=True)]
        live = [k for k, n in enumerate(norms) if not n.empty and n.input is not None]
        probs = np.zeros((len(norms), 11), np.float32)
        if live:
            batch = np.stack([norms[k].input for k in live])  # type: ignore[misc]
            predict_all = getattr(self.predictor, "predict_all", None)  # not-a-digit too, where the model has it
            out = predict_all(batch) if predict_all is not None else self.predictor.predict_batch(batch)
            probs[np.asarray(live), : out.shape[1]] = out
        return norms, probs

    def assemble(
        self,
        lattice: Lattice,
        norms: list[Normalized],
        probs: np.ndarray,
        prior: SpanPrior | None = None,
        strokes: Sequence[InkStroke] | None = None,
    ) -> NumberReading:
        """The best path through recognised spans, as a reading.

        Read as a number (two digits or more), each candidate's not-a-digit prior is scaled by
        ``not_digit_prior`` (:data:`NOT_DIGIT_PRIOR`); a digit alone reads as on the digit pad.
        With the pad's ``strokes``, the digits on the path, once it is chosen, are read with the
        stroke model's vote too (:meth:`votes`).
        """

        def path_of(p: np.ndarray) -> list[int] | None:
            scores = [None if n.empty else math.log(max(float(p[k, :10].max()), 1e-9)) for k, n in enumerate(norms)]
            return best_path(lattice, scores, prior or self.prior)

        among = in_a_number(probs, self.not_digit_prior)
        path = path_of(among)
        several = path is not None and len(path) >= 2
        if not several:
            path = path_of(probs)
        if not path:
            return EMPTY_READING
        probs = self.votes(lattice, probs, strokes, path)
        if several:
            probs = in_a_number(probs, self.not_digit_prior)
        rule = getattr(self.predictor, "verdict_rule", None)
        digits = []
        for k in path:
            p = np.ascontiguousarray(probs[k, :10])
            digit = int(p.argmax())
            span = lattice.spans[k]
            norm = norms[k]
            assert norm.input is not None
            digits.append(
                DigitReading(
                    digit=digit,
                    confidence=float(p[digit]),
                    probabilities=p.copy(),
                    box=span.box,
                    verdict=verdict_of(p, float(probs[k, 10]), rule),
                    preview=norm.preview,
                    input=norm.input,
                    members=span.members,
                )
            )
        return NumberReading(tuple(digits))
