"""The stroke model: the pen-path features, the combination with the image model, the file, the pad paths."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from digitpad.checkpoint import save_checkpoint
from digitpad.errors import CheckpointError
from digitpad.stroke_model import CLASSES, MODEL_NAME, StrokeModel, StrokeNet, combine
from digitpad.trajectory import CHANNELS, POINTS, trajectory

SEVEN = [np.array([[0.0, 0.0], [10.0, 0.0], [4.0, 16.0]])]
FOUR = [np.array([[6.0, 0.0], [0.0, 10.0], [9.0, 10.0]]), np.array([[7.0, 4.0], [7.0, 16.0]])]


def test_the_path_is_sampled_evenly_and_does_not_depend_on_where_or_how_large_it_was_drawn():
    seq = trajectory(SEVEN)
    assert seq is not None and seq.shape == (CHANNELS, POINTS) and seq.dtype == np.float32
    moved = trajectory([s * 3.5 + (120.0, -40.0) for s in SEVEN])
    assert np.allclose(seq, moved, atol=1e-5)
    # centred on the ink's box, the longer side spanning -1..1
    assert seq[1].min() == pytest.approx(-1.0) and seq[1].max() == pytest.approx(1.0)
    assert abs(seq[0].min() + seq[0].max()) < 0.05  # (samples need not hit the corner exactly)
    # evenly along the path: consecutive samples are (nearly) equally far apart
    steps = np.hypot(*np.diff(seq[:2], axis=1))
    assert steps.max() < 1.6 * np.median(steps)


def test_denser_mouse_events_along_the_same_path_change_nothing():
    dense = [
        np.concatenate([np.linspace(a, b, 25, endpoint=False) for a, b in zip(s[:-1], s[1:], strict=True)] + [s[-1:]])
        for s in SEVEN
    ]
    assert np.allclose(trajectory(SEVEN), trajectory(dense), atol=0.02)


def test_pen_lifts_are_marked_and_the_order_and_direction_of_strokes_are_seen():
    seq = trajectory(FOUR)
    pen = seq[4]
    lifted = np.flatnonzero(pen == 0)
    assert lifted.size > 0 and pen[0] == 1 and pen[-1] == 1
    assert np.all(np.diff(lifted) == 1)  # one jump, between the two strokes
    assert trajectory(SEVEN)[4].min() == 1  # one stroke: never lifted
    reversed_order = trajectory(FOUR[::-1])
    assert not np.allclose(seq, reversed_order, atol=0.05)
    # one stroke written the other way: the same points backwards, every direction flipped
    forwards, backwards = trajectory(SEVEN), trajectory([SEVEN[0][::-1]])
    assert np.allclose(backwards[:2], forwards[:2, ::-1], atol=1e-4)
    assert np.allclose(backwards[2:4, 1:-1], -forwards[2:4, ::-1][:, 1:-1], atol=0.05)


def test_a_tap_a_dot_and_no_points():
    assert trajectory([]) is None
    assert trajectory([np.zeros((0, 2))]) is None
    assert trajectory([np.array([[np.nan, 1.0]])]) is None
    dot = trajectory([np.array([[5.0, 5.0]])])
    assert dot is not None and np.all(dot[:4] == 0) and np.all(dot[4] == 1)
    tap_after = trajectory([SEVEN[0], np.array([[20.0, 20.0]])])  # a 7 and a tap: a jump, then pen down
    assert tap_after is not None and tap_after[4, -1] == 1 and (tap_after[4] == 0).any()


def test_combine_reweights_the_digits_and_weight_zero_is_the_image_alone():
    image = np.array([[0.05, 0.45, 0.0, 0.0, 0.0, 0.0, 0.0, 0.48, 0.0, 0.0, 0.02]], np.float32)  # "7 or 1?"
    strokes = np.array([[0.0, 0.9, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.0, 0.0, 0.05]], np.float32)  # "1", surely
    assert np.allclose(combine(image, strokes, 0.0), image, atol=1e-6)
    both = combine(image, strokes, 0.5)
    assert both.shape == (1, 11) and both.sum() == pytest.approx(1.0, abs=1e-5)
    assert both[0].argmax() == 1 and both[0, 1] > image[0, 1]
    vote = strokes[0, :10] / strokes[0, :10].sum()
    expected = image[0, :10] * vote ** (0.5 * 0.95)  # its weight, times how surely the path is a digit
    assert np.allclose(both[0, :10], expected / expected.sum() * 0.98, atol=1e-5)
    assert both[0, 10] == pytest.approx(0.02)  # whether it is a digit at all stays the picture's call
    assert both[0, 2] < 1e-5  # a digit the image model rules out stays out, whatever the strokes say


def test_a_path_the_stroke_model_does_not_take_for_a_digit_barely_votes():
    image = np.array([[0.0] * 7 + [0.3, 0.0, 0.6, 0.1]], np.float32)  # "9, or 7"
    sure = np.array([[0.0] * 7 + [0.99, 0.0, 0.01, 0.0]], np.float32)  # "a 7", of a digit-like path
    unsure = np.array([[0.0] * 7 + [0.099, 0.0, 0.001, 0.9]], np.float32)  # "a 7", but "no digit" at 90%
    assert combine(image, sure, 1.0)[0].argmax() == 7
    kept = combine(image, unsure, 1.0)[0]
    assert kept.argmax() == 9 and kept[10] == pytest.approx(0.1)


def test_the_strokes_never_turn_a_digit_into_not_a_digit():
    image = np.array([[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.97, 0.03]], np.float32)  # a 9
    strokes = np.array([[0.0] * 9 + [0.1, 0.9]], np.float32)  # "no digit", says the path
    for vouch in (False, True):
        out = combine(image, strokes, 1.0, vouch=vouch)
        assert np.allclose(out, image, atol=1e-6)


def test_a_plain_digit_path_vouches_for_a_digit_the_picture_doubts():
    # a fat-pen 0 whose loop filled in: the picture's best digit is right, but it calls it no digit
    image = np.array([[0.30, 0.02, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.08, 0.0, 0.60]], np.float32)
    strokes = np.array([[0.90, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.0, 0.05]], np.float32)  # a 0, plainly
    assert combine(image, strokes, 1.0)[0, 10] == pytest.approx(0.60)  # the picture's call unless vouching
    out = combine(image, strokes, 1.0, vouch=True)[0]
    joint = image[0] * strokes[0]
    assert out[10] == pytest.approx(joint[10] / joint.sum(), rel=1e-4) and out[10] < 0.1
    assert out.sum() == pytest.approx(1.0, abs=1e-5) and out[:10].argmax() == 0
    digits_only = combine(image, strokes, 1.0)[0, :10]
    assert np.allclose(out[:10], digits_only / digits_only.sum() * (1 - out[10]), atol=1e-6)  # same digit shares
    doubtful = np.array([[0.45, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.0, 0.50]], np.float32)  # "no digit" too
    assert combine(image, doubtful, 1.0, vouch=True)[0, 10] == pytest.approx(0.60)  # more doubt: never raised


def _saved(tmp_path, **meta) -> StrokeModel:
    torch.manual_seed(0)
    net = StrokeNet(16)
    path = save_checkpoint(
        tmp_path / "s.pt",
        model_name=MODEL_NAME,
        state_dict=net.state_dict(),
        config={"width": 16},
        meta={"temperature": 2.0, "combine_weight": 0.75, **meta},
    )
    return StrokeModel.from_file(path)


def test_a_stroke_weights_file_round_trips_and_reads_drawings(tmp_path):
    model = _saved(tmp_path)
    assert model.temperature == 2.0 and model.weight == 0.75 and not model.net.training
    probs = model.probabilities([SEVEN, [], FOUR])
    assert probs.shape == (3, CLASSES)
    assert np.allclose(probs[[0, 2]].sum(axis=1), 1.0, atol=1e-5)
    assert np.all(probs[1] == 0)  # no points: no opinion
    with torch.inference_mode():
        logits = model.net(torch.from_numpy(trajectory(SEVEN)[None]))
    assert np.allclose(probs[0], torch.softmax(logits / 2.0, 1).numpy()[0], atol=1e-6)


def test_other_files_are_refused_with_one_line(tmp_path):
    image_model = save_checkpoint(tmp_path / "i.pt", model_name="digitpad", state_dict={"w": torch.zeros(1)})
    with pytest.raises(CheckpointError, match="not a stroke model"):
        StrokeModel.from_file(image_model)
    wrong = save_checkpoint(tmp_path / "w.pt", model_name=MODEL_NAME, state_dict={"w": torch.zeros(1)})
    with pytest.raises(CheckpointError, match="does not fit"):
        StrokeModel.from_file(wrong)
    wide = save_checkpoint(
        tmp_path / "x.pt", model_name=MODEL_NAME, state_dict=StrokeNet(16).state_dict(), config={"width": 10**6}
    )
    with pytest.raises(CheckpointError, match="width"):
        StrokeModel.from_file(wide)
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError):
        StrokeModel.from_file(tmp_path / "junk.pt")


def test_the_predictor_asks_the_stroke_model_only_when_it_has_one_is_given_strokes_and_is_unsure(tmp_path):
    from digitpad.predictor import VOTE_BELOW, Predictor
    from tests.test_verdict import Fixed, drawing

    unsure = Predictor(Fixed([0, 3.0, 0, 0, 0, 0, 0, 2.8, 0, 0, -2.0]))  # "1 or 7?"
    sure = Predictor(Fixed([0, 0, 0, 0, 0, 0, 0, 9.0, 0, 0, -2.0]))  # a 7, surely
    assert sure.predict_image(drawing()).confidence >= VOTE_BELOW > unsure.predict_image(drawing()).confidence
    alone = unsure.predict_image(drawing())
    assert np.array_equal(unsure.predict_image(drawing(), strokes=SEVEN).probabilities, alone.probabilities)
    model = _saved(tmp_path)
    for predictor in (unsure, sure):
        predictor.strokes = model
    voted = unsure.predict_image(drawing(), strokes=SEVEN)
    full = unsure.predict_all(np.zeros((1, 28, 28), np.float32))
    expected = combine(full, model.probabilities([SEVEN]), model.weight)[0]
    assert not np.array_equal(voted.probabilities, alone.probabilities)
    assert np.allclose(voted.probabilities, expected[:10], atol=1e-5)
    assert voted.not_digit == pytest.approx(alone.not_digit, abs=1e-6)  # the picture's call
    for nothing in (None, []):
        assert np.array_equal(unsure.predict_image(drawing(), strokes=nothing).probabilities, alone.probabilities)
    before = sure.predict_image(drawing())
    after = sure.predict_image(drawing(), strokes=SEVEN)
    assert np.array_equal(before.probabilities, after.probabilities)  # sure: one network, not two


def test_the_number_reader_gives_each_candidate_its_own_strokes(tmp_path):
    from digitpad.ink import InkStroke
    from digitpad.number_reader import NumberReader
    from digitpad.predictor import Predictor
    from digitpad.resources import shipped_weights

    class Spy:
        def __init__(self) -> None:
            self.real = Predictor.from_checkpoint(shipped_weights())
            self.mean, self.std = self.real.mean, self.real.std
            self.drawings: list = []

        def predict_batch(self, x):
            return self.real.predict_batch(x)

        def predict_all(self, x):
            return self.real.predict_all(x)

        def vote(self, probs, drawings):
            self.drawings = drawings
            return probs

    seven = [InkStroke((s * 8 + (20, 40)).astype(np.float32), 22.0) for s in SEVEN]
    four = [InkStroke((s * 8 + (150, 40)).astype(np.float32), 22.0) for s in FOUR]
    spy = Spy()
    reader = NumberReader(spy)
    reading = reader.read_strokes(seven + four)
    assert len(reading.digits) == 2
    whole = [d for d in spy.drawings if d is not None]
    assert len(whole) == len(spy.drawings)  # every candidate of a pad lattice has strokes
    assert any(len(d) == 1 and np.array_equal(d[0], seven[0].points) for d in whole)
    assert any(len(d) == 2 and np.array_equal(d[1], four[1].points) for d in whole)


def test_loading_folds_the_batch_norms_without_changing_the_readings(tmp_path):
    torch.manual_seed(1)
    net = StrokeNet(16).eval()
    for m in net.modules():  # statistics that are not the identity, so folding has work to do
        if isinstance(m, torch.nn.BatchNorm1d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
    x = torch.from_numpy(np.stack([trajectory(SEVEN), trajectory(FOUR)]))
    with torch.inference_mode():
        before = net(x)
    path = save_checkpoint(tmp_path / "s.pt", model_name=MODEL_NAME, state_dict=net.state_dict(), config={"width": 16})
    loaded = StrokeModel.from_file(path)
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in loaded.net.modules())
    with torch.inference_mode():
        assert torch.allclose(loaded.net(x), before, atol=1e-5)


def test_an_ensemble_file_reads_the_mean_of_its_nets_logits(tmp_path):
    from digitpad.stroke_model import StrokeEnsemble

    torch.manual_seed(2)
    nets = [StrokeNet(16).eval() for _ in range(3)]
    for net in nets:  # statistics that are not the identity, so folding has work to do
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
    x = torch.from_numpy(np.stack([trajectory(SEVEN), trajectory(FOUR)]))
    with torch.inference_mode():
        mean = torch.stack([n(x) for n in nets]).mean(dim=0)
        single = nets[0](x)
    path = save_checkpoint(
        tmp_path / "e.pt",
        model_name=MODEL_NAME,
        state_dict=StrokeEnsemble(nets).state_dict(),
        config={"width": 16, "members": 3},
        meta={"temperature": 1.5},
    )
    loaded = StrokeModel.from_file(path)
    assert isinstance(loaded.net, StrokeEnsemble) and len(loaded.net.members) == 3
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in loaded.net.modules())
    with torch.inference_mode():
        assert torch.allclose(loaded.net(x), mean, atol=1e-5)
        assert not torch.allclose(mean, single, atol=1e-3)  # the others count
    probs = loaded.probabilities([SEVEN, FOUR])
    assert np.allclose(probs, torch.softmax(mean / 1.5, 1).numpy(), atol=1e-6)


def test_a_loaded_ensemble_reads_as_one_batched_net_with_the_same_logits(tmp_path):
    from digitpad.stroke_model import BatchedNets, StrokeEnsemble

    torch.manual_seed(3)
    nets = [StrokeNet(16).eval() for _ in range(3)]
    for net in nets:
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
    path = save_checkpoint(
        tmp_path / "e.pt",
        model_name=MODEL_NAME,
        state_dict=StrokeEnsemble(nets).state_dict(),
        config={"width": 16, "members": 3},
    )
    loaded = StrokeModel.from_file(path)
    assert isinstance(loaded.run, BatchedNets) and loaded.run.n == 3
    x = torch.randn(5, 5, 64)  # several drawings at once, as a number's candidates come
    with torch.inference_mode():
        expected = torch.stack([n(x) for n in nets]).mean(dim=0)
        assert torch.allclose(loaded.run(x), expected, atol=1e-5)
        assert torch.allclose(loaded.run(x[:1]), expected[:1], atol=1e-5)


def test_an_ensemble_whose_batch_norms_are_not_folded_reads_member_by_member():
    from digitpad.stroke_model import StrokeEnsemble

    ensemble = StrokeEnsemble([StrokeNet(16).eval(), StrokeNet(16).eval()])
    model = StrokeModel(ensemble)  # built directly, not loaded: nothing folded, so nothing to batch
    assert model.run is ensemble
    x = torch.from_numpy(trajectory(SEVEN)[None])
    with torch.inference_mode():
        expected = torch.softmax(ensemble(x), 1).numpy()
    assert np.allclose(model.probabilities([SEVEN]), expected, atol=1e-6)


def test_an_ensemble_file_with_a_wrong_count_of_nets_is_refused(tmp_path):
    from digitpad.stroke_model import MAX_MEMBERS, StrokeEnsemble

    two = StrokeEnsemble([StrokeNet(16), StrokeNet(16)]).state_dict()
    for members, match in ((3, "does not fit"), (1, "does not fit"), (MAX_MEMBERS + 1, "stroke nets"), ("2", "nets")):
        path = save_checkpoint(
            tmp_path / "e.pt", model_name=MODEL_NAME, state_dict=two, config={"width": 16, "members": members}
        )
        with pytest.raises(CheckpointError, match=match):
            StrokeModel.from_file(path)


def test_on_the_pad_a_plain_digit_path_turns_a_doubtful_picture_into_a_reading():
    from digitpad.predictor import Predictor
    from tests.test_verdict import Fixed, drawing

    doubtful = Predictor(Fixed([1.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2.0]))  # "a 0, or no digit at all"
    alone = doubtful.predict_image(drawing())
    assert alone.verdict == "not-a-digit" and alone.digit == 0
    doubtful.strokes = StrokeModel(Fixed([6.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0]), 1.0, 1.0)  # plainly a 0
    read = doubtful.predict_image(drawing(), strokes=SEVEN)
    assert read.verdict == "digit" and read.digit == 0 and read.not_digit < alone.not_digit
    doubtful.strokes = StrokeModel(Fixed([0.0] * 10 + [6.0]), 1.0, 1.0)  # the path: no digit either
    assert doubtful.predict_image(drawing(), strokes=SEVEN).not_digit == pytest.approx(alone.not_digit, abs=1e-6)
