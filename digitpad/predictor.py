"""Inference on the CPU with torch alone (no torchvision, no Qt, no threads).

One ``Predictor`` owns one model; create it in the thread that will use it.

    predictor = Predictor.from_checkpoint(shipped_weights())
    prediction = predictor.predict_image(gray, alpha)   # -> Prediction

Probabilities are calibrated: the logits are divided by the temperature stored
in the checkpoint (``meta["temperature"]``, fitted on the validation split;
1.0 when absent) before the softmax.  A model with an 11th, not-a-digit output
keeps the public view of ten digit probabilities: ``probabilities`` are the ten
digits' shares of the 11-way softmax (they sum to ``1 - not_digit``), and
``not_digit`` is the 11th; ``digit.verdict`` turns them into the verdict.

A drawing made on the pad may come with its pen strokes: with a stroke model
attached (``predictor.strokes``, :mod:`digitpad.stroke_model`) they re-weight the
ten digits when the picture alone is unsure, and may vouch that a doubtful drawing is a digit after
all (:meth:`Predictor.vote`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from digitpad.checkpoint import MNIST_MEAN, MNIST_STD, Checkpoint, load_checkpoint
from digitpad.errors import CheckpointError
from digitpad.stroke_model import StrokeModel, combine
from digitpad.verdict import EMPTY, VerdictRule, decide

VOTE_BELOW = 0.99
"""The stroke model is asked only when the image model's best digit is under this probability.

