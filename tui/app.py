"""The stepper's Textual side: the layout, the keys, and rendering what the controller says.

Every key is a command of the Stepper (`controller/`, no Textual): it moves to another event or
switches a teaching mode, and `Stepper.view()` then says what the screen shows, which `render`
hands to the status line, the diagram, the equations and the value table (each repaints only the
lines that changed). Timers, workers, screens, focus and notifications stay here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Static
from textual.worker import get_current_worker

from backprop_stepper.core import ScenarioError, Trace
from backprop_stepper.core.ledger import Ledger
from backprop_stepper.core.quantities import Phase

from . import keys
from .collector import collect_due
from .controller import Notice, Stepper, View
from .themes import LECTURE_THEMES
from .widgets.diagram import NetworkDiagram
from .widgets.equations import EquationsPanel
from .widgets.footer import KeyFooter
from .widgets.frame import BlankScreen, Frame
from .widgets.losscurve import LossCurve
from .widgets.status import StatusBar
from .widgets.values import ValueTable

MIN_WIDTH, MIN_HEIGHT = 72, 22  # the smallest at which every panel still shows what it is for
WATCH_INTERVAL = 1.0  # seconds between checks of the scenario file


def _stepper_commands():
    from .commands import StepperCommands

    return StepperCommands


class StepperApp(App[None]):
    """The stepper in a terminal (or a browser tab): keys in, the controller's view out."""

    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "backprop-stepper"
    AUTO_FOCUS = None  # the keys step the trace; Tab focuses the value table to browse it
    COMMANDS = App.COMMANDS | {lambda: _stepper_commands()}  # imported when the palette first opens
    HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-narrow"), (160, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-short"), (34, "-tall")]

    BINDINGS = keys.BINDINGS  # every key, with the help screen and the README: see tui/keys.py

    # The event the panels last showed, to see when "at the start/end" changes: bindings are
    # refreshed by hand, only then, because refreshing them on every step would rebuild the
    # footer's widgets on every key press.
    _shown_index = 0

    def __init__(self, trace: Trace | None = None, theme: str | None = None, watch: bool = True,
                 predict=None, tolerance: float | None = None, compare: str | None = None,
                 on_first_frame: Callable[[], None] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_first_frame = on_first_frame  # the command resumes the cycle collector: see tui.launch
        self.stepper = Stepper(predict, tolerance, compare)
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
        self.autoplay_timer = None  # the Textual timer that ticks the controller's autoplay
        self._timer_interval: float | None = None
        self.watch_file = watch
        self._reload_failed = False  # an error about the watched file is on screen
        self._initial = trace
        # The event whose question the answer box was last opened for: the box is emptied and
        # focused once per arrival at a question, so Esc can leave it and it stays left.
        self._question_at: int | None = None
        self._answer = None  # predict mode's AnswerBox once mounted (held: a query walks the DOM)

    # What the controller holds, under the names tests and the command palette use.

    @property
    def trace(self) -> Trace | None:
        return self.stepper.trace

    @property
    def ledger(self) -> Ledger | None:
        return self.stepper.ledger

    @property
    def session(self):
        """Predict mode's session while predict mode is on."""
        return self.stepper.predict.session if self.stepper.predict is not None else None

    @property
    def matrix(self):
        """The matrix view's blocks while the matrix view is on."""
        return self.stepper.matrix.blocks if self.stepper.matrix is not None else None

    @property
    def breakpoints(self) -> frozenset[str]:
        """The quantity ids with a breakpoint."""
        return self.stepper.breakpoints.quantities

    def status_flags(self) -> str:
        """The modes the status line names (predict's score, breakpoints, compare, matrix, autoplay)."""
        return self.stepper.flags()

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
        yield KeyFooter()

    def on_ready(self) -> None:
        # Textual's Ready: the first frame is on screen.
        if self._on_first_frame is not None:
            self._on_first_frame()

    def on_mount(self) -> None:
        if self._initial is not None:
            self.load(self._initial)
        else:
            self.action_open()
        if self.watch_file:
            self.set_interval(WATCH_INTERVAL, self.check_file)

    # -- loading and rendering ----------------------------------------------------------------

    @property
    def event_index(self) -> int:
        """The index of the event on show: the controller's (the app keeps no copy)."""
        return self.stepper.event_index

    def load(self, trace: Trace, event_index: int = 0) -> None:
        self.stepper.load(trace, event_index)
        self._loaded()

    def _loaded(self) -> None:
        """The widgets take the trace the controller now holds."""
        trace, ledger = self.stepper.trace, self.stepper.ledger
        self.sub_title = trace.scenario.title
        self.diagram.load(ledger)
        self.equations.batch = len(trace.scenario.samples) > 1
        self.value_table.load(ledger)
        self._question_at = None
        curve = self.loss_curve
        curve.display = trace.iterations > 1
        if trace.iterations > 1:
            curve.set_losses(trace.losses_so_far(), trace.iterations)
            # After the first frame: a long run must open as fast as a short one.
            self.call_after_refresh(self._compute_losses, trace)
        self._shown_index = self.event_index
        self.render_view()
        self.refresh_bindings()

    def _done(self, notice: Notice | None = None) -> None:
        """After a command: show where the controller is now, and what it had to say."""
        old, self._shown_index = self._shown_index, self.event_index
        self.render_view()
        last = len(self.trace) - 1 if self.trace else 0
        if (old == 0, old == last) != (self.event_index == 0, self.event_index == last):
            self.refresh_bindings()  # ← or → greys out (or comes back) at either end
        self._sync_autoplay()
        if notice is not None:
            self.say(notice)
        summary = self.stepper.take_summary()
        if summary is not None:
            from .screens.summary import SummaryScreen

            self.push_screen(SummaryScreen(summary, self.trace.scenario.title, self.stepper.file_stem))

    def say(self, notice: Notice) -> None:
        self.notify(notice.text, title=notice.title, severity=notice.severity, timeout=notice.timeout,
                    markup=False)
        if notice.back_to_answer and self._answer is not None:  # back into the box, if Esc had left it
            self._answer.focus()

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
        self.render_view()

    _collection_pending = False

    def render_view(self) -> None:
        """Hand the controller's view of this step to each panel (each repaints what changed)."""
        if self.stepper.trace is None:
            return
        if not self._collection_pending:  # the garbage of this repaint, once its frame is out
            self._collection_pending = True
            self.call_after_refresh(self._collect_garbage)
        view = self.stepper.view()
        table = self.value_table
        with self.equations.repainting_once(), self.status_bar.repainting_once(), \
                self.diagram.repainting_once(), table.repainting_once():
            self.equations.show(view.equation)
            self.status_bar.show(self.trace, view.event, view.flags, view.events)
            self.diagram.show(view.state, view.event)
            if view.variant_label != table.variant_label:
                table.variant_label = view.variant_label
                table.show_heading()
            if view.breakpoints != table.breakpoints:
                table.set_breakpoints(set(view.breakpoints))
            table.show(view.state, view.printed, view.variant)
            self._answer_box_for(view)
        if self.trace.iterations > 1:
            self.loss_curve.show_iteration(view.event.iteration)

    def _collect_garbage(self) -> None:
        self._collection_pending = False
        collect_due()

    def _answer_box_for(self, view: View) -> None:
        """Predict mode's box: shown while a question waits, emptied and focused once per
        question, left alone (and unfocused) otherwise."""
        answer = self.answer_box() if view.asking else self._answer
        if answer is None:
            return
        answer.set_class(view.asking, "-asking")
        if not view.asking and self._question_at is not None:  # a question left: nothing typed lingers
            self._question_at = None
            answer.clear()
        if view.question:
            if self._question_at != view.index:  # a new question: an empty box, with the cursor in it
                self._question_at = view.index
                answer.clear()
                answer.focus()
        elif not view.asking and answer.has_focus:
            self.set_focus(None)

    # -- the loss curve -----------------------------------------------------------------------

    def _compute_losses(self, trace: Trace) -> None:
        """Every iteration's loss, in a worker thread (core computes it apart from the trace
        being stepped), so a long run opens at once and its curve fills in."""

        def work() -> None:
            worker = get_current_worker()
            for losses in trace.loss_chunks(max(1, min(200, trace.iterations // 20))):
                if worker.is_cancelled:
                    return
                self.call_from_thread(self._losses_ready, trace, losses)
                time.sleep(0.002)  # let the interface thread take the interpreter between chunks

        self.run_worker(work, thread=True, exclusive=True, group="losses", exit_on_error=False)

    def _losses_ready(self, trace: Trace, losses) -> None:
        if trace is self.trace:
            curve = self.loss_curve
            if curve.known is None or len(losses) > len(curve.known):
                curve.set_losses(losses, trace.iterations)

    # -- moving -------------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        """One event (a block in the matrix view) forward or back: a key press, not an update step."""
        self._done(self.stepper.move(delta))

    def action_first(self) -> None:
        self._done(self.stepper.first())

    def action_last(self) -> None:
        self._done(self.stepper.last())

    def action_next_phase(self) -> None:
        self._done(self.stepper.next_phase())

    def action_previous_phase(self) -> None:
        self._done(self.stepper.previous_phase())

    def action_next_iteration(self) -> None:
        self._done(self.stepper.next_iteration())

    def action_previous_iteration(self) -> None:
        self._done(self.stepper.previous_iteration())

    def goto_iteration(self, iteration: int) -> None:
        self._done(self.stepper.goto_iteration(iteration))

    def goto_phase(self, phase: Phase) -> None:
        """The start of `phase` in the current iteration."""
        self._done(self.stepper.goto_phase(phase))

    def goto_entry(self, row: int) -> None:
        """The event that computes a row of the value table."""
        self._done(self.stepper.goto_row(row))

    def go_to(self, index: int | None) -> None:
        """Show event `index` (clamped; counted from 0); None (a dismissed dialog) stays put."""
        if index is not None:
            self.stepper.go(index)
            self._done()

    # -- views --------------------------------------------------------------------------------

    def action_toggle_matrix(self) -> None:
        self._done(self.stepper.toggle_matrix())

    def action_maximize(self) -> None:
        """Maximise the equations (or the panel in focus) for a lecture hall; again to restore."""
        equations = self.equations
        if self.screen.maximized is not None:
            self.screen.minimize()
            equations.spacious = False
        else:
            target = self.focused if isinstance(self.focused, (ValueTable,)) else equations
            equations.spacious = target is equations
            equations.release_height()
            self.screen.maximize(target, container=False)
        self.call_after_refresh(self._reshow)

    def action_gradient_check(self) -> None:
        if self.trace is None:
            return
        from .screens.gradcheck import GradientCheckScreen

        self.push_screen(GradientCheckScreen(*self.stepper.gradient_check()))

    def set_theme(self, name: str) -> None:
        self.theme = name

    # -- autoplay -----------------------------------------------------------------------------

    def action_autoplay(self) -> None:
        self._done(self.stepper.toggle_autoplay())

    def action_speed(self, delta: int) -> None:
        self._done(self.stepper.change_speed(delta))

    def action_toggle_phase_stops(self) -> None:
        self._done(self.stepper.toggle_phase_stops())

    def _autoplay_tick(self) -> None:
        self._done(self.stepper.tick())

    def _sync_autoplay(self) -> None:
        """Run the timer at the controller's pace while it plays, and only then."""
        autoplay = self.stepper.autoplay
        wanted = autoplay.interval if autoplay.playing else None
        timer = self.autoplay_timer
        if timer is not None and wanted != self._timer_interval:
            timer.stop()
            self.autoplay_timer = None
        if wanted is not None and self.autoplay_timer is None:
            self.autoplay_timer = self.set_interval(wanted, self._autoplay_tick)
        self._timer_interval = wanted

    # -- files --------------------------------------------------------------------------------

    def check_file(self) -> None:
        """Reload the scenario when its file changes on disk, keeping the place where it can;
        if the new content is invalid, say so and keep the last good trace."""
        found = self.stepper.changed_file()
        if found is None:
            return
        if isinstance(found, ScenarioError):
            self.notify(f"{found}\nThe last good version stays loaded.", title="Scenario not reloaded",
                        severity="error", timeout=15, markup=False)  # a file's text, not markup
            self._reload_failed = True
            return
        if self._reload_failed:  # the file is good again: its old error no longer holds
            self.clear_notifications()
            self._reload_failed = False
        self.stepper.reload(found)
        self._loaded()
        self.notify(f"Reloaded {found.scenario.path.name}", timeout=3)

    def export(self, kind: str) -> None:
        notice = self.stepper.export(kind)
        if notice is not None:
            self.say(notice)

    def action_screenshot(self) -> None:
        if self.trace is None:
            return
        name = self.stepper.screenshot_name()
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

    # -- teaching modes -----------------------------------------------------------------------

    def _selected_row(self) -> int | None:
        """The value-table row the user selected, while the table has focus."""
        table = self.value_table
        return table.selected_entry if table.has_focus else None

    def action_predict(self) -> None:
        notice = self.stepper.toggle_predict()
        if self.stepper.predict is None and self._answer is not None:
            # Off means gone: the box, its text and its focus go with the mode.
            self._answer.remove()
            self._answer = None
            self._question_at = None
        self._done(notice)

    def answer_box(self):
        """The answer box, mounted the first time predict mode needs it."""
        if self._answer is None:
            from .widgets.answer import AnswerBox

            self._answer = AnswerBox(id="answer")
            self.query_one("#main").mount(self._answer)
        return self._answer

    def on_input_submitted(self, message) -> None:
        if message.input is not self._answer or self._answer is None:
            return
        message.stop()
        if not self.stepper.asking():
            return
        self.stepper.answer(message.value)
        message.input.value = ""
        self._done()

    def action_why(self) -> None:
        self._done(self.stepper.toggle_why(self._selected_row()))

    def action_close(self) -> None:
        if self._answer is not None and self._answer.has_focus:
            # Esc in the answer box: the question stays (→ waits for it); every other key moves.
            self.set_focus(None)
            self.notify("Left the answer box: → returns to it; ←, [, ], g move elsewhere.", timeout=4)
        elif self.stepper.close_why():
            self._done()
        elif self.screen.maximized is not None:
            self.action_maximize()

    def action_breakpoint(self) -> None:
        self._done(self.stepper.toggle_breakpoint(self._selected_row()))

    def action_run(self) -> None:
        self._done(self.stepper.run())

    def run_until_sign_change(self) -> None:
        self._done(self.stepper.run_until_sign_change())

    def run_until_loss_below(self) -> None:
        from .controller.predict import parse_number
        from .screens.goto import PromptScreen

        self.push_screen(PromptScreen("Run until the loss falls below:", parse_number, "Enter a number, e.g. 0.5",
                                      "loss"),
                         lambda value: value is not None and self._done(self.stepper.run_until_loss_below(value)))

    def run_to_end_of_phase(self) -> None:
        self._done(self.stepper.run_to_end_of_phase())

    def run_to_end_of_iteration(self) -> None:
        self._done(self.stepper.run_to_end_of_iteration())

    def clear_breakpoints(self) -> None:
        self._done(self.stepper.clear_breakpoints())

    def compare_with(self, option: str | None) -> None:
        self._done(self.stepper.compare_with(option))

    # -- screens ------------------------------------------------------------------------------
    # Imported when first opened: their widgets are not needed to show a scenario, and not
    # importing them keeps start-up short.

    def action_goto(self) -> None:
        from .screens.goto import goto_prompt

        if self.trace is not None:
            self.push_screen(goto_prompt(len(self.trace)), self.go_to)

    def action_open(self) -> None:
        from .screens.picker import PickerScreen

        self.push_screen(PickerScreen(can_cancel=self.trace is not None), self._picked)

    def _picked(self, trace: Trace | None) -> None:
        if trace is not None:
            self.load(trace)

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
        if (direction > 0 and self.event_index == len(self.trace) - 1) or (direction < 0 and self.event_index == 0):
            return None
        return True
