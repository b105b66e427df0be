"""Predict, then reveal: grade a student's answer for an event, and name the classic slips.

An answer is right when it is within a relative tolerance (1e-3 by default) of the exact value. A
wrong answer is compared with what the common mistakes would have produced from the same inputs:
a flipped sign, a forgotten activation derivative, one path instead of the summed error at a
hidden neuron, a forgotten factor 2 or learning rate, a gradient added instead of subtracted.
A slip made earlier is recognised wherever its consequence shows: one path at ∂E/∂h₁ gives a wrong
δ_h₁, wrong gradients of layer 1 and wrong updates, and each of those is named as that slip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import rules
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
    """Whether `answer` is within the relative `tolerance` of `exact`; never if either is not finite."""
    if not (math.isfinite(answer) and math.isfinite(exact)):
        return False
    return abs(answer - exact) <= tolerance * max(abs(exact), 1e-12) or abs(answer - exact) < 1e-12


@dataclass(frozen=True)
class Slip:
    """What a classic mistake gives: `value`, and its name. `at` is the symbol of the earlier
    quantity where the mistake was made, when its consequence was carried into this one."""

    name: str
    value: float
    at: str | None = None

    def describe(self, symbol: str) -> str:
        """The slip's name; for a slip carried on from an earlier quantity, also where it was made."""
        return self.name if self.at is None else f"{self.name} (a slip at {self.at}, carried on to {symbol})"


MAX_SLIPS = 32  # candidates per event: a wide network's sums would otherwise multiply them


def local_slips(event: Event, learning_rate: float, loss: str) -> list[Slip]:
    """What the classic mistakes made at this event give, from the values it read."""
    r = event.read_values
    kind = event.kind
    found: list[Slip] = []
    if event.value != 0:
        found.append(Slip("the sign is flipped", -event.value))
    if kind is Kind.DELTA:
        found.append(Slip("the activation derivative is forgotten (that is ∂E/∂a, not δ)", r[0]))
    if kind is Kind.BACKPROP_SUM and len(r) > 2:
        for n in range(0, len(r), 2):
            found.append(Slip("only one path: the error of a hidden neuron is the sum over every path "
                              "through the next layer", r[n] * r[n + 1]))
    if kind is Kind.OUTPUT_ERROR and loss == "squared_error":
        found.append(Slip("the factor 2 of the squared error is forgotten", event.value / 2))
    if kind in (Kind.WEIGHT_UPDATE, Kind.BIAS_UPDATE):
        old, gradient = r
        found.append(Slip("the gradient is added instead of subtracted", old + learning_rate * gradient))
        found.append(Slip("the learning rate is forgotten", old - gradient))
    if kind in (Kind.WEIGHT_GRADIENT,) and event.sample is not None:
        found.append(Slip("δ is used without the input it multiplies", r[0]))
    return found


def recompute(event: Event, reads: list[float] | tuple[float, ...], learning_rate: float) -> float | None:
    """The event's value from (possibly different) read values, for the kinds through which a
    slip made earlier carries on unchanged in form: sums and products of the backward pass, the
    batch means and the updates, by the training's own rules (`core.rules`). None for the others."""
    kind, r = event.kind, reads
    if kind is Kind.BACKPROP_SUM:  # reads: δ₁, w₁ⱼ, δ₂, w₂ⱼ ...
        return float(rules.backpropagated_sum(np.array(r[0::2]), np.array(r[1::2])))
    if kind is Kind.DELTA:
        return float(rules.error_signal(r[0], r[1]))
    if kind in (Kind.WEIGHT_GRADIENT, Kind.BIAS_GRADIENT):
        if event.sample is None:  # the mean over the batch's samples
            return float(rules.batch_mean(np.array(r)))
        if kind is Kind.BIAS_GRADIENT:
            return float(r[0])  # ∂E/∂b = δ
        return float(rules.weight_gradients(np.array([[r[0]]]), np.array([[r[1]]]))[0, 0, 0])
    if kind in (Kind.WEIGHT_UPDATE, Kind.BIAS_UPDATE):
        return float(rules.updated(r[0], r[1], learning_rate))
    return None


class _Slips:
    """Slips at one event and every slip made upstream whose consequence reaches it.

    A slip is a variant computation: one earlier value computed wrongly, everything after it
    computed rightly from it. So the candidates at an event are its own classic mistakes plus,
    for each value it read from an earlier event, that event's candidates pushed through this
    event's own rule (`recompute`). Computed once per event (memo) within one grading.
    """

    def __init__(self, trace) -> None:
        self.trace = trace
        self.memo: dict[int, list[Slip]] = {}

    def of(self, index: int) -> list[Slip]:
        if index in self.memo:
            return self.memo[index]
        trace = self.trace
        s = trace.scenario
        event = trace[index]
        found = local_slips(event, s.learning_rate, s.loss)
        if recompute(event, event.read_values, s.learning_rate) is not None:
            iteration, offset = trace.locate(index)
            plan = trace.plan
            for position, slot in enumerate(plan.reads(offset)):
                if slot < plan.n_context:  # a given value (input, target, start parameter)
                    continue
                upstream = trace.index_of(iteration, int(slot) - plan.n_context)
                symbol = trace[upstream].symbol
                for slip in self.of(upstream):
                    reads = list(event.read_values)
                    reads[position] = slip.value
                    value = recompute(event, reads, s.learning_rate)
                    found.append(Slip(slip.name, value, slip.at or symbol))
        kept: list[Slip] = []
        for slip in found:  # a slip that changes nothing, or repeats another, is not one
            if not (close(slip.value, event.value, 1e-9) or any(close(slip.value, k.value, 1e-9) for k in kept)):
                kept.append(slip)
        self.memo[index] = kept[:MAX_SLIPS]
        return self.memo[index]


