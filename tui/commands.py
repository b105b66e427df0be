"""Command palette (Ctrl+P): jump to the event that computes a symbol ("w5", "δ_o1", "∂E/∂w1"),
to a phase or an iteration; switch theme, view and autoplay; export; take a screenshot.

Symbols are matched with subscripts as plain digits and ∂ as d, so "w5" finds w₅ and "dE/dw1"
finds ∂E/∂w₁.
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from backprop_stepper.core.notation import ascii_digits
from backprop_stepper.core.quantities import PHASES

if TYPE_CHECKING:
    from .app import StepperApp


def normalize(text: str) -> str:
    return ascii_digits(text).replace("∂", "d")


class StepperCommands(Provider):
    @property
    def stepper(self) -> StepperApp:
        return self.app  # type: ignore[return-value]

    def _actions(self) -> list[tuple[str, object, str]]:
        app = self.stepper
        actions = [
            ("Matrix view: on/off", app.action_toggle_matrix, "replay a layer at a time with vector equations"),
            ("Gradient check", app.action_gradient_check, "analytic against central-difference gradients"),
            ("Autoplay: play/pause", app.action_autoplay, "step on a timer (+/- change the speed)"),
            ("Autoplay: stop at phase boundaries on/off", app.action_toggle_phase_stops, ""),
            ("Maximise the equations (again: restore)", app.action_maximize, "large, for a lecture hall"),
            ("Theme: lecture dark (high contrast)", partial(app.set_theme, "lecture-dark"), ""),
            ("Theme: lecture light (high contrast)", partial(app.set_theme, "lecture-light"), ""),
            ("Export worked solution (Markdown)", partial(app.export, "markdown"), "writes a new file and shows where"),
            ("Export trace (JSON)", partial(app.export, "json"), "writes a new file and shows where"),
            ("Save screenshot (SVG)", app.action_screenshot, "writes a new file and shows where"),
            ("Predict mode: on/off (type each value before it is revealed)", app.action_predict, "a"),
            ("Why this number? (chain-rule expansion of the current value)", app.action_why, "w"),
            ("Breakpoint on this quantity: on/off", app.action_breakpoint, "b"),
            ("Run to the next breakpoint", app.action_run, "r"),
            ("Run until this quantity changes sign", app.run_until_sign_change, ""),
            ("Run until the loss falls below…", app.run_until_loss_below, ""),
            ("Run to the end of the phase", app.run_to_end_of_phase, ""),
            ("Run to the end of the iteration", app.run_to_end_of_iteration, ""),
            ("Clear all breakpoints", app.clear_breakpoints, ""),
            ("Compare with: layerwise updates (the classic slip)",
             partial(app.compare_with, "update_order=layerwise"), ""),
            ("Compare with: stochastic updates (one per sample)", partial(app.compare_with, "mode=stochastic"), ""),
            ("Compare with: biases never trained", partial(app.compare_with, "update_biases=false"), ""),
            ("Compare with: the batch summed, not averaged", partial(app.compare_with, "batch_reduction=sum"), ""),
            ("Compare: off", partial(app.compare_with, None), ""),
            ("Open another scenario", app.action_open, ""),
            ("Go to the first event", app.action_first, ""),
            ("Go to the last event", app.action_last, ""),
            ("Help: keys and how to read the screen", app.action_help, ""),
        ]
        for phase in PHASES:
            actions.append((f"Go to the {phase.value} phase (this iteration)", partial(app.goto_phase, phase), ""))
        return actions

    def _symbols(self) -> list[tuple[str, object, str]]:
        app = self.stepper
        if app.ledger is None:
            return []
        hits = []
        for row, entry in enumerate(app.ledger.entries):
            if entry.key.family.value in ("x", "y"):
                continue  # given, not computed: nothing to jump to
            scope = {"batch": " (batch mean)", "parameter": " (update)"}.get(entry.scope, "")
            text = f"Go to {normalize(entry.symbol)}{scope}  ·  {entry.symbol}  ·  {entry.quantity}"
            hits.append((text, partial(app.goto_entry, row), entry.section))
        return hits

    async def discover(self) -> Hits:
        for text, command, help_text in self._actions():
            yield DiscoveryHit(text, command, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(normalize(query))
        app = self.stepper
        number = re.search(r"\d+", query)
        if app.trace is not None and number and "iter" in query.lower():
            iteration = int(number.group(0))
            if 1 <= iteration <= app.trace.iterations:
                text = f"Go to iteration {iteration}"
                yield Hit(100.0, text, partial(app.goto_iteration, iteration))
        for text, command, help_text in [*self._actions(), *self._symbols()]:
            score = matcher.match(normalize(text))
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_text or None)
