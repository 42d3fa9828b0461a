"""Turn any grayscale digit image into the 28x28 input an MNIST model expects.

numpy + Pillow only (no Qt, no torch). The recipe follows the way MNIST itself
was made, plus the clean-up a canvas or a photo needs first:

1. flatten alpha onto the background (transparent pixels become paper);
2. find the polarity (dark ink on light paper is inverted to white on black);
3. remove the paper: subtract a smooth background plane, cut the noise floor,
   stretch the ink so its core is 1.0;
4. refuse images without meaningful ink (blank, uniform, noise, a dot);
5. crop to the ink's bounding box;
6. bring the stroke width into MNIST's range (soft dilation or erosion);
7. fit the longer side into 20 px, anti-aliased;
8. place it in 28x28 with the centre of mass at MNIST's (14.0, 14.0);
9. preview (uint8, white on black) and standardised float32 input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081

SIZE = 28
BOX = 20
# Mean centre of mass of the MNIST test digits, in index coordinates
# (sum(i * w) / sum(w)): measured 13.99 (rows) and 14.01 (columns).
CENTRE = 14.0

# Huge photos are area-downscaled to this longer side before any analysis:
# the digit ends up 20 px tall, so more detail only costs time.
WORK_MAX = 512
# Pixels of the downscaled overview used for polarity and the paper plane.
OVERVIEW_MAX = 64
# The intermediate resolution at which strokes are adjusted: the ink's
# bounding box is SUPERSAMPLE * 20 px there.
SUPERSAMPLE = 3

# Stroke width as 2 * ink mass / total variation, relative to the longer side
# of the ink's bounding box.  On the MNIST test set (20 px box) the width is
# 1.19 / 1.38 / 2.00 / 3.09 / 3.72 px at the 1st / 5th / 50th / 95th / 99th
# percentile, i.e. 0.060 / 0.069 / 0.100 / 0.154 / 0.186 of the box.  Widths
# inside [STROKE_LOW, STROKE_HIGH] are left alone (MNIST has them too);
# widths outside are brought to STROKE_TARGET.
STROKE_LOW = 0.062
STROKE_HIGH = 0.16
STROKE_TARGET = 0.10

# Ink detection.
NOISE_SIGMAS = 4.0  # noise floor, in robust standard deviations
MIN_THRESHOLD = 0.05  # never keep ink fainter than this (0..1 units)
MIN_CONTRAST = 0.12  # ink must stand out from the paper by this much
MIN_CONTRAST_SIGMAS = 8.0  # ... and by this many noise standard deviations
MIN_INK_PIXELS = 6  # fewer ink pixels than this is never a digit
MIN_INK_FRACTION = 2e-4  # nor less than this fraction of the image
MIN_EXTENT_RATIO = 3.0  # ink extent / stroke width below this may be a dot ...
# ... but only if it is also small against the image: a digit written with a
# marker-thick pen (the canvas's pen 60 is 21% of its side) is a blob whose
# extent is under 3 stroke widths (a filled 0 measures about 2.5), while a
# click of that pen spans at most about a quarter of the pad.
DOT_MAX_FRACTION = 0.27
# A dot in a tightly cropped image (a stroke group of a number) fills its box
# like a disk (pi/4 = 0.785) and is about as wide as tall.
DOT_ASPECT = 1.25
DOT_FILL = 0.65
BBOX_TRIM = 0.001  # mass fraction trimmed at each side (stray specks)
CLEAN_PAPER_TOLERANCE = 1e-3  # paper this close to one level is a clean rendering


@dataclass(frozen=True)
class Normalized:
    """The model's view of an image."""

    empty: bool  # True: no meaningful ink, never a digit
    input: np.ndarray | None  # float32 (28, 28), standardised; None when empty
    preview: np.ndarray  # uint8 (28, 28), white ink on black


