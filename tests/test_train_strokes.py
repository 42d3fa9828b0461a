"""``digitpad train-strokes``: a small real run on a made-up Pendigits file, and its refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digitpad.cli import main
from digitpad.stroke_model import StrokeModel
from digitpad.stroke_training import WEIGHTS
from digitpad.synth.forms import FORMS, draw_form


def _pendigits_file(path: Path, per_writer: int = 4) -> Path:
    """A UNIPEN file like ``pendigits-orig.tra``: writers 1-30 (26-30 validate), digits from the style forms."""
    rng = np.random.default_rng(0)
    names = [n for n in FORMS]
    lines = ['.LEXICON "0" "1" "2" "3" "4" "5" "6" "7" "8" "9"']
    k = 0
    for writer in range(1, 31):
        for sample in range(per_writer):
            label, strokes = draw_form(names[(writer + sample) % len(names)], rng)
            lines += [f'.SEGMENT DIGIT {k} ? "{label}"', f".COMMENT {label} {writer} {sample}"]
            for s in strokes:
                lines.append(".PEN_DOWN")
                lines += [f" {int(50 + 300 * x)} {int(450 - 400 * y)}" for x, y in np.asarray(s)]
                lines.append(".PEN_UP")
            k += 1
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_short_run_writes_a_stroke_model_with_its_recipe_and_fitted_weight(tmp_path, capsys):
    source = _pendigits_file(tmp_path / "tiny.tra")
    out = tmp_path / "models" / "strokes.pt"
    code = main(["train-strokes", "--pendigits", str(source), "--epochs", "2", "--limit", "40", "--out", str(out)])
    assert code == 0
    model = StrokeModel.from_file(out)
    meta = model.meta
    assert meta["recipe"]["epochs"] == 2 and meta["selected_on"] == "validation"
    assert 1 <= meta["best_epoch"] <= 2 and len(meta["validation_curve"]) == 2
    assert model.weight in WEIGHTS and set(meta["combine_validation"]) == {f"{w:g}" for w in WEIGHTS}
    assert model.temperature > 0 and meta["image_weights"] == "digitpad.pt"
    assert [p.name for p in out.parent.iterdir()] == ["strokes.pt"]  # written atomically: no temp file left
    printed = capsys.readouterr()
    assert "epoch 2/2" in printed.err and "saved" in printed.out and "combination weight" in printed.out


def test_the_same_seed_trains_the_same_model(tmp_path):
    import torch

    source = _pendigits_file(tmp_path / "tiny.tra", per_writer=2)
    outs = [tmp_path / f"{k}.pt" for k in range(2)]
    for out in outs:
        args = ["train-strokes", "--pendigits", str(source), "--epochs", "1", "--limit", "20", "--out", str(out)]
        assert main(args) == 0
    a, b = (StrokeModel.from_file(o).net.state_dict() for o in outs)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_missing_file_is_one_clear_line(tmp_path, capsys):
    assert main(["train-strokes", "--pendigits", str(tmp_path / "nope.tra"), "--out", str(tmp_path / "s.pt")]) == 1
    err = capsys.readouterr().err
    assert "Pendigits file not found" in err and "Traceback" not in err
    assert not (tmp_path / "s.pt").exists()


def test_no_epochs_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train-strokes", "--epochs", "0"])
    assert exit_info.value.code == 2 and "at least 1" in capsys.readouterr().err


def test_training_drawings_may_be_written_backwards_or_in_another_order():
    from digitpad.stroke_training import augment

    strokes = [np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]), np.array([[0.5, -0.5], [0.5, 1.5]])]
    plain = augment(strokes, np.random.default_rng(5))
    assert np.allclose(plain[0][0], strokes[0][0], atol=0.2)  # a slant and a shear, no reversal
    backwards = augment(strokes, np.random.default_rng(5), reverse_p=1.0)
    rng = np.random.default_rng(5)
    rng.random(), rng.random()  # the two coin flips that reversed both strokes
    assert all(np.allclose(a, b) for a, b in zip(backwards, augment([s[::-1] for s in strokes], rng), strict=True))
    reordered = augment(strokes, np.random.default_rng(1), reorder_p=1.0)
    rng = np.random.default_rng(1)
    rng.random()
    order = rng.permutation(2)
    expected = augment([strokes[k] for k in order], rng)
    assert all(np.allclose(a, b) for a, b in zip(reordered, expected, strict=True))


def test_a_stroke_model_that_does_not_help_gets_weight_zero_and_is_never_asked(tmp_path, capsys):
    from digitpad.stroke_training import _fit_weight

    val = [(d, [np.array([[0.0, 0.0], [1.0, float(d)]])]) for d in range(10)]
    right = np.eye(11, dtype=np.float32)[[d for d, _ in val]] * 0.9 + 0.01  # the image model: all right

    def image(drawings):
        return right[: len(drawings)]

    junk = np.full((10, 11), 1.0 / 11, np.float32)
    assert _fit_weight(val, junk, image)["combine_weight"] == 0.0
    helpful = np.eye(11, dtype=np.float32)[[d for d, _ in val]]
    wrong_image = np.roll(right, 1, axis=0)  # the picture misreads every one; the strokes know
    assert _fit_weight(val, helpful, lambda drawings: wrong_image)["combine_weight"] > 0


def test_members_train_from_successive_seeds_and_the_first_is_the_one_net_model(tmp_path, capsys):
    import torch

    from digitpad.stroke_model import StrokeEnsemble

    source = _pendigits_file(tmp_path / "tiny.tra", per_writer=2)
    common = ["train-strokes", "--pendigits", str(source), "--epochs", "1", "--limit", "20", "--seed", "3"]
    assert main([*common, "--out", str(tmp_path / "one.pt")]) == 0
    capsys.readouterr()
    assert main([*common, "--members", "2", "--out", str(tmp_path / "two.pt")]) == 0
    printed = capsys.readouterr()
    one, two = StrokeModel.from_file(tmp_path / "one.pt"), StrokeModel.from_file(tmp_path / "two.pt")
    assert isinstance(two.net, StrokeEnsemble) and len(two.net.members) == 2
    first, second = (m.state_dict() for m in two.net.members)
    single = one.net.state_dict()
    assert all(torch.equal(first[k], single[k]) for k in single)
    assert not all(torch.equal(second[k], single[k]) for k in single)
    assert [m["seed"] for m in two.meta["members"]] == [3, 4] and two.meta["recipe"]["members"] == 2
    assert "epoch 2/2" in printed.err and "net 2 (seed 4)" in printed.out and "2 nets" in printed.out


def test_too_many_members_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train-strokes", "--members", "99"])
    assert exit_info.value.code == 2 and "at most" in capsys.readouterr().err


def test_refit_keeps_the_nets_and_fits_the_weight_against_other_image_weights(tmp_path, capsys):
    import torch

    from digitpad.checkpoint import load_checkpoint, save_checkpoint, tensor_digest
    from digitpad.models import DigitPadNet

    source = _pendigits_file(tmp_path / "tiny.tra")
    first = tmp_path / "first.pt"
    common = ["train-strokes", "--pendigits", str(source), "--limit", "40"]
    assert main([*common, "--epochs", "2", "--out", str(first)]) == 0
    torch.manual_seed(3)  # another image model: an untrained net reads the validation drawings differently
    other = save_checkpoint(
        tmp_path / "other.pt",
        model_name="digitpad",
        state_dict=DigitPadNet(width=8, classes=11).state_dict(),
        config={"model_config": {"width": 8, "classes": 11}},
    )
    same, refit = tmp_path / "same.pt", tmp_path / "refit.pt"
    assert main([*common, "--refit", str(first), "--out", str(same)]) == 0
    assert main([*common, "--refit", str(first), "--image-weights", str(other), "--out", str(refit)]) == 0
    a, b, c = (StrokeModel.from_file(p) for p in (first, same, refit))
    assert b.meta["combine_validation"] == a.meta["combine_validation"]  # the same drawings, the same fit
    assert c.meta["combine_validation"] != a.meta["combine_validation"]
    assert c.meta["image_weights_sha256"] == tensor_digest(load_checkpoint(other).state_dict)
    assert c.meta["image_weights"] == "other.pt" and c.meta["recipe"] == a.meta["recipe"]
    assert c.temperature == a.temperature and c.weight in WEIGHTS
    x, y = a.net.state_dict(), c.net.state_dict()
    assert all(torch.equal(x[k], y[k]) for k in x)  # nothing trained
    assert "combination weight" in capsys.readouterr().out


def test_refit_with_a_given_weight_keeps_the_fitted_table_beside_it(tmp_path, capsys):
    source = _pendigits_file(tmp_path / "tiny.tra")
    first, given = tmp_path / "first.pt", tmp_path / "given.pt"
    common = ["train-strokes", "--pendigits", str(source), "--limit", "40"]
    assert main([*common, "--epochs", "2", "--out", str(first)]) == 0
    assert main([*common, "--refit", str(first), "--weight", "1.5", "--out", str(given)]) == 0
    a, b = StrokeModel.from_file(first), StrokeModel.from_file(given)
    assert b.weight == 1.5 and b.meta["combine_weight_given"] is True
    assert b.meta["combine_weight_fitted"] == a.weight  # the same drawings, the same NLL-best weight
    assert b.meta["combine_validation"] == a.meta["combine_validation"]
    assert "given; the NLL-best is" in capsys.readouterr().out
    again = tmp_path / "again.pt"  # a plain refit of the given file fits the weight again and forgets the given one
    assert main([*common, "--refit", str(given), "--out", str(again)]) == 0
    c = StrokeModel.from_file(again)
    assert c.weight == a.weight and "combine_weight_given" not in c.meta and "combine_weight_fitted" not in c.meta


def test_weight_without_refit_or_out_of_range_is_one_clear_line(tmp_path, capsys):
    assert main(["train-strokes", "--weight", "1", "--pendigits", str(tmp_path / "none.tra")]) != 0
    assert "--weight goes with --refit" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["train-strokes", "--refit", "x.pt", "--weight", "9"])
    assert exit_info.value.code == 2 and "between 0 and 4" in capsys.readouterr().err
