""""Why this number?": the chain-rule expansion of a value, with every factor marked."""

from __future__ import annotations

from dataclasses import replace

from backprop_stepper.core.explain import Explainer
from backprop_stepper.core.ledger import Ledger

from .draft import Draft
from .view import WhyText


class WhyMode:
    """Started on the event whose value to explain; it belongs to where it was asked for, so the
    stepper stops it at the next move."""

    def __init__(self, ledger: Ledger, index: int) -> None:
        self.explanation = Explainer(ledger).explain(index)

    def step(self, draft: Draft) -> None:
        """The explanation replaces what the panel says; its factors are what the marks show."""
        draft.body = WhyText(self.explanation)
        draft.extra = []
        draft.question = False
        draft.state = replace(draft.state, reads=self.explanation.entries)