def slips(trace, event: Event) -> list[Slip]:
    """Every classic slip that shows at this event: its own, and those made earlier."""
    return _Slips(trace).of(event.index)


@dataclass(frozen=True)
class Verdict:
    """The grade of one answer: right or not, and the classic slip it matches, if any."""

    correct: bool
    slip: str | None  # the named mistake the answer matches, if any


def grade(trace, event: Event, answer: float, tolerance: float) -> Verdict:
    """The verdict on an answer for this event: right within `tolerance`, or which classic slip it matches."""
    if close(answer, event.value, tolerance):
        return Verdict(True, None)
    for slip in slips(trace, event):
        if close(answer, slip.value, tolerance):
            return Verdict(False, slip.describe(event.symbol))
    return Verdict(False, None)


@dataclass
class Score:
    """Per phase: right first time, right after hints, revealed; and every answer typed (a wrong
    answer counts as much as a right one: two misses then a hit is not "1/1")."""

    first: int = 0
    hinted: int = 0
    revealed: int = 0
    answers: int = 0

    @property
    def asked(self) -> int:
        """Events asked: right first time, right after hints, and revealed."""
        return self.first + self.hinted + self.revealed

    def __add__(self, other: Score) -> Score:
        return Score(self.first + other.first, self.hinted + other.hinted, self.revealed + other.revealed,
                     self.answers + other.answers)


COLUMNS = ("phase", "asked", "right first time", "right after hints", "revealed", "answers typed")


@dataclass
class PredictSession:
    """One student's predict-then-reveal session: the kinds asked about, the answers so far, the scores."""

    kinds: frozenset[Kind]
    tolerance: float = DEFAULT_TOLERANCE
    done: dict[int, str] = field(default_factory=dict)  # event index -> "first", "hinted", "revealed"
    attempts: dict[int, int] = field(default_factory=dict)  # wrong answers and hints asked for, per event
    scores: dict[Phase, Score] = field(default_factory=lambda: {phase: Score() for phase in Phase})
    slips_seen: list[tuple[str, str]] = field(default_factory=list)  # (symbol, slip)

    def asks(self, event: Event) -> bool:
        """Whether the student is to predict this event: of a kind asked about and not yet done."""
        return event.kind in self.kinds and event.index not in self.done

    def hints(self, index: int) -> int:
        """How many hints the student has earned: one per wrong answer or request, at most two."""
        return min(self.attempts.get(index, 0), 2)

    def answer(self, trace, event: Event, answer: float) -> Verdict:
        """Grade an answer for this event and score it; a wrong one after two hints reveals the value."""
        verdict = grade(trace, event, answer, self.tolerance)
        self.scores[event.phase].answers += 1
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

    def ask_hint(self, event: Event) -> bool:
        """An empty answer: the next hint, or after two the value. True when it was revealed."""
        self.attempts[event.index] = self.attempts.get(event.index, 0) + 1
        if self.attempts[event.index] > 2:
            self.reveal(event)
            return True
        return False

    def reveal(self, event: Event) -> None:
        """Score this event as revealed: the student was shown its value."""
        self._finish(event, "revealed")

    def _finish(self, event: Event, outcome: str) -> None:
        self.done[event.index] = outcome
        score = self.scores[event.phase]
        setattr(score, outcome, getattr(score, outcome) + 1)

    @property
    def total(self) -> Score:
        """The scores of every phase added up."""
        return sum(self.scores.values(), Score())

    def rows(self) -> list[tuple[str, Score]]:
        """The phases asked about, then "all": one source for the screen's table and the report."""
        return [(phase.value, score) for phase, score in self.scores.items() if score.asked] + [("all", self.total)]

    def standing(self) -> str:
        """For the status line: right first time out of asked, and every answer typed."""
        total = self.total
        answers = f"{total.answers} answer{'s' if total.answers != 1 else ''}"
        return f"predict {total.first}/{total.asked} first try · {answers}"

    def report(self, title: str) -> str:
        """A small Markdown report of the session."""
        lines = [f"# Predict-then-reveal: {title}", "",
                 "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        for label, score in self.rows():
            name = "**all**" if label == "all" else label
            lines.append(f"| {name} | {score.asked} | {score.first} | {score.hinted} | {score.revealed} "
                         f"| {score.answers} |")
        if self.slips_seen:
            lines += ["", "Classic slips spotted:", ""]
            lines += [f"- {symbol}: {slip}" for symbol, slip in self.slips_seen]
        lines += ["", f"Tolerance: relative {self.tolerance:g}."]
        return "\n".join(lines) + "\n"
