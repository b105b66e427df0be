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


# Needed only when a key asks for them (a teaching mode, a dialog, the palette, saving, export):
# importing any of them on the way to the first frame costs every start-up, used or not.
ON_A_KEY_PRESS = (
    "backprop_stepper.tui.controller.predict", "backprop_stepper.tui.controller.why",
    "backprop_stepper.tui.controller.matrix", "backprop_stepper.tui.controller.compare",
    "backprop_stepper.tui.commands", "backprop_stepper.tui.saving", "backprop_stepper.tui.screens.help",
    "backprop_stepper.tui.screens.goto", "backprop_stepper.tui.screens.gradcheck",
    "backprop_stepper.tui.screens.picker", "backprop_stepper.tui.screens.summary",
    "backprop_stepper.tui.widgets.answer", "backprop_stepper.tui.widgets.matrices",
    "backprop_stepper.core.predict", "backprop_stepper.core.explain", "backprop_stepper.core.matrix",
    "backprop_stepper.core.gradcheck", "backprop_stepper.core.export", "backprop_stepper.core.latex",
    "backprop_stepper.core.scaffold",
)


def test_the_first_frame_imports_no_module_that_only_a_key_press_needs():
    # The app as the command opens it (a scenario given), up to its first painted screen.
    loaded = _run("import asyncio, sys\n"
                  "from backprop_stepper.tui import launch, cli\n"
                  "trace = cli._load('sigmoid-2-2-2')\n"
                  "from backprop_stepper.tui.app import StepperApp\n"
                  "async def first_frame():\n"
                  "    app = StepperApp(trace=trace, watch=False)\n"
                  "    async with app.run_test(size=(120, 40)) as pilot:\n"
                  "        await pilot.pause()\n"
                  "        assert app.event_index == 0 and app.diagram.picture is not None\n"
                  "        print(' '.join(sorted(sys.modules)))\n"
                  "asyncio.run(first_frame())\n").split()
    assert "backprop_stepper.tui.app" in loaded
    assert [name for name in ON_A_KEY_PRESS if name in loaded] == []


def test_the_modules_named_as_key_press_only_exist():
    # A renamed module would make the test above pass for nothing.
    import importlib.util

    assert [name for name in ON_A_KEY_PRESS if importlib.util.find_spec(name) is None] == []


# Each dataclass is generated when its module is imported: 0.4–2 ms of every start-up apiece
# (the key table's frozen dataclasses took 1.6 ms). These hold numpy arrays (compared by identity)
# or are copied with dataclasses.replace; the other types on the way to the first frame are named
# tuples or plain classes.
DATACLASSES_AT_START = {
    "backprop_stepper.core.ledger.LedgerState", "backprop_stepper.core.plan.Plan",
    "backprop_stepper.core.scenario.Layer", "backprop_stepper.core.scenario.Sample",
    "backprop_stepper.core.scenario.Scenario", "backprop_stepper.core.training.IterationValues",
    "backprop_stepper.tui.diagram_layout.Picture", "backprop_stepper.tui.diagram_layout._Connection",
}


def test_no_new_dataclass_is_generated_on_the_way_to_the_first_frame():
    found = _run("import dataclasses, sys\n"
                 "from backprop_stepper.tui import launch, cli, app\n"
                 "cli._load('sigmoid-2-2-2')\n"
                 "print(' '.join(sorted(f'{name}.{k}' for name, module in list(sys.modules.items())\n"
                 "                      if name.startswith('backprop_stepper')\n"
                 "                      for k, v in vars(module).items()\n"
                 "                      if isinstance(v, type) and v.__module__ == name\n"
                 "                      and dataclasses.is_dataclass(v))))\n")
    new = set(found.split()) - DATACLASSES_AT_START
    assert not new, f"dataclasses generated at every start: {sorted(new)} (a NamedTuple or a plain class is cheaper)"


async def test_the_cycle_collector_waits_for_the_first_frame_then_resumes():
    import gc

    from backprop_stepper.core import Trace, resolve
    from backprop_stepper.tui.app import StepperApp
    from backprop_stepper.tui.launch import collector_paused

    trace = Trace(resolve("sigmoid-2-2-2"))
    calls = []
    assert gc.isenabled()
    try:
        with collector_paused() as first_frame_shown:
            def shown():
                calls.append(gc.isenabled())  # still paused while the first screen was built
                first_frame_shown()

            app = StepperApp(trace=trace, watch=False, on_first_frame=shown)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                assert calls == [False] and gc.isenabled()  # resumed once it was painted, not at exit
                assert gc.get_freeze_count() > 0
        assert calls == [False] and gc.isenabled()
    finally:
        gc.unfreeze()
