"""The one error type a scenario file can raise.

Every problem with a user's file becomes a `ScenarioError` that names the file, the place in it
(a TOML line and column, or a key path such as ``network.layers[1].weights``) and what was
expected. Front ends print ``str(error)`` and exit non-zero; nothing else should escape the loader.
"""

from __future__ import annotations


class ScenarioError(Exception):
    """A scenario file that cannot be used, with enough context to fix it."""

    def __init__(self, file: str, place: str, problem: str, warnings: tuple[str, ...] = ()) -> None:
        self.file = file
        self.place = place
        self.problem = problem
        # Warnings found before the error (unknown keys): often the real cause, e.g. a misspelt
        # table name that leaves a required key "missing".
        self.warnings = warnings
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}: {self.place}" if self.place else self.file
        return f"{where}: {self.problem}"
