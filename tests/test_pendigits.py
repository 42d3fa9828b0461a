"""The Pendigits reader: labels, writers and strokes in screen coordinates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digitpad.errors import DataError
from digitpad.pendigits import TABLET_SIZE, read_pendigits

SAMPLE = """.LEXICON "0" "1"
.SEGMENT DIGIT    0 ? "7"
.COMMENT 7  3  12
.PEN_DOWN
 10  400
 300  400
.PEN_UP
.PEN_DOWN
 300  400
 150  20
.PEN_UP
.DT 100

.SEGMENT DIGIT    1 ? "1"
.COMMENT 1  4  2
.PEN_DOWN
 200  450
 200  50
.PEN_UP
"""


def test_reads_labels_writers_and_strokes_y_down(tmp_path: Path) -> None:
    path = tmp_path / "tiny.tes"
    path.write_text(SAMPLE)
    seven, one = read_pendigits(path)
    assert (seven.label, seven.writer, seven.sample) == (7, 3, 12)
    assert len(seven.strokes) == 2 and seven.strokes[0].dtype == np.float32
    # the bar of the 7 is at the top of the screen: file y 400 -> screen y 100
    assert seven.strokes[0][:, 1].tolist() == [TABLET_SIZE - 400] * 2
    assert seven.bounds() == (10.0, 100.0, 300.0, 480.0)
    assert (one.label, one.writer) == (1, 4) and len(one.strokes) == 1


def test_bad_point_and_bad_label_are_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tes"
    bad.write_text(SAMPLE.replace(" 150  20", " 150 abc"))
    with pytest.raises(DataError, match="not a point"):
        read_pendigits(bad)
    bad.write_text(SAMPLE.replace('"7"', '"x"'))
    with pytest.raises(DataError, match="no digit label"):
        read_pendigits(bad)
    with pytest.raises(DataError, match="cannot read"):
        read_pendigits(tmp_path / "missing.tes")


def test_real_files_when_present() -> None:
    folder = Path(__file__).resolve().parent.parent.parent / "shared" / "pendigits"
    if not (folder / "pendigits-orig.tes").is_file():
        pytest.skip("Pendigits not present")
    digits = read_pendigits(folder / "pendigits-orig.tes")
    assert len(digits) == 3498
    assert {d.writer for d in digits} == set(range(1, 15))
    assert sorted({d.label for d in digits}) == list(range(10))
    assert 1 <= max(len(d.strokes) for d in digits) <= 4
