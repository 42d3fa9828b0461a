"""Which torch device and precision a training uses."""

from __future__ import annotations

import torch

from digitpad.errors import TrainingError
from digitpad.train_options import DeviceChoice, FoundDevices


def resolve_device(name: str) -> torch.device:
    """ "auto" -> CUDA, then MPS, then CPU. Raises ``TrainingError`` for an unusable device."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        raise TrainingError(f"unknown device {name!r}: use auto, cpu, cuda, cuda:N or mps") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise TrainingError(f"device {name!r} asked for, but CUDA is not available")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise TrainingError(f"device {name!r} does not exist ({torch.cuda.device_count()} CUDA devices)")
    elif device.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise TrainingError("device 'mps' asked for, but MPS is not available")
    elif device.type != "cpu":
        raise TrainingError(f"unsupported device {name!r}")
    return device


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """bfloat16 where asked for or (``"auto"``) where the hardware runs it natively; None: fp32."""
    if precision == "fp32":
        return None
    if precision not in ("auto", "bf16"):
        raise TrainingError(f"unknown precision {precision!r}: use auto, fp32 or bf16")
    if device.type == "cpu":
        native = bool(getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)())
        return torch.bfloat16 if (precision == "bf16" or native) else None
    if device.type == "cuda":
        return torch.bfloat16 if (precision == "bf16" or torch.cuda.is_bf16_supported()) else None
    return torch.bfloat16 if precision == "bf16" else None


def accelerators() -> FoundDevices:
    """Every CUDA or MPS device present (initialises CUDA: call it off the GUI thread)."""
    found: list[DeviceChoice] = []
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            found.append(DeviceChoice(f"cuda:{i}", f"CUDA {i}: {torch.cuda.get_device_name(i)}"))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append(DeviceChoice("mps", "Apple MPS"))
    return FoundDevices(tuple(found))


def set_cpu_threads(threads: int) -> None:
    """Limit torch's CPU threads (process-wide), e.g. to 1 for recognition beside the GUI."""
    torch.set_num_threads(max(1, int(threads)))
