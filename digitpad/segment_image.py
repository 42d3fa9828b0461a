"""Cut a picture of a number into candidate digits (numpy + Pillow; no Qt, no torch).

1. The normaliser's own clean-up finds the ink (any polarity, paper, lighting).
2. Connected components; specks far smaller than the writing are dropped.
3. Pieces of one digit (a 5 whose top bar does not touch, a broken 4) merge
   by horizontal overlap, the same rule as pen strokes.
4. A unit wide enough to hold two digits that touch gets candidate cuts at
   column-projection valleys and at contour points (where the top contour
   dips or the bottom contour rises); the recogniser scores the pieces, each
   cut piece also with the junction taken off (:data:`TRIMS`).
5. Everything is ordered left to right.

    lattice = image_lattice(gray, alpha)   # -> Lattice for number_reader
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from digitpad.normalize import extract_ink
from digitpad.segment_lattice import (
    MAX_SPAN_WIDTH,
    Lattice,
    Span,
    candidate_ranges,
    join_overlaps,
    overlap_groups,
    reference_height,
)

INK_LEVEL = 0.35  # ink map level that counts as ink for the components
NOISE = 0.15  # a component smaller than this many writing heights each way is a speck
SPLIT_WIDTH = 0.6
"""A unit wider than this many heights may be two touching digits (the recogniser spares the sure ones).

Two 1s, or a 1 over the bowl of a 9, overlap into a unit narrower than a 0: at 0.75 they
were never cut and read as one not-a-digit.  Validation numbers (400, Pendigits ``.tra``
writers 26-30), exact / digit count: 0.75: 92.50 / 98.75%; 0.6: 93.00 / 99.50%; 0.5 and
0.4 no better."""
MIN_PIECE = 0.15  # a cut leaves at least this many heights of width each side
MAX_CUTS = 6
"""Per unit, the best-ranked candidate cuts (half of them at most from the contour).

Three digits that touch make one unit that needs two right cuts.  Validation numbers (Pendigits
``.tra`` writers 26-30), images exact / digit count: seeds 7+8 (800): 4 cuts 769 / 797, 5: 769 / 797,
6: 770 / 798; the check set, seeds 9+11+12 (1,200): 4 cuts 1,128 / 1,190, 6: 1,131 / 1,193.
A 6-digit image: CPU time p50 12.9 ms (4) vs 12.4 ms (6), interleaved (most units are spared
cuts or have fewer candidates).  Synthetic: four touching zeros read "00?" with 4 cuts and "0000" with 6 (a
test); a 4, 0, 4 that touch reads "404" with 4 and "407" with 6."""
TRIMS = (0.1,)
"""A piece made by a cut is also read with this many writing heights taken off at each cut edge.

Where two digits touch, a straight cut leaves a sliver of one on the other: the tail of a 2's base
on the 8 after it reads "?", half a leaning 1 beside a 1 reads 4.  Taking the junction off lets
the recogniser see each digit clean.  Validation numbers (400, ``.tra`` writers 26-30), images
exact: none 94.25%; 0.05: 95.50; 0.08: 95.25; 0.1: 95.75; 0.15: 95.25; (0.04, 0.08): 95.75;
(0.05, 0.1): 96.00; (0.05, 0.1, 0.15): 95.75%.  A second validation set (seed 8): none 94.25,
0.1: 95.00, (0.05, 0.1): 95.25%.  One trim: each costs about 2.3 more candidates to read in a
6-digit number (9.6 -> 11.8 -> 14.1), and two put the image path at 19.5 ms p50 of its 20 ms.
Checked again with six cuts (:data:`MAX_CUTS`): (0.05, 0.1) reads seeds 7+8 at 774 of 800 (0.1: 770)
but the check set, seeds 9+11+12, at 1,130 of 1,200 (0.1: 1,131), so one trim stays.  With round
23's weights (trained on cut pieces), no trim: seeds 7+8 771 -> 765, check 1,146 -> 1,135: still needed."""
MIN_TRIMMED = 0.25  # a trimmed piece keeps at least this many heights of width
CUT_MERGE = 0.1  # candidate cuts closer than this many heights are one
CONTOUR_WINDOW = 0.25  # contour extremes and valleys are local over this many heights each side
MIN_DEPTH = 0.12  # a contour dip or rise this deep (in heights) is a candidate cut


