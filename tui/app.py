"""The stepper: one reactive position in the trace, pushed down into three panels.

Actions only move `position`; `show` then asks core for the event and the ledger state at that
position and hands them to the status line, the diagram, the equations and the value table. Every
step, forward or back, is the same O(1) lookup plus one repaint.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.reactive import reactive
from textual.widgets import Footer, Static

from core.ledger import Ledger
from core.trace import Trace

from .widgets.diagram import NetworkDiagram
from .widgets.equations import EquationsPanel
from .widgets.status import StatusBar
from .widgets.values import ValueHeader, ValueTable

MIN_WIDTH, MIN_HEIGHT = 60, 18


class StepperApp(App[None]):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "backprop-stepper"
    AUTO_FOCUS = None  # the keys step the trace; Tab focuses the value table to browse it
    HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-narrow"), (160, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-short"), (34, "-tall")]

    BINDINGS = [
        Binding("right,l,space", "step(1)", "Next", key_display="→", priority=True),
        Binding("left,h", "step(-1)", "Back", key_display="←", priority=True),
        Binding("home", "first", "First", show=False, priority=True),
        Binding("end", "last", "Last", show=False, priority=True),
        Binding("right_square_bracket", "next_phase", "Phase", key_display="]", priority=True),
        Binding("left_square_bracket", "previous_phase", "Phase back", key_display="[", show=False, priority=True),
        Binding("right_curly_bracket", "next_iteration", "Iteration", key_display="}", priority=True),
        Binding("left_curly_bracket", "previous_iteration", "Iteration back", key_display="{", show=False, priority=True),
        Binding("g", "goto", "Go to", show=False),  # in the help screen and the command palette
        Binding("o", "open", "Open", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    # Bindings are refreshed by hand, only when "at the start/end" changes: refreshing them on
    # every step would rebuild the footer's widgets on every key press.
    position: reactive[int] = reactive(0, init=False, repaint=False)  # the panels repaint themselves

    def __init__(self, trace: Trace | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace: Trace | None = None
        self.ledger: Ledger | None = None
        self._initial = trace

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Container(id="main"):
            with Container(id="top"):
                yield NetworkDiagram(id="diagram")
                yield EquationsPanel(id="equations")
            with Vertical(id="values"):
                yield ValueHeader(id="values-header")
                yield ValueTable(id="values-table")
        yield Static(
            f"This terminal is too small for the stepper.\nPlease make it at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            id="too-small",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diagram").border_title = "network"
        self.query_one("#equations").border_title = "equation"
        self.query_one("#values").border_title = "values"
        if self._initial is not None:
            self.load(self._initial)
        else:
            self.action_open()

    # -- loading and showing ------------------------------------------------------------------

    def load(self, trace: Trace, position: int = 0) -> None:
        self.trace = trace
        self.ledger = Ledger(trace)
        self.sub_title = trace.scenario.title
        self.query_one(NetworkDiagram).load(self.ledger)
        self.query_one(EquationsPanel).batch = len(trace.scenario.samples) > 1
        table = self.query_one(ValueTable)
        table.load(self.ledger)
        self.query_one(ValueHeader).update(table.header())
        position = min(max(position, 0), len(trace) - 1)
        self.set_reactive(StepperApp.position, position)
        self.show(position)
        self.refresh_bindings()

    def watch_position(self, old: int, position: int) -> None:
        self.show(position)
        last = len(self.trace) - 1 if self.trace else 0
        if (old in (0, last)) != (position in (0, last)) or last == 0:
            self.refresh_bindings()

    _reshow_pending = False

    def on_resize(self) -> None:
        # A breakpoint may have changed the layout (e.g. the short form of the equations);
        # repaint once it has, at whatever position we are by then (once per burst of resizes).
        if not self._reshow_pending:
            self._reshow_pending = True
            self.call_after_refresh(self._reshow)

    def _reshow(self) -> None:
        self._reshow_pending = False
        self.show(self.position)

    def show(self, index: int) -> None:
        if self.trace is None or self.ledger is None:
            return
        event = self.trace[index]
        state = self.ledger.at(index, event)
        printed = self.trace.printed_at(index)
        self.query_one(StatusBar).show(self.trace, event)
        self.query_one(EquationsPanel).show(event, printed, self.trace.notes_at(index))
        self.query_one(NetworkDiagram).show(state, event)
        self.query_one(ValueTable).show(state, self.ledger.printed(state))

    def _picked(self, trace: Trace | None) -> None:
        if trace is not None:
            self.load(trace)

    # -- actions ------------------------------------------------------------------------------

    def _go(self, index: int) -> None:
        if self.trace is not None:
            self.position = min(max(index, 0), len(self.trace) - 1)

    def action_step(self, delta: int) -> None:
        self._go(self.position + delta)

    def action_first(self) -> None:
        self._go(0)

    def action_last(self) -> None:
        if self.trace is not None:
            self._go(len(self.trace) - 1)

    def action_next_phase(self) -> None:
        if self.trace is not None:
            self._go(self.trace.next_phase(self.position))

    def action_previous_phase(self) -> None:
        if self.trace is not None:
            self._go(self.trace.previous_phase(self.position))

    def action_next_iteration(self) -> None:
        if self.trace is not None:
            self._go(self.trace.next_iteration(self.position))

    def action_previous_iteration(self) -> None:
        if self.trace is not None:
            self._go(self.trace.previous_iteration(self.position))

    # Screens are imported when first opened: their widgets are not needed to show a scenario,
    # and not importing them keeps start-up short.

    def action_goto(self) -> None:
        from .screens.goto import GotoScreen

        if self.trace is not None:
            self.push_screen(GotoScreen(len(self.trace)), lambda index: index is not None and self._go(index))

    def action_open(self) -> None:
        from .screens.picker import PickerScreen

        self.push_screen(PickerScreen(can_cancel=self.trace is not None), self._picked)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out moves that cannot happen from here (None: shown, but disabled)."""
        if self.trace is None:
            return None if action in ("step", "first", "last", "next_phase", "previous_phase",
                                      "next_iteration", "previous_iteration", "goto") else True
        at_start, at_end = self.position == 0, self.position == len(self.trace) - 1
        if action == "step":
            return None if (parameters[0] > 0 and at_end) or (parameters[0] < 0 and at_start) else True
        if action in ("first", "previous_phase", "previous_iteration"):
            return None if at_start else True
        if action in ("last", "next_phase", "next_iteration"):
            return None if at_end else True
        return True
