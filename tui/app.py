"""The stepper: one reactive position in the trace, pushed down into the panels.

Actions only move `position`; `show` then asks core for the event and the ledger state at that
position and hands them to the status line, the diagram, the equations and the value table. Every
step, forward or back, is the same O(1) lookup plus one repaint.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.reactive import reactive
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from backprop_stepper.core import ScenarioError, Trace, resolve
from backprop_stepper.core.ledger import Ledger
from backprop_stepper.core.quantities import Phase
from backprop_stepper.core.training import Training

from . import keys
from .learning import LearningModes
from .themes import LECTURE_THEMES
from .widgets.diagram import NetworkDiagram
from .widgets.equations import EquationsPanel
from .widgets.frame import BlankScreen, Frame
from .widgets.losscurve import LossCurve
from .widgets.status import StatusBar
from .widgets.values import ValueTable

MIN_WIDTH, MIN_HEIGHT = 72, 22  # the smallest at which every panel still shows what it is for
AUTOPLAY_SPEEDS = (3.0, 2.0, 1.5, 1.0, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05)  # seconds per step
WATCH_INTERVAL = 1.0  # seconds between checks of the scenario file


def _stepper_commands():
    from .commands import StepperCommands

    return StepperCommands


class StepperApp(LearningModes, App[None]):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "backprop-stepper"
    AUTO_FOCUS = None  # the keys step the trace; Tab focuses the value table to browse it
    COMMANDS = App.COMMANDS | {lambda: _stepper_commands()}  # imported when the palette first opens
    HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-narrow"), (160, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-short"), (34, "-tall")]

    BINDINGS = keys.BINDINGS  # every key, with the help screen and the README: see tui/keys.py

    # Bindings are refreshed by hand, only when "at the start/end" changes: refreshing them on
    # every step would rebuild the footer's widgets on every key press.
    position: reactive[int] = reactive(0, init=False, repaint=False)  # the panels repaint themselves

    def __init__(self, trace: Trace | None = None, theme: str | None = None, watch: bool = True,
                 predict=None, tolerance: float | None = None, compare: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.init_learning(predict, tolerance, compare)
        for lecture_theme in LECTURE_THEMES:
            self.register_theme(lecture_theme)
        # --theme, else the TEXTUAL_THEME convention (which may name one of ours, registered only now).
        chosen = theme or os.environ.get("TEXTUAL_THEME")
        if chosen and chosen in self.available_themes:
            if self.theme == chosen:
                # Textual took TEXTUAL_THEME as its starting name before our themes existed, and
                # built its colours from its fallback theme: setting the same name again is no
                # change to it, so make it apply the theme now that the name resolves.
                self.mutate_reactive(App.theme)
            else:
                self.theme = chosen
        self.trace: Trace | None = None
        self.ledger: Ledger | None = None
        self.matrix = None  # the MatrixView while the matrix view is on
        self.autoplay_timer = None
        self.autoplay_speed = AUTOPLAY_SPEEDS.index(1.0)
        self.phase_stops = False
        self.watch_file = watch
        self._watched: tuple[float, int] | None = None
        self._reload_failed = False  # an error about the watched file is on screen
        self._initial = trace

    def get_default_screen(self) -> BlankScreen:
        return BlankScreen(id="stepper")

    def compose(self) -> ComposeResult:
        # Kept at hand: a step updates each of them, and a query walks the DOM.
        self.status_bar, self.loss_curve = StatusBar(id="status-bar"), LossCurve(id="loss-curve")
        self.diagram, self.equations = NetworkDiagram(id="diagram"), EquationsPanel(id="equations")
        self.value_table = ValueTable(id="values-table")
        with Frame(id="status"):
            yield self.status_bar
            yield self.loss_curve
        with Frame(id="main"):
            with Frame(id="top"):
                yield self.diagram
                yield self.equations
            yield self.value_table
            # The answer box of predict mode is mounted when first needed.
        yield Static(
            f"This terminal is too small for the stepper.\nPlease make it at least {MIN_WIDTH}×{MIN_HEIGHT}."
            "\n\n(q quits)",
            id="too-small",
        )
        yield Footer()

    def on_mount(self) -> None:
        if self._initial is not None:
            self.load(self._initial)
        else:
            self.action_open()
        if self.watch_file:
            self.set_interval(WATCH_INTERVAL, self.check_file)

    # -- loading and showing ------------------------------------------------------------------

    def load(self, trace: Trace, position: int = 0) -> None:
        self.trace = trace
        self.ledger = Ledger(trace)
        self.matrix = None
        self.sub_title = trace.scenario.title
        self._watched = self._stat(trace)
        self.query_one(NetworkDiagram).load(self.ledger)
        self.query_one(EquationsPanel).batch = len(trace.scenario.samples) > 1
        table = self.query_one(ValueTable)
        table.load(self.ledger)
        self.learning_loaded()
        curve = self.query_one(LossCurve)
        curve.display = trace.iterations > 1
        if trace.iterations > 1:
            # What stepping has computed so far (iterations 1…n, from the first checkpoint on).
            curve.set_losses(trace.losses(trace.training.computed_through), trace.iterations)
            # After the first frame: a long run must open as fast as a short one.
            self.call_after_refresh(self._compute_losses, trace)
        position = min(max(position, 0), len(trace) - 1)
        self.set_reactive(StepperApp.position, position)
        self.show(position)
        self.refresh_bindings()

    def watch_position(self, old: int, position: int) -> None:
        self.why = None  # an explanation belongs to where it was asked for
        self.feedback = []
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
        self.refresh_bindings()  # none but help and quit work while the terminal is too small

    @property
    def too_small(self) -> bool:
        """Whether the terminal is below the minimum (the panels are hidden behind a message)."""
        width, height = self.size
        return width < MIN_WIDTH or height < MIN_HEIGHT

    def _reshow(self) -> None:
        self._reshow_pending = False
        self.show(self.position)

    def show(self, index: int) -> None:
        if self.trace is None or self.ledger is None:
            return
        event = self.trace[index]
        with self.equations.repainting_once(), self.status_bar.repainting_once(), \
                self.diagram.repainting_once(), self.value_table.repainting_once():
            events = None
            if self.matrix is not None:
                # The whole block, as it stands at its last event, wherever in it a jump landed:
                # the header names every event it spans, the marks cover everything it reads.
                block = self.matrix.block(index)
                index, event, events = block.end, self.trace[block.end], block.events
                state = self.ledger.at(index, event, block.entries, block.reads)
                self.equations.show_block(block)
            else:
                state = self.ledger.at(index, event)
                self.equations.show(event, self.trace.printed_at(index), self.trace.notes_at(index))
            state = self.present(index, event, state)  # predict, why and compare modes
            self.status_bar.show(self.trace, event, self.status_flags(), events)
            self.diagram.show(state, event)
            self.value_table.show(state, self.ledger.printed(state), self.variant_values(index))
        if self.trace.iterations > 1:
            self.loss_curve.show_iteration(event.iteration)

    def status_flags(self) -> str:
        flags = self.learning_flags()
        if self.matrix is not None:
            flags.append("matrix view")
        if self.autoplay_timer is not None:
            flags.append(f"▶ playing {AUTOPLAY_SPEEDS[self.autoplay_speed]:g}s"
                         + (" · stops at phases" if self.phase_stops else ""))
        return " · ".join(flags)

    def _picked(self, trace: Trace | None) -> None:
        if trace is not None:
            self.load(trace)

    # -- the loss curve -----------------------------------------------------------------------

    def _compute_losses(self, trace: Trace) -> None:
        """Every iteration's loss, in a worker thread with its own Training (nothing is shared
        with the trace being stepped), so a long run opens at once and its curve fills in."""

        def work() -> None:
            worker = get_current_worker()
            training = Training(trace.scenario, trace.plan)
            chunk = max(1, min(200, trace.iterations // 20))
            for through in range(chunk, trace.iterations + chunk, chunk):
                if worker.is_cancelled:
                    return
                losses = training.losses(min(through, trace.iterations))
                self.call_from_thread(self._losses_ready, trace, losses)
                time.sleep(0.002)  # let the interface thread take the interpreter between chunks

        self.run_worker(work, thread=True, exclusive=True, group="losses", exit_on_error=False)

    def _losses_ready(self, trace: Trace, losses) -> None:
        if trace is self.trace:
            curve = self.query_one(LossCurve)
            if curve.known is None or len(losses) > len(curve.known):
                curve.set_losses(losses, trace.iterations)

    # -- moving -------------------------------------------------------------------------------

    def _go(self, index: int) -> None:
        if self.trace is not None:
            self.position = min(max(index, 0), len(self.trace) - 1)

    def action_step(self, delta: int) -> None:
        if self.trace is None or (delta > 0 and self.blocked_by_question()):
            return
        if self.matrix is not None:  # a block at a time
            number = self.matrix.block_number(self.position) + delta
            if 0 <= number < len(self.matrix):
                self._go(self.matrix.end_of(number))
            return
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

    def goto_iteration(self, iteration: int) -> None:
        if self.trace is not None:
            self._go(self.trace.index_of(iteration, 0))

    def goto_phase(self, phase: Phase) -> None:
        """The start of `phase` in the current iteration."""
        if self.trace is None:
            return
        iteration, _ = self.trace.locate(self.position)
        index = start = self.trace.index_of(iteration, 0)
        while self.trace[index].phase is not phase:
            following = self.trace.next_phase(index)
            if following == index or self.trace.locate(following)[0] != iteration:
                return
            index = following
        self._go(max(index, start))

    def goto_entry(self, entry: int) -> None:
        """The event that computes a quantity of the table, in the current iteration."""
        if self.trace is None or self.ledger is None:
            return
        item = self.ledger.entries[entry]
        iteration, offset = self.trace.locate(self.position)
        plan = self.trace.plan
        if item.scope == "sample":
            shown = self.ledger.at(self.position).sample
            offsets = plan.index.get((item.key, shown), [])
        else:
            offsets = [o for (key, _), found in plan.index.items() if key == item.key for o in found]
        if offsets:
            # The next time it is computed from here, else the first time in this iteration.
            later = [o for o in sorted(offsets) if o > offset]
            self._go(self.trace.index_of(iteration, later[0] if later else min(offsets)))

    # -- views --------------------------------------------------------------------------------

    def action_toggle_matrix(self) -> None:
        if self.trace is None:
            return
        if self.matrix is None:
            from backprop_stepper.core.matrix import MatrixView

            self.matrix = MatrixView(self.ledger)
            self.set_reactive(StepperApp.position, self.matrix.end_of(self.matrix.block_number(self.position)))
        else:
            self.matrix = None
        self.show(self.position)

    def action_maximize(self) -> None:
        """Maximise the equations (or the panel in focus) for a lecture hall; again to restore."""
        equations = self.query_one(EquationsPanel)
        if self.screen.maximized is not None:
            self.screen.minimize()
            equations.spacious = False
        else:
            target = self.focused if isinstance(self.focused, (ValueTable,)) else equations
            equations.spacious = target is equations
            self.screen.maximize(target, container=False)
        self.call_after_refresh(self._reshow)

    def action_gradient_check(self) -> None:
        if self.trace is None:
            return
        from backprop_stepper.core.gradcheck import gradient_check

        from .screens.gradcheck import GradientCheckScreen

        event = self.trace[self.position]
        self.push_screen(GradientCheckScreen(gradient_check(self.trace, event.iteration, event.step),
                                             event.iteration, event.step))

    def set_theme(self, name: str) -> None:
        self.theme = name

    # -- autoplay -----------------------------------------------------------------------------

    def action_autoplay(self) -> None:
        if self.autoplay_timer is not None:
            self.autoplay_timer.stop()
            self.autoplay_timer = None
        elif self.trace is not None:
            self.autoplay_timer = self.set_interval(AUTOPLAY_SPEEDS[self.autoplay_speed], self._autoplay_tick)
        self.show(self.position)

    def action_speed(self, delta: int) -> None:
        self.autoplay_speed = min(max(self.autoplay_speed + delta, 0), len(AUTOPLAY_SPEEDS) - 1)
        if self.autoplay_timer is not None:  # restart at the new speed
            self.autoplay_timer.stop()
            self.autoplay_timer = self.set_interval(AUTOPLAY_SPEEDS[self.autoplay_speed], self._autoplay_tick)
        self.notify(f"Autoplay: one step every {AUTOPLAY_SPEEDS[self.autoplay_speed]:g} s", timeout=2)
        self.show(self.position)

    def action_toggle_phase_stops(self) -> None:
        self.phase_stops = not self.phase_stops
        self.notify("Autoplay " + ("pauses at every phase boundary" if self.phase_stops else "runs through phases"),
                    timeout=2)
        self.show(self.position)

    def _autoplay_tick(self) -> None:
        if self.trace is None or self.position >= len(self.trace) - 1:
            self.action_autoplay()  # at the end: stop
            return
        self.action_step(1)
        if self.phase_stops and self.trace.phase_segment(self.position)[0] == self.position:
            self.action_autoplay()  # a new phase begins: pause here

    # -- files --------------------------------------------------------------------------------

    @staticmethod
    def _stat(trace: Trace) -> tuple[float, int] | None:
        path = trace.scenario.path
        try:
            stat = path.stat() if path is not None else None
        except OSError:
            return None
        return None if stat is None else (stat.st_mtime, stat.st_size)

    def check_file(self) -> None:
        """Reload the scenario when its file changes on disk, keeping the position where it can;
        if the new content is invalid, say so and keep the last good trace."""
        if self.trace is None or self.trace.scenario.path is None:
            return
        stat = self._stat(self.trace)
        if stat is None or stat == self._watched:
            return
        self._watched = stat
        path = self.trace.scenario.path
        try:
            trace = Trace(resolve(path))
        except ScenarioError as error:
            self.notify(f"{error}\nThe last good version stays loaded.", title="Scenario not reloaded",
                        severity="error", timeout=15, markup=False)  # a file's text, not markup
            self._reload_failed = True
            return
        if self._reload_failed:  # the file is good again: its old error no longer holds
            self.clear_notifications()
            self._reload_failed = False
        # The same iteration, phase and quantity, not the same event number: an edit that
        # changes the network's size changes every number after it.
        self.load(trace, trace.same_place(self.trace, self.position))
        self.notify(f"Reloaded {path.name}", timeout=3)

    @property
    def _file_stem(self) -> str:
        return self.trace.scenario.path.stem if self.trace.scenario.path else "scenario"

    def export(self, kind: str) -> None:
        if self.trace is None:
            return
        from backprop_stepper.core.export import write_json, write_markdown

        from .saving import write_new

        name, suffix = (".solution", ".md") if kind == "markdown" else (".trace", ".json")
        try:
            path = write_new(self._file_stem + name, suffix,
                             lambda out: (write_markdown if kind == "markdown" else write_json)(self.trace, out))
        except OSError as error:
            self.notify(f"Could not write {error.filename or ''}: {error.strerror}", severity="error")
            return
        self.notify(f"Wrote {path}", timeout=5)

    def action_screenshot(self) -> None:
        if self.trace is None:
            return
        name = f"{self._file_stem}-event-{self.position + 1}"
        if self.is_web:
            self.deliver_screenshot(filename=f"{name}.svg")
            return
        from .saving import write_new

        try:
            path = write_new(name, ".svg", lambda out: out.write(self.export_screenshot()))
        except OSError as error:
            self.notify(f"Could not write {error.filename or ''}: {error.strerror}", severity="error")
            return
        self.notify(f"Saved {path}", timeout=5)

    # -- screens ------------------------------------------------------------------------------
    # Imported when first opened: their widgets are not needed to show a scenario, and not
    # importing them keeps start-up short.

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
        if action not in keys.ALWAYS and self.too_small:
            return False  # nothing moves behind the "too small" message, unseen
        if action in keys.MOVES and self.screen.is_modal:
            return None  # priority keys reach the app past a dialog: the trace stays put behind it
        if self.trace is None:
            return None if action in keys.NEEDS_TRACE else True
        # A pending question does not grey out → : the step runs, and says why it waits.
        direction = keys.move(action, parameters)
        if (direction > 0 and self.position == len(self.trace) - 1) or (direction < 0 and self.position == 0):
            return None
        return True
