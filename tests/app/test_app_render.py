"""One key press, one rendering: the app hands the controller's view to each panel once."""

from __future__ import annotations

import pytest

from backprop_stepper.core import Trace, resolve
from backprop_stepper.tui.app import StepperApp
from backprop_stepper.tui.widgets.equations import EquationsPanel

pytestmark = pytest.mark.slow  # starts the app


async def test_the_equations_are_laid_out_once_per_step(monkeypatch):
    laid_out: list[str] = []
    layout = EquationsPanel._layout

    def counting(panel):
        laid_out.append(panel.plain)
        return layout(panel)

    monkeypatch.setattr(EquationsPanel, "_layout", counting)
    app = StepperApp(trace=Trace(resolve("sigmoid-2-2-2")), compare="update_order=layerwise")
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.go_to(app.trace.find("dE/dW[1][1][1]")[0] - 1)
        await pilot.pause()
        laid_out.clear()
        await pilot.press("right")
        await pilot.pause()
        # The event and the variant's line beside it, in one go (not the event, then the line).
        assert len(laid_out) == 1 and "variant:" in laid_out[0] and "∂E/∂w₁" in laid_out[0]
