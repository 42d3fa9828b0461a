"""The digit classifiers, by name: one registry, one interface.

Every model takes a float tensor ``(N, 1, 28, 28)`` standardised with MNIST's
mean/std and returns raw logits ``(N, 10)`` (``DigitPadNet(classes=11)``: ``(N, 11)``, the
last one not-a-digit).  This module imports torch only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from digitpad.model_catalog import CATALOGUE, DEFAULT_MODEL

__all__ = ["DEFAULT_MODEL", "MODELS", "ModelInfo", "build_model", "describe", "model_names", "parameter_count"]


class Linear(nn.Module):
    """Multinomial logistic regression on the 784 pixels."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(28 * 28, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.flatten(1))


class MLP(nn.Module):
    """Two hidden layers, 784-500-100-10."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(28 * 28, 500),
            nn.ReLU(inplace=True),
            nn.Linear(500, 100),
            nn.ReLU(inplace=True),
            nn.Linear(100, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class TutorialCNN(nn.Module):
    """pytorch/examples ``mnist/main.py``'s net with conv16/conv32/fc128."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(32 * 12 * 12, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = torch.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.relu(self.fc1(x.flatten(1)))
        x = self.dropout2(x)
        return self.fc2(x)


def _conv_bn(cin: int, cout: int, kernel: int, padding: int = 0, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=padding, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class BatchNormCNN(nn.Module):
    """Four 3x3 conv layers (5/10/20/40 channels) with BatchNorm, then fc 200-500-10."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            _conv_bn(1, 5, 3, padding=1),
            _conv_bn(5, 10, 3, padding=1),
            nn.MaxPool2d(2),  # 14x14
            _conv_bn(10, 20, 3, padding=1),
            _conv_bn(20, 40, 3, padding=1),
            nn.MaxPool2d(2),  # 7x7
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(40 * 7 * 7, 200),
            nn.BatchNorm1d(200),
            nn.ReLU(inplace=True),
            nn.Linear(200, 500),
            nn.BatchNorm1d(500),
            nn.ReLU(inplace=True),
            nn.Linear(500, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class DigitPadNet(nn.Module):
    """DigitPad's default: a compact all-conv BatchNorm net.

    28x28 -> conv(3x3)x2 at 28 px -> pool -> conv(3x3)x2 at 14 px -> pool ->
    conv(3x3) at 7 px -> global average + max pool -> linear.  Global pooling
    (rather than a big fc layer) keeps it small and tolerant of where the digit
    sits; everything is sized so one image runs in well under a millisecond on
    one CPU core.
    """

    def __init__(self, width: int = 32, classes: int = 10) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            _conv_bn(1, w // 2, 3, padding=1),
            _conv_bn(w // 2, w, 3, padding=1),
            nn.MaxPool2d(2),  # 14x14
            _conv_bn(w, 2 * w, 3, padding=1),
            _conv_bn(2 * w, 2 * w, 3, padding=1),
            nn.MaxPool2d(2),  # 7x7
            _conv_bn(2 * w, 4 * w, 3, padding=1),
        )
        self.dropout = nn.Dropout(0.1)
        # classes=11 adds a not-a-digit output (logit 10) after the ten digits
        self.fc = nn.Linear(8 * w, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)
        return self.fc(self.dropout(x))


class DigitPadEnsemble(nn.Module):
    """Several :class:`DigitPadNet` of one shape read together: their logits are averaged.

    Independently trained nets err on different drawings, so the mean can read more
    of them right (``digitpad ensemble`` builds one from trained files; weights/README.md,
    round 29).  Its state dict is the members' under ``members.0.``, ``members.1.``, ...
    and three scalars: in eval mode the other nets are asked only about the images
    where the first, at its own temperature (``first_temperature``), is less sure of
    its top class than ``ask_below`` (1: always, the plain mean); the others get
    the first net's logits, and the file's temperature is fitted on that output.
    With ``first_not_digit`` 1 (11 outputs) the not-a-digit logit is the first
    net's alone and only the digits are averaged.  Training always reads every net.
    """

    ask_below: torch.Tensor
    first_temperature: torch.Tensor
    first_not_digit: torch.Tensor

    def __init__(self, width: int = 32, classes: int = 10, members: int = 2) -> None:
        super().__init__()
        self.members = nn.ModuleList(DigitPadNet(width, classes) for _ in range(members))
        self.register_buffer("ask_below", torch.tensor(1.0))
        self.register_buffer("first_temperature", torch.tensor(1.0))
        self.register_buffer("first_not_digit", torch.tensor(0.0))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        first = self.members[0](x)
        if self.training or float(self.ask_below) >= 1.0:
            return self._mean(first, [m(x) for m in self.members[1:]])
        sure = torch.softmax(first / self.first_temperature, dim=1).amax(dim=1)
        ask = sure < self.ask_below
        if not bool(ask.any()):
            return first
        part = x[ask]
        out = first.clone()
        out[ask] = self._mean(first[ask], [m(part) for m in self.members[1:]])
        return out

    def _mean(self, first: torch.Tensor, others: list[torch.Tensor]) -> torch.Tensor:
        out = torch.stack([first, *others]).mean(dim=0)
        if float(self.first_not_digit) > 0 and out.shape[1] > 10:
            out = torch.cat([out[:, :10], first[:, 10:]], dim=1)
        return out


@dataclass(frozen=True)
class ModelInfo:
    name: str
    description: str
    factory: Callable[..., nn.Module]


_FACTORIES: dict[str, Callable[..., nn.Module]] = {
    "linear": Linear,
    "mlp": MLP,
    "cnn": TutorialCNN,
    "bncnn": BatchNormCNN,
    "digitpad": DigitPadNet,
    "digitpad-ensemble": DigitPadEnsemble,
}
# Names and descriptions come from the torch-free catalogue (digitpad.model_catalog).
MODELS: dict[str, ModelInfo] = {
    name: ModelInfo(name, CATALOGUE[name].description, factory) for name, factory in _FACTORIES.items()
}


def model_names() -> list[str]:
    """Registered model names, in display order."""
    return list(MODELS)


def describe(name: str) -> str:
    """The one-line description of a registered model."""
    return _info(name).description


def _info(name: str) -> ModelInfo:
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(MODELS)}") from None


def build_model(name: str = DEFAULT_MODEL, **config: Any) -> nn.Module:
    """A freshly initialised model; ``config`` goes to its constructor (e.g. ``width``)."""
    return _info(name).factory(**config)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
