"""Compare with a variant: the same scenario with one classic mistake, its values beside ours."""

from __future__ import annotations

import numpy as np

from backprop_stepper.core.ledger import Ledger
from backprop_stepper.core.numbers import cell
from backprop_stepper.core.trace import Trace
from backprop_stepper.core.variants import corresponding, describe, variant

from .draft import Draft


class CompareMode:
    """Started with a trace and a variant option ("update_order=layerwise"); stopped by dropping it."""

    def __init__(self, trace: Trace, ledger: Ledger, option: str) -> None:
        self.trace, self.option = trace, option
        self.other = Trace(variant(trace.scenario, option))
        self.other_ledger = Ledger(self.other)
        rows = [self.other_ledger.row_of(e.key, e.scope) for e in ledger.entries]
        self.mapping = np.array([-1 if row is None else row for row in rows])  # our row → the variant's
        self.label = describe(option, short=True)

    def flag(self) -> str:
        return f"compare: {self.option}"

    def values(self, index: int) -> np.ndarray:
        """The variant's value per table row at the corresponding event (NaN: not known there)."""
        state = self.other_ledger.at(corresponding(self.trace, self.other, index))
        shown = np.where(state.known, state.values, np.nan)
        return np.where(self.mapping >= 0, shown[np.maximum(self.mapping, 0)], np.nan)

    def step(self, draft: Draft) -> None:
        """The variant's values for the table, and a line saying how the current value differs."""
        values = draft.variant = self.values(draft.index)
        state = draft.state
        if state.current is None or not state.known[state.current]:
            return
        other, mine = values[state.current], draft.event.value
        if np.isnan(other):
            line = [("  variant: ", "bold"), ("not computed at this point", "muted")]
        elif np.isclose(other, mine, rtol=1e-12, atol=1e-15):
            line = [("  variant: ", "bold"), (f"{cell(float(other))} (the same)", "")]
        else:
            line = [("  variant: ", "bold"), (cell(float(other)), "bad"),
                    (f" ≠ {cell(mine)} (differs by {cell(float(other - mine))}) · {describe(self.option)}", "")]
        draft.extra.append((None, line))
