"""The not-a-digit generators: disjoint training / benchmark families, and nothing that passes for a digit."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.normalize import normalize
from digitpad.synth.forms import FORMS, draw_form
from digitpad.synth.glyphs import GLYPHS, glyph
from digitpad.synth.nondigits import (
    HELD_OUT_FAMILIES,
    TRAIN_FAMILIES,
    VALIDATION_FAMILIES,
    _straightness,
    held_out_nondigit,
    overlap,
    pair,
    partial,
    train_nondigit,
    validation_nondigit,
)
from digitpad.synth.render import fit, render


def source(rng: np.random.Generator):
    names = list(FORMS)
    return draw_form(names[int(rng.integers(0, len(names)))], rng)


def test_training_validation_and_benchmark_families_are_disjoint():
    sets = [set(TRAIN_FAMILIES), set(VALIDATION_FAMILIES), set(HELD_OUT_FAMILIES)]
    assert sum(len(s) for s in sets) == len(set().union(*sets))
    assert len(HELD_OUT_FAMILIES) >= 6 and len(VALIDATION_FAMILIES) >= 6


def _draw(family: str, rng: np.random.Generator):
    if family in TRAIN_FAMILIES:
        return train_nondigit(family, source, rng)
    if family in VALIDATION_FAMILIES:
        return validation_nondigit(family, rng)
    return held_out_nondigit(family, rng)


@pytest.mark.parametrize("family", TRAIN_FAMILIES + VALIDATION_FAMILIES + HELD_OUT_FAMILIES)
def test_every_family_draws_visible_ink(family):
    for seed in range(8):
        strokes = _draw(family, np.random.default_rng(seed))
        assert strokes and all(np.isfinite(s).all() for s in strokes)
        assert not normalize(render(fit(strokes, 0.6), 16.0)).empty


@pytest.mark.parametrize("family", VALIDATION_FAMILIES)
def test_validation_families_are_drawn_again_from_the_same_seed_and_vary(family):
    a, b = (_draw(family, np.random.default_rng(3)) for _ in range(2))
    assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    c = _draw(family, np.random.default_rng(4))
    assert len(a) != len(c) or not all(np.allclose(x, y) for x, y in zip(a, c, strict=True))


def test_validation_shapes_have_the_parts_that_make_them():
    rng = np.random.default_rng(0)
    assert 2 <= len(validation_nondigit("target", rng)) <= 3  # rings
    assert 6 <= len(validation_nondigit("flower", rng)) <= 8  # a centre and 5-7 petals
    assert len(validation_nondigit("note", rng)) == 3  # head, stem, flag
    assert 7 <= len(validation_nondigit("sun", rng)) <= 11  # a disc and 6-10 rays
    (lemniscate,) = validation_nondigit("infinity", rng)
    span = np.ptp(lemniscate, axis=0)
    assert span[0] > 1.5 * span[1]  # lying on its side


def test_no_glyph_that_reads_as_a_digit():
    for lookalike in ("O", "o", "D", "Q", "I", "l", "T", "L", "Z", "S", "G", "b", "B", "g", "q", "a", "!", "?"):
        assert lookalike not in GLYPHS
    assert all(glyph(name) for name in GLYPHS)


def test_partial_digits_are_neither_lines_nor_closed_loops():
    kept = 0
    for seed in range(200):
        part = partial(source, np.random.default_rng(seed))
        if part is None:
            continue
        kept += 1
        assert _straightness(part) >= 0.15
        for s in part:
            assert np.hypot(*(s[0] - s[-1])) >= 0.2 * max(np.ptp(s[:, 0]), np.ptp(s[:, 1])) or len(s) <= 10
    assert kept > 20


def test_overlapping_pairs_never_use_a_one():
    def ones_or_sevens(rng: np.random.Generator):
        return (1, draw_form("1-plain", rng)[1]) if rng.random() < 0.5 else (7, draw_form("7-plain", rng)[1])

    results = [overlap(ones_or_sevens, np.random.default_rng(s)) for s in range(40)]
    assert all(r is None for r in results)
    two = [overlap(source, np.random.default_rng(s)) for s in range(40)]
    assert any(r is not None for r in two)


def test_side_by_side_pairs_touch_or_overlap_a_little_and_never_cross_a_one():
    def form_of(label: int, rng: np.random.Generator):
        return label, draw_form(next(n for n in FORMS if n.startswith(f"{label}-")), rng)[1]

    assert all(pair(lambda r: form_of(1, r), np.random.default_rng(s)) is None for s in range(10))  # never 11
    for first, second, low in ((6, 8, -0.15), (1, 6, -0.02), (3, 1, -0.02)):
        gaps = []
        for seed in range(40):
            drawn: list[int] = []

            def source(r: np.random.Generator, drawn=drawn, first=first, second=second):
                label, strokes = form_of(first if not drawn else second, r)
                drawn.append(len(strokes))
                return label, strokes

            strokes = pair(source, np.random.default_rng(seed))
            assert strokes is not None and len(strokes) == sum(drawn)
            a, b = np.concatenate(strokes[: drawn[0]]), np.concatenate(strokes[drawn[0] :])
            assert 0.85 - 1e-6 <= np.ptp(a[:, 1]) <= 1.0 + 1e-6  # both digits about one height tall
            gaps.append(float(b[:, 0].min() - a[:, 0].max()))  # second's left edge - first's right edge
        assert low - 1e-6 <= min(gaps) and max(gaps) <= 0.03 + 1e-6
        assert min(gaps) < low / 2  # the whole range is used: some pairs overlap as much as allowed


def test_clipping_strokes_cuts_exactly_at_the_line():
    from digitpad.synth.nondigits import clip_strokes

    zigzag = [np.array([[0.0, 0.0], [2.0, 1.0], [0.0, 2.0], [2.0, 3.0]])]
    left = clip_strokes(zigzag, 1.0, left=True)
    right = clip_strokes(zigzag, 1.0, left=False)
    assert len(left) == 2 and len(right) == 2  # the path crosses x = 1 three times
    assert all(p[:, 0].max() <= 1.0 + 1e-9 for p in left) and all(p[:, 0].min() >= 1.0 - 1e-9 for p in right)
    np.testing.assert_allclose(left[0], [[0.0, 0.0], [1.0, 0.5]])  # ends on the line, where it crossed
    np.testing.assert_allclose(right[0], [[1.0, 0.5], [2.0, 1.0], [1.0, 1.5]])
    assert clip_strokes(zigzag, -1.0, left=True) == []


def test_a_cut_piece_is_one_digit_whole_and_a_real_part_of_its_neighbour():
    from digitpad.synth.nondigits import _path_length, cut_piece

    kept = 0
    for seed in range(60):
        drawn: list[list[np.ndarray]] = []

        def two_digits(r: np.random.Generator, drawn=drawn):
            label, strokes = source(r)
            drawn.append(strokes)
            return label, strokes

        piece = cut_piece(two_digits, np.random.default_rng(seed))
        if piece is None:
            continue
        kept += 1
        counts = [len(d) for d in drawn]
        # one digit's strokes come through unclipped (as placed), followed by part of the other's
        whole = next(k for k in (0, 1) if len(piece) >= counts[k] and _shape_matches(piece[: counts[k]], drawn[k]))
        part = piece[counts[whole] :]
        assert part, "the neighbour's part is there"
        # at least a third of the cut digit's path as placed; placing scaled it by 0.85-1.0 of one height
        cut = drawn[1 - whole]
        least_scale = 0.85 / np.ptp(np.concatenate(cut)[:, 1])
        assert _path_length(part) >= _path_length(cut) * least_scale / 3.0 - 1e-6
    assert kept > 20


def _shape_matches(placed, original) -> bool:
    """The placed strokes are the original ones moved and scaled, point for point."""
    if [len(p) for p in placed] != [len(o) for o in original]:
        return False
    a, b = np.concatenate(placed), np.concatenate(original)
    a = (a - a.min(axis=0)) / max(np.ptp(a[:, 1]), 1e-9)
    b = (b - b.min(axis=0)) / max(np.ptp(b[:, 1]), 1e-9)
    return bool(np.allclose(a, b, atol=1e-6))
