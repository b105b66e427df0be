"""Start-up: what the way to the first frame does, checked without timing it.

The README's goal for start-up (× 1.5 of the minimal Textual app) is measured by
benchmarks/run.py; these tests catch the causes of a regression coming back (a thread pool
started for nothing, a module imported at start that only a key press needs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(code: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment,
                            check=True)
    return result.stdout.strip()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads through Linux's /proc")
def test_the_command_starts_no_blas_threads():
    # OpenBLAS starts a spinning thread per CPU when numpy is imported (~100 ms of CPU on two
    # cores); the engine's matrices are far too small for them. The way in keeps BLAS to one thread.
    threads = _run("import os\n"
                   "from backprop_stepper.tui import launch, cli  # the command's imports, numpy among them\n"
                   "import numpy\n"
                   "numpy.ones((64, 64)) @ numpy.ones((64, 64))\n"
                   "print(len(os.listdir('/proc/self/task')))\n")
    assert threads == "1"
