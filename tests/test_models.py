"""The model registry: every model builds, shapes, sizes, and the torchvision-free import line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from digitpad.models import DEFAULT_MODEL, MODELS, build_model, describe, model_names, parameter_count


def test_registry_names_and_descriptions():
    assert model_names() == ["linear", "mlp", "cnn", "bncnn", "digitpad", "digitpad-ensemble"]
    assert DEFAULT_MODEL in model_names()
    for name in model_names():
        text = describe(name)
        assert text and "\n" not in text


@pytest.mark.parametrize("name", list(MODELS))
def test_forward_shape(name):
    torch.manual_seed(0)
    model = build_model(name).eval()
    with torch.no_grad():
        out = model(torch.randn(3, 1, 28, 28))
    assert out.shape == (3, 10)
    assert torch.isfinite(out).all()


def test_unknown_model():
    with pytest.raises(ValueError, match="unknown model"):
        build_model("resnet152")


def test_default_model_is_small():
    model = build_model(DEFAULT_MODEL)
    size_mb = parameter_count(model) * 4 / 1e6
    assert size_mb < 3.0


def test_width_config():
    small = build_model("digitpad", width=8)
    assert parameter_count(small) < parameter_count(build_model("digitpad"))


def test_core_imports_without_torchvision_or_qt():
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def guard(name, *a, **k):\n"
        "    if name.split('.')[0] in ('torchvision', 'PySide6'):\n"
        "        raise ImportError('forbidden import: ' + name)\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = guard\n"
        "import digitpad.models, digitpad.checkpoint, digitpad.predictor, digitpad.evaluate\n"
        "print('ok')\n"
    )
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=repo)
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout
