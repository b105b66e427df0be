"""The matrix view: the trace replayed a block (a layer's vector equation) at a time."""

from __future__ import annotations

from backprop_stepper.core.ledger import Ledger
from backprop_stepper.core.matrix import MatrixView

from .draft import Draft
from .view import BlockText


class MatrixMode:
    """Started on a ledger; moves go a block at a time; stopped by dropping it."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.blocks = MatrixView(ledger)

    def snap(self, index: int) -> int:
        """The last event of the block containing `index` (where the view stands on a block)."""
        return self.blocks.end_of(self.blocks.block_number(index))

    def move(self, index: int, delta: int) -> int:
        """The last event of the block `delta` blocks away; `index` itself past either end."""
        number = self.blocks.block_number(index) + delta
        return self.blocks.end_of(number) if 0 <= number < len(self.blocks) else index

    def step(self, index: int) -> Draft:
        """The whole block, as it stands at its last event, wherever in it a jump landed: every
        event it spans for the status line, everything it computes and reads for the marks."""
        block = self.blocks.block(index)
        trace = self.ledger.trace
        event = trace[block.end]
        state = self.ledger.at(block.end, event, block.entries, block.reads)
        return Draft(block.end, event, state, BlockText(block), events=block.events)
