"""The stepper without Textual: where in the trace we are, the teaching modes on show and the
file being watched. Each command (move, toggle a mode, answer, a tick of autoplay…) changes
that state; `view()` says what the screen shows now, as one immutable View.

Commands that have something to tell the person at the keyboard return a Notice. The modes'
modules load when a mode first starts: start-up needs none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backprop_stepper.core import ScenarioError, Trace, resolve
from backprop_stepper.core.ledger import Ledger
from backprop_stepper.core.quantities import Phase

from .autoplay import Autoplay
from .breakpoints import Breakpoints
from .draft import Draft
from .view import Equation, EventText, Notice, View

if TYPE_CHECKING:
    from backprop_stepper.core.predict import PredictSession

    from .compare import CompareMode
    from .matrix import MatrixMode
    from .predict import PredictMode
    from .why import WhyMode


class Stepper:
    """One scenario's trace being stepped through, with its teaching modes."""

    def __init__(self, predict=None, tolerance: float | None = None, compare: str | None = None) -> None:
        self.trace: Trace | None = None
        self.ledger: Ledger | None = None
        self.event_index = 0  # the index of the event on show
        self.predict_kinds, self.tolerance = predict, tolerance
        self.predict: PredictMode | None = None
        if predict:
            self._start_predicting(predict)
        self.why: WhyMode | None = None
        self.breakpoints = Breakpoints()
        self.compare_option = compare
        self.compare: CompareMode | None = None
        self.matrix: MatrixMode | None = None
        self.autoplay = Autoplay()
        self._summary: PredictSession | None = None
        self._watched: tuple[float, int] | None = None

    # -- the trace ----------------------------------------------------------------------------

    def load(self, trace: Trace, event_index: int = 0) -> None:
        """Show `trace` from event `event_index` (clamped). Event numbers mean new things now: predict
        starts afresh, an explanation and the matrix view go; breakpoints and the compared
        variant (by option) stay."""
        self.trace = trace
        self.ledger = Ledger(trace)
        self.matrix = None
        self.why = None
        if self.predict is not None:
            self.predict.restart()
        self._make_variant()
        self._watched = _stat(trace)
        self.event_index = min(max(event_index, 0), len(trace) - 1)

    @property
    def at_end(self) -> bool:
        return self.trace is not None and self.event_index == len(self.trace) - 1

    def view(self) -> View:
        """What the screen shows at the current event."""
        assert self.trace is not None and self.ledger is not None
        if self.matrix is not None:
            draft = self.matrix.step(self.event_index)
        else:
            index = self.event_index
            event = self.trace[index]
            draft = Draft(index, event, self.ledger.at(index, event),
                          EventText(event, self.trace.printed_at(index), self.trace.notes_at(index)))
        # In this order: a question hides the value; an explanation replaces the question (it is
        # only given for a value already known); the variant's line goes last.
        for mode in (self.predict, self.why, self.compare):
            if mode is not None:
                mode.step(draft)
        return View(draft.index, draft.event, draft.state, self.ledger.printed(draft.state),
                    Equation(draft.body, tuple(draft.extra)), self.flags(), draft.events, draft.variant,
                    self.compare.label if self.compare is not None else "", self.breakpoints.rows(self.ledger),
                    draft.asking, draft.question)

    def flags(self) -> str:
        """The status line's modes, in a fixed order."""
        flags = []
        if self.predict is not None:
            flags.append(self.predict.flag())
        if self.breakpoints:
            flags.append(self.breakpoints.flag())
        if self.compare is not None:
            flags.append(self.compare.flag())
        if self.matrix is not None:
            flags.append("matrix view")
        if self.autoplay.playing:
            flags.append(self.autoplay.flag())
        return " · ".join(flags)

    # -- moving -------------------------------------------------------------------------------

    def go(self, index: int) -> None:
        """Arrive at event `index` (clamped): an explanation and an answer's feedback belong to
        where they were given, and go."""
        if self.trace is None:
            return
        index = min(max(index, 0), len(self.trace) - 1)
        if index != self.event_index:
            self.why = None
            if self.predict is not None:
                self.predict.moved()
        self.event_index = index

    def move(self, delta: int) -> Notice | None:
        """One event (in the matrix view, one block) forward or back; forward waits for a
        pending answer."""
        if self.trace is None:
            return None
        if delta > 0 and self.asking():
            return Notice("Answer first (Enter on an empty line gives a hint, then the answer).",
                          back_to_answer=True)
        self.go(self.matrix.move(self.event_index, delta) if self.matrix is not None else self.event_index + delta)
        return None

    def first(self) -> None:
        self.go(0)

    def last(self) -> None:
        if self.trace is not None:
            self.go(len(self.trace) - 1)

    def next_phase(self) -> None:
        if self.trace is not None:
            self.go(self.trace.next_phase(self.event_index))

    def previous_phase(self) -> None:
        if self.trace is not None:
            self.go(self.trace.previous_phase(self.event_index))

    def next_iteration(self) -> None:
        if self.trace is not None:
            self.go(self.trace.next_iteration(self.event_index))

    def previous_iteration(self) -> None:
        if self.trace is not None:
            self.go(self.trace.previous_iteration(self.event_index))

    def goto_iteration(self, iteration: int) -> None:
        if self.trace is not None:
            self.go(self.trace.index_of(iteration, 0))

    def goto_phase(self, phase: Phase) -> None:
        """The start of `phase` in the current iteration."""
        trace = self.trace
        if trace is None:
            return
        iteration, _ = trace.locate(self.event_index)
        index = start = trace.index_of(iteration, 0)
        while trace[index].phase is not phase:
            following = trace.next_phase(index)
            if following == index or trace.locate(following)[0] != iteration:
                return
            index = following
        self.go(max(index, start))

    def goto_row(self, row: int) -> None:
        """The event that computes value-table row `row`: the next time from here in this
        iteration, else the first time."""
        if self.ledger is None:
            return
        index = self.ledger.event_of(row, self.event_index)
        if index is not None:
            self.go(index)

    def computed(self, row: int | None) -> int | None:
        """The event on show (`row` None), or the latest event up to here that computed table row
        `row`; None if it is not computed by now."""
        if row is None or self.ledger is None:
            return self.event_index
        return self.ledger.event_of(row, self.event_index, latest=True)

    # -- autoplay -----------------------------------------------------------------------------

    def toggle_autoplay(self) -> None:
        self.autoplay.playing = not self.autoplay.playing and self.trace is not None

    def change_speed(self, delta: int) -> Notice:
        self.autoplay.faster(delta)
        return Notice(f"Autoplay: one step every {self.autoplay.interval:g} s", timeout=2)

    def toggle_phase_stops(self) -> Notice:
        self.autoplay.phase_stops = not self.autoplay.phase_stops
        return Notice("Autoplay " + ("pauses at every phase boundary" if self.autoplay.phase_stops
                                     else "runs through phases"), timeout=2)

    def tick(self) -> Notice | None:
        """One step of autoplay; it stops at the end, and at a phase's first event if asked to."""
        if self.trace is None or self.at_end:
            self.autoplay.playing = False
            return None
        notice = self.move(1)
        if self.autoplay.phase_stops and self.trace.phase_segment(self.event_index)[0] == self.event_index:
            self.autoplay.playing = False
        return notice

    # -- the matrix view ----------------------------------------------------------------------

    def toggle_matrix(self) -> None:
        if self.ledger is None:
            return
        if self.matrix is None:
            from .matrix import MatrixMode

            self.matrix = MatrixMode(self.ledger)
            self.event_index = self.matrix.snap(self.event_index)  # the same place, on a block
        else:
            self.matrix = None

    # -- predict, then reveal -----------------------------------------------------------------

    def _start_predicting(self, kinds) -> None:
        from .predict import PredictMode

        self.predict = PredictMode(kinds, self.tolerance)

    def asking(self) -> bool:
        """Whether a question waits for an answer at the event on show."""
        return self.predict is not None and self.trace is not None and self.predict.asks(self.trace[self.event_index])

    def toggle_predict(self) -> Notice:
        if self.predict is None:
            from backprop_stepper.core.predict import kinds_from

            self._start_predicting(self.predict_kinds or kinds_from(None))
            return Notice("Predict mode: type each value before it is revealed", timeout=3)
        self._summary = self.predict.summary() or self._summary
        self.predict = None  # off means gone: its questions, feedback and score
        return Notice("Predict mode off", timeout=2)

    def answer(self, text: str) -> None:
        """What the student typed for the question on show; at the last event, once answered,
        the session's summary is due."""
        if self.predict is None or self.trace is None:
            return
        event = self.trace[self.event_index]
        if not self.predict.asks(event):
            return
        self.predict.answer(self.trace, event, text)
        if self.at_end and event.index in self.predict.session.done:
            self._summary = self.predict.summary() or self._summary

    def take_summary(self) -> PredictSession | None:
        """A finished predict session to show the scores of (once), or None."""
        summary, self._summary = self._summary, None
        return summary

    # -- why this number? ---------------------------------------------------------------------

    def toggle_why(self, row: int | None = None) -> Notice | None:
        """Explain the event on show, or the latest computation of table row `row`; again: close."""
        if self.trace is None or self.ledger is None:
            return None
        if self.why is not None:
            self.why = None
            return None
        index = self.computed(row)
        if index is None:
            return Notice("That value has not been computed yet: step to it first.")
        if index == self.event_index and self.asking():  # it would give the answer away
            return Notice("Answer first: the explanation shows the value.")
        from .why import WhyMode

        self.why = WhyMode(self.ledger, index)
        return None

    def close_why(self) -> bool:
        """Close an explanation; False if none was open."""
        open_, self.why = self.why is not None, None
        return open_

    # -- breakpoints and conditional runs -----------------------------------------------------

    def toggle_breakpoint(self, row: int | None = None) -> Notice | None:
        """A breakpoint on the quantity on show, or on table row `row`."""
        if self.trace is None or self.ledger is None:
            return None
        if row is not None:
            entry = self.ledger.entries[row]
            quantity, symbol = entry.quantity, entry.symbol
        else:
            event = self.trace[self.event_index]
            quantity, symbol = event.quantity, event.symbol
        # Kept by id (ids survive a reload), named by symbol (what the panels show).
        now_set = self.breakpoints.toggle(quantity)
        return Notice(f"Breakpoint {'set on' if now_set else 'removed from'} {symbol}", timeout=2)

    def clear_breakpoints(self) -> None:
        self.breakpoints.clear()

    def _run_to(self, index: int | None, what: str) -> Notice | None:
        if index is None:
            return Notice(f"No {what} ahead.")
        self.go(index)
        return None

    def run(self) -> Notice | None:
        """To the next breakpoint, into later iterations if need be."""
        if self.trace is None:
            return None
        if not self.breakpoints:
            return Notice("No breakpoints: press b on an event (or on a value-table row) to set one.")
        return self._run_to(self.breakpoints.next(self.trace, self.event_index), "breakpoint")

    def run_until_sign_change(self) -> Notice | None:
        from backprop_stepper.core.breakpoints import until_sign_change

        if self.trace is None:
            return None
        event = self.trace[self.event_index]
        return self._run_to(until_sign_change(self.trace, self.event_index, event.quantity),
                            f"change of sign of {event.symbol}")

    def run_until_loss_below(self, value: float) -> Notice | None:
        from backprop_stepper.core.breakpoints import until_loss_below

        if self.trace is None:
            return None
        return self._run_to(until_loss_below(self.trace, self.event_index, value), f"loss below {value:g}")

    def run_to_end_of_phase(self) -> None:
        from backprop_stepper.core.breakpoints import end_of_phase

        if self.trace is not None:
            self.go(end_of_phase(self.trace, self.event_index))

    def run_to_end_of_iteration(self) -> None:
        from backprop_stepper.core.breakpoints import end_of_iteration

        if self.trace is not None:
            self.go(end_of_iteration(self.trace, self.event_index))

    # -- compare with a variant ---------------------------------------------------------------

    def compare_with(self, option: str | None) -> None:
        """Compare with a classic-mistake variant ("update_order=layerwise"); None: stop comparing."""
        self.compare_option = option
        self._make_variant()

    def _make_variant(self) -> None:
        self.compare = None
        if self.compare_option and self.trace is not None and self.ledger is not None:
            from .compare import CompareMode

            self.compare = CompareMode(self.trace, self.ledger, self.compare_option)

    # -- the file on show, and files saved ----------------------------------------------------

    def changed_file(self) -> Trace | ScenarioError | None:
        """The scenario again if its file changed on disk since it was loaded (or last looked
        at): the new trace, or why the new content is not valid. None when unchanged."""
        if self.trace is None or self.trace.scenario.path is None:
            return None
        stat = _stat(self.trace)
        if stat is None or stat == self._watched:
            return None
        self._watched = stat
        try:
            return Trace(resolve(self.trace.scenario.path))
        except ScenarioError as error:
            return error

    def reload(self, trace: Trace) -> None:
        """A new version of the scenario on show, at the same place by meaning (the same
        iteration, phase and quantity, not the same event number: an edit that changes the
        network's size changes every number after it)."""
        assert self.trace is not None
        self.load(trace, trace.same_place(self.trace, self.event_index))

    @property
    def file_stem(self) -> str:
        """The scenario's file name without its suffix: the start of every saved file's name."""
        path = self.trace.scenario.path if self.trace is not None else None
        return path.stem if path is not None else "scenario"

    def screenshot_name(self) -> str:
        return f"{self.file_stem}-event-{self.event_index + 1}"

    def export(self, kind: str) -> Notice | None:
        """Write the worked solution ("markdown") or the trace ("json") to a new file."""
        if self.trace is None:
            return None
        from backprop_stepper.core.export import write_json, write_markdown

        from ..saving import write_new

        name, suffix, write = ((".solution", ".md", write_markdown) if kind == "markdown"
                               else (".trace", ".json", write_json))
        try:
            path = write_new(self.file_stem + name, suffix, lambda out: write(self.trace, out))
        except OSError as error:
            return Notice(f"Could not write {error.filename or ''}: {error.strerror}", timeout=None, severity="error")
        return Notice(f"Wrote {path}", timeout=5)

    def gradient_check(self) -> tuple[list, int, int]:
        """The gradient check of the update step on show: (results, iteration, step)."""
        from backprop_stepper.core.gradcheck import gradient_check

        assert self.trace is not None
        event = self.trace[self.event_index]
        return gradient_check(self.trace, event.iteration, event.update_step), event.iteration, event.update_step


def _stat(trace: Trace) -> tuple[float, int] | None:
    path = trace.scenario.path
    try:
        stat = path.stat() if path is not None else None
    except OSError:
        return None
    return None if stat is None else (stat.st_mtime, stat.st_size)
