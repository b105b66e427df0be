"""Predict, then reveal: each value of the kinds asked about stays hidden until the student's
answer is right (or, after two hints, revealed)."""

from __future__ import annotations

from dataclasses import replace

from backprop_stepper.core.numbers import cell
from backprop_stepper.core.predict import DEFAULT_TOLERANCE, PredictSession
from backprop_stepper.core.trace import Event, Trace

from .draft import Draft
from .view import Line, QuestionText


def parse_number(text: str) -> float | None:
    """A number as a student types it: "−0.5", "1,5e-3" (comma decimal), "+.25"."""
    cleaned = text.strip().replace("−", "-").replace("×10^", "e").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


class PredictMode:
    """Started with the kinds to ask about; stopped by dropping it (its score goes with it)."""

    def __init__(self, kinds, tolerance: float | None = None) -> None:
        self.session = PredictSession(kinds, DEFAULT_TOLERANCE if tolerance is None else tolerance)
        self.feedback: Line = []  # what the last answer earned, shown until the next move
        self._summarised = False

    def restart(self) -> None:
        """A (re)loaded trace: event numbers mean new things, so the session starts afresh."""
        self.session = PredictSession(self.session.kinds, self.session.tolerance)
        self.feedback = []

    def moved(self) -> None:
        self.feedback = []

    def asks(self, event: Event) -> bool:
        return self.session.asks(event)

    def flag(self) -> str:
        return self.session.standing()

    def step(self, draft: Draft) -> None:
        """Hide the value asked for everywhere and put the question in the equations panel; or,
        once it is answered, the answer's feedback under the heading."""
        if self.session.asks(draft.event):
            draft.asking = draft.question = True
            state = draft.state
            if state.current is not None:
                known = state.known.copy()
                known[state.current] = False
                draft.state = replace(state, known=known)
            draft.body = QuestionText(draft.event, self.session.hints(draft.index), self.feedback,
                                      self.session.tolerance)
        elif self.feedback and draft.index in self.session.done:
            draft.extra.append((1, [("  ", ""), *self.feedback]))

    def answer(self, trace: Trace, event: Event, text: str) -> None:
        """Grade what the student typed (an empty line asks for a hint, after two the value)."""
        text = text.strip()
        shown = f"{event.symbol} = {cell(event.value)}"
        if not text:
            if self.session.ask_hint(event):
                self.feedback = [("revealed: ", "bold"), (shown, "")]
            else:
                self.feedback = [("hint shown above", "muted")]
            return
        number = parse_number(text)
        if number is None:
            self.feedback = [("✗ ", "bad"), (f"{text!r} is not a number", "")]
            return
        verdict = self.session.answer(trace, event, number)
        if verdict.correct:
            self.feedback = [("✓ right: ", "ok"), (shown, "bold")]
        elif event.index in self.session.done:
            self.feedback = [("✗ ", "bad"), (verdict.slip or "not quite", ""), (" — revealed: ", "bold"), (shown, "")]
        else:
            self.feedback = [("✗ not quite", "bad")] + ([(f": {verdict.slip}", "")] if verdict.slip else [])

    def summary(self) -> PredictSession | None:
        """The session, once, if anything was asked: for the end-of-session table."""
        if self._summarised or not any(score.asked for score in self.session.scores.values()):
            return None
        self._summarised = True
        return self.session
