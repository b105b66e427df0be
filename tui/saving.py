"""Where the app keeps what a person asks it to save (screenshots, exported solutions and
traces, predict reports), and the one place that picks a new file name there.

Not the current folder: following the README, that is the git checkout. The folder is
`backprop-stepper` in the user's documents folder (platformdirs: ~/Documents on Linux, honouring
XDG_DOCUMENTS_DIR, and the usual places on macOS and Windows), or BACKPROP_STEPPER_SAVE_DIR when
set (tests set it, so they never write into a real home).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

ENVIRONMENT = "BACKPROP_STEPPER_SAVE_DIR"


def folder() -> Path:
    chosen = os.environ.get(ENVIRONMENT)
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_documents_dir

    return Path(user_documents_dir()) / "backprop-stepper"


def _names(name: str, suffix: str):
    """sigmoid-event-29.svg, then sigmoid-event-29-2.svg, -3 …: the counter reads as a copy's."""
    yield f"{name}{suffix}"
    n = 2
    while True:
        yield f"{name}-{n}{suffix}"
        n += 1


def new_file(name: str, suffix: str) -> Path:
    """A new, empty file in `folder()` (created if need be), its name picked here and only here:
    each candidate name in turn is created exclusively, so nothing is ever replaced, not even a
    file that appears while the name is being picked. The caller writes into the file it gets.
    Raises OSError when the folder or the file cannot be made."""
    where = folder()
    where.mkdir(parents=True, exist_ok=True)
    for candidate in _names(name, suffix):
        path = where / candidate
        try:
            path.open("x").close()
        except FileExistsError:
            continue
        return path
    raise AssertionError("unreachable")


def write_new(name: str, suffix: str, write: Callable[[IO[str]], None]) -> Path:
    """Write a new file (its name from `new_file`); if writing fails, no half-written file is left.
    Raises OSError."""
    path = new_file(name, suffix)
    try:
        with path.open("w", encoding="utf-8") as out:
            write(out)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
