"""The `?` help screen: every key, and how to read the panels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..keys import KEYS
from ..saving import ENVIRONMENT, folder

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
        rows = [Content.assemble((f"  {row.shown:<14}", "bold $accent"), row.does) for row in KEYS]
        # The folder on a line of its own: the lines around it keep their length whatever it is.
        saved = Content.assemble("Screenshots, exports and predict reports are saved in\n  ", (str(folder()), "bold"),
                                 f"\n(set {ENVIRONMENT} to choose another folder).")
        text = Content("\n").join([Content.styled("Keys", "bold"), *rows, Content(""),
                                   Content.styled("Reading the screen", "bold"), Content(READING), Content(""), saved])
        with VerticalScroll(id="help-body"):
            yield Static(text)
            yield Static(Content.styled("Esc, q or ? closes this screen.", "$text-muted"))