On the validation writers (26-30) replayed on the canvas, asking it for every drawing or only for
the 11.5% under 0.99 (or the 3.2% under 0.9) gave the same readings (99.78% right, 99.42% "digit",
non-digits 98.66% rejected; image alone: 99.42 / 99.20 / 98.66%), so a sure drawing costs one
network, not two.  Checked again with the vouching, on a fresh validation set (pens 12/40/30/8):
4,979 of 4,992 right at 0.99, 0.999 and always alike."""


@dataclass(frozen=True)
class Prediction:
    empty: bool
    digit: int | None  # the best digit; None when empty
    confidence: float  # calibrated probability of ``digit`` (0.0 when empty)
    probabilities: np.ndarray  # float32 (10,) calibrated digit probabilities, all zeros when empty
    preview: np.ndarray  # uint8 (28, 28), what the network saw
    verdict: str = EMPTY  # "digit" | "unsure" | "not-a-digit" | "empty" (digitpad.verdict)
    not_digit: float = 0.0  # calibrated probability that the drawing is no digit at all
    runner_up: int | None = None  # the second-best digit ("1 or 7?"); None when empty


class Predictor:
    """A model in eval mode plus the normalisation it was trained with."""

    def __init__(
        self,
        model: nn.Module,
        *,
        model_name: str = "",
        mean: float = MNIST_MEAN,
        std: float = MNIST_STD,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        # channels-last: ~20% faster single-image convs on x86 CPUs (measured)
        self.model = _fuse_for_inference(model.cpu().eval()).to(memory_format=torch.channels_last)
        self.model_name = model_name
        self.mean = float(mean)
        self.std = float(std)
        self.meta: dict[str, Any] = dict(meta or {})
        t = self.meta.get("temperature", 1.0)
        self.temperature = float(t) if isinstance(t, (int, float)) and t > 0 else 1.0
        self.verdict_rule = VerdictRule.from_meta(self.meta)
        self.strokes: StrokeModel | None = None  # the pad's second opinion (digitpad.stroke_model), if attached

    @classmethod
    def from_checkpoint(cls, path: str | Path) -> Predictor:
        """Load a weights file once. Raises ``CheckpointError``."""
        return cls.from_loaded(load_checkpoint(path))

    @classmethod
    def from_loaded(cls, checkpoint: Checkpoint) -> Predictor:
        return cls(
            checkpoint.build_model(),
            model_name=checkpoint.model,
            mean=checkpoint.mean,
            std=checkpoint.std,
            meta=checkpoint.meta,
        )

    @classmethod
    def from_state_dict(
        cls,
        model_name: str,
        state_dict: Mapping[str, torch.Tensor],
        *,
        model_config: Mapping[str, Any] | None = None,
        mean: float = MNIST_MEAN,
        std: float = MNIST_STD,
        meta: Mapping[str, Any] | None = None,
    ) -> Predictor:
        """From CPU weights handed over by a trainer (e.g. through a Qt signal)."""
        ckpt = Checkpoint(
            model=model_name,
            state_dict=state_dict,
            config={"model_config": dict(model_config or {})},
            mean=mean,
            std=std,
            meta=dict(meta or {}),
        )
        return cls.from_loaded(ckpt)

    @property
    def test_accuracy(self) -> float | None:
        value = self.meta.get("test_accuracy")
        return float(value) if isinstance(value, (int, float)) else None

    def predict_batch(self, inputs: np.ndarray) -> np.ndarray:
        """Calibrated digit probabilities ``(N, 10)`` float32 for standardised inputs ``(N, 28, 28)``.

        For a model with a not-a-digit output these are the first ten of
        :meth:`predict_all` (summing to 1 - P(not a digit)).
        """
        return self.predict_all(inputs)[:, :10]

    def predict_all(self, inputs: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of every output ``(N, C)``: 10 digits (+ not-a-digit)."""
        x = np.asarray(inputs, dtype=np.float32)
        if x.ndim == 2:
            x = x[None]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise ValueError(f"expected inputs of shape (N, 28, 28), got {x.shape}")
        if x.shape[0] == 0:
            return np.zeros((0, 10), dtype=np.float32)
        with torch.inference_mode():
            t = torch.from_numpy(np.ascontiguousarray(x)).unsqueeze(1)
            logits = self.model(t.contiguous(memory_format=torch.channels_last)).float()
            return torch.softmax(logits / self.temperature, dim=1).numpy().astype(np.float32, copy=False)

    def vote(self, image_probs: np.ndarray, drawings: Sequence[Sequence[np.ndarray] | None]) -> np.ndarray:
        """``image_probs`` ``(N, C)`` combined with the stroke model's reading of each drawing's strokes
        (:func:`digitpad.stroke_model.combine`, vouching: the strokes may lower the not-a-digit
        probability, never raise it) where the image model is less sure than :data:`VOTE_BELOW`;
        unchanged without a stroke model, and for a drawing whose strokes are None or empty."""
        if self.strokes is None or self.strokes.weight <= 0:
            return image_probs
        live = [k for k, d in enumerate(drawings) if d and float(image_probs[k, :10].max()) < VOTE_BELOW]
        if not live:
            return image_probs
        out = np.array(image_probs, np.float32, copy=True)
        votes = self.strokes.probabilities([drawings[k] for k in live])  # type: ignore[misc]
        out[live] = combine(out[live], votes, self.strokes.weight, vouch=True)
        return out

    def predict_image(
        self,
        image: Any,
        alpha: np.ndarray | None = None,
        *,
        dot_rule: bool = True,
        strokes: Sequence[np.ndarray] | None = None,
    ) -> Prediction:
        """Normalise an image like MNIST and classify it.

        ``image`` is a ``GrayImage`` (its alpha is used unless ``alpha`` is given) or
        a 2-D grayscale array (uint8 0..255 or float 0..1).  ``dot_rule=False``: the
        caller knows the pen moved (a pad drawing), so a solid blob is read, not taken for a dot.
        ``strokes``: the drawing's pen strokes (``(k, 2)`` points each, in writing order), when it was
        drawn on the pad; with a stroke model attached they are its second opinion.
        """
        from digitpad.normalize import normalize  # numpy + Pillow only

        gray = image
        if hasattr(image, "gray"):
            gray = image.gray
            if alpha is None:
                alpha = getattr(image, "alpha", None)
        norm = normalize(np.asarray(gray), alpha, mean=self.mean, std=self.std, dot_rule=dot_rule)
        if norm.empty or norm.input is None:
            return Prediction(True, None, 0.0, np.zeros(10, dtype=np.float32), norm.preview)
        return self.predict_normalized(norm.input, norm.preview, strokes=strokes)

    def predict_normalized(
        self, standardised: np.ndarray, preview: np.ndarray, *, strokes: Sequence[np.ndarray] | None = None
    ) -> Prediction:
        """Classify one already normalised input ``(28, 28)`` (``preview`` is shown as the network's view)."""
        full = self.vote(self.predict_all(standardised[None]), [strokes])[0]
        probs = np.ascontiguousarray(full[:10])
        not_digit = float(full[10]) if full.shape[0] > 10 else 0.0
        v = decide(probs, not_digit, self.verdict_rule)
        assert v.digit is not None
        return Prediction(False, v.digit, float(probs[v.digit]), probs, preview, v.verdict, not_digit, v.runner_up)


def _fuse_for_inference(model: nn.Module) -> nn.Module:
    """Fold each Conv2d+BatchNorm2d pair inside a Sequential into one conv (eval only).

    Same outputs to float rounding, about a third less work per image.
    """
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    for module in list(model.modules()):
        if not isinstance(module, nn.Sequential):
            continue
        children = list(module.children())
        for i in range(len(children) - 1):
            conv, bn = children[i], children[i + 1]
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d) and bn.track_running_stats:
                try:
                    module[i] = fuse_conv_bn_eval(conv, bn)
                    module[i + 1] = nn.Identity()
                except Exception as exc:  # pragma: no cover - defensive
                    raise CheckpointError(f"could not prepare the model for inference: {exc}") from exc
    return model
