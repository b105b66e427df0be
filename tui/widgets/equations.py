"""The equations panel: the current event as the documents write it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from core.document import Comparison
from core.scenario import Note
from core.trace import Event

from ..format import exact

KIND_TITLES = {
    "net_input": "net input",
    "activation": "activation",
    "loss_term": "loss term",
    "loss_total": "loss",
    "loss_mean": "batch loss",
    "output_error": "output error",
    "backprop_sum": "error from the next layer",
    "activation_derivative": "activation derivative",
    "delta": "error signal δ",
    "weight_gradient": "weight gradient",
    "bias_gradient": "bias gradient",
    "weight_update": "weight update",
    "bias_update": "bias update",
}


class EquationsPanel(Static):
    def show(self, event: Event, printed: list[Comparison], notes: list[Note]) -> None:
        self.update(equations(event, printed, notes, short=self.screen.has_class("-short")))


def equations(event: Event, printed: list[Comparison], notes: list[Note], short: bool = False) -> Content:
    """The event in lines; `short` (a low terminal) folds the heading into the formula line."""
    title = KIND_TITLES[event.kind.value]
    if event.sample is None and event.kind.value.endswith("gradient"):
        title = f"batch {title}"
    where = "batch" if event.sample is None else f"sample {event.sample}"
    phase = (f" {event.phase.value.upper()} ", "bold reverse $accent")
    heading = Content.assemble(phase, (f" {title} of {event.symbol}", "bold"),
                               (f"  ({where}, iteration {event.iteration})", "$text-muted"))
    if short:
        lines = [Content.assemble(phase, " ", (event.formula, "bold"))]
    else:
        lines = [heading, Content.assemble("  ", (event.formula, "bold"))]
    lines += [
        Content.assemble("  = ", event.substituted),
        result_line(event, printed),
        Content.assemble("  ", (event.meaning, "italic $text-muted")),
    ]
    for comparison in printed:
        if not comparison.agrees:
            where = f" ({comparison.printed.where})" if comparison.printed.where else ""
            lines.append(Content.assemble(
                ("  ✗ document ", "bold $error"), (comparison.printed.text.replace("-", "−"), "bold $error"),
                f": {comparison.verdict}{where}",
            ))
    for note in notes:
        lines.append(Content.assemble(("  ✎ ", "bold $warning"), (" ".join(note.text.split()), "$warning")))
    return Content("\n").join(lines)


def result_line(event: Event, printed: list[Comparison]) -> Content:
    parts: list = ["  = ", (exact(event.value), "bold reverse $accent")]
    if not printed:
        return Content.assemble(*parts)
    parts.append("   document: ")
    for n, comparison in enumerate(printed):
        if n:
            parts.append(" / ")
        mark, style = ("✓", "bold $success") if comparison.agrees else ("✗", "bold $error")
        parts += [(comparison.printed.text.replace("-", "−"), style), (f" {mark}", style)]
    return Content.assemble(*parts)
