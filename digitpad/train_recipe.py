"""Small pieces of the training recipe: the optimizer and its schedule, a device-side meter, evaluation points.

:class:`digitpad.trainer.Trainer` runs the loop; these keep it short.
"""

from __future__ import annotations

import time
from typing import Any

import torch
from torch import nn

from digitpad.train_options import TrainConfig


class Meter:
    """Loss/accuracy sums kept on the device: no host sync per step."""

    def __init__(self, device: torch.device) -> None:
        self.loss_sum = torch.zeros((), device=device)
        self.weighted = torch.zeros((), device=device)
        self.correct = torch.zeros((), device=device, dtype=torch.long)
        self.seen = self.steps = 0
        self.t0 = time.perf_counter()

    def add(self, loss: torch.Tensor, correct: torch.Tensor, n: int) -> None:
        self.loss_sum += loss
        self.weighted += loss * n
        self.correct += correct
        self.seen += n
        self.steps += 1

    def loss(self, per_sample: bool = False) -> float:
        """Mean loss per step, or per image with ``per_sample``."""
        if per_sample:
            return float(self.weighted) / max(self.seen, 1)
        return float(self.loss_sum) / max(self.steps, 1)

    def accuracy(self) -> float:
        return float(self.correct) / max(self.seen, 1)


def make_optimizer(cfg: TrainConfig, model: nn.Module, total: int) -> tuple[torch.optim.Optimizer, Any]:
    """SGD (Nesterov, momentum 0.9) or AdamW, under a one-cycle schedule of ``total`` steps peaking at ``cfg.lr``."""
    if cfg.optimizer == "sgd":
        opt: torch.optim.Optimizer = torch.optim.SGD(
            model.parameters(), lr=cfg.lr, momentum=0.9, nesterov=True, weight_decay=cfg.weight_decay
        )
    else:
        opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=total, pct_start=0.25)
    return opt, sched


def eval_points(per_epoch: int, evals: int) -> set[int]:
    """The steps of an epoch after which a mid-epoch evaluation runs (``evals`` per epoch, the last at its end)."""
    if evals <= 1:
        return set()
    return {round(per_epoch * i / evals) for i in range(1, evals)} - {0, per_epoch}
