"""What ``pip install .`` puts in the wheel: every package of the source tree.

pyproject.toml lists the packages by hand (the assets are mapped into the
package from the top of the repository).  A sub-package missing from that list
still imports in a checkout, so only an installed DigitPad would fail, e.g.
``digitpad train --data mix`` without ``digitpad.synth``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+
REPO = Path(__file__).resolve().parents[1]


def _listed_packages() -> set[str]:
    with open(REPO / "pyproject.toml", "rb") as f:
        return set(tomllib.load(f)["tool"]["setuptools"]["packages"])


def test_every_source_package_is_in_the_wheel() -> None:
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "digitpad").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert "digitpad.synth" in found  # the walk itself sees sub-packages
    assert sorted(found - _listed_packages()) == []


def test_listed_packages_exist() -> None:
    mapped = {"digitpad._assets.weights": REPO / "weights", "digitpad._assets.resources": REPO / "resources"}
    for name in _listed_packages():
        folder = mapped.get(name, REPO.joinpath(*name.split(".")))
        assert folder.is_dir(), name
