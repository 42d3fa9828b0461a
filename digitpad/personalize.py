"""Personalising: fine-tune the weights in use on a person's samples without forgetting everyone else.

    run = Personalizer(load_checkpoint(weights), images, labels)   # uint8 (N, 28, 28), int (N,)
    for event in run.run():        # Progressed..., then Finished | Cancelled
        ...
    run.result.report.accepted, run.result.report.summary
    run.save(path)                 # only when accepted

Like the trainer, a run is an iterator of small frozen events that never
prints; ``stop()`` is thread-safe and checked between steps.

The recipe: start from the weights in use; BatchNorm statistics frozen (tiny
batches would wreck them); each step mixes a batch of the person's samples,
augmented like training, with a batch of general digits (``replay``: the
shipped MNIST-training subset, :mod:`digitpad.replay`), or, with
``method="l2sp"``, no general digits at all but an L2 pull towards the
starting weights (L2-SP).  ``benchmarks/bench_personalize.py`` compares the two.
At the end of a run the weights move back a little towards the start
(``keep``: 85% of the change is kept), which forgets less for a few fixes.

The guard: a quarter of the person's samples (stratified by digit and by
whether the starting model misread them) is held out and a first run trains
on the rest.  The change is accepted only if that run reads the held-out
samples better than the starting weights did, and general accuracy (on the
shipped guard digits, never trained on) drops by at most ``max_general_drop``.
If accepted, a second run with the same recipe trains on all the samples and
is checked on the guard digits again; that is the model kept.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from digitpad.checkpoint import Checkpoint, save_checkpoint
from digitpad.errors import TrainingError
from digitpad.replay import ReplaySet, load_replay

METHODS = ("replay", "l2sp")
MIN_SAMPLES = 2


@dataclass(frozen=True)
class PersonalizeConfig:
    method: str = "replay"  # "replay" (shipped general digits) | "l2sp" (none: pull towards the start)
    steps: int = 60  # optimizer steps per run (two runs when the check passes)
    personal_batch: int = 16
    replay_batch: int = 192
    lr: float = 3e-4  # Adam, cosine decay to 0 (Adam: frozen BatchNorm leaves the gradients badly scaled for SGD)
    optimizer: str = "adam"  # "adam" | "sgd" (Nesterov momentum 0.9)
    clip: float = 1.0  # gradient norm clipping (0: off)
    l2sp: float = 0.01  # weight of ||w - w_start||^2 (method "l2sp")
    # weight of matching the starting model's outputs on the general digits ("replay").  With replay_batch,
    # tuned on generated users (Pendigits .tra writers 26-30 sheared, rotated or squeezed so the shipped
    # weights misread them; general digits: MNIST training digits outside the shipped subsets), 8 users:
    # distill 4, replay 96: errors 181 -> 70, worst general 99.55%; distill 8: 69, 99.61%;
    # distill 8, replay 192: 38, 99.61%; distill 16, replay 192: 15, 99.64%; distill 24: 14, 99.64%;
    # distill 48: 13, 99.69%; distill 64: 12, 99.71%; distill 96: 13, 99.71% (base 99.77%);
    # lr 1.5e-4 or 40 steps: the guard refused most users.
    distill: float = 64.0
    personal_weight: float = 1.0  # weight of the personal samples' loss
    holdout: float = 0.25  # share of the samples held out for the check
    max_general_drop: float = 0.003  # 0.3 points
    seed: int = 0
    threads: int | None = 1  # torch CPU threads (process-wide); None leaves torch's setting
    refit_on_all: bool = True  # after a passed check, train again on every sample
    tune_last: int = 0  # >0: train only the last N parameter tensors (the head), the rest stays as it was
    precision: str = "auto"  # "auto" (bfloat16 autocast where the CPU has native bf16) | "fp32" | "bf16"
    # Share of the fine-tuned change kept: w_start + keep * (w_tuned - w_start), weight-space ensembling
    # (WiSE-FT).  The digits above were measured on MNIST training digits the weights had trained on, where
    # forgetting hardly shows; on the 4,474 MNIST validation digits they never saw (base 99.49%), same users,
    # largest drop: keep 1 (distill 64): 12 errors, 0.16 points; distill 128: 13, 0.16; keep 0.85: 14, 0.13;
    # keep 0.75: 18, 0.13; keep 0.5: 38 errors.
    keep: float = 0.85


@dataclass(frozen=True)
class Progressed:
    stage: str  # "checking" (the run on the training share) | "adapting" (the run on all samples)
    step: int  # steps done in the whole job
    steps_total: int
    loss: float


@dataclass(frozen=True)
class GuardReport:
    """What the no-regression check saw, and the decision. Accuracies are fractions."""

    accepted: bool
    summary: str  # one plain sentence for the user
    samples: int
    held_out: int
    personal_before: float
    personal_after: float
    general_count: int
    general_before: float
    general_after: float  # of the kept model (the run on all samples when accepted)
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Finished:
    report: GuardReport


@dataclass(frozen=True)
class Cancelled:
    seconds: float


Event = Progressed | Finished | Cancelled


@dataclass(frozen=True)
class PersonalizeResult:
    report: GuardReport
    state_dict: dict[str, torch.Tensor] | None = field(repr=False)  # CPU; None when refused


def holdout_split(labels: np.ndarray, misread: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """``(train_idx, held_idx)``: every k-th sample of each (digit, misread) group is held out.

    At least one sample is held out (and at least one kept) whenever there are two.
    """
    n = len(labels)
    if n < MIN_SAMPLES:
        return np.arange(n), np.zeros(0, np.int64)
    step = max(2, round(1 / max(share, 1e-6)))
    order = sorted(range(n), key=lambda i: (int(misread[i]) * -1, int(labels[i]), i))  # misreads first
    held = order[step - 1 :: step] or [order[-1]]
    if misread.any() and not misread[held].any():
        held[0] = int(np.flatnonzero(misread)[0])  # the check must see a sample the model got wrong
    held_set = set(held)
    train = np.asarray([i for i in range(n) if i not in held_set], np.int64)
    return train, np.asarray(sorted(held_set), np.int64)


class Personalizer:
    """One personalisation job; ``run()`` yields events, ``stop()`` is thread-safe."""

    def __init__(
        self,
        base: Checkpoint,
        images: np.ndarray,
        labels: np.ndarray,
        config: PersonalizeConfig = PersonalizeConfig(),
        replay: ReplaySet | None = None,
    ) -> None:
        if config.method not in METHODS:
            raise TrainingError(f"unknown personalisation method {config.method!r}: use {' or '.join(METHODS)}")
        if not 0.0 <= config.keep <= 1.0:
            raise TrainingError(f"keep must be between 0 and 1, not {config.keep}")
        if config.optimizer not in ("adam", "sgd"):
            raise TrainingError(f"unknown optimizer {config.optimizer!r}: use adam or sgd")
        images = np.asarray(images)
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
            raise TrainingError("personal samples must be uint8 images of shape (N, 28, 28)")
        if len(images) < MIN_SAMPLES:
            raise TrainingError(f"personalising needs at least {MIN_SAMPLES} samples (there are {len(images)})")
        self.base = base
        self.images = images
        self.labels = np.asarray(labels, np.int64)
        self.config = config
        self._replay = replay
        self._stop = threading.Event()
        self._result: PersonalizeResult | None = None

    def stop(self) -> None:
        """Ask the run to end after the current step (any thread)."""
        self._stop.set()

    @property
    def result(self) -> PersonalizeResult | None:
        return self._result

    # ------------------------------------------------------------------ the job
    def run(self) -> Iterator[Event]:
        cfg = self.config
        t0 = time.perf_counter()
        if cfg.threads:
            torch.set_num_threads(max(1, int(cfg.threads)))
        replay = self._replay or load_replay()  # DataError when missing
        base_model = self.base.build_model()
        mean, std = self.base.mean, self.base.std
        x_all = torch.from_numpy(self.images.copy())
        y_all = torch.from_numpy(self.labels.copy())
        guard_x = torch.from_numpy(replay.guard_images)
        guard_y = torch.from_numpy(replay.guard_labels)

        base_pred = _predict(base_model, x_all, mean, std)
        train_idx, held_idx = holdout_split(self.labels, base_pred != self.labels, cfg.holdout)
        general_before = _accuracy(_predict(base_model, guard_x, mean, std), guard_y)
        personal_before = _accuracy(base_pred[held_idx], y_all[held_idx])
        total = cfg.steps * (2 if cfg.refit_on_all else 1)
        misread = base_pred != self.labels
        confused = np.unique(base_pred[misread])

        checked = yield from self._fine_tune(
            base_model, x_all[train_idx], y_all[train_idx], replay, 0, total, "checking", confused
        )
        if checked is None:
            yield Cancelled(time.perf_counter() - t0)
            return
        personal_after = _accuracy(_predict(checked, x_all[held_idx], mean, std), y_all[held_idx])
        general_checked = _accuracy(_predict(checked, guard_x, mean, std), guard_y)
        kept: nn.Module | None = None
        general_after = general_checked
        drop = general_before - general_checked
        if drop > cfg.max_general_drop:
            reason = (
                f"Kept the weights in use: adapting would read general digits worse "
                f"({general_before:.2%} -> {general_checked:.2%}, more than {cfg.max_general_drop:.1%} lost)."
            )
        elif personal_after <= personal_before:
            reason = (
                f"Kept the weights in use: adapting did not read your held-out samples better "
                f"({personal_before:.0%} before, {personal_after:.0%} after)."
            )
        else:
            kept = checked
            if cfg.refit_on_all:
                final = yield from self._fine_tune(
                    base_model, x_all, y_all, replay, cfg.steps, total, "adapting", confused
                )
                if final is None:
                    yield Cancelled(time.perf_counter() - t0)
                    return
                general_final = _accuracy(_predict(final, guard_x, mean, std), guard_y)
                if general_before - general_final <= cfg.max_general_drop:
                    kept, general_after = final, general_final
            reason = (
                f"Switched to your handwriting: held-out samples {personal_before:.0%} -> {personal_after:.0%}, "
                f"general digits {general_before:.2%} -> {general_after:.2%}."
            )
        report = GuardReport(
            accepted=kept is not None,
            summary=reason,
            samples=len(self.labels),
            held_out=len(held_idx),
            personal_before=personal_before,
            personal_after=personal_after,
            general_count=len(guard_y),
            general_before=general_before,
            general_after=general_after,
            seconds=time.perf_counter() - t0,
        )
        state = None
        if kept is not None:
            state = {k: v.detach().cpu().clone() for k, v in kept.state_dict().items()}
        self._result = PersonalizeResult(report, state)
        yield Finished(report)

    def save(self, path: str | Path) -> Path:
        """Write the accepted model as a checkpoint (works with ``--weights`` everywhere)."""
        r = self._result
        if r is None or r.state_dict is None:
            raise TrainingError("nothing to save: the personalisation was not accepted")
        meta = {k: v for k, v in self.base.meta.items() if k not in ("history", "confusion", "per_class")}
        meta.update(
            personalized=True,
            personal_samples=r.report.samples,
            base_weights=self.base.path.name if self.base.path else "",
            personalize_report=r.report.as_dict(),
            personalize_config=asdict(self.config),
            general_accuracy=r.report.general_after,
        )
        meta.pop("test_accuracy", None)  # measured for the base on MNIST test, not for this model
        return save_checkpoint(
            path,
            model_name=self.base.model,
            state_dict=r.state_dict,
            config=self.base.config,
            meta=meta,
            mean=self.base.mean,
            std=self.base.std,
        )

    # ----------------------------------------------------------------- one run
    def _fine_tune(
        self,
        base_model: nn.Module,
        x: torch.Tensor,
        y: torch.Tensor,
        replay: ReplaySet,
        done: int,
        total: int,
        stage: str,
        confused: np.ndarray,
    ) -> Generator[Progressed, None, nn.Module | None]:
        """Yields ``Progressed`` events; returns the tuned model, or None when stopped."""
        from digitpad.augment import augment

        cfg = self.config
        mean, std = self.base.mean, self.base.std
        gen = torch.Generator().manual_seed(cfg.seed)
        torch.manual_seed(cfg.seed)
        model = copy.deepcopy(base_model)
        model.train()
        for module in model.modules():  # frozen BatchNorm statistics: the batches here are small and odd
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.eval()
        start = [p.detach().clone() for p in model.parameters()]
        if cfg.tune_last > 0:
            params = list(model.parameters())
            for frozen in params[: max(0, len(params) - cfg.tune_last)]:
                frozen.requires_grad_(False)
        trainable = [p for p in model.parameters() if p.requires_grad]
        opt = _Optimizer(trainable, cfg.optimizer)
        loss_fn = nn.CrossEntropyLoss()
        rx = torch.from_numpy(replay.replay_images)
        ry = torch.from_numpy(replay.replay_labels)
        # Half of each replay batch comes from the digits the model took the person's samples for:
        # "your flagged 1 is a 1" must not turn everyone's 7 into a 1.
        near = torch.from_numpy(np.flatnonzero(np.isin(replay.replay_labels, confused)))
        n_near = cfg.replay_batch // 2 if len(near) else 0
        amp = cfg.precision == "bf16" or (cfg.precision == "auto" and _native_bf16())
        last_emit = 0.0
        for step in range(cfg.steps):
            if self._stop.is_set():
                return None
            lr = cfg.lr * 0.5 * (1 + math.cos(math.pi * step / cfg.steps))
            pick = torch.randint(len(y), (cfg.personal_batch,), generator=gen)
            xb, yb = x[pick], y[pick]
            if cfg.method == "replay":
                rpick = torch.randint(len(ry), (cfg.replay_batch - n_near,), generator=gen)
                if n_near:
                    rpick = torch.cat([rpick, near[torch.randint(len(near), (n_near,), generator=gen)]])
                xb, yb = torch.cat([xb, rx[rpick]]), torch.cat([yb, ry[rpick]])
            inputs = (augment(xb.unsqueeze(1).float().div_(255.0), gen) - mean) / std
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
                logits = model(inputs).float()
            k = cfg.personal_batch
            loss = cfg.personal_weight * loss_fn(logits[:k], yb[:k])
            if cfg.method == "replay":
                loss = loss + loss_fn(logits[k:], yb[k:])
                if cfg.distill > 0:
                    # keep the starting model's whole answer on general digits, not only its top digit
                    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
                        target = torch.log_softmax(base_model(inputs[k:]).float(), 1)
                    kl = nn.functional.kl_div(
                        torch.log_softmax(logits[k:], 1), target, log_target=True, reduction="batchmean"
                    )
                    loss = loss + cfg.distill * kl
            if cfg.method == "l2sp":
                loss = loss + cfg.l2sp * sum(
                    ((w - w0) ** 2).sum() for w, w0 in zip(model.parameters(), start, strict=True)
                )
            for w in trainable:
                w.grad = None
            loss.backward()
            if cfg.clip > 0:
                nn.utils.clip_grad_norm_(trainable, cfg.clip)
            opt.step(lr)
            now = time.perf_counter()
            if now - last_emit >= 0.1 or step == cfg.steps - 1:
                last_emit = now
                yield Progressed(stage, done + step + 1, total, float(loss.detach()))
        keep_share(model, start, cfg.keep)
        return model.eval()


def keep_share(model: nn.Module, start: Sequence[torch.Tensor], keep: float) -> None:
    """Move ``model``'s parameters back towards ``start``: ``start + keep * (now - start)`` (in place)."""
    if keep >= 1.0:
        return
    with torch.no_grad():
        for w, w0 in zip(model.parameters(), start, strict=True):
            w.copy_(w0 + keep * (w - w0))


