"""The stroke model: a second opinion from the pen path, for drawings made on the pad.

A small 1-D convolutional net reads :func:`digitpad.trajectory.trajectory`
(the strokes in writing order) and gives the same eleven classes as the image
model (ten digits and not-a-digit).  It sees what the picture loses (which way
a stroke went, where the pen was lifted: a 1's flag written as a lead-in is
not a 7's bar), so its mistakes are not the image model's.  The two are
combined log-linearly among the digits (:func:`combine`)::

    p(d)  ~  p_image(d) * p_strokes(d | a digit) ** (weight * (1 - p_strokes(not a digit)))

with ``weight`` fitted on the validation writers and stored in the file's
meta (``combine_weight``).  On the pad the strokes may also vouch for a
digit the picture doubts (``combine(..., vouch=True)``: they lower the
not-a-digit probability, never raise it).  The predictor asks the stroke
model only when the picture is unsure (``predictor.VOTE_BELOW``).  Image
files have no strokes: they are read by the image model alone.

A file may hold several nets trained from different seeds (``digitpad
train-strokes --members N``, :class:`StrokeEnsemble`): their logits are
averaged, so the model gives one opinion, not N.

    model = StrokeModel.from_file(shipped_stroke_weights())
    probs = combine(image_probs, model.probabilities([strokes]), model.weight)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from digitpad.checkpoint import read_weights_payload
from digitpad.errors import CheckpointError
from digitpad.stroke_recipe import MAX_COMBINE_WEIGHT
from digitpad.trajectory import CHANNELS, trajectory

log = logging.getLogger(__name__)

MODEL_NAME = "strokes"
CLASSES = 11
WIDTH = 64
MAX_WIDTH = 256
MAX_MEMBERS = 8


class StrokeNet(nn.Module):
    """conv1d 5-w-w / pool / conv 1.5w / pool / conv 2w at 64, 32 and 16 points; global avg+max; linear."""

    def __init__(self, width: int = WIDTH, classes: int = CLASSES) -> None:
        super().__init__()
        w = width

        def block(c_in: int, c_out: int, k: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv1d(c_in, c_out, k, padding=k // 2), nn.BatchNorm1d(c_out), nn.ReLU())

        self.features = nn.Sequential(
            block(CHANNELS, w * 3 // 4, 5),
            block(w * 3 // 4, w, 5),
            nn.MaxPool1d(2),
            block(w, w * 3 // 2, 3),
            nn.MaxPool1d(2),
            block(w * 3 // 2, 2 * w, 3),
        )
        self.fc = nn.Linear(4 * w, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x)
        return self.fc(torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1))


class StrokeEnsemble(nn.Module):
    """Several :class:`StrokeNet` of one width (different seeds); the logits are their mean."""

    def __init__(self, members: Sequence[StrokeNet]) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([m(x) for m in self.members]).mean(dim=0)

    def batched(self) -> nn.Module:
        """The same function as one batched net (:class:`BatchedNets`) when every member's blocks are
        folded (conv + ReLU, as loading leaves them); else ``self``."""
        try:
            return BatchedNets(list(self.members))  # type: ignore[arg-type]
        except ValueError:
            return self


class BatchedNets(nn.Module):
    """N folded :class:`StrokeNet` of one width run together for inference: each layer is one batched
    matrix product over the members (``torch.bmm`` on the unfolded input) instead of N small convs,
    the logits averaged.  On one CPU thread 3 nets of width 64 read a drawing in about 1.5 times
    one net's time (0.47 vs 0.32 ms), where the loop over the members took 3 times (0.99 ms)."""

    def __init__(self, members: Sequence[StrokeNet]) -> None:
        super().__init__()
        self.n = len(members)
        self.layers: list[tuple[torch.Tensor, torch.Tensor, int] | nn.Module] = []
        for parts in zip(*(net.features for net in members), strict=True):
            if isinstance(parts[0], nn.MaxPool1d):
                self.layers.append(parts[0])
                continue
            convs = [p[0] for p in parts]
            if not all(
                isinstance(p[1], nn.Identity) and isinstance(c, nn.Conv1d) for p, c in zip(parts, convs, strict=True)
            ):
                raise ValueError("only folded nets (conv + ReLU blocks) can be batched")
            k = convs[0].kernel_size[0]
            weight = torch.stack([c.weight.detach().reshape(c.out_channels, -1) for c in convs])  # (n, out, in * k)
            bias = torch.stack([c.bias.detach() for c in convs])[:, :, None]
            self.layers.append((weight, bias, k))
        self.fc_weight = torch.stack([net.fc.weight.detach().t() for net in members])  # (n, 4w, classes)
        self.fc_bias = torch.stack([net.fc.bias.detach() for net in members])[:, None, :]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, b = self.n, x.shape[0]
        h = x.unsqueeze(0).expand(n, -1, -1, -1)  # (n, b, channels, points)
        for layer in self.layers:
            if isinstance(layer, nn.Module):
                h = layer(h.reshape(n * b, *h.shape[2:])).view(n, b, h.shape[2], -1)
                continue
            weight, bias, k = layer
            points = h.shape[3]
            cols = nn.functional.pad(h, (k // 2, k // 2)).unfold(3, k, 1)  # (n, b, c, points, k)
            cols = cols.permute(0, 2, 4, 1, 3).reshape(n, -1, b * points)  # (n, c * k, b * points)
            out = torch.relu(torch.baddbmm(bias, weight, cols))  # (n, out, b * points)
            h = out.view(n, -1, b, points).transpose(1, 2)
        features = torch.cat([h.mean(dim=3), h.amax(dim=3)], dim=2)  # (n, b, 4w)
        return torch.baddbmm(self.fc_bias, features, self.fc_weight).mean(dim=0)


def build_stroke_net(width: int = WIDTH, members: int = 1) -> nn.Module:
    """An untrained stroke model as a file's ``config`` describes it: one net, or ``members`` of them."""
    if members == 1:
        return StrokeNet(width)
    return StrokeEnsemble([StrokeNet(width) for _ in range(members)])


@dataclass
class StrokeModel:
    """A loaded stroke model in eval mode, its temperature and its weight in the combination."""

    net: nn.Module  # a StrokeNet or a StrokeEnsemble: (N, 5, 64) -> logits (N, 11)
    temperature: float = 1.0
    weight: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)
    run: nn.Module = field(init=False, repr=False)  # what reads: ``net``, or an ensemble batched

    def __post_init__(self) -> None:
        self.run = self.net.batched() if isinstance(self.net, StrokeEnsemble) else self.net

    @classmethod
    def from_file(cls, path: str | Path) -> StrokeModel:
        """Load a stroke weights file (``torch.load(weights_only=True)``). Raises ``CheckpointError``."""
        path = Path(path)
        return cls.from_payload(read_weights_payload(path), path)

    @classmethod
    def from_payload(cls, raw: Mapping[str, Any], path: Path) -> StrokeModel:
        """The model in a stroke weights file's payload, already read from ``path`` (named in errors)."""
        if raw.get("model") != MODEL_NAME:
            raise CheckpointError(f"{path.name} is not a stroke model (it holds {str(raw.get('model'))[:40]!r})")
        config = raw.get("config") or {}
        meta = raw.get("meta") or {}
        if not isinstance(config, dict) or not isinstance(meta, dict):
            raise CheckpointError(f"weights file {path.name} has malformed config or meta")
        width = config.get("width", WIDTH)
        if not isinstance(width, int) or not 8 <= width <= MAX_WIDTH:
            raise CheckpointError(f"weights file {path.name} asks for a stroke model of width {width!r}")
        members = config.get("members", 1)
        if not isinstance(members, int) or not 1 <= members <= MAX_MEMBERS:
            raise CheckpointError(f"weights file {path.name} asks for {members!r} stroke nets")
        net = build_stroke_net(width, members)
        try:
            net.load_state_dict(raw["state_dict"])
        except (RuntimeError, KeyError) as exc:
            raise CheckpointError(f"weights file {path.name} does not fit the stroke model: {exc}") from None
        return cls.from_net(net, meta)

    @classmethod
    def from_net(cls, net: nn.Module, meta: Mapping[str, Any] | None = None) -> StrokeModel:
        meta = dict(meta or {})
        t = meta.get("temperature", 1.0)
        w = meta.get("combine_weight", 0.5)
        temperature = float(t) if isinstance(t, (int, float)) and 0 < t < 100 else 1.0
        weight = float(w) if isinstance(w, (int, float)) and 0 <= w <= MAX_COMBINE_WEIGHT else 0.5
        return cls(_fused(net.cpu().eval()), temperature, weight, meta)

    def probabilities(self, drawings: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
        """Calibrated ``(N, 11)`` for N drawings (each a list of ``(k, 2)`` point arrays); a row of
        zeros for a drawing without points."""
        seqs = [trajectory(d) for d in drawings]
        out = np.zeros((len(seqs), CLASSES), np.float32)
        live = [k for k, s in enumerate(seqs) if s is not None]
        if live:
            x = torch.from_numpy(np.stack([seqs[k] for k in live]))  # type: ignore[misc]
            with torch.inference_mode():
                logits = self.run(x).float()
                out[np.asarray(live)] = torch.softmax(logits / self.temperature, dim=1).numpy()
        return out


def _fused(net: nn.Module) -> nn.Module:
    """Each block's Conv1d+BatchNorm1d folded into one conv (eval only; about a third faster, same outputs)."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    for block in list(net.modules()):
        if not isinstance(block, nn.Sequential) or len(block) < 2:
            continue
        conv, norm = block[0], block[1]
        if isinstance(conv, nn.Conv1d) and isinstance(norm, nn.BatchNorm1d):
            block[0] = fuse_conv_bn_eval(conv, norm)
            block[1] = nn.Identity()
    return net


def default_stroke_model() -> StrokeModel | None:
    """The stroke model the pad uses: the user's own (``digitpad train-strokes``), else the shipped one;
    None when neither file is there or usable (then the pad reads with the image model alone)."""
    from digitpad.resources import stroke_weights

    path = stroke_weights()
    if path is None:
        return None
    try:
        return StrokeModel.from_file(path)
    except CheckpointError as error:
        log.warning("stroke model not used: %s", error)
        return None


def stroke_model_option(choice: str | None) -> StrokeModel | None:
    """``--strokes`` of the benchmarks and tools: None or "default" -> :func:`default_stroke_model`,
    "none" -> no stroke model (the image model alone), otherwise a stroke weights file."""
    if choice is None or choice == "default":
        return default_stroke_model()
    if choice == "none":
        return None
    return StrokeModel.from_file(choice)


def combine(image: np.ndarray, strokes: np.ndarray, weight: float, *, vouch: bool = False) -> np.ndarray:
    """The digits' share of ``image`` re-weighted by the stroke model's digit reading (``(N, C)``, C = 10 or 11).

    Among the ten digits, ``p(d) ~ p_image(d) * p_strokes(d | a digit) ** (weight * s)``, scaled
    back to the image model's digit mass, where ``s = 1 - p_strokes(not a digit)``: the less the
    path looks like a digit to the stroke model, the less its digit reading counts.  The image
    model's not-a-digit column (C = 11) is kept as it is, unless ``vouch``.  So the strokes
    say *which* digit, never that it is *not* one: on validation numbers a stroke model that also
    voted on not-a-digit turned one writer's 9s into "?" (its shapes, not the picture's, resemble
    the partial-digit family).

    ``vouch`` (what the pad does): the strokes may *lower* the picture's not-a-digit probability,
    never raise it: ``nd = min(nd_image, nd of image * strokes ** weight over all 11 classes)``, and
    the digits share ``1 - nd``.  A real digit the picture doubts (a fat-pen 0 or 8 whose loops
    filled in) is then read when its path is plainly a digit; a path the strokes take for no digit
    changes nothing.  Rows where either side is all zeros (nothing to read, no points) keep the
    image's probabilities.
    """
    image = np.asarray(image, np.float64)
    strokes = np.asarray(strokes, np.float64)
    digits = strokes[:, :10]
    out = image.copy()
    mass = image[:, :10].sum(axis=1)
    live = (mass > 0) & (digits.sum(axis=1) > 0)
    if weight > 0 and live.any():
        vote = digits[live] / digits[live].sum(axis=1, keepdims=True)
        # A path the stroke model does not take for a digit says little about which digit it is.
        sure = 1.0 - strokes[live, 10] if strokes.shape[1] > 10 else np.ones(int(live.sum()))
        w = weight * sure[:, None]
        logp = np.log(np.maximum(image[live, :10], 1e-12)) + w * np.log(np.maximum(vote, 1e-12))
        p = _softmax_rows(logp)
        share = mass[live]
        if vouch and image.shape[1] > 10 and strokes.shape[1] > 10:
            joint = np.log(np.maximum(image[live, :11], 1e-12)) + weight * np.log(np.maximum(strokes[live, :11], 1e-12))
            not_digit = np.minimum(image[live, 10], _softmax_rows(joint)[:, 10])
            out[live, 10] = not_digit
            share = 1.0 - not_digit
        out[live, :10] = p * share[:, None]
    return out.astype(np.float32)


def _softmax_rows(logp: np.ndarray) -> np.ndarray:
    p = np.exp(logp - logp.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)
