"""Every key of the stepper, written once: the app's bindings, when each may run, the help screen
and the README's key table (checked by a test) all follow `KEYS`.

Named tuples, not frozen dataclasses: as immutable, and defined at import in about a tenth of the
time (a frozen dataclass of Command's eleven fields took 1 ms of a start-up that waits for it).
"""

from __future__ import annotations

from typing import NamedTuple

from textual.binding import Binding


class Command(NamedTuple):
    """One binding of the app, and when it may run."""

    keys: str  # Textual's key names, comma-separated, each shown in its row of `KEYS`
    action: str  # the action's name
    description: str  # in the footer
    args: tuple = ()  # the action's parameters
    key_display: str | None = None
    show: bool = False  # in the footer
    priority: bool = False  # reaches the app even when a widget has focus
    also: str = ""  # further keys doing the same, not listed ("=" is "+" unshifted)
    move: int = 0  # steps through the trace: 1 forward (disabled at the last event), -1 back (at the first)
    needs_trace: bool = False  # disabled while no scenario is open
    always: bool = False  # runs even when the terminal is too small; first in the footer

    @property
    def binding(self) -> Binding:
        action = f"{self.action}({', '.join(map(repr, self.args))})" if self.args else self.action
        keys = f"{self.keys},{self.also}" if self.also else self.keys
        return Binding(keys, action, self.description, show=self.show, key_display=self.key_display,
                       priority=self.priority)


class KeyRow(NamedTuple):
    """One line of the help screen and one row of the README's key table: the keys as written
    there, what they do, and the app's commands for them (none: a widget's or Textual's own key)."""

    shown: str
    does: str
    commands: tuple[Command, ...] = ()

    @property
    def names(self) -> list[str]:
        """The keys one by one, as the README writes each between backticks."""
        return [name for name in self.shown.split() if name != "/"]


def _move(keys: str, action: str, description: str, move: int, **options) -> Command:
    # Moves are priority keys: they step the trace whichever panel has focus.
    return Command(keys, action, description, move=move, needs_trace=True, priority=True, **options)


KEYS = (
    KeyRow("→  l  space", "next event (a block at a time in the matrix view)",
           (_move("right,l,space", "move", "Next", 1, args=(1,), key_display="→", show=True),)),
    KeyRow("←  h", "previous event", (_move("left,h", "move", "Back", -1, args=(-1,), key_display="←", show=True),)),
    KeyRow("Home / End", "first / last event",
           (_move("home", "first", "First", -1), _move("end", "last", "Last", 1))),
    KeyRow("]  [", "next / previous phase (forward, loss, backward, update)",
           (_move("right_square_bracket", "next_phase", "Phase", 1, key_display="]", show=True),
            _move("left_square_bracket", "previous_phase", "Phase back", -1, key_display="["))),
    KeyRow("}  {", "next / previous iteration",
           (_move("right_curly_bracket", "next_iteration", "Iteration", 1, key_display="}", show=True),
            _move("left_curly_bracket", "previous_iteration", "Iteration back", -1, key_display="{"))),
    KeyRow("g", "go to an event number", (Command("g", "goto", "Go to", needs_trace=True),)),
    KeyRow("p", "autoplay: play / pause", (Command("p", "autoplay", "Play", show=True, needs_trace=True),)),
    KeyRow("+  -", "autoplay faster / slower",
           (Command("plus", "speed", "Faster", args=(1,), also="equals_sign"),
            Command("minus", "speed", "Slower", args=(-1,)))),
    KeyRow("P", "autoplay pauses at every phase boundary (on / off)",
           (Command("P", "toggle_phase_stops", "Stop at phases"),)),
    KeyRow("v", "matrix view: a layer at a time, as vector equations (on / off)",
           (Command("v", "toggle_matrix", "Matrix", show=True, needs_trace=True),)),
    KeyRow("m", "maximise the equations, large, for a lecture hall (again: restore)",
           (Command("m", "maximize", "Maximise"),)),
    KeyRow("c", "gradient check: backpropagation against central differences",
           (Command("c", "gradient_check", "Grad check", needs_trace=True),)),
    KeyRow("s", "save a screenshot of this step (SVG, in the folder named below)",
           (Command("s", "screenshot", "Screenshot", needs_trace=True),)),
    KeyRow("a", "predict mode: type each value before it is revealed (on / off)",
           (Command("a", "predict", "Predict", show=True),)),
    KeyRow("w", "why this number? the chain-rule expansion of the current value (or table row)",
           (Command("w", "why", "Why?", show=True),)),
    KeyRow("b", "breakpoint on the current quantity (or table row), on / off",
           (Command("b", "breakpoint", "Breakpoint"),)),
    KeyRow("r", "run to the next breakpoint", (Command("r", "run", "Run to ◆"),)),
    KeyRow("Esc", "close the explanation / restore a maximised panel", (Command("escape", "close", "Close"),)),
    KeyRow("Tab  ↑ ↓", "focus the value table and move through its rows"),  # Textual's focus; the table's keys
    KeyRow("Ctrl+P", "command palette: jump to a symbol (w5, δ_o1, dE/dw1), theme, export"),  # Textual's
    KeyRow("o", "open another scenario (bundled, or any path)", (Command("o", "open", "Open"),)),
    KeyRow("?", "this help", (Command("question_mark", "help", "Help", key_display="?", show=True, always=True),)),
    KeyRow("q", "quit", (Command("q", "quit", "Quit", show=True, always=True),)),
)

COMMANDS = tuple(command for row in KEYS for command in row.commands)
# Help and quit first: a footer too narrow for every key cuts from the right.
BINDINGS = [c.binding for c in sorted(COMMANDS, key=lambda c: not c.always)]
ALWAYS = frozenset(c.action for c in COMMANDS if c.always)
MOVES = frozenset(c.action for c in COMMANDS if c.move)
NEEDS_TRACE = frozenset(c.action for c in COMMANDS if c.needs_trace)
_MOVE = {(c.action, c.args): c.move for c in COMMANDS if c.move}


def move(action: str, parameters: tuple) -> int:
    """Which way an action moves through the trace: 1 forward, -1 back, 0 not a move."""
    return _MOVE.get((action, tuple(parameters)), 0)
