"""What the screen shows after a command: an immutable view state, rendered by the widgets.

The equations panel gets a description of what to say (an event, a question, an explanation, a
block of the matrix view) plus the lines the teaching modes add; it lays them out for its own
size (a low terminal folds the heading, a maximised panel spaces the lines), once per step.

Named tuples, not frozen dataclasses: as immutable, and each is made in one step and defined in
a fraction of the time at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from backprop_stepper.core.ledger import LedgerState
from backprop_stepper.core.printed import Comparison
from backprop_stepper.core.scenario import Note
from backprop_stepper.core.trace import Event

if TYPE_CHECKING:  # loaded with their modes: start-up does not need them
    from backprop_stepper.core.explain import Explanation
    from backprop_stepper.core.matrix import Block

Line = list[tuple[str, str]]  # runs of (text, role), as the panels paint them


class Notice(NamedTuple):
    """A message for the person at the keyboard (the app shows it as a notification)."""

    text: str
    timeout: float | None = 3  # seconds; None: Textual's default
    title: str = ""
    severity: str = "information"
    back_to_answer: bool = False  # a question waits: the cursor goes back into the answer box


class EventText(NamedTuple):
    """The event as the documents write it, with the document's printed values and the notes."""

    event: Event
    printed: list[Comparison]
    notes: list[Note]


class QuestionText(NamedTuple):
    """Predict mode: the event's question, the hints earned so far and the last answer's feedback."""

    event: Event
    hints: int
    feedback: Line
    tolerance: float


class WhyText(NamedTuple):
    """"Why this number?": the chain-rule expansion of a value."""

    explanation: Explanation


class BlockText(NamedTuple):
    """The matrix view: a block's vector equation with its matrices."""

    block: Block


class Equation(NamedTuple):
    """What the equations panel says: its body, and lines the modes add ((where, line); where
    None is the end)."""

    body: EventText | QuestionText | WhyText | BlockText
    extra: tuple[tuple[int | None, Line], ...] = ()


class View(NamedTuple):
    """Everything a step shows: the event, what the table knows and marks, the equation, the
    status flags and what the teaching modes add."""

    index: int  # the event on show (in the matrix view, the last event of the block)
    event: Event
    state: LedgerState  # values known (a value to predict hidden) and the marks: current, read
    printed: dict[int, list[Comparison]]  # the document's values by table row
    equation: Equation
    flags: str  # the status line's modes: predict score, breakpoints, compare, matrix, autoplay
    events: tuple[int, ...] | None = None  # the matrix view's block: every event it spans
    variant: np.ndarray | None = None  # compare mode: the variant's value per table row (NaN: unknown)
    variant_label: str = ""
    breakpoints: frozenset[int] = frozenset()  # table rows with a breakpoint
    asking: bool = False  # predict mode waits for an answer to this event
    question: bool = False  # and its question is what the equations panel shows
