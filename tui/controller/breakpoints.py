"""Breakpoints: quantities to stop at when running (r), kept by quantity id so that they
survive the scenario file being edited and reloaded."""

from __future__ import annotations

from backprop_stepper.core.ledger import Ledger
from backprop_stepper.core.notation import count
from backprop_stepper.core.trace import Trace


class Breakpoints:
    """Started by the first breakpoint set, stopped by clearing them all."""

    def __init__(self) -> None:
        self.quantities: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.quantities)

    def toggle(self, quantity: str) -> bool:
        """Set or remove a breakpoint; True when it is now set."""
        self.quantities ^= {quantity}
        return quantity in self.quantities

    def clear(self) -> None:
        self.quantities = frozenset()

    def rows(self, ledger: Ledger) -> frozenset[int]:
        """The table rows marked ◆."""
        if not self.quantities:  # asked at every step: no walk over the rows when there is none
            return frozenset()
        return frozenset(n for n, entry in enumerate(ledger.entries) if entry.quantity in self.quantities)

    def flag(self) -> str:
        return f"◆ {count(len(self.quantities), 'breakpoint')}"

    def next(self, trace: Trace, index: int) -> int | None:
        from backprop_stepper.core.breakpoints import next_breakpoint

        return next_breakpoint(trace, index, set(self.quantities))