def normalize(
    gray: np.ndarray,
    alpha: np.ndarray | None = None,
    *,
    mean: float = MNIST_MEAN,
    std: float = MNIST_STD,
    dot_rule: bool = True,
) -> Normalized:
    """Normalise a 2-D grayscale image (uint8 0..255 or float 0..1) like MNIST.

    ``alpha`` (same shape, same value range) marks transparent pixels, which
    become background whatever colour they hold.  ``dot_rule=False`` reads a
    round, solid blob too instead of calling it a dot: for a pad drawing whose
    strokes the caller knows moved (``segment_strokes.pen_moved``).
    """
    if alpha is None and isinstance(gray, np.ndarray) and gray.dtype == np.uint8 and gray.ndim == 2:
        gray = _reduce_uint8(gray)  # big uint8 photos: let Pillow shrink them in 8 bit
    g = _to_unit_float(gray, "gray")
    a = None if alpha is None else _to_unit_float(alpha, "alpha")
    if a is not None and a.shape != g.shape:
        raise ValueError(f"alpha shape {a.shape} differs from gray shape {g.shape}")
    g, a = _shrink(g, a)
    if a is not None:
        g = _flatten_alpha(g, a)
    x = _ink(g)
    if x is None:
        return _empty()
    cropped = _crop(x, max(g.shape), dot_rule)
    if cropped is None:
        return _empty()
    crop, width = cropped
    out = _render(crop, width)
    if out is None:
        return _empty()
    preview = np.rint(out * 255.0).astype(np.uint8)
    standardised = ((preview.astype(np.float32) / 255.0 - mean) / std).astype(np.float32)
    return Normalized(empty=False, input=standardised, preview=preview)


def stroke_width(x: np.ndarray) -> float:
    """Mean stroke width in pixels of white-on-black ink: 2 * mass / total variation.

    Exact for long uniform strokes and insensitive to anti-aliasing and
    resolution (mass and edge variation scale together).
    """
    x = np.asarray(x, dtype=np.float32)
    padded = _pad(x, 1)
    tv = float(np.abs(np.diff(padded, axis=0)).sum() + np.abs(np.diff(padded, axis=1)).sum())
    return 0.0 if tv <= 0.0 else 2.0 * float(padded.sum()) / tv


def centre_of_mass(x: np.ndarray) -> tuple[float, float]:
    """(row, column) centre of mass in index coordinates."""
    x = np.asarray(x, dtype=np.float64)
    total = x.sum()
    if total <= 0:
        return (float("nan"), float("nan"))
    rows = float((x.sum(axis=1) * np.arange(x.shape[0])).sum() / total)
    cols = float((x.sum(axis=0) * np.arange(x.shape[1])).sum() / total)
    return rows, cols


# -- steps ------------------------------------------------------------------


def _pad(x: np.ndarray, n: int) -> np.ndarray:
    """``x`` with ``n`` zero pixels around it (``np.pad``'s generality costs more than the copy)."""
    out = np.zeros((x.shape[0] + 2 * n, x.shape[1] + 2 * n), x.dtype)
    out[n : n + x.shape[0], n : n + x.shape[1]] = x
    return out


def _empty() -> Normalized:
    return Normalized(empty=True, input=None, preview=np.zeros((SIZE, SIZE), np.uint8))


