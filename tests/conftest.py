"""Shared fixtures.

Qt runs offscreen in tests.  Tests that need the real MNIST files use the
``mnist_dir`` fixture: it finds them through ``DIGITPAD_DATA`` or
``../shared/mnist``; when they are missing the test is skipped on a
developer's machine but *fails* under CI (``CI`` set), so CI never goes green
by skipping the accuracy checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mnist_fixture import find_mnist

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    root = find_mnist()
    if root is None:
        message = "MNIST not found: set DIGITPAD_DATA to a folder holding MNIST/raw"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return root


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Keep every test away from the real user's data folder and settings."""
    home = tmp_path_factory.mktemp("digitpad-home")
    monkeypatch.setenv("DIGITPAD_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def digitpad(capsys) -> Callable[..., CliResult]:
    """Runs ``digitpad ARGS...`` in this process and returns its exit code and output."""
    from digitpad.cli import main

    def run(*args: str) -> CliResult:
        try:
            code = main(list(args))
        except SystemExit as exit:  # argparse: --help, --version, usage errors
            code = exit.code if isinstance(exit.code, int) else 1
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
