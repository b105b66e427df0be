"""The benchmarks' baseline app does what its figures assume: a key press repaints it.

Every step-latency figure is divided by this app's; if → stopped reaching its action (a renamed
action, say), the benchmark would wait for a repaint that never comes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

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