CutJudge = Callable[[list[np.ndarray], list[float]], list[bool]]
"""Given the pictures of wide units and their widths (in heights): which may hold touching digits."""


def image_lattice(gray: np.ndarray, alpha: np.ndarray | None = None, needs_cuts: CutJudge | None = None) -> Lattice:
    """The candidate digits of the number in a grayscale image, left to right; boxes in its pixels.

    Units wider than ``SPLIT_WIDTH`` heights get candidate cuts; ``needs_cuts``
    (the reader's recogniser) may spare the ones that clearly read as one digit.
    """
    found = extract_ink(gray, alpha)
    if found is None:
        return Lattice(0, ())
    ink, top, left, scale = found
    labels, count = label_components(ink > INK_LEVEL)
    if count == 0:
        return Lattice(0, ())
    boxes = _component_boxes(labels, count)  # (count, 4): r0, c0, r1, c1 (exclusive)
    heights = boxes[:, 2] - boxes[:, 0]
    height = max(reference_height(list(heights)), 1.0)
    extent = np.maximum(heights, boxes[:, 3] - boxes[:, 1])
    keep = [k for k in range(count) if extent[k] >= NOISE * height] or list(range(count))
    ranges = [(float(boxes[k, 1]), float(boxes[k, 3])) for k in keep]
    units = [[keep[k] for k in g] for g in overlap_groups(ranges, height)]

    dilated = _dilate(labels > 0)
    unit_masks = [np.isin(labels, np.asarray(m) + 1) for m in units]
    spans_of = [(int(boxes[m, 1].min()), int(boxes[m, 3].max())) for m in units]
    wide = [u for u, (c0, c1) in enumerate(spans_of) if c1 - c0 > SPLIT_WIDTH * height]
    if wide and needs_cuts is not None:
        pictures = [_cut_out(ink, _dilate(unit_masks[u]) & dilated)[0] for u in wide]
        verdicts = needs_cuts(pictures, [(spans_of[u][1] - spans_of[u][0]) / height for u in wide])
        wide = [u for u, cut in zip(wide, verdicts, strict=True) if cut]

    # Atoms: column ranges of units, after the candidate cuts.
    atoms: list[tuple[int, int, int]] = []  # (unit, c0, c1)
    for u, (c0, c1) in enumerate(spans_of):
        cuts = _cuts(unit_masks[u][:, c0:c1], height) if u in wide else []
        edges = [c0] + [c0 + c for c in cuts] + [c1]
        atoms += [(u, a, b) for a, b in zip(edges, edges[1:], strict=False)]

    spans = []
    unit_ranges = [(float(boxes[m, 1].min()), float(boxes[m, 3].max())) for m in units]
    for i, j in _atom_spans(atoms, unit_ranges, height):
        us = sorted({atoms[k][0] for k in range(i, j)})
        c0, c1 = atoms[i][1], atoms[j - 1][2]
        mask = np.zeros_like(dilated)
        for u in us:
            mask |= unit_masks[u]
        cut_left = i > 0 and atoms[i - 1][0] == atoms[i][0]
        cut_right = j < len(atoms) and atoms[j][0] == atoms[j - 1][0]
        joins = join_overlaps([unit_ranges[u] for u in us], height) if len(us) > 1 else ()
        for a0, a1 in _trimmed(c0, c1, cut_left, cut_right, height):
            piece = np.zeros(mask.shape, bool)
            piece[:, a0:a1] = mask[:, a0:a1]
            piece = _dilate(piece) & dilated
            picture, (r0, q0, r1, q1) = _cut_out(ink, piece)
            box = ((left + q0) * scale, (top + r0) * scale, (left + q1) * scale, (top + r1) * scale)
            spans.append(
                Span(
                    i,
                    j,
                    box,
                    picture,
                    width=(q1 - q0) / height,
                    height=(r1 - r0) / height,
                    joins=joins,
                    cuts=int(cut_left) + int(cut_right),
                )
            )
    return Lattice(len(atoms), tuple(spans))


