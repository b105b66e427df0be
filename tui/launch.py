"""The `backprop-stepper` command's entry point: tui.cli, started with the cycle collector paused.

Opening the app imports numpy and Textual and builds the interface: several hundred thousand
objects, nearly all of which live as long as the process. While they are being made, Python's
cycle collector walks them again and again and finds nothing to free (tens of milliseconds of a
half-second start). So collection waits until start-up is over, which for the app is its first
frame on screen (composing, styling and painting it made about 30 collections, 2.8 ms, when the
pause ended before `App.run`); then gc.freeze() sets everything start-up built aside, so that
later collections (while stepping) skip it too.

It also keeps numpy's BLAS to the one thread that calls it (unless the environment says
otherwise). The engine's matrices are a few dozen numbers, far below the size at which BLAS
splits work between threads, yet OpenBLAS starts a thread per CPU when numpy is imported and each
spins, waiting for work, for a while after: about 100 ms of CPU taken from the other core during
start-up (measured on two cores: 463 against 356 ms of CPU to the first frame of sigmoid 2-2-2),
which on a busy machine, or with a room of served sessions opening at once, delays the first
frame. The variable must be set before numpy is first imported, so it is set here, at the top of
every way in (the command, `python -m backprop_stepper`, the session forker).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@contextmanager
def collector_paused() -> Iterator[Callable[[], None]]:
    """Build long-lived objects without the cycle collector, then exempt them from it. Gives a
    function that ends the pause early (the app calls it when its first frame is on screen)."""
    was_enabled = gc.isenabled()
    paused = True
    gc.disable()

    def resume() -> None:
        nonlocal paused
        if paused:
            paused = False
            gc.freeze()
            if was_enabled:
                gc.enable()

    try:
        yield resume
    finally:
        resume()


def main() -> int:
    with collector_paused():
        from .cli import main as command  # the engine and numpy
    return command()
