"""The `backprop-stepper` command's entry point: tui.cli, started with the cycle collector paused.

Opening the app imports numpy and Textual and builds the interface: several hundred thousand
objects, nearly all of which live as long as the process. While they are being made, Python's
cycle collector walks them again and again and finds nothing to free (tens of milliseconds of a
half-second start). So collection waits until start-up is over; then gc.freeze() sets everything
start-up built aside, so that later collections (while stepping) skip it too.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Build long-lived objects without the cycle collector, then exempt them from it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def main() -> int:
    with collector_paused():
        from .cli import main as command  # the engine and numpy
    return command()