def _trimmed(c0: int, c1: int, cut_left: bool, cut_right: bool, height: float) -> list[tuple[int, int]]:
    """A piece's columns, and for a piece made by cutting also the same less :data:`TRIMS` at each cut edge.

    The recogniser reads every version; the lattice keeps the best (they cover the same atoms).
    """
    out = [(c0, c1)]
    if not (cut_left or cut_right):
        return out
    for share in TRIMS:
        d = max(1, round(share * height))
        a0, a1 = c0 + d * int(cut_left), c1 - d * int(cut_right)
        if a1 - a0 > MIN_TRIMMED * height:
            out.append((a0, a1))
    return out


def _atom_spans(
    atoms: list[tuple[int, int, int]], unit_ranges: list[tuple[float, float]], height: float
) -> list[tuple[int, int]]:
    """Runs of atoms that might be one digit: inside a unit (undoing cuts), or whole units side by side."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for k, (u, _, _) in enumerate(atoms):
        first.setdefault(u, k)
        last[u] = k + 1
    out = set()
    for u, a in first.items():
        b = last[u]
        for i in range(a, b):
            for j in range(i + 1, b + 1):
                if (i == a and j == b) or atoms[j - 1][2] - atoms[i][1] <= MAX_SPAN_WIDTH * height:
                    out.add((i, j))
    # Across units only whole units: a cut piece never joins another unit.
    for i, j in candidate_ranges(unit_ranges, height):
        if j - i > 1:
            out.add((first[i], last[j - 1]))
    return sorted(out)


def _cuts(mask: np.ndarray, height: float) -> list[int]:
    """Candidate cut columns of a unit's mask, sorted: contour points first, then projection valleys.

    Where two digits touch, the top contour dips and the bottom contour rises
    (two rings meeting, the foot of a 1 on a 9); where they barely touch, the
    column projection has a valley.  Each kind is a local extreme over a
    window of a few tenths of the writing height, ranked by how deep it is.

    The cuts are straight columns.  Bent cuts (the path of least ink from top
    to bottom, at most 0.12 heights from the column) were tried on the
    validation numbers and lost: exact 93.00 -> 91.75% (5 numbers fixed, 9
    broken: the path slips into the thin end of a neighbour's stroke);
    within 0.06 heights they change nothing.  Cuts along the writing's slant (columns sheared
    by the slant that most peaks the column projection) lost too: 93.00 -> 92.00% (3 fixed, 7
    broken: a 2's long base then goes to the 8 after it); reading both ways and keeping the
    better-scoring lattice gained one number (93.25%), not worth twice the work.  A prior cost per
    stroke a cut crosses beyond the first (a cut through a loop crosses two) changed nothing that
    held: seeds 7+8 769 -> 770 of 800 at 0.1-0.3 per stroke, the check set (seeds 9+11+12) 1,128 ->
    1,128 of 1,200.
    """
    w = mask.shape[1]
    lo, hi = int(MIN_PIECE * height), w - int(MIN_PIECE * height)
    if hi <= lo:
        return []
    win = max(2, int(CONTOUR_WINDOW * height))
    cols = np.convolve(mask.sum(axis=0).astype(np.float64), np.ones(3) / 3.0, mode="same")
    inked: np.ndarray = np.asarray(mask.any(axis=0))
    rows = np.arange(mask.shape[0])[:, None]
    top = np.where(mask, rows, mask.shape[0]).min(axis=0).astype(np.float64)
    bottom = np.where(mask, rows, -1).max(axis=0).astype(np.float64)
    top[~inked] = mask.shape[0]
    bottom[~inked] = -1
    contour: list[tuple[float, int]] = []
    valleys: list[tuple[float, int]] = []
    for c in range(lo, hi):
        left, right = slice(max(0, c - win), c), slice(c + 1, min(w, c + win + 1))
        # depth of a dip of the top contour (rows grow downward) and of a rise of the bottom one
        dip = min(top[c] - top[left].min(), top[c] - top[right].min())
        rise = min(bottom[left].max() - bottom[c], bottom[right].max() - bottom[c])
        depth = max(dip, rise) / height
        if depth >= MIN_DEPTH:
            contour.append((-depth, c))
        if cols[c] <= min(cols[left].min(), cols[right].min()):
            valleys.append((cols[c] / height, c))
    chosen: list[int] = []
    for pool, limit in ((sorted(contour), MAX_CUTS // 2), (sorted(valleys), MAX_CUTS)):
        taken = 0
        for _, c in pool:
            if len(chosen) >= MAX_CUTS or taken >= limit:
                break
            if all(abs(c - d) > CUT_MERGE * height for d in chosen):
                chosen.append(c)
                taken += 1
    return sorted(chosen)


def _cut_out(ink: np.ndarray, piece: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The ink under ``piece`` cropped to its box, with a margin of paper; and the box (r0, c0, r1, c1)."""
    rows = np.flatnonzero(piece.any(axis=1))
    cols = np.flatnonzero(piece.any(axis=0))
    if rows.size == 0:
        return np.zeros((8, 8), np.float32), (0, 0, 0, 0)
    r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    crop = np.where(piece[r0:r1, c0:c1], ink[r0:r1, c0:c1], 0.0).astype(np.float32)
    m = max(r1 - r0, c1 - c0) // 4 + 2
    out = np.zeros((r1 - r0 + 2 * m, c1 - c0 + 2 * m), np.float32)
    out[m : m + r1 - r0, m : m + c1 - c0] = crop
    return out, (r0, c0, r1, c1)


def _dilate(mask: np.ndarray) -> np.ndarray:
    """One pixel of 8-neighbour dilation (keeps the anti-aliased rim of the strokes)."""
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    grown = out.copy()
    grown[:, 1:] |= out[:, :-1]
    grown[:, :-1] |= out[:, 1:]
    return grown


def _component_boxes(labels: np.ndarray, count: int) -> np.ndarray:
    boxes = np.zeros((count, 4), np.int64)
    for k in range(count):
        rows = np.flatnonzero((labels == k + 1).any(axis=1))
        cols = np.flatnonzero((labels == k + 1).any(axis=0))
        boxes[k] = (rows[0], cols[0], rows[-1] + 1, cols[-1] + 1)
    return boxes


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of a boolean mask: labels 1..count (0 is background).

    Runs of each row are joined to the overlapping runs of the row above with
    a union-find: the runs are found in one numpy pass, Python works only per run.
    """
    h, w = mask.shape
    # Every row's runs at once: a zero column on each side keeps runs of adjacent rows apart.
    framed = np.zeros((h, w + 2), np.int8)
    framed[:, 1:-1] = mask
    d = np.diff(framed.ravel())
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    run_rows = starts // (w + 2)
    runs: list[tuple[int, int, int]] = list(  # (row, start, end exclusive)
        zip(run_rows.tolist(), (starts % (w + 2)).tolist(), (ends % (w + 2)).tolist(), strict=True)
    )
    bounds = np.searchsorted(run_rows, np.arange(h + 1)).tolist()
    row_runs = [range(bounds[r], bounds[r + 1]) for r in range(h)]
    parent = list(range(len(runs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(1, h):
        above = row_runs[r - 1]
        k = above.start
        for i in row_runs[r]:
            _, s, e = runs[i]
            while k < above.stop and runs[k][2] < s:  # ends before (8-connected: touching diagonally counts)
                k += 1
            m = k
            while m < above.stop and runs[m][1] <= e:
                parent[find(i)] = find(m)
                m += 1
    labels = np.zeros((h, w), np.int32)
    ids: dict[int, int] = {}
    for i, (r, s, e) in enumerate(runs):
        labels[r, s:e] = ids.setdefault(find(i), len(ids) + 1)
    return labels, len(ids)
