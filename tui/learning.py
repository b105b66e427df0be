"""The learning modes of the stepper: predict-then-reveal, "why this number?", breakpoints and
conditional runs, and comparing a scenario with one of its classic-mistake variants.

A mixin of StepperApp: it keeps the modes' state and actions; the app's `show` asks it how to
present the current step (`present`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from backprop_stepper.core import Trace
from backprop_stepper.core.ledger import Ledger, LedgerState
from backprop_stepper.core.notation import count
from backprop_stepper.core.numbers import cell
from backprop_stepper.core.trace import Event

from .widgets.equations import EquationsPanel
from .widgets.values import ValueTable

# The modes' own modules (explanations, breakpoints, variants, the answer box) are imported when a
# mode is first used: none of them is needed to show a scenario, and start-up stays short.


class LearningModes:
    """State and actions of the learning modes (mixed into StepperApp)."""

    def init_learning(self, predict, tolerance: float | None, compare: str | None) -> None:
        """`tolerance` None: core.predict's default (the module loads when predict mode starts)."""
        self.predict_kinds = predict
        self.tolerance = tolerance
        self.session = None
        if predict:
            self._start_predicting(predict)
        self.feedback: list = []
        self.why = None  # the Explanation on show
        self.breakpoints: set[str] = set()  # quantity ids: they survive reloading the scenario
        self.compare_option = compare
        self.variant: tuple[Trace, Ledger, np.ndarray] | None = None
        self._summarised = False
        # The event whose question the answer box was last opened for: the box is emptied and
        # focused once per arrival at a question, so Esc can leave it and it stays left.
        self._question_at: int | None = None
        # Held, not queried: present() asks for it on every step, and a query walks the DOM.
        self._answer = None  # the AnswerBox once mounted

    def learning_loaded(self) -> None:
        """A (re)loaded trace: event numbers mean new things, so sessions start afresh."""
        if self.session is not None:
            self.session = type(self.session)(self.session.kinds, self.session.tolerance)
        self.why = None
        self.feedback = []
        self._question_at = None
        self._make_variant()
        self._sync_breakpoints()

    # -- presenting a step --------------------------------------------------------------------

    def asking(self, event: Event) -> bool:
        return self.session is not None and self.session.asks(event)

    def present(self, index: int, event: Event, state: LedgerState) -> LedgerState:
        """Fill the equations panel for the active mode; return the ledger state to display."""
        equations = self.query_one(EquationsPanel)
        asking = self.asking(event)
        answer = self.answer_box() if asking else self._mounted_answer_box()
        if answer is not None:
            answer.set_class(asking, "-asking")
        if not asking and self._question_at is not None:  # a question left: nothing typed lingers
            self._question_at = None
            if answer is not None:
                answer.clear()
        if asking and state.current is not None:  # the value stays hidden everywhere until answered
            known = state.known.copy()
            known[state.current] = False
            state = replace(state, known=known)
        if self.why is not None:
            equations.show_explanation(self.why)
            state = replace(state, reads=self.why.entries)
        elif asking:
            equations.show_question(event, self.session.hints(index), self.feedback, self.session.tolerance)
            if self._question_at != index:  # a new question: an empty box, with the cursor in it
                self._question_at = index
                answer.clear()
                answer.focus()
        else:
            if answer is not None and answer.has_focus:
                self.set_focus(None)
            if self.feedback and self.session is not None and index in self.session.done:
                equations.add_line([("  ", "")] + self.feedback, at=1)
        if self.variant is not None:
            self._compare_line(index, event, state)
        return state

    def _start_predicting(self, kinds) -> None:
        from backprop_stepper.core.predict import DEFAULT_TOLERANCE, PredictSession

        self.session = PredictSession(kinds, DEFAULT_TOLERANCE if self.tolerance is None else self.tolerance)

    def answer_box(self):
        """The answer box, mounted the first time predict mode needs it."""
        if self._answer is None:
            from .widgets.answer import AnswerBox

            self._answer = AnswerBox(id="answer")
            self.query_one("#main").mount(self._answer)
        return self._answer

    def _mounted_answer_box(self):
        return self._answer

    def answer_focused(self) -> bool:
        box = self._mounted_answer_box()
        return box is not None and box.has_focus

    def leave_answer_box(self) -> None:
        """Esc in the answer box: the question stays (→ waits for it); every other key moves."""
        self.set_focus(None)
        self.notify("Left the answer box: → returns to it; ←, [, ], g move elsewhere.", timeout=4)

    def variant_values(self, index: int) -> np.ndarray | None:
        if self.variant is None:
            return None
        from backprop_stepper.core.variants import corresponding

        other, ledger, mapping = self.variant
        state = ledger.at(corresponding(self.trace, other, index))
        shown = np.where(state.known, state.values, np.nan)
        return np.where(mapping >= 0, shown[np.maximum(mapping, 0)], np.nan)

    def learning_flags(self) -> list[str]:
        flags = []
        if self.session is not None:
            flags.append(self.session.standing())
        if self.breakpoints:
            flags.append(f"◆ {count(len(self.breakpoints), 'breakpoint')}")
        if self.variant is not None:
            flags.append(f"compare: {self.compare_option}")
        return flags

    # -- predict, then reveal -----------------------------------------------------------------

    def action_predict(self) -> None:
        if self.session is None:
            from backprop_stepper.core.predict import kinds_from

            self._start_predicting(self.predict_kinds or kinds_from(None))
            self._summarised = False
            self.notify("Predict mode: type each value before it is revealed", timeout=3)
        else:
            self.show_summary()
            self.session = None
            # Off means gone: the box, its text and its focus go with the mode.
            box = self._mounted_answer_box()
            if box is not None:
                box.remove()
                self._answer = None
            self._question_at = None
            self.notify("Predict mode off", timeout=2)
        self.feedback = []
        self.show(self.position)

    def on_input_submitted(self, message) -> None:
        from .widgets.answer import AnswerBox, parse_number

        if not isinstance(message.input, AnswerBox) or self.session is None or self.trace is None:
            return
        message.stop()
        event = self.trace[self.position]
        if not self.session.asks(event):
            return
        text = message.value.strip()
        if not text:  # a hint, or after two hints the answer
            if self.session.ask_hint(event):
                self.feedback = [("revealed: ", "bold"), (f"{event.symbol} = {cell(event.value)}", "")]
            else:
                self.feedback = [("hint shown above", "muted")]
        else:
            number = parse_number(text)
            if number is None:
                self.feedback = [("✗ ", "bad"), (f"{text!r} is not a number", "")]
            else:
                verdict = self.session.answer(self.trace, event, number)
                if verdict.correct:
                    self.feedback = [("✓ right: ", "ok"), (f"{event.symbol} = {cell(event.value)}", "bold")]
                elif event.index in self.session.done:
                    self.feedback = [("✗ ", "bad"), (verdict.slip or "not quite", ""), (" — revealed: ", "bold"),
                                     (f"{event.symbol} = {cell(event.value)}", "")]
                else:
                    self.feedback = [("✗ not quite", "bad")] + ([(f": {verdict.slip}", "")] if verdict.slip else [])
        message.input.value = ""
        self.show(self.position)
        if self.position == len(self.trace) - 1 and event.index in self.session.done:
            self.show_summary()

    def blocked_by_question(self) -> bool:
        if self.trace is not None and self.asking(self.trace[self.position]):
            self.notify("Answer first (Enter on an empty line gives a hint, then the answer).", timeout=3)
            box = self._mounted_answer_box()
            if box is not None:  # back into the box, if Esc had left it
                box.focus()
            return True
        return False

    def show_summary(self) -> None:
        if self.session is None or self._summarised or not any(s.asked for s in self.session.scores.values()):
            return
        from .screens.summary import SummaryScreen

        self._summarised = True
        stem = self.trace.scenario.path.stem if self.trace.scenario.path else "scenario"
        self.push_screen(SummaryScreen(self.session, self.trace.scenario.title, stem))

    # -- why this number? ---------------------------------------------------------------------

    def action_why(self) -> None:
        if self.trace is None:
            return
        if self.why is not None:
            self.why = None
            self.show(self.position)
            return
        index = self._target_index()
        if index is None:
            self.notify("That value has not been computed yet: step to it first.", timeout=3)
            return
        if index == self.position and self.asking(self.trace[index]):  # it would give the answer away
            self.notify("Answer first: the explanation shows the value.", timeout=3)
            return
        from backprop_stepper.core.explain import Explainer

        self.why = Explainer(self.ledger).explain(index)
        self.show(self.position)

    def action_close(self) -> None:
        if self.answer_focused():
            self.leave_answer_box()
        elif self.why is not None:
            self.why = None
            self.show(self.position)
        elif self.screen.maximized is not None:
            self.action_maximize()

    def _target_index(self) -> int | None:
        """The current event, or the value-table row the user selected (if computed by now)."""
        table = self.query_one(ValueTable)
        if not table.has_focus or table.selected_entry is None:
            return self.position
        entry = self.ledger.entries[table.selected_entry]
        if entry.key.family.value in ("x", "y"):
            return None
        iteration, offset = self.trace.locate(self.position)
        plan = self.trace.plan
        if entry.scope == "sample":
            found = plan.index.get((entry.key, self.ledger.at(self.position).sample), [])
        else:
            found = [o for (key, _), offsets in plan.index.items() if key == entry.key for o in offsets]
        done = [o for o in sorted(found) if o <= offset]
        return self.trace.index_of(iteration, done[-1]) if done else None

    # -- breakpoints and conditional runs -----------------------------------------------------

    def action_breakpoint(self) -> None:
        if self.trace is None:
            return
        table = self.query_one(ValueTable)
        # Kept by id (ids survive a reload), named by symbol (what the panels show).
        if table.has_focus and table.selected_entry is not None:
            entry = self.ledger.entries[table.selected_entry]
            quantity, symbol = entry.quantity, entry.symbol
        else:
            event = self.trace[self.position]
            quantity, symbol = event.quantity, event.symbol
        self.breakpoints ^= {quantity}
        self._sync_breakpoints()
        self.notify(f"Breakpoint {'set on' if quantity in self.breakpoints else 'removed from'} {symbol}", timeout=2)
        self.show(self.position)

    def _sync_breakpoints(self) -> None:
        if self.ledger is None:
            return
        entries = {n for n, e in enumerate(self.ledger.entries) if e.quantity in self.breakpoints}
        self.query_one(ValueTable).set_breakpoints(entries)

    def _run_to(self, index: int | None, what: str) -> None:
        if index is None:
            self.notify(f"No {what} ahead.", timeout=3)
        else:
            self._go(index)

    def action_run(self) -> None:
        if self.trace is None:
            return
        if not self.breakpoints:
            self.notify("No breakpoints: press b on an event (or on a value-table row) to set one.", timeout=3)
            return
        from backprop_stepper.core.breakpoints import next_breakpoint

        self._run_to(next_breakpoint(self.trace, self.position, self.breakpoints), "breakpoint")

    def run_until_sign_change(self) -> None:
        from backprop_stepper.core.breakpoints import until_sign_change

        event = self.trace[self.position]
        self._run_to(until_sign_change(self.trace, self.position, event.quantity), f"change of sign of {event.symbol}")

    def run_until_loss_below(self) -> None:
        from backprop_stepper.core.breakpoints import until_loss_below

        from .screens.goto import PromptScreen
        from .widgets.answer import parse_number

        self.push_screen(PromptScreen("Run until the loss falls below:", parse_number, "Enter a number, e.g. 0.5",
                                      "loss"),
                         lambda value: value is not None
                         and self._run_to(until_loss_below(self.trace, self.position, value), f"loss below {value:g}"))

    def run_to_end_of_phase(self) -> None:
        from backprop_stepper.core.breakpoints import end_of_phase

        self._go(end_of_phase(self.trace, self.position))

    def run_to_end_of_iteration(self) -> None:
        from backprop_stepper.core.breakpoints import end_of_iteration

        self._go(end_of_iteration(self.trace, self.position))

    def clear_breakpoints(self) -> None:
        self.breakpoints = set()
        self._sync_breakpoints()
        self.show(self.position)

    # -- compare with a variant ---------------------------------------------------------------

    def compare_with(self, option: str | None) -> None:
        self.compare_option = option
        self._make_variant()
        self.show(self.position)

    def _make_variant(self) -> None:
        table = self.query_one(ValueTable)
        if not self.compare_option or self.trace is None:
            self.variant = None
            table.variant_label = ""
        else:
            from backprop_stepper.core.variants import describe, variant

            other = Trace(variant(self.trace.scenario, self.compare_option))
            ledger = Ledger(other)
            mapping = np.array([ledger.position(e.key, e.scope) if ledger.position(e.key, e.scope) is not None else -1
                                for e in self.ledger.entries])
            self.variant = (other, ledger, mapping)
            table.variant_label = describe(self.compare_option, short=True)
        table.show_heading()

    def _compare_line(self, index: int, event: Event, state: LedgerState) -> None:
        from backprop_stepper.core.variants import describe

        values = self.variant_values(index)
        if state.current is None or values is None or not state.known[state.current]:
            return
        other = values[state.current]
        mine = event.value
        if np.isnan(other):
            text = [("  variant: ", "bold"), ("not computed at this point", "muted")]
        elif np.isclose(other, mine, rtol=1e-12, atol=1e-15):
            text = [("  variant: ", "bold"), (f"{cell(float(other))} (the same)", "")]
        else:
            text = [("  variant: ", "bold"), (cell(float(other)), "bad"),
                    (f" ≠ {cell(mine)} (differs by {cell(float(other - mine))}) · {describe(self.compare_option)}", "")]
        self.query_one(EquationsPanel).add_line(text)
