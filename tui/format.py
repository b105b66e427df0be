"""How values are written on screen (formatting only; the numbers come from core)."""

from __future__ import annotations

import math


def exact(value: float) -> str:
    """The value as precisely as a reader needs: 10 significant digits."""
    if math.isnan(value):
        return "NaN (not a number: the run has diverged)"
    if math.isinf(value):
        return ("+∞" if value > 0 else "−∞") + " (overflow: the run has diverged)"
    return f"{value:.10g}".replace("-", "−")


def cell(value: float | None) -> str:
    """A value for the value table: 8 significant digits, or a dot while unknown."""
    if value is None:
        return "·"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+∞" if value > 0 else "−∞"
    return f"{value:.8g}".replace("-", "−")
