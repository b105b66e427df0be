"""The status line: where in the run we are, and a phase strip."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from core.quantities import PHASES
from core.trace import Event, Trace

BAR_WIDTH = 16


class StatusBar(Horizontal):
    """Title and counters on the left, the phase strip and a progress bar on the right."""

    def compose(self) -> ComposeResult:
        yield Static(id="status-title")
        yield Static(id="status-phases")

    def show(self, trace: Trace, event: Event) -> None:
        s = trace.scenario
        n = len(s.samples)
        sample = "batch" if event.sample is None else f"{event.sample}/{n}"
        # Counters first: a narrow terminal truncates the title, never the position.
        counters = Content.assemble(
            (f"event {event.index + 1:,}/{len(trace):,}", "bold"),
            " · ",
            f"iteration {event.iteration:,}/{trace.iterations:,}",
            " · ",
            f"sample {sample}",
            "  │  ",
            (s.title, "bold"),
        )
        self.query_one("#status-title", Static).update(counters)
        parts: list = []
        for phase in PHASES:
            if phase is event.phase:
                parts.append((f" ▶{phase.value.upper()} ", "bold reverse $accent"))
            else:
                parts.append((f"  {phase.value}  ", "$text-muted"))
        done = (event.index + 1) / len(trace)
        filled = round(done * BAR_WIDTH)
        parts += ["  ", ("█" * filled, "$accent"), ("░" * (BAR_WIDTH - filled), "$text-muted"), f" {done:4.0%}"]
        self.query_one("#status-phases", Static).update(Content.assemble(*parts))
