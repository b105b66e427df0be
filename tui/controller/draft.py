"""A step's view while it is being put together: the stepper builds it, each teaching mode on
show adds to it (`step`), and it is frozen into a View.

A plain class, not a dataclass: a dataclass's methods are generated when the module is imported,
which took 0.7 ms of every start-up; this one is made once per step and never compared.
"""

from __future__ import annotations

import numpy as np

from backprop_stepper.core.ledger import LedgerState
from backprop_stepper.core.trace import Event

from .view import BlockText, EventText, Line, QuestionText, WhyText


class Draft:
    __slots__ = ("index", "event", "state", "body", "extra", "events", "variant", "asking", "question")

    def __init__(self, index: int, event: Event, state: LedgerState,
                 body: EventText | QuestionText | WhyText | BlockText,
                 events: tuple[int, ...] | None = None) -> None:
        self.index, self.event, self.state, self.body, self.events = index, event, state, body, events
        self.extra: list[tuple[int | None, Line]] = []  # lines the modes add ((where, line); None: the end)
        self.variant: np.ndarray | None = None  # compare mode: the variant's value per table row
        self.asking = False  # predict mode waits for an answer to this event
        self.question = False  # and its question is what the equations panel shows
