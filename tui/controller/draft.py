"""A step's view while it is being put together: the stepper builds it, each teaching mode on
show adds to it (`step`), and it is frozen into a View."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backprop_stepper.core.ledger import LedgerState
from backprop_stepper.core.trace import Event

from .view import BlockText, EventText, Line, QuestionText, WhyText


@dataclass
class Draft:
    index: int
    event: Event
    state: LedgerState
    body: EventText | QuestionText | WhyText | BlockText
    extra: list[tuple[int | None, Line]] = field(default_factory=list)
    events: tuple[int, ...] | None = None
    variant: np.ndarray | None = None
    asking: bool = False
    question: bool = False