def _to_unit_float(array: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(array)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    if a.dtype == np.bool_:
        return a.astype(np.float32)
    if np.issubdtype(a.dtype, np.integer):
        # uint8 is 0..255; wider integers (16-bit scans) use their full range.
        top = 255.0 if a.dtype.itemsize == 1 else float(np.iinfo(a.dtype).max)
        return np.multiply(a, np.float32(1.0 / top), dtype=np.float32)
    a = np.array(a, dtype=np.float32)  # a copy: the caller's array is never changed
    # A finite sum means finite pixels; an overflowing sum only takes the slower path.
    if not math.isfinite(float(a.sum())):
        a = np.nan_to_num(a, nan=0.0, posinf=1.0, neginf=0.0)
    return np.clip(a, 0.0, 1.0, out=a)


def _reduce_uint8(gray: np.ndarray) -> np.ndarray:
    factor = math.ceil(max(gray.shape) / WORK_MAX)
    if factor <= 1:
        return gray
    return np.asarray(Image.fromarray(np.ascontiguousarray(gray), "L").reduce(factor))


def _shrink(g: np.ndarray, a: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Area-downscale huge images so every later step costs a bounded time."""
    h, w = g.shape
    if max(h, w) <= WORK_MAX:
        return g, a
    scale = WORK_MAX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if a is not None:
        # Downscale premultiplied colour so transparent garbage does not bleed in.
        ga = _resize(g * a, size, Image.Resampling.BOX)
        a = _resize(a, size, Image.Resampling.BOX)
        g = np.where(a > 1e-6, ga / np.maximum(a, 1e-6), 0.0).astype(np.float32)
        return np.clip(g, 0.0, 1.0), a
    return _resize(g, size, Image.Resampling.BOX), None


def _resize(
    x: np.ndarray,
    size: tuple[int, int],
    resample: Image.Resampling,
    box: tuple[float, float, float, float] | None = None,
) -> np.ndarray:
    image = Image.fromarray(np.ascontiguousarray(x, dtype=np.float32), "F")
    return np.asarray(image.resize(size, resample, box=box), dtype=np.float32)


def _overview(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Block averages of ``x`` at most ``OVERVIEW_MAX`` px on the longer side, and the block size.

    Whole blocks (Pillow's ``reduce``) cost a third of a resize to exactly 64 px,
    and an overview pixel then maps back to a whole number of image pixels.
    """
    factor = math.ceil(max(x.shape) / OVERVIEW_MAX)
    if factor <= 1:
        return x, 1
    image = Image.fromarray(np.ascontiguousarray(x, dtype=np.float32), "F")
    return np.asarray(image.reduce(factor), dtype=np.float32), factor


def _flatten_alpha(g: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Composite onto the background the opaque pixels imply."""
    opaque = a > 0.5
    n_opaque = int(opaque.sum())
    if n_opaque == 0:
        return np.ones_like(g)  # all transparent: blank paper
    if n_opaque == a.size and float(a.min()) > 0.99:
        return g
    ink_colour = float(np.median(g[opaque][:: max(1, n_opaque // 4096)]))
    if n_opaque >= 0.5 * a.size:
        background = ink_colour  # mostly opaque: the opaque pixels are the paper
    else:
        background = 1.0 if ink_colour < 0.5 else 0.0  # opaque pixels are the ink
    return a * g + (1.0 - a) * np.float32(background)


def extract_ink(gray: np.ndarray, alpha: np.ndarray | None = None) -> tuple[np.ndarray, int, int, float] | None:
    """The clean-up steps 1-3 alone, for segmenting a picture of several digits.

    Returns ``(ink, top, left, scale)``: white-on-black ink in [0, 1] over the
    region ``ink`` covers, whose pixel (0, 0) is at (``top``, ``left``) of the
    working image, and ``scale`` original pixels per working pixel (> 1 when
    a huge image was downscaled).  None when there is no meaningful ink.
    """
    g = _to_unit_float(gray, "gray")
    a = None if alpha is None else _to_unit_float(alpha, "alpha")
    if a is not None and a.shape != g.shape:
        raise ValueError(f"alpha shape {a.shape} differs from gray shape {g.shape}")
    scale = max(g.shape) / WORK_MAX if max(g.shape) > WORK_MAX else 1.0
    g, a = _shrink(g, a)
    if a is not None:
        g = _flatten_alpha(g, a)
    found = _ink_region(g)
    if found is None:
        return None
    x, top, left = found
    return x, top, left, scale


def _ink(g: np.ndarray) -> np.ndarray | None:
    found = _ink_region(g)
    return None if found is None else found[0]


def _ink_region(g: np.ndarray) -> tuple[np.ndarray, int, int] | None:
    """White-on-black ink in [0, 1] with paper, lighting and noise removed, and its origin.

    Polarity, paper plane and the ink's rough extent come from a <= 64 px
    overview (anything visible at 20 px is visible there); the per-pixel work
    is done only inside that extent, which keeps a canvas well under 1 ms.
    """
    small, block = _overview(g)
    # A clean rendering's border is its paper even when the ink covers half the
    # pad or more (a pen-60 digit drawn large): the image's median would be ink.
    ring = np.concatenate([small[0], small[-1], small[1:-1, 0], small[1:-1, -1]])
    ring_level = float(_median(ring))
    ring_clean = np.count_nonzero(np.abs(ring - np.float32(ring_level)) <= CLEAN_PAPER_TOLERANCE) >= 0.75 * ring.size
    paper = ring_level if ring_clean else float(_median(small))
    dark = paper - float(small.min())
    light = float(small.max()) - paper
    if max(dark, light) < 0.5 * MIN_CONTRAST:
        return None  # uniform: blank canvas, empty page
    if max(dark, light) > 1.2 * min(dark, light):
        invert = dark > light
    else:
        invert = paper > 0.5
    if invert:
        small = 1.0 - small
    level = (1.0 - paper if invert else paper) if ring_clean else float(_median(small))
    # A rendering (the canvas, a clean export) has most of its paper at exactly one
    # level: no lighting plane to fit and no paper noise to measure.
    clean = ring_clean or (
        np.count_nonzero(np.abs(small - np.float32(level)) <= CLEAN_PAPER_TOLERANCE) >= 0.5 * small.size
    )
    coef = (level, 0.0, 0.0) if clean else _paper_plane(small)
    r_small = small - _plane(coef, small.shape, (0, small.shape[0]), (0, small.shape[1]))
    centre_s, sigma_s = (0.0, 0.0) if clean else _robust_level(r_small)
    inked = r_small > max(0.02, centre_s + NOISE_SIGMAS * sigma_s)
    rows = np.flatnonzero(inked.any(axis=1))
    cols = np.flatnonzero(inked.any(axis=0))
    if rows.size == 0:
        return None
    h, w = g.shape
    y0, y1 = max(0, (int(rows[0]) - 1) * block), min(h, (int(rows[-1]) + 2) * block)
    x0, x1 = max(0, (int(cols[0]) - 1) * block), min(w, (int(cols[-1]) + 2) * block)

    # Noise of the full-resolution paper, from a strided sample of the whole image.
    centre, sigma = 0.0, 0.0
    if not clean:
        step = max(1, int(math.sqrt(h * w / 4096)))
        sample = g[::step, ::step]
        if invert:
            sample = 1.0 - sample
        sample = sample - _plane(coef, (h, w), (0, h, step), (0, w, step))
        centre, sigma = _robust_level(sample)

    region = g[y0:y1, x0:x1]
    r = (1.0 - region) if invert else region.copy()
    r -= _plane(coef, (h, w), (y0, y1), (x0, x1))
    t0 = max(MIN_THRESHOLD, centre + NOISE_SIGMAS * sigma)
    candidates = r[::2, ::2] if r.size > 40000 else r
    candidates = candidates[candidates > t0]
    if candidates.size < MIN_INK_PIXELS // (4 if r.size > 40000 else 1):
        return None
    peak = float(_percentile(candidates, 90))
    if peak - centre < max(MIN_CONTRAST, MIN_CONTRAST_SIGMAS * sigma):
        return None
    t = max(t0, centre + 0.1 * (peak - centre))
    r -= np.float32(t)
    r *= np.float32(1.0 / max(peak - t, 1e-6))
    x = np.clip(r, 0.0, 1.0, out=r)
    _despeckle(x)
    area = int(np.count_nonzero(x > 0.5))
    if area < max(MIN_INK_PIXELS, MIN_INK_FRACTION * h * w):
        return None
    return x, y0, x0


def _despeckle(x: np.ndarray) -> None:
    """Zero ink pixels with fewer than two inked neighbours (salt noise, dust).

    Every pixel of a stroke, even a 1-px diagonal line, has two neighbours.
    """
    mask = x > 0.0  # faint anti-aliasing counts as a neighbour
    m = _pad(mask, 1).view(np.uint8)
    h, w = mask.shape
    column = m[:h] + m[1 : h + 1] + m[2 : h + 2]  # 3x3 box sums, separably
    n = column[:, :w] + column[:, 1 : w + 1] + column[:, 2 : w + 2]
    x[mask & (n < 3)] = 0.0  # the box counts the pixel itself


def _robust_level(r: np.ndarray) -> tuple[float, float]:
    """Median and MAD-based standard deviation."""
    centre = float(_median(r))
    return centre, 1.4826 * float(_median(np.abs(r - centre)))


def _median(a: np.ndarray) -> np.floating:
    """``np.median(a)`` exactly (value and dtype), by a partial sort alone: a few times faster at these sizes."""
    a = np.ravel(a)
    k = a.size // 2
    if a.size % 2:
        return np.partition(a, k)[k]
    part = np.partition(a, [k - 1, k])
    return np.mean(part[k - 1 : k + 1])


def _percentile(a: np.ndarray, q: float) -> np.floating:
    """``np.percentile(a, q)`` exactly (its default linear method, value and dtype), by a partial sort
    alone: about ten times faster on a few thousand pixels."""
    a = np.ravel(a)
    index = q / 100.0 * (a.size - 1)
    lo = int(math.floor(index))
    hi = min(lo + 1, a.size - 1)
    part = np.partition(a, [lo, hi] if hi != lo else lo)
    below, above, t = part[lo], part[hi], index - lo
    step = above - below
    return above - step * (1 - t) if t >= 0.5 else below + step * t  # numpy's own two-sided lerp


def _paper_plane(small: np.ndarray) -> tuple[float, float, float]:
    """Paper brightness (ink bright) as a plane a + b*y + c*x over [0, 1]^2.

    Cell minima of the overview, fitted after dropping the cells the ink
    covers, follow uneven lighting without eating thick strokes.  Nearly
    flat fits become one level, so a clean canvas gets no plane artefacts.
    """
    sh, sw = small.shape
    cells = 8
    if min(sh, sw) < cells * 2:
        return float(np.median(small)), 0.0, 0.0
    ys = np.linspace(0, sh, cells + 1).astype(int)
    xs = np.linspace(0, sw, cells + 1).astype(int)
    mins = np.minimum.reduceat(np.minimum.reduceat(small, ys[:-1], axis=0), xs[:-1], axis=1)
    cy = (ys[:-1] + ys[1:]) / 2.0 / sh
    cx = (xs[:-1] + xs[1:]) / 2.0 / sw
    yy, xx = np.meshgrid(cy, cx, indexing="ij")
    design = np.stack([np.ones(mins.size), yy.ravel(), xx.ravel()], axis=1)
    z = mins.ravel().astype(np.float64)
    keep = np.ones(z.size, bool)
    coef = np.zeros(3)
    for _ in range(3):
        coef, *_ = np.linalg.lstsq(design[keep], z[keep], rcond=None)
        resid = z - design @ coef
        spread = 1.4826 * np.median(np.abs(resid[keep] - np.median(resid[keep])))
        keep = resid < max(0.03, 3.0 * spread)  # ink cells are bright outliers only
        if keep.sum() < 6:
            return float(np.median(z)), 0.0, 0.0
    if abs(coef[1]) + abs(coef[2]) < 0.05:
        return float(np.median(z[keep])), 0.0, 0.0
    return float(coef[0]), float(coef[1]), float(coef[2])


def _plane(
    coef: tuple[float, float, float], shape: tuple[int, ...], rows: tuple[int, ...], cols: tuple[int, ...]
) -> np.ndarray | np.float32:
    """The paper plane over ``range(*rows)`` x ``range(*cols)`` of an image of ``shape``."""
    a, b, c = coef
    if b == 0.0 and c == 0.0:
        return np.float32(a)
    h, w = shape
    ry = (a + b * (np.arange(*rows) + 0.5) / h).astype(np.float32)
    rx = (c * (np.arange(*cols) + 0.5) / w).astype(np.float32)
    return ry[:, None] + rx[None, :]


def _trimmed_span(profile: np.ndarray) -> tuple[int, int]:
    cs = np.cumsum(profile, dtype=np.float64)
    total = cs[-1]
    lo = int(np.searchsorted(cs, BBOX_TRIM * total, side="right"))
    hi = int(np.searchsorted(cs, (1.0 - BBOX_TRIM) * total, side="left"))
    return lo, max(lo, hi) + 1


def _crop(x: np.ndarray, side: int, dot_rule: bool = True) -> tuple[np.ndarray, float] | None:
    """The ink's bounding box (stray specks trimmed) and its stroke width, or None for a dot.

    ``side`` is the longer side of the whole image: a dot is round (extent
    under three stroke widths) *and* small against the image (or a solid
    disk); without ``dot_rule`` nothing is a dot.
    """
    y0, y1 = _trimmed_span(x.sum(axis=1))
    x0, x1 = _trimmed_span(x.sum(axis=0))
    crop = x[y0:y1, x0:x1]
    width = stroke_width(crop)
    extent = max(crop.shape)
    if (
        dot_rule
        and extent < MIN_EXTENT_RATIO * max(width, 1.0)
        and (extent <= DOT_MAX_FRACTION * side or _disk_like(crop))
    ):
        return None
    return crop, width


def _disk_like(crop: np.ndarray) -> bool:
    """A round, solid blob: a dot even when the image is cropped tightly around it.

    A pen-60 digit is a blob too, but an elongated or hollow one (a 1 is a
    pill, a 0 or an 8 taller than wide).
    """
    h, w = crop.shape
    return max(h, w) <= DOT_ASPECT * max(min(h, w), 1) and float((crop > 0.5).mean()) >= DOT_FILL


def _render(crop: np.ndarray, width: float) -> np.ndarray | None:
    """Stroke-adjust the crop (stroke ``width`` px) and place it into the 28x28 frame (float 0..1)."""
    h, w = crop.shape
    extent = max(h, w)
    rel = width / extent
    adjust = rel < STROKE_LOW or rel > STROKE_HIGH

    target_box = SUPERSAMPLE * BOX
    f = target_box / extent
    size = (max(1, round(w * f)), max(1, round(h * f)))
    resample = Image.Resampling.BOX if f < 1 else Image.Resampling.BILINEAR
    work = _resize(crop, size, resample)
    work = _pad(work, int(0.25 * target_box))  # room for the stroke to grow

    if adjust:
        m = rel * target_box  # stroke width at this scale
        want = STROKE_TARGET * (target_box - m) / (1.0 - STROKE_TARGET)  # box grows too
        adjusted = _set_stroke_width(work, m, want)
        # Thinning a blob with a thin tail (a bold 9) would erase the tail:
        # keep the thinning only if the ink still spans what it spanned.
        if m < want or _extent(adjusted) >= _extent(work) - (m - want) - 2:
            work = adjusted
    return _place(work)


def _place(work: np.ndarray) -> np.ndarray | None:
    """Scale the stroke-adjusted ink so it spans 20 px and centre its mass in 28x28 (float 0..1)."""
    ink = work > 0.25  # MNIST: every digit spans 20 px at 64/255 too
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    extent = max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
    s = BOX / extent  # output px per work px
    cy, cx = centre_of_mass(work)
    if not (math.isfinite(cy) and math.isfinite(cx)):
        return None
    # One area resize of just the window the output covers: output pixel j averages
    # the work pixels in [o + j / s, o + (j + 1) / s), so its centre of mass lands on
    # CENTRE when o = c + 0.5 - (CENTRE + 0.5) / s.  Pillow weighs whole work pixels
    # (a third of an output pixel), so it lands within about 0.4 px; MNIST's own
    # digits, shifted by whole pixels, sit up to 0.5 px off (0.34 on average).
    span = SIZE / s
    oy = cy + 0.5 - (CENTRE + 0.5) / s
    ox = cx + 0.5 - (CENTRE + 0.5) / s
    # Pillow's box must lie inside the image: blank room where the window overhangs.
    pad = math.ceil(max(0.0, -oy, -ox, oy + span - work.shape[0], ox + span - work.shape[1]))
    if pad:
        work = _pad(work, pad)
        oy, ox = oy + pad, ox + pad
    out = _resize(work, (SIZE, SIZE), Image.Resampling.BOX, box=(ox, oy, ox + span, oy + span))
    peak = float(out.max())
    if peak <= 0:
        return None
    return np.clip(out / peak, 0.0, 1.0)


def _extent(x: np.ndarray) -> int:
    """Longer side of the box around the pixels above 0.25 (0 when none)."""
    ink = x > 0.25
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return 0
    return int(max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1))


def _set_stroke_width(work: np.ndarray, m: float, want: float) -> np.ndarray:
    """Soft dilation/erosion: blur, then keep the level set ``want`` px wide.

    A stroke of width ``m`` blurred with a Gaussian has a known 1-D profile;
    the level it takes at distance want/2 from the centre line is the
    threshold that makes every stroke ``want`` wide, in any direction.
    """
    sigma = max(0.8, 0.35 * want)
    b = _gaussian(work, sigma)

    def profile(u: float) -> float:
        k = 1.0 / (sigma * math.sqrt(2.0))
        return 0.5 * (math.erf((u + m / 2) * k) - math.erf((u - m / 2) * k))

    peak = profile(0.0)
    level = profile(want / 2.0)
    delta = 0.5 * max(min(level, peak - level), 1e-3)
    return np.clip((b - (level - delta)) / np.float32(2.0 * delta), 0.0, 1.0)


def _gaussian(x: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of a 0..1 float image (Pillow blurs 8-bit images only)."""
    # Stretch to the full 8-bit range first: thin strokes are faint here.
    top = max(float(x.max()), 1e-6)
    image = Image.fromarray(np.rint(x * (255.0 / top)).astype(np.uint8), "L")
    blurred = image.filter(ImageFilter.GaussianBlur(sigma))
    return np.asarray(blurred, dtype=np.float32) * np.float32(top / 255.0)
