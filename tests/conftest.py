"""Shared fixtures: bundled scenarios, and scenario text for generated networks."""

from __future__ import annotations

import os

import pytest

from backprop_stepper.core import Trace, bundled
from backprop_stepper.core.scaffold import new_scenario

# Deterministic rendering for pilot and snapshot tests.
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

BUNDLED = [entry.name for entry in bundled()]


@pytest.fixture(autouse=True)
def saved_files_folder(tmp_path_factory, monkeypatch):
    """Screenshots, exports and reports go to a temporary folder, never into the real home."""
    folder = tmp_path_factory.mktemp("saved")
    monkeypatch.setenv("BACKPROP_STEPPER_SAVE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def traces() -> dict[str, Trace]:
    return {entry.name: Trace(entry.load()) for entry in bundled()}


def generated(sizes, **options) -> str:
    """A valid scenario text for a generated network (the `new` command's output)."""
    return new_scenario(list(sizes), **options)
