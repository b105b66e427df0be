"""Every package of the checkout is installed: a subpackage missing from pyproject.toml's list
works in an editable install and is absent from a real one (as tui/controller once was)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"backprop_stepper"} | {
        ".".join(("backprop_stepper", *init.parent.relative_to(ROOT).parts))
        for top in ("core", "tui", "scenarios") for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set(), "packages missing from [tool.setuptools] packages"
    assert listed - found == set(), "packages listed in pyproject.toml that do not exist"
