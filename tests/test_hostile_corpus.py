"""The whole fuzz corpus (tests/fuzz_corpus.py) through the core: every file read or refused in one line."""

from __future__ import annotations

import threading

import pytest

from digitpad.checkpoint import load_checkpoint
from digitpad.errors import CheckpointError, ImageLoadError
from digitpad.imageio import load_image
from digitpad.resources import shipped_weights
from tests.fuzz_corpus import ANSWER, image_corpus, weights_corpus


def outcome_of(fn, *args) -> str | None:
    """None when ``fn`` returned; the one-line message of a DigitPad error; fails on anything else or a hang."""
    box: dict = {}

    def target() -> None:
        try:
            fn(*args)
            box["message"] = None
        except (ImageLoadError, CheckpointError) as error:
            box["message"] = str(error)
        except BaseException as error:  # handed back to the test
            box["other"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), f"{args} blocked"
    if "other" in box:
        raise AssertionError(f"{args}: {type(box['other']).__name__}: {box['other']}")
    return box["message"]


def test_every_image_of_the_corpus_is_read_or_refused_as_expected(tmp_path):
    cases = image_corpus(tmp_path)
    assert len(cases) >= 50
    wrong = []
    for case in cases:
        message = outcome_of(load_image, case.path)
        if (message is None) != (case.expect == ANSWER) or (message and "\n" in message):
            wrong.append(f"{case.path.name} ({case.note}): {message}")
    assert not wrong


def _load_and_build(path):
    load_checkpoint(path).build_model()


@pytest.mark.filterwarnings("ignore")
def test_every_weights_file_of_the_corpus_is_loaded_or_refused_as_expected(tmp_path):
    cases = weights_corpus(tmp_path, shipped_weights())
    assert len(cases) >= 30
    wrong = []
    for case in cases:
        message = outcome_of(_load_and_build, case.path)
        if (message is None) != (case.expect == ANSWER) or (message and "\n" in message):
            wrong.append(f"{case.path.name} ({case.note}): {message}")
    assert not wrong
