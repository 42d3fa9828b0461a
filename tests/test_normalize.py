"""normalize: MNIST's own recipe, checked on drawings, photos-like inputs and real MNIST."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitpad.normalize import (
    CENTRE,
    MNIST_MEAN,
    MNIST_STD,
    Normalized,
    centre_of_mass,
    normalize,
    stroke_width,
)
from tests.mnist_rerender import mnist_test, rerender

# MNIST test set, 2 * mass / total variation at 28x28: 1st and 99th percentile.
MNIST_WIDTH_P1, MNIST_WIDTH_P99 = 1.19, 3.72


def seven(pen: int, box=(80, 40, 200, 240), size=(280, 280), ink=0, paper=255) -> np.ndarray:
    """A '7' drawn like the canvas does: uint8, ink on paper."""
    image = Image.new("L", size, paper)
    x0, y0, x1, y1 = box
    ImageDraw.Draw(image).line([(x0, y0), (x1, y0), (x0 + 0.3 * (x1 - x0), y1)], fill=ink, width=pen, joint="curve")
    return np.asarray(image)


def one(pen: int, x: int = 140, y0: int = 30, y1: int = 250) -> np.ndarray:
    image = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(image).line([(x, y0), (x, y1)], fill=0, width=pen)
    return np.asarray(image)


def dot(diameter: int) -> np.ndarray:
    image = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(image).ellipse((100, 120, 100 + diameter, 120 + diameter), fill=0)
    return np.asarray(image)


def ink_box(preview: np.ndarray, threshold: int = 64) -> tuple[int, int]:
    rows, cols = np.nonzero(preview >= threshold)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def check_digit(result: Normalized) -> None:
    assert not result.empty
    assert result.preview.dtype == np.uint8 and result.preview.shape == (28, 28)
    assert result.input is not None
    assert result.input.dtype == np.float32 and result.input.shape == (28, 28)
    assert result.preview.max() == 255  # the core of the ink is full white
    assert result.preview[:2, :2].max() == 0 and result.preview[-2:, -2:].max() == 0  # black paper
    expected = (result.preview.astype(np.float32) / 255.0 - MNIST_MEAN) / MNIST_STD
    np.testing.assert_allclose(result.input, expected, atol=1e-6)
    cy, cx = centre_of_mass(result.preview)
    assert abs(cy - CENTRE) <= 0.5 and abs(cx - CENTRE) <= 0.5
    assert max(ink_box(result.preview)) in (19, 20, 21)


# -- geometry -----------------------------------------------------------------


@pytest.mark.parametrize(
    "image",
    [
        seven(12),
        seven(12, box=(10, 10, 60, 70)),  # small, in a corner
        seven(20, box=(20, 150, 260, 270)),  # wide, low
        one(10),  # tall and narrow: aspect ratio kept
        seven(6, size=(900, 600), box=(500, 300, 800, 560)),  # non-square image
    ],
    ids=["seven", "small-corner", "wide-low", "one", "big-canvas"],
)
def test_centred_and_fitted_like_mnist(image):
    result = normalize(image)
    check_digit(result)


@pytest.mark.parametrize("width", [60, 110, 160, 210])
@pytest.mark.parametrize("height", [90, 150, 230])
def test_centre_of_mass_lands_closer_than_mnist_itself(width, height):
    # MNIST's digits were shifted by whole pixels: their centre of mass is up to 0.5 px off.
    cy, cx = centre_of_mass(normalize(seven(12, box=(30, 20, 30 + width, 20 + height))).preview)
    assert abs(cy - CENTRE) <= 0.4 and abs(cx - CENTRE) <= 0.4


def test_the_callers_image_is_left_alone():
    image = seven(12).astype(np.float32) / 255.0
    image[0, 0] = 7.0  # out of range: clipped in the normaliser's copy only
    before = image.copy()
    normalize(image)
    np.testing.assert_array_equal(image, before)


def test_aspect_ratio_is_kept():
    rows, cols = ink_box(normalize(one(10)).preview)
    assert rows in (20, 21) and cols <= 4


def test_uint8_and_float_inputs_agree():
    image = seven(12)
    a = normalize(image).preview.astype(int)
    b = normalize(image.astype(np.float32) / 255.0).preview.astype(int)
    assert np.abs(a - b).max() <= 1


def test_rejects_non_2d():
    with pytest.raises(ValueError):
        normalize(np.zeros((28, 28, 3), np.uint8))


# -- empty --------------------------------------------------------------------


rng = np.random.default_rng(7)


@pytest.mark.parametrize(
    "image",
    [
        np.full((280, 280), 255, np.uint8),
        np.zeros((280, 280), np.uint8),
        np.full((280, 280), 0.5, np.float32),
        dot(4),
        dot(20),
        np.clip(1 - np.abs(rng.normal(0, 0.03, (280, 280))), 0, 1).astype(np.float32),
        np.clip(0.5 + rng.normal(0, 0.05, (280, 280)), 0, 1).astype(np.float32),
        rng.random((280, 280)).astype(np.float32),
        np.zeros((1, 1), np.uint8),
        np.zeros((3, 50), np.uint8),
    ],
    ids=["white", "black", "grey", "small-dot", "big-dot", "light-noise", "grey-noise", "uniform-noise", "1x1", "3x50"],
)
def test_no_meaningful_ink_is_empty(image):
    result = normalize(image)
    assert result.empty and result.input is None
    assert result.preview.dtype == np.uint8 and result.preview.shape == (28, 28)
    assert not result.preview.any()


def test_scattered_pixels_are_empty():
    image = np.full((280, 280), 255, np.uint8)
    image[rng.integers(0, 280, 200), rng.integers(0, 280, 200)] = 0
    assert normalize(image).empty


def test_fully_transparent_is_empty_whatever_the_colour():
    gray = rng.random((100, 100)).astype(np.float32)
    assert normalize(gray, np.zeros((100, 100), np.float32)).empty


# -- polarity and alpha -------------------------------------------------------


def test_polarity_black_on_white_equals_white_on_black():
    a = normalize(seven(14)).preview.astype(int)
    b = normalize(255 - seven(14)).preview.astype(int)
    assert np.abs(a - b).mean() < 2.0


@pytest.mark.parametrize("ink_value", [0.0, 1.0], ids=["black-ink", "white-ink"])
def test_rgba_on_transparent_background_ignores_garbage_colour(ink_value):
    coverage = (255 - seven(14)).astype(np.float32) / 255.0
    garbage = rng.random(coverage.shape).astype(np.float32)
    gray = np.where(coverage > 0, ink_value, garbage).astype(np.float32)
    reference = normalize(seven(14)).preview.astype(int)
    result = normalize(gray, coverage)
    check_digit(result)
    assert np.abs(result.preview.astype(int) - reference).mean() < 2.0


def test_uneven_lighting_noise_and_jpeg():
    ink = (255 - seven(14)).astype(np.float32) / 255.0
    lighting = np.linspace(0.55, 0.95, 280, dtype=np.float32)[None, :] * np.ones((280, 1), np.float32)
    photo = lighting * (1 - 0.85 * ink) + rng.normal(0, 0.03, ink.shape).astype(np.float32)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(photo * 255, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=60)
    result = normalize(np.asarray(Image.open(buffer)))
    check_digit(result)
    reference = normalize(seven(14)).preview.ravel().astype(float)
    assert np.corrcoef(result.preview.ravel().astype(float), reference)[0, 1] > 0.9


# -- stroke width -------------------------------------------------------------


@pytest.mark.parametrize("pen", [1, 2, 3, 60, 70], ids=lambda p: f"pen{p}")
def test_stroke_width_lands_in_mnist_range(pen):
    # Unadjusted, a 2 px pen on a 200 px digit is 0.2 px wide at 28x28 and
    # a 70 px pen is 7 px: both far outside what MNIST models have seen.
    result = normalize(seven(pen) if pen < 50 else seven(pen, box=(70, 50, 210, 230)))
    check_digit(result)
    assert MNIST_WIDTH_P1 <= stroke_width(result.preview / 255.0) <= MNIST_WIDTH_P99


def test_stroke_width_measure():
    bar = np.zeros((40, 40), np.float32)
    bar[5:35, 18:21] = 1.0  # 3 px wide, 30 long
    assert stroke_width(bar) == pytest.approx(3 * 30 / 33, rel=1e-6)  # 2A/P = wL/(L+w)


# -- speed --------------------------------------------------------------------


def test_large_photo_is_normalised():
    # Speed is measured by benchmarks/bench_normalize.py, not asserted here.
    photo = np.asarray(Image.fromarray(seven(120, size=(3000, 3000), box=(800, 600, 2200, 2500))))
    check_digit(normalize(photo))


# -- real MNIST -------------------------------------------------------------------


@pytest.mark.mnist
def test_mnist_originals_keep_their_geometry(mnist_dir):
    images, _ = mnist_test(mnist_dir, 300)
    corr = []
    for image in images:
        result = normalize(image)
        check_digit(result)
        corr.append(np.corrcoef(result.preview.ravel(), image.ravel().astype(float))[0, 1])
    # Already normalised: the pixels barely change (measured: median 0.97, 1% under 0.80).
    assert np.median(corr) > 0.93
    assert np.percentile(corr, 5) > 0.75


@pytest.mark.mnist
def test_rerendered_mnist_matches_originals(mnist_dir):
    images, _ = mnist_test(mnist_dir, 200)
    generator = np.random.default_rng(0)
    for mode in ("white-on-black", "black-on-white", "rgba"):
        corr = []
        for image in images:
            result = rerender(image, mode, generator)
            check_digit(result)
            corr.append(np.corrcoef(result.preview.ravel(), image.ravel().astype(float))[0, 1])
        assert np.median(corr) > 0.9, mode


@pytest.mark.mnist
@pytest.mark.slow
def test_rerendered_mnist_accuracy_matches_originals(mnist_dir):
    from digitpad.predictor import Predictor
    from digitpad.resources import shipped_weights

    predictor = Predictor.from_checkpoint(shipped_weights())
    images, labels = mnist_test(mnist_dir, 2000)
    originals = ((images.astype(np.float32) / 255.0 - MNIST_MEAN) / MNIST_STD).astype(np.float32)
    baseline = (predictor.predict_batch(originals).argmax(1) == labels).mean() * 100
    generator = np.random.default_rng(0)
    for mode in ("white-on-black", "black-on-white", "rgba"):
        inputs = []
        for image in images:
            result = rerender(image, mode, generator)
            assert not result.empty
            inputs.append(result.input)
        accuracy = (predictor.predict_batch(np.stack(inputs)).argmax(1) == labels).mean() * 100
        assert accuracy >= baseline - 0.3, f"{mode}: {accuracy:.2f}% vs {baseline:.2f}% on the originals"


def test_the_dot_rule_is_off_for_a_drawing_whose_pen_moved():
    from digitpad.ink import InkStroke, pen_moved

    yy, xx = np.mgrid[0:280, 0:280]
    blob = (((yy - 140) ** 2 + (xx - 140) ** 2) <= 55**2).astype(np.float32)  # a pen-60 digit drawn small
    assert normalize(blob).empty  # by its pixels a dot
    read = normalize(blob, dot_rule=False)
    assert not read.empty and read.input is not None
    tap = InkStroke(np.array([[140.0, 140.0], [141.0, 140.0]]), 60.0)
    assert not pen_moved([tap]) and not pen_moved([tap, InkStroke(tap.points + 80.0, 60.0)])  # taps, even two
    assert pen_moved([InkStroke(np.array([[120.0, 110.0], [160.0, 110.0], [160.0, 150.0]]), 60.0)])  # 80 px
    assert pen_moved([InkStroke(np.array([[0.0, 0.0], [35.0, 0.0]]), 60.0)] * 2)  # two short strokes: 70 px


def test_the_fast_median_and_percentile_give_numpys_values_exactly():
    from digitpad.normalize import _median, _percentile

    rng = np.random.default_rng(4)
    for n in [*range(1, 40), 255, 4096, 6001]:
        for _ in range(20):
            a = (rng.random(n) * rng.choice([1e-3, 1.0, 50.0])).astype(np.float32)
            if rng.random() < 0.3:
                a = np.round(a, 2).astype(np.float32)  # ties
            for mine, theirs in ((_median(a), np.median(a)), (_percentile(a, 90), np.percentile(a, 90))):
                assert mine == theirs and np.asarray(mine).dtype == np.asarray(theirs).dtype, (n, mine, theirs)
    square = rng.random((7, 9)).astype(np.float32)
    assert _median(square) == np.median(square)


def test_despeckling_zeroes_exactly_the_ink_pixels_with_fewer_than_two_inked_neighbours():
    from digitpad.normalize import _despeckle

    rng = np.random.default_rng(2)
    x = (rng.random((40, 50)) < 0.15) * rng.uniform(0.05, 1.0, (40, 50)).astype(np.float32)
    expected, inked = x.copy(), int(np.count_nonzero(x))
    padded = np.pad(x > 0, 1)
    for i in range(40):
        for j in range(50):
            neighbours = int(padded[i : i + 3, j : j + 3].sum()) - int(padded[i + 1, j + 1])
            if x[i, j] > 0 and neighbours < 2:
                expected[i, j] = 0.0
    _despeckle(x)
    assert np.array_equal(x, expected) and 0 < np.count_nonzero(expected) < inked  # some go, some stay
