"""The gradient check view: per parameter, the analytic gradient, the central-difference estimate
and their difference, for the update step on show (see core.gradcheck)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from backprop_stepper.core.gradcheck import EPSILON, GradientCheck, verdict
from backprop_stepper.core.numbers import number, scientific


def report(checks: list[GradientCheck], iteration: int, step: int) -> Content:
    outcome = verdict(checks)  # the same verdict as `backprop-stepper gradcheck`
    lines = [
        Content.styled(f"Gradient check · iteration {iteration} · step {step} · ε = {EPSILON:g}", "bold"),
        Content.styled("analytic: the trace's backpropagated gradient; numerical: (L(θ+ε) − L(θ−ε)) / 2ε",
                       "$text-muted"),
        Content(""),
    ]
    # As narrow as the symbols allow: one row per gradient even in an 80-column terminal.
    name = max([len("gradient")] + [len(c.symbol) for c in checks]) + 1
    lines.append(Content.styled(
        f"{'gradient':<{name}}{'analytic':>17}{'numerical':>17}{'|difference|':>13}{'relative':>10}", "bold"))
    for c in checks:
        lines.append(Content.styled(
            f"{c.symbol:<{name}}{number(c.analytic, 9):>17}{number(c.numeric, 9):>17}"
            f"{scientific(c.difference, 2):>13}{scientific(c.relative, 1):>10} {'✓' if c.agrees else '✗'}",
            "" if c.agrees else "bold $error"))
    first, *details = outcome.lines
    style = "bold $success" if outcome.agrees else "bold $error"
    lines += [Content(""), Content.styled(("✓ " if outcome.agrees else "✗ ") + first, style)]
    lines += [Content.styled(line, "$error") for line in details]
    return Content("\n").join(lines)


class GradientCheckScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,c", "dismiss", "Close")]

    def __init__(self, checks: list[GradientCheck], iteration: int, step: int) -> None:
        super().__init__()
        self.text = report(checks, iteration, step)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="gradcheck-body"):
            yield Static(self.text, id="gradcheck-report")
            yield Static(Content.styled("Esc, q or c closes this view.", "$text-muted"))
