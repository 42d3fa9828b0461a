"""One weights file: ``{state_dict, model, config, normalization, meta}``, plain values only.

Written atomically (temp file in the same folder, fsync, ``os.replace``), read
with ``torch.load(..., weights_only=True)`` so a hostile file cannot run code.
Every failure to read becomes a ``CheckpointError`` with one clear line.
"""

from __future__ import annotations

import os
import platform
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from torch import nn

import digitpad
from digitpad.errors import CheckpointError
from digitpad.models import MODELS, build_model
from digitpad.normalize import MNIST_MEAN, MNIST_STD

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Checkpoint:
    """A loaded weights file. ``state_dict`` tensors are on the CPU."""

    model: str
    state_dict: Mapping[str, torch.Tensor] = field(repr=False)
    config: dict[str, Any] = field(default_factory=dict)
    mean: float = MNIST_MEAN
    std: float = MNIST_STD
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def test_accuracy(self) -> float | None:
        value = self.meta.get("test_accuracy")
        return float(value) if isinstance(value, (int, float)) else None

    def build_model(self) -> nn.Module:
        """The model with these weights, on the CPU, in eval mode. Raises ``CheckpointError``."""
        where = f" in {self.path.name}" if self.path else ""
        arch = self.config.get("model_config", {})
        try:
            model = build_model(self.model, **arch)
        except (ValueError, TypeError) as exc:
            raise CheckpointError(f"weights{where} are for an unknown model {self.model!r}: {exc}") from exc
        try:
            model.load_state_dict(self.state_dict, strict=True)
        except (RuntimeError, KeyError, TypeError) as exc:
            first = str(exc).strip().splitlines()
            detail = first[1].strip() if len(first) > 1 else (first[0] if first else "")
            raise CheckpointError(
                f"weights{where} do not fit the {self.model!r} architecture ({detail[:200]})"
            ) from exc
        return model.eval()


def versions() -> dict[str, str]:
    return {"digitpad": digitpad.__version__, "torch": torch.__version__, "python": platform.python_version()}


def save_checkpoint(
    path: str | Path,
    *,
    model_name: str,
    state_dict: Mapping[str, torch.Tensor],
    config: Mapping[str, Any] | None = None,
    meta: Mapping[str, Any] | None = None,
    mean: float = MNIST_MEAN,
    std: float = MNIST_STD,
) -> Path:
    """Write a checkpoint atomically; returns the path. ``meta`` gains ``date`` and ``versions``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    full_meta = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "versions": versions()}
    full_meta.update(dict(meta or {}))
    payload = {
        "format": FORMAT_VERSION,
        "model": model_name,
        "state_dict": {k: v.detach().cpu().clone() for k, v in state_dict.items()},
        "config": _plain(dict(config or {})),
        "normalization": {"mean": float(mean), "std": float(std)},
        "meta": _plain(full_meta),
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            _chmod_like_new_file(tmp)  # mkstemp creates 0600; give the usual umask-based mode
            torch.save(payload, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)
    return path


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read and validate a checkpoint. Raises ``CheckpointError`` with one clear line."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CheckpointError(f"weights file not found: {path}") from None
    except OSError as exc:
        raise CheckpointError(f"cannot read weights file {path}: {exc.strerror or exc}") from exc
    if size == 0:
        raise CheckpointError(f"weights file {name} is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            # torch warns about odd pickle headers on stderr; the error below says it in one line.
            warnings.simplefilter("ignore")
            raw = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # UnpicklingError, RuntimeError (zip), EOFError, OSError...
        text = str(exc)
        if (
            "Weights only load failed" in text
            or "Unsupported global" in text
            or "UnpicklingError" in type(exc).__name__
        ):
            if "GLOBAL" in text or "global" in text or "Unsupported" in text:
                raise CheckpointError(
                    f"weights file {name} was refused: it contains objects other than plain tensors and values "
                    "(possibly unsafe)"
                ) from exc
        raise CheckpointError(f"weights file {name} is corrupt or truncated") from exc
    if not isinstance(raw, dict):
        raise CheckpointError(f"weights file {name} is not a DigitPad checkpoint")
    missing = [k for k in ("state_dict", "model") if k not in raw]
    if missing:
        raise CheckpointError(f"weights file {name} is not a DigitPad checkpoint (missing {', '.join(missing)})")
    model = raw["model"]
    state = raw["state_dict"]
    if not isinstance(model, str) or model not in MODELS:
        raise CheckpointError(f"weights file {name} names an unknown model {model!r}")
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"weights file {name} has no usable state_dict")
    norm = raw.get("normalization") or {}
    try:
        mean = float(norm.get("mean", MNIST_MEAN))
        std = float(norm.get("std", MNIST_STD))
    except (TypeError, ValueError, AttributeError):
        raise CheckpointError(f"weights file {name} has an unreadable normalization") from None
    if not std > 0:
        raise CheckpointError(f"weights file {name} has an invalid std {std}")
    config = raw.get("config") or {}
    meta = raw.get("meta") or {}
    if not isinstance(config, dict) or not isinstance(meta, dict):
        raise CheckpointError(f"weights file {name} has malformed config or meta")
    return Checkpoint(model=model, state_dict=state, config=config, mean=mean, std=std, meta=meta, path=path)


def _plain(value: Any) -> Any:
    """Reduce to values ``weights_only`` loading accepts: dict/list/str/int/float/bool/None."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None:
        return None
    for plain in (bool, int, float, str):  # exact types: subclasses (e.g. TorchVersion) are refused on load
        if isinstance(value, plain):
            return plain(value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # numpy / torch scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _chmod_like_new_file(path: str) -> None:
    if os.name != "posix":
        return
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
