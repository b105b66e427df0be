"""A one-line prompt for a number: the event to go to (g), the loss to run down to."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PromptScreen(ModalScreen[object]):
    AUTO_FOCUS = "Input"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, label: str, parse: Callable[[str], object | None], problem: str, placeholder: str = "") -> None:
        super().__init__()
        self.label, self.parse, self.problem, self.placeholder = label, parse, problem, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-body"):
            yield Label(self.label)
            yield Input(placeholder=self.placeholder, id="goto-input")
            yield Label("", id="goto-error")

    def on_input_submitted(self, message: Input.Submitted) -> None:
        value = self.parse(message.value)
        if value is None:
            self.query_one("#goto-error", Label).update(self.problem)
        else:
            self.dismiss(value)


def goto_prompt(total: int) -> PromptScreen:
    """The prompt for an event number to go to (1-based, as the status line counts); it is
    dismissed with the event's index."""

    def parse(text: str) -> int | None:
        text = text.strip().replace(",", "").replace("_", "")
        return int(text) - 1 if text.isdigit() and 1 <= int(text) <= total else None

    return PromptScreen(f"Go to event (1 to {total:,}):", parse, f"Enter a whole number from 1 to {total:,}.",
                        "event number")
