"""The bundled scenarios: the files of the `scenarios` package, so an installed wheel finds them too.

A scenario argument may be a path to any file, or the name of a bundled scenario ("sigmoid-2-2-2").
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from backprop_stepper import scenarios

from .errors import ScenarioError
from .loader import load_scenario, parse_scenario
from .scenario import Scenario


# A named tuple, not a frozen dataclass: as immutable, and defined at import (every start) in a
# tenth of the time (about 0.6 ms less).
class Bundled(NamedTuple):
    """A scenario file shipped with the package: its file stem and its path."""

    name: str  # file stem, e.g. "20-sigmoid-2-2-2"
    path: Path

    @property
    def short_name(self) -> str:
        """The name a person types on the command line ("sigmoid-2-2-2"): the numeric prefix
        of the file name only orders the list."""
        return self.name.split("-", 1)[-1]

    def load(self) -> Scenario:
        """The scenario this file describes, validated."""
        return parse_scenario(self.path.read_bytes(), name=f"{self.name}.toml", path=self.path)


def bundled() -> list[Bundled]:
    """Bundled scenarios in the order a course would use them (their file names sort that way)."""
    # A regular package is a folder in every install this project supports (wheel, sdist,
    # editable), so its path is read directly: importlib.resources would add its zip support's
    # imports to every start-up for nothing.
    found = [Bundled(path.stem, path) for folder in scenarios.__path__ for path in Path(folder).glob("*.toml")]
    return sorted(found, key=lambda b: b.name)


def find_bundled(name: str) -> Bundled | None:
    """The bundled scenario of this name (file stem or short name, ".toml" optional), or None."""
    wanted = name.removesuffix(".toml")
    for entry in bundled():
        # "sigmoid-2-2-2" finds "30-sigmoid-2-2-2": the numeric prefix only orders the list.
        if wanted in (entry.name, entry.short_name):
            return entry
    return None


def resolve(argument: str | Path) -> Scenario:
    """Load a scenario from a path, or by the name of a bundled scenario."""
    path = Path(argument)
    if path.exists() or path.suffix == ".toml" or len(path.parts) > 1:
        return load_scenario(path)
    entry = find_bundled(str(argument))
    if entry is None:
        names = ", ".join(b.name for b in bundled())
        raise ScenarioError(str(argument), "", f"no such file, and no bundled scenario of that name ({names})")
    return entry.load()
