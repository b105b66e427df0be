"""The answer box of predict mode: shown only while a question is waiting for an answer.

It takes what a number is typed with (digits, minus, dot, comma, e, ×10^), Backspace and Enter;
every other key goes on to the stepper's bindings, so `]`, `g`, `w`, `a` and the arrows still work
while the cursor is in the box, and a key that is neither is refused with a message.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

NUMBER_CHARACTERS = frozenset("0123456789.,+-eE−×^")


class AnswerBox(Input):
    """Enter submits the answer; Enter on an empty line asks for a hint (or, after two, the answer)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="your answer, e.g. 0.0151 (Enter on empty: a hint · Esc leaves the box)",
                         restrict=r"[0-9.,+\-eE−×^]*", **kwargs)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # Textual drops the bindings of keys a focused input may consume, even priority ones:
        # claim only the keys of a number, and the stepper's keys keep working.
        return character is not None and character in NUMBER_CHARACTERS

    def on_key(self, event: events.Key) -> None:
        # Runs before Input's own handler, which would type (or bell) any printable key and stop
        # it there: a key that is not part of a number goes on to the stepper's bindings instead,
        # or, if none takes it, is refused with a message.
        if event.is_printable and event.character not in NUMBER_CHARACTERS:
            event.prevent_default()
            if event.key not in self.screen.active_bindings:
                event.stop()
                self.restricted()

    def restricted(self) -> None:
        self.app.bell()
        self.notify("The answer box takes a number (digits, −, ., e); Esc leaves it.", timeout=3)

