"""The baseline: the smallest Textual app that repaints on every key press (one Static updated).

Every figure of the stepper's benchmark is divided by this app's figure, measured the same way in
the same run, so the ratios mean something on any machine.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static


class MinimalApp(App[None]):
    BINDINGS = [Binding("right", "move", "Next"), Binding("home", "first", "First")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Static("event 0", id="counter")
        yield Footer()

    def action_move(self) -> None:
        self.count += 1
        self.query_one("#counter", Static).update(f"event {self.count}")

    def action_first(self) -> None:
        self.count = 0
        self.query_one("#counter", Static).update("event 0")


if __name__ == "__main__":
    MinimalApp().run()
