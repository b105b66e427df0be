"""The `g` prompt: jump to an event number (1-based, as the status line counts)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class GotoScreen(ModalScreen[int | None]):
    AUTO_FOCUS = "Input"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, total: int) -> None:
        super().__init__()
        self.total = total

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-body"):
            yield Label(f"Go to event (1 to {self.total:,}):")
            yield Input(placeholder="event number", type="integer", id="goto-input")
            yield Label("", id="goto-error")

    def on_input_submitted(self, message: Input.Submitted) -> None:
        text = message.value.strip().replace(",", "").replace("_", "")
        if text.isdigit() and 1 <= int(text) <= self.total:
            self.dismiss(int(text) - 1)
        else:
            self.query_one("#goto-error", Label).update(f"Enter a whole number from 1 to {self.total:,}.")
