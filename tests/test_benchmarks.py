"""The benchmarks' baseline app does what its figures assume: a key press repaints it.

Every step-latency figure is divided by this app's; if → stopped reaching its action (a renamed
action, say), the benchmark would wait for a repaint that never comes."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Static

ROOT = Path(__file__).resolve().parent.parent


def _minimal_app():
    spec = importlib.util.spec_from_file_location("minimal_app", ROOT / "benchmarks" / "minimal_app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MinimalApp()


async def test_the_baseline_app_repaints_on_each_key_press():
    app = _minimal_app()
    async with app.run_test(size=(40, 5)) as pilot:
        counter = app.query_one("#counter", Static)
        await pilot.press("right", "right")
        assert str(counter.render()) == "event 2"
        await pilot.press("home")
        assert str(counter.render()) == "event 0"


@pytest.mark.slow
def test_the_latency_benchmark_steps_past_the_end_of_a_trace():
    # 45 timed steps (after 10 untimed) take the 39-event sigmoid trace round its end: the
    # benchmark wraps with Home, reading the app's public event index
    environment = dict(os.environ, TEXTUAL_ANIMATIONS="none")
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--latency", "45"],
                            capture_output=True, text=True, env=environment, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    assert {"minimal app", "sigmoid 2-2-2 (document 002)", "wide 6-10-10-4"} <= set(figures)