class _Optimizer:
    """Adam (or Nesterov SGD) in a few tensor ops.

    Why not ``torch.optim``: building the first ``torch.optim`` optimizer in a process imports a
    large part of torch (dynamo, distributed tensors) while holding the GIL, which froze the
    app's GUI thread for up to half a second at the start of every first run (measured).
    """

    def __init__(self, params: Sequence[torch.Tensor], kind: str, betas: tuple[float, float] = (0.9, 0.999)) -> None:
        if kind not in ("adam", "sgd"):
            raise TrainingError(f"unknown optimizer {kind!r}: use adam or sgd")
        self.params, self.kind, self.betas = params, kind, betas
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params] if kind == "adam" else []
        self.t = 0

    @torch.no_grad()
    def step(self, lr: float) -> None:
        self.t += 1
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad
            if self.kind == "sgd":  # momentum 0.9, Nesterov
                self.m[i].mul_(0.9).add_(g)
                p.add_(g.add(self.m[i], alpha=0.9), alpha=-lr)
                continue
            self.m[i].mul_(b1).add_(g, alpha=1 - b1)
            self.v[i].mul_(b2).addcmul_(g, g, value=1 - b2)
            denom = (self.v[i] / (1 - b2**self.t)).sqrt_().add_(1e-8)
            p.addcdiv_(self.m[i], denom, value=-lr / (1 - b1**self.t))


def _native_bf16() -> bool:
    return bool(getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)())


def _predict(model: nn.Module, images: torch.Tensor, mean: float, std: float) -> np.ndarray:
    from digitpad.evaluate import predict_logits

    if len(images) == 0:
        return np.zeros(0, np.int64)
    # small chunks: one long op at a time keeps a GUI thread in the same process responsive
    return predict_logits(model, images, batch_size=100, mean=mean, std=std).argmax(1).numpy().astype(np.int64)


def _accuracy(predicted: np.ndarray, labels: torch.Tensor | np.ndarray) -> float:
    truth = np.asarray(labels)
    return float((predicted == truth).mean()) if len(truth) else 0.0


def default_output_path() -> Path:
    """``<data_home>/weights/personal-<time>.pt``: a new file per accepted run (the old ones stay)."""
    from digitpad.training_run import new_weights_path

    return new_weights_path("personal")
