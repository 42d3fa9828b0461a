"""One weights file: ``{state_dict, model, config, normalization, meta}``, plain values only.

Written atomically (serialised in memory, then a temp file in the same folder,
fsync, ``os.replace``), read with ``torch.load(..., weights_only=True)`` so a
hostile file cannot run code.  A SHA-256 of the tensors is stored and checked
on load; every tensor must be finite and the model's settings and
normalisation must lie in the ranges :mod:`digitpad.model_limits` declares,
checked before the model is built.  Every failure to read becomes a
``CheckpointError`` with one clear line; a failure to write a
``CheckpointSaveError`` naming the folder and the cause.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import platform
import secrets
import socket
import stat
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from torch import nn

import digitpad
from digitpad.errors import CheckpointError, CheckpointSaveError
from digitpad.model_limits import PARAMETER_BUDGET, config_problem, normalization_problem
from digitpad.models import MODELS, build_model
from digitpad.normalize import MNIST_MEAN, MNIST_STD

FORMAT_VERSION = 1
# A weights file larger than this is refused unread (the shipped one is 0.6 MB;
# PARAMETER_BUDGET float32 parameters are 20 MB).
MAX_FILE_BYTES = 128 * 1024 * 1024
# Temp files of saves whose process is gone (or, from another host, older than this) are removed.
STALE_TEMP_SECONDS = 3600
_ZIP_MAGIC = b"PK\x03\x04"  # torch.save's format since 1.6
_PICKLE_MAGIC = b"\x80"  # the legacy format starts with a pickle protocol opcode


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
        arch = self.config.get("model_config") or {}
        problem = architecture_problem(self.model, arch)
        if problem:
            raise CheckpointError(f"weights{where} ask for {problem}")
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
    """Write a checkpoint atomically; returns the path. ``meta`` gains ``date`` and ``versions``.

    Raises ``CheckpointSaveError`` (folder and cause, e.g. "no space left on
    device") when the file cannot be written; nothing is left behind then and
    an older file at ``path`` is untouched.
    """
    path = Path(path)
    full_meta = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "versions": versions()}
    full_meta.update(dict(meta or {}))
    tensors = {k: v.detach().cpu().clone() for k, v in state_dict.items()}
    payload = {
        "format": FORMAT_VERSION,
        "model": model_name,
        "state_dict": tensors,
        "config": _plain(dict(config or {})),
        "normalization": {"mean": float(mean), "std": float(std)},
        "meta": _plain(full_meta),
        "integrity": {"tensor_sha256": tensor_digest(tensors)},
    }
    # Serialised in memory first: torch's zip writer turns a full disk into
    # "unexpected pos ..."; a plain os.write reports ENOSPC as such.
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _save_error(folder, exc) from exc
    remove_stale_temp_files(folder)
    tmp = folder / f".{path.name}.{_owner_tag()}.{secrets.token_hex(4)}.tmp"
    try:
        # O_EXCL with mode 0o666: the kernel applies the umask (no process-wide umask change).
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise _save_error(folder, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buffer.getbuffer())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _save_error(folder, exc) from exc
        raise
    _fsync_dir(folder)
    return path


def tensor_digest(state_dict: Mapping[str, torch.Tensor]) -> str:
    """SHA-256 over every tensor's name, dtype, shape and bytes, in name order."""
    digest = hashlib.sha256()
    for key in sorted(state_dict):
        tensor = state_dict[key].detach().cpu().contiguous()
        digest.update(f"{key}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def remove_stale_temp_files(folder: str | Path) -> list[Path]:
    """Delete temp files that saves of dead processes left in ``folder``; returns them.

    A temp file names its host and process; it is stale when that process on
    this host is gone, or when it is older than ``STALE_TEMP_SECONDS``.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    host = _host_tag()
    now = time.time()
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        owner = _owner_of(entry.name)
        if owner is not None and owner[0] == host:
            stale = not _alive(owner[1])
        else:  # an older DigitPad's name (no owner) or another host's save
            stale = now - info.st_mtime > STALE_TEMP_SECONDS and ".pt" in entry.name
        if stale:
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _owner_tag() -> str:
    return f"{_host_tag()}-{os.getpid()}"


def _owner_of(name: str) -> tuple[str, int] | None:
    """(host tag, pid) from ``.<target>.<host>-<pid>.<random>.tmp``; None for other names."""
    parts = name.split(".")
    if len(parts) < 5:
        return None
    host, _, pid = parts[-3].partition("-")
    if len(host) != 8 or not pid.isdigit():
        return None
    return host, int(pid)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


_CAUSES = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EIO: "input/output error",
}


def _save_error(folder: Path, exc: OSError) -> CheckpointSaveError:
    cause = _CAUSES.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    return CheckpointSaveError(
        f"could not save the weights in {folder}: {cause}", folder=str(folder), cause=cause, errno=exc.errno
    )


def architecture_problem(model: str, model_config: Any) -> str | None:
    """Why ``model``/``model_config`` may not be built; None when it may.

    Checks the declared ranges, then counts the parameters on torch's "meta"
    device (nothing is allocated) against the budget.
    """
    problem = config_problem(model, model_config)
    if problem:
        return problem
    try:
        with torch.device("meta"):
            count = sum(p.numel() for p in build_model(model, **model_config).parameters())
    except (TypeError, ValueError) as exc:
        return f"model {model!r} with settings it does not take ({exc})"
    if count > PARAMETER_BUDGET:
        return f"a {model!r} model of {count:,} parameters (the budget is {PARAMETER_BUDGET:,})"
    return None


def read_weights_payload(path: str | Path) -> dict[str, Any]:
    """The plain contents of a weights file, loaded with ``weights_only=True``: a dict holding a
    ``model`` name and a ``state_dict`` of tensors whose stored checksum matches.  Any model name;
    :func:`load_checkpoint` checks it.  Raises ``CheckpointError`` with one clear line."""
    path = Path(path)
    name = path.name
    data = _read_weights_file(path)
    if not (data.startswith(_ZIP_MAGIC) or data.startswith(_PICKLE_MAGIC)):
        raise CheckpointError(f"{name} is not a DigitPad weights file (not a PyTorch checkpoint)")
    try:
        with warnings.catch_warnings():
            # torch warns about odd pickle headers on stderr; the error below says it in one line.
            warnings.simplefilter("ignore")
            raw = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
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
    finally:
        del data
    if not isinstance(raw, dict):
        raise CheckpointError(f"weights file {name} is not a DigitPad checkpoint")
    missing = [k for k in ("state_dict", "model") if k not in raw]
    if missing:
        raise CheckpointError(f"weights file {name} is not a DigitPad checkpoint (missing {', '.join(missing)})")
    state = raw["state_dict"]
    if not isinstance(raw["model"], str):
        raise CheckpointError(f"weights file {name} names an unknown model")
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"weights file {name} has no usable state_dict")
    if not all(isinstance(k, str) for k in state):
        raise CheckpointError(f"weights file {name} has no usable state_dict")
    _check_integrity(raw.get("integrity"), state, name)
    for key, tensor in state.items():
        if (tensor.is_floating_point() or tensor.is_complex()) and not bool(torch.isfinite(tensor).all()):
            raise CheckpointError(f"weights file {name} is damaged: {key[:60]} holds NaN or infinite values")
    return raw


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read and validate a checkpoint. Raises ``CheckpointError`` with one clear line."""
    path = Path(path)
    name = path.name
    raw = read_weights_payload(path)
    model = raw["model"]
    state = raw["state_dict"]
    if model not in MODELS:
        raise CheckpointError(f"weights file {name} names an unknown model {str(model)[:40]!r}")
    norm = raw.get("normalization") or {}
    try:
        mean = float(norm.get("mean", MNIST_MEAN))
        std = float(norm.get("std", MNIST_STD))
    except (TypeError, ValueError, AttributeError):
        raise CheckpointError(f"weights file {name} has an unreadable normalization") from None
    problem = normalization_problem(mean, std)
    if problem:
        raise CheckpointError(f"weights file {name} has {problem}")
    config = raw.get("config") or {}
    meta = raw.get("meta") or {}
    if not isinstance(config, dict) or not isinstance(meta, dict):
        raise CheckpointError(f"weights file {name} has malformed config or meta")
    problem = architecture_problem(model, config.get("model_config") or {})
    if problem:
        raise CheckpointError(f"weights file {name} asks for {problem}")
    return Checkpoint(model=model, state_dict=state, config=config, mean=mean, std=std, meta=meta, path=path)


def _read_weights_file(path: Path) -> bytes:
    """The bytes of a regular weights file (never a FIFO or device), size-capped."""
    name = path.name
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise CheckpointError(f"weights file {path} is {kind}")
        if info.st_size > MAX_FILE_BYTES:
            raise CheckpointError(
                f"weights file {name} is too large ({info.st_size / 2**20:.0f} MB; "
                f"the limit is {MAX_FILE_BYTES // 2**20} MB)"
            )
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise CheckpointError(f"weights file {path} is not a regular file")
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise CheckpointError(f"weights file not found: {path}") from None
    except OSError as exc:
        raise CheckpointError(f"cannot read weights file {path}: {exc.strerror or exc}") from exc
    if not data:
        raise CheckpointError(f"weights file {name} is empty (0 bytes)")
    if len(data) > MAX_FILE_BYTES:
        raise CheckpointError(f"weights file {name} is too large (the limit is {MAX_FILE_BYTES // 2**20} MB)")
    return data


def _check_integrity(integrity: Any, state: Mapping[str, torch.Tensor], name: str) -> None:
    """Verify the stored tensor hash; files from before hashes (none stored) pass."""
    if integrity is None:
        return
    stored = integrity.get("tensor_sha256") if isinstance(integrity, dict) else None
    if not isinstance(stored, str):
        raise CheckpointError(f"weights file {name} has a malformed integrity record")
    if tensor_digest(state) != stored:
        raise CheckpointError(f"weights file {name} is damaged: its tensors do not match their stored checksum")


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
