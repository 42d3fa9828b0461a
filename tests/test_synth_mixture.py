"""The training mixture: how many renders of each real pen digit, and a validation split that does not move."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import torch

from digitpad.synth.mixture import DRY_RUN, MixtureConfig, build_mixture, mixture_config
from digitpad.train_options import TrainConfig, config_from_values
from tests.test_pendigits import SAMPLE


def small(pen_renders: int) -> MixtureConfig:
    return MixtureConfig(val_mnist=20, pen_renders=pen_renders, forms=8, nondigits=8, val_forms=4, val_nondigits=4)


def mnist_stand_ins() -> tuple[torch.Tensor, torch.Tensor]:
    """60 MNIST stand-ins, six of each digit: a bar, so that every one has ink."""
    images = torch.zeros((60, 28, 28), dtype=torch.uint8)
    images[:, 8:20, 12:16] = 255
    return images, torch.arange(60) % 10


def items(x: torch.Tensor, y: torch.Tensor) -> list[tuple[int, bytes]]:
    return sorted((int(label), image.numpy().tobytes()) for image, label in zip(x, y, strict=True))


def same_items(a: torch.Tensor, la: torch.Tensor, b: torch.Tensor, lb: torch.Tensor) -> bool:
    return items(a, la) == items(b, lb)


def test_the_run_option_sets_the_renders_of_each_pen_digit():
    assert mixture_config(TrainConfig(data="mix")).pen_renders == 3
    assert mixture_config(config_from_values({"data": "mix", "pen_renders": 5})).pen_renders == 5
    assert mixture_config(TrainConfig(data="mix", dry_run=True)) == DRY_RUN


def test_more_renders_add_training_digits_but_leave_the_validation_split_as_it_was(tmp_path: Path):
    tra = tmp_path / "tiny.tra"
    tra.write_text(SAMPLE)  # writers 3 and 4: both train (validation writers are 26-30)
    images, labels = mnist_stand_ins()
    two = build_mixture(images, labels, tra, seed=1, config=small(2))
    five = build_mixture(images, labels, tra, seed=1, config=small(5))
    assert (two.counts["pendigits"], five.counts["pendigits"]) == (2 * 2, 5 * 2)
    assert len(five.train_labels) - len(two.train_labels) == 3 * 2
    assert same_items(two.val_images, two.val_labels, five.val_images, five.val_labels)  # shuffled alike or not
    assert dataclasses.replace(small(2), pen_renders=5) == small(5)


def test_all_writers_trains_on_the_validation_writers_and_keeps_the_other_validation_parts(tmp_path: Path):
    tra = tmp_path / "tiny.tra"
    tra.write_text(SAMPLE.replace(".COMMENT 1  4  2", ".COMMENT 1  27  2"))  # the 1 is a validation writer's
    images, labels = mnist_stand_ins()
    held = build_mixture(images, labels, tra, seed=1, config=small(2))
    refit = build_mixture(images, labels, tra, seed=1, config=dataclasses.replace(small(2), all_writers=True))
    assert (held.counts["pendigits"], held.counts["val_pendigits"]) == (2, 1)
    assert (refit.counts["pendigits"], refit.counts["val_pendigits"]) == (4, 0)
    # the validation split is the held-out one less its Pendigits digit: the same MNIST, forms and non-digits
    before, after = Counter(items(held.val_images, held.val_labels)), Counter(items(refit.val_images, refit.val_labels))
    assert after <= before and [label for label, _ in before - after] == [1]
    assert mixture_config(config_from_values({"data": "mix", "all_writers": True})).all_writers
    assert not mixture_config(TrainConfig(data="mix")).all_writers


def test_pen_variation_is_a_run_option_and_off_by_default():
    assert mixture_config(TrainConfig(data="mix")).pen_variation == 0.0
    assert mixture_config(config_from_values({"data": "mix", "pen_variation": 0.05})).pen_variation == 0.05


def test_pen_variation_changes_the_training_renders_only(tmp_path: Path):
    tra = tmp_path / "tiny.tra"
    tra.write_text(SAMPLE.replace(".COMMENT 1  4  2", ".COMMENT 1  27  2"))  # one validation writer's digit
    images, labels = mnist_stand_ins()
    plain = build_mixture(images, labels, tra, seed=1, config=small(3))
    again = build_mixture(images, labels, tra, seed=1, config=small(3))
    varied = build_mixture(images, labels, tra, seed=1, config=dataclasses.replace(small(3), pen_variation=0.08))
    assert torch.equal(plain.train_images, again.train_images)  # off: the mixture is what it always was
    assert plain.counts == varied.counts
    assert same_items(plain.val_images, plain.val_labels, varied.val_images, varied.val_labels)
    assert not same_items(plain.train_images, plain.train_labels, varied.train_images, varied.train_labels)


def test_varied_strokes_move_within_the_share_asked_for():
    import numpy as np

    from digitpad.synth.mixture import vary_strokes

    bar = np.array([[0.0, 0.0], [0.6, 0.0]])
    stem = np.array([[0.3, 0.0], [0.3, 1.0]])
    rng = np.random.default_rng(3)
    moved, wobble = [], []
    for _ in range(200):
        a, b = vary_strokes([bar, stem], rng, 0.05)
        assert a.shape == bar.shape and b.shape == stem.shape
        wobble.append(np.abs((a - bar) - (a - bar).mean(axis=0)).mean())  # the bend within a stroke
        moved.append(np.abs((a - bar).mean(axis=0) - (b - stem).mean(axis=0)).max())  # one stroke against the other
    assert 0.002 < np.mean(wobble) < 0.05
    assert 0.01 < np.mean(moved) < 0.08 and max(moved) <= 2 * 0.05 + 0.1  # shifts are clipped at 0.05 each
    one = [stem]
    assert vary_strokes(one, np.random.default_rng(1), 0.0)[0].tolist() == stem.tolist()


def test_cut_pieces_are_an_option_that_adds_non_digits_and_changes_nothing_else(tmp_path: Path):
    assert mixture_config(TrainConfig(data="mix")).cut_pieces == 0
    assert mixture_config(config_from_values({"data": "mix", "cut_pieces": 1500})).cut_pieces == 1500
    tra = tmp_path / "tiny.tra"
    tra.write_text(SAMPLE)
    images, labels = mnist_stand_ins()
    plain = build_mixture(images, labels, tra, seed=1, config=small(2))
    cut = build_mixture(images, labels, tra, seed=1, config=dataclasses.replace(small(2), cut_pieces=40))
    assert cut.counts["cut"] == 40 and "cut" not in plain.counts
    added = Counter(items(cut.train_images, cut.train_labels)) - Counter(items(plain.train_images, plain.train_labels))
    assert sum(added.values()) == 40 and {label for label, _ in added} == {10}  # 40 more, all not-a-digit
    assert same_items(plain.val_images, plain.val_labels, cut.val_images, cut.val_labels)
