"""A progress bar for long command-line work (trace, export, gradcheck), on standard error.

Shown only when standard error is a terminal and the work's own output is not going to that
same terminal (`trace` printing its table is its own progress), and only once the work has run
for a moment: quick work prints nothing. Rich draws it; Textual already depends on rich, and it is
imported only when a bar is shown.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

SHOW_AFTER = 0.5  # seconds of work before a bar appears
UPDATE_EVERY = 0.1  # seconds between updates of the bar (rich redraws it on its own clock)


def wanted(output_to_stdout: bool = False) -> bool:
    """Whether a bar may be shown: stderr is a terminal, and it is not where the output goes."""
    stderr_is_terminal = sys.stderr is not None and sys.stderr.isatty()
    return stderr_is_terminal and not (output_to_stdout and sys.stdout.isatty())


def counted(items: Iterable[T], total: int, description: str, unit: str, *,
            output_to_stdout: bool = False) -> Iterator[T]:
    """`items`, passed through; a bar of how many of `total` have gone by, when wanted."""
    if not wanted(output_to_stdout):
        yield from items
        return
    clock = time.perf_counter
    next_look = clock() + SHOW_AFTER
    bar = task = None
    done = 0
    try:
        for item in items:
            yield item
            done += 1
            if clock() < next_look:
                continue
            if bar is None:
                bar = _bar(unit)
                bar.start()
                task = bar.add_task(description, total=total)
            bar.update(task, completed=done)
            next_look = clock() + UPDATE_EVERY
        if bar is not None:
            bar.update(task, completed=done)
    finally:
        if bar is not None:
            bar.stop()


def _bar(unit: str):
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
        TaskProgressColumn(), TimeRemainingColumn(),
        console=Console(file=sys.stderr), transient=True, redirect_stdout=False, redirect_stderr=False,
    )
