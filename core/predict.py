"""Predict, then reveal: grade a student's answer for an event, and name the classic slips.

An answer is right when it is within a relative tolerance (1e-3 by default) of the exact value. A
wrong answer is compared with what the common mistakes would have produced from the same inputs:
a flipped sign, a forgotten activation derivative, one path instead of the summed error at a
hidden neuron, a forgotten factor 2 or learning rate, a gradient added instead of subtracted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .quantities import Kind, Phase
from .trace import Event

DEFAULT_TOLERANCE = 1e-3

# Groups of kinds a student can choose to be asked about (--predict deltas,gradients).
GROUPS: dict[str, tuple[Kind, ...]] = {
    "forward": (Kind.NET_INPUT, Kind.ACTIVATION),
    "loss": (Kind.LOSS_TERM, Kind.LOSS_TOTAL, Kind.LOSS_MEAN),
    "errors": (Kind.OUTPUT_ERROR, Kind.BACKPROP_SUM),
    "derivatives": (Kind.ACTIVATION_DERIVATIVE,),
    "deltas": (Kind.DELTA,),
    "gradients": (Kind.WEIGHT_GRADIENT, Kind.BIAS_GRADIENT),
    "updates": (Kind.WEIGHT_UPDATE, Kind.BIAS_UPDATE),
}


def kinds_from(text: str | None) -> frozenset[Kind]:
    """"deltas,gradients" → those kinds; None or "all" → every kind. Raises ValueError."""
    if not text or text == "all":
        return frozenset(Kind)
    kinds: set[Kind] = set()
    for name in text.split(","):
        name = name.strip()
        if name in GROUPS:
            kinds.update(GROUPS[name])
        else:
            try:
                kinds.add(Kind(name))
            except ValueError:
                raise ValueError(f"unknown kind {name!r}: use {', '.join(GROUPS)} or event kinds") from None
    return frozenset(kinds)


def close(answer: float, exact: float, tolerance: float) -> bool:
    if not (math.isfinite(answer) and math.isfinite(exact)):
        return False
    return abs(answer - exact) <= tolerance * max(abs(exact), 1e-12) or abs(answer - exact) < 1e-12


def slips(event: Event, learning_rate: float, loss: str) -> list[tuple[str, float]]:
    """What the classic mistakes give for this event, from the values it read."""
    r = event.read_values
    kind = event.kind
    found: list[tuple[str, float]] = []
    if event.value != 0:
        found.append(("the sign is flipped", -event.value))
    if kind is Kind.DELTA:
        found.append(("the activation derivative is forgotten (that is ∂E/∂a, not δ)", r[0]))
    if kind is Kind.BACKPROP_SUM and len(r) > 2:
        for n in range(0, len(r), 2):
            found.append(("only one path: the error of a hidden neuron is the sum over every path "
                          "through the next layer", r[n] * r[n + 1]))
    if kind is Kind.OUTPUT_ERROR and loss == "squared_error":
        found.append(("the factor 2 of the squared error is forgotten", event.value / 2))
    if kind in (Kind.WEIGHT_UPDATE, Kind.BIAS_UPDATE):
        old, gradient = r
        found.append(("the gradient is added instead of subtracted", old + learning_rate * gradient))
        found.append(("the learning rate is forgotten", old - gradient))
    if kind in (Kind.WEIGHT_GRADIENT,) and event.sample is not None:
        found.append(("δ is used without the input it multiplies", r[0]))
    return found


@dataclass(frozen=True)
class Verdict:
    correct: bool
    slip: str | None  # the named mistake the answer matches, if any


def grade(event: Event, answer: float, tolerance: float, learning_rate: float, loss: str) -> Verdict:
    if close(answer, event.value, tolerance):
        return Verdict(True, None)
    for name, value in slips(event, learning_rate, loss):
        if close(answer, value, tolerance):
            return Verdict(False, name)
    return Verdict(False, None)


@dataclass
class Score:
    """Per phase: right first time, right after hints, revealed."""

    first: int = 0
    hinted: int = 0
    revealed: int = 0

    @property
    def asked(self) -> int:
        return self.first + self.hinted + self.revealed


@dataclass
class PredictSession:
    kinds: frozenset[Kind]
    tolerance: float = DEFAULT_TOLERANCE
    done: dict[int, str] = field(default_factory=dict)  # event index -> "first", "hinted", "revealed"
    attempts: dict[int, int] = field(default_factory=dict)  # wrong answers so far, per event
    scores: dict[Phase, Score] = field(default_factory=lambda: {phase: Score() for phase in Phase})
    slips_seen: list[tuple[str, str]] = field(default_factory=list)  # (symbol, slip)

    def asks(self, event: Event) -> bool:
        return event.kind in self.kinds and event.index not in self.done

    def hints(self, index: int) -> int:
        """How many hints the student has earned: one per wrong answer, at most two."""
        return min(self.attempts.get(index, 0), 2)

    def answer(self, event: Event, answer: float, learning_rate: float, loss: str) -> Verdict:
        verdict = grade(event, answer, self.tolerance, learning_rate, loss)
        if verdict.correct:
            outcome = "first" if self.attempts.get(event.index, 0) == 0 else "hinted"
            self._finish(event, outcome)
        else:
            self.attempts[event.index] = self.attempts.get(event.index, 0) + 1
            if verdict.slip:
                self.slips_seen.append((event.symbol, verdict.slip))
            if self.attempts[event.index] > 2:  # two hints used: reveal
                self._finish(event, "revealed")
        return verdict

    def reveal(self, event: Event) -> None:
        self._finish(event, "revealed")

    def _finish(self, event: Event, outcome: str) -> None:
        self.done[event.index] = outcome
        score = self.scores[event.phase]
        setattr(score, outcome, getattr(score, outcome) + 1)

    def report(self, title: str) -> str:
        """A small Markdown report of the session."""
        lines = [f"# Predict-then-reveal: {title}", "",
                 "| phase | asked | right first time | right after hints | revealed |", "|---|---|---|---|---|"]
        total = Score()
        for phase, score in self.scores.items():
            if score.asked:
                lines.append(f"| {phase.value} | {score.asked} | {score.first} | {score.hinted} | {score.revealed} |")
                total.first += score.first
                total.hinted += score.hinted
                total.revealed += score.revealed
        lines.append(f"| **all** | {total.asked} | {total.first} | {total.hinted} | {total.revealed} |")
        if self.slips_seen:
            lines += ["", "Classic slips spotted:", ""]
            lines += [f"- {symbol}: {slip}" for symbol, slip in self.slips_seen]
        lines += ["", f"Tolerance: relative {self.tolerance:g}."]
        return "\n".join(lines) + "\n"
