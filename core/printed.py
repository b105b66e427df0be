"""Compare the numbers a document printed with the exact values, at the printed precision.

A printed value agrees when it is the exact value correctly rounded to as many decimals as the
document printed (0.8005 for 0.80049902...). Anything else is a disagreement, reported with its
size in units of the last printed digit: 1-3 units usually means the document carried rounded
intermediates; more usually means an arithmetic or sign slip.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .numbers import fixed
from .scenario import PrintedValue

_SLACK = 1e-9  # relative: keeps exact ties such as 0.0275 from failing on binary representation


# A named tuple, not a frozen dataclass: as immutable, and defined at import (every start) in a
# tenth of the time (about 0.6 ms less).
class Comparison(NamedTuple):
    """A value the document printed, beside the exact value the trace computes for it."""

    printed: PrintedValue
    exact: float

    @property
    def unit(self) -> float:
        """One unit of the document's last printed digit (0.001 for "0.606")."""
        return 10.0 ** -self.printed.decimals

    @property
    def units_off(self) -> float:
        """|exact − printed| in units of the document's last printed digit."""
        if not math.isfinite(self.exact):
            return math.inf
        return abs(self.exact - self.printed.value) / self.unit

    @property
    def agrees(self) -> bool:
        """Whether the printed value is the exact value correctly rounded to the printed decimals."""
        return self.units_off <= 0.5 * (1 + _SLACK) + _SLACK * abs(self.printed.value) / self.unit

    @property
    def rounded_exact(self) -> str:
        """The exact value written with the document's precision: what it should have printed."""
        return fixed(self.exact, self.printed.decimals)

    @property
    def verdict(self) -> str:
        """"agrees", or what the exact value rounds to and the likely cause of the difference."""
        if self.agrees:
            return "agrees"
        off = self.units_off
        if math.copysign(1, self.exact) != math.copysign(1, self.printed.value) and off > 1:
            return f"sign differs: the exact value rounds to {self.rounded_exact}"
        if off <= 3.5:
            return f"the exact value rounds to {self.rounded_exact} (rounded intermediates?)"
        return f"off by {off:,.0f} in the last digit: the exact value rounds to {self.rounded_exact}"
