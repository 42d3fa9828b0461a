"""``digitpad predict --number`` and ``digitpad evaluate --numbers``, in process through digitpad.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from digitpad.cli import main
from tests.number_strokes import four, one, picture, seven, zero


@pytest.fixture(scope="module")
def numbers(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("numbers")
    out = {}
    for name, strokes in {
        "1074": one(40) + zero(130) + list(seven(290)) + list(four(430)),
        "07": zero(40) + list(seven(200)),
    }.items():
        path = folder / f"scan_{name}.png"
        Image.fromarray(picture(strokes)).save(path)
        out[name] = path
    return out


def test_predict_number_prints_the_number_per_file(numbers, capsys) -> None:
    code = main(["predict", "--number", str(numbers["1074"]), str(numbers["07"])])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0].startswith(f"{numbers['1074']}: 1074  (1 ")
    assert lines[1].startswith(f"{numbers['07']}: 07  (0 ")  # the leading zero survives


def test_predict_number_json_has_every_digit(numbers, capsys) -> None:
    assert main(["predict", "--number", "--json", str(numbers["1074"])]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["file"] == str(numbers["1074"])
    assert record["number"] == "1074"
    assert [d["digit"] for d in record["digits"]] == [1, 0, 7, 4]
    for d in record["digits"]:
        assert len(d["probabilities"]) == 10 and abs(sum(d["probabilities"]) - 1.0) < 1e-3
        assert d["confidence"] == max(d["probabilities"])
        assert d["verdict"] in ("digit", "unsure")
        x0, y0, x1, y1 = d["box"]
        assert x0 < x1 and y0 < y1
    lefts = [d["box"][0] for d in record["digits"]]
    assert lefts == sorted(lefts)


def test_predict_number_bad_file_is_one_line_and_exit_1(numbers, tmp_path, capsys) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    code = main(["predict", "--number", str(broken), str(numbers["07"])])
    captured = capsys.readouterr()
    assert code == 1
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err
    assert ": 07  (" in captured.out  # the good file is still read


def test_evaluate_numbers_scores_a_folder(numbers, capsys) -> None:
    folder = numbers["07"].parent
    assert main(["evaluate", "--numbers", str(folder), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["numbers"] == 2
    assert result["exact_match"] == 1.0 and result["digit_accuracy"] == 1.0
    assert main(["evaluate", "--numbers", str(folder)]) == 0
    assert "exact match        100.00%  (2/2)" in capsys.readouterr().out


def test_evaluate_numbers_without_labelled_files_is_an_error(tmp_path, capsys) -> None:
    assert main(["evaluate", "--numbers", str(tmp_path)]) == 1
    assert "no images named" in capsys.readouterr().err


def test_edit_distance_counts_missed_added_and_misread_digits() -> None:
    from digitpad.commands.numbers import edit_distance

    assert edit_distance("2026", "2026") == 0
    assert edit_distance("2026", "226") == 1
    assert edit_distance("2026", "20726") == 1
    assert edit_distance("2026", "2036") == 1
    assert edit_distance("", "12") == 2
