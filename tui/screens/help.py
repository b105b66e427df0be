"""The `?` help screen: every key, and how to read the panels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..saving import ENVIRONMENT, folder

KEYS = [
    ("→  l  space", "next event (a block at a time in the matrix view)"),
    ("←  h", "previous event"),
    ("Home / End", "first / last event"),
    ("]  [", "next / previous phase (forward, loss, backward, update)"),
    ("}  {", "next / previous iteration"),
    ("g", "go to an event number"),
    ("p", "autoplay: play / pause"),
    ("+  -", "autoplay faster / slower"),
    ("P", "autoplay pauses at every phase boundary (on / off)"),
    ("v", "matrix view: a layer at a time, as vector equations (on / off)"),
    ("m", "maximise the equations, large, for a lecture hall (again: restore)"),
    ("c", "gradient check: backpropagation against central differences"),
    ("s", "save a screenshot of this step (SVG, in the folder named below)"),
    ("a", "predict mode: type each value before it is revealed (on / off)"),
    ("w", "why this number? the chain-rule expansion of the current value (or table row)"),
    ("b", "breakpoint on the current quantity (or table row), on / off"),
    ("r", "run to the next breakpoint"),
    ("Esc", "close the explanation / restore a maximised panel"),
    ("Tab  ↑ ↓", "focus the value table and move through its rows"),
    ("Ctrl+P", "command palette: jump to a symbol (w5, δ_o1, dE/dw1), theme, export"),
    ("o", "open another scenario (bundled, or any path)"),
    ("?", "this help"),
    ("q", "quit"),
]

READING = """\
The three panels always describe the same event.
  ▶ reversed   the quantity being computed
  • underlined the quantities it reads
  ·            not computed yet
In the diagram, each neuron's incoming connections are listed beside it (source, weight
symbol, weight value); arrows point right in the forward pass and left in the backward pass.
The equations panel shows the formula, the same with numbers, the exact result, and where the
scenario records it, the document's printed value: ✓ agrees at the printed precision, ✗ differs."""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        rows = [Content.assemble((f"  {keys:<14}", "bold $accent"), what) for keys, what in KEYS]
        # The folder on a line of its own: the lines around it keep their length whatever it is.
        saved = Content.assemble("Screenshots, exports and predict reports are saved in\n  ", (str(folder()), "bold"),
                                 f"\n(set {ENVIRONMENT} to choose another folder).")
        text = Content("\n").join([Content.styled("Keys", "bold"), *rows, Content(""),
                                   Content.styled("Reading the screen", "bold"), Content(READING), Content(""), saved])
        with VerticalScroll(id="help-body"):
            yield Static(text)
            yield Static(Content.styled("Esc, q or ? closes this screen.", "$text-muted"))
