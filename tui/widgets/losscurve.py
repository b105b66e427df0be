"""A one-line loss curve across iterations, with the current iteration marked.

    loss ▇▆▅▄▃▃▂▂▂▁▁▁▁▁▁▁▁▁▁  3.211 → 0.2590   iteration 12: 0.6101

Shown only when a scenario has more than one iteration. Long runs fill in as a background worker
computes them; until then the unknown part is dotted. A run whose loss overflows to ∞ or NaN has
diverged: the curve marks those iterations ✗ and names the first of them.
"""

from __future__ import annotations

import math

import numpy as np

from backprop_stepper.core.numbers import number
from backprop_stepper.core.training import diverged_at

from .lines import LineView
from .runs import Line, plain

BARS = "▁▂▃▄▅▆▇█"


def sparkline(known: np.ndarray, total: int, width: int, current: int) -> Line:
    """Bars for the `known` losses of a run of `total` iterations in `width` cells, dotted where
    not computed yet and ✗ where the loss is ∞ or NaN; iteration `current` (1-based) is reversed.
    A log scale is used when the loss spans more than two orders of magnitude."""
    width = max(1, min(width, total))
    edges = np.linspace(0, total, width + 1).astype(int)
    buckets = []
    for start, end in zip(edges[:-1], edges[1:], strict=True):
        if start >= len(known):
            buckets.append(None)  # not computed yet
            continue
        chunk = known[start:max(end, start + 1)]
        finite = chunk[np.isfinite(chunk)]
        if not len(finite):
            buckets.append(math.inf)  # diverged
            continue
        with np.errstate(over="ignore"):
            mean = float(finite.mean())
        # Near the top of float64 a mean can overflow though every loss is finite.
        buckets.append(mean if math.isfinite(mean) else float(finite.max()))
    finite = [b for b in buckets if b is not None and math.isfinite(b)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    log = low > 0 and high / low > 100
    scale = (lambda v: math.log(v)) if log else (lambda v: v)
    span = (scale(high) - scale(low)) or 1.0
    marked = min(int((current - 1) * width / total), width - 1)
    line: Line = []
    for k, value in enumerate(buckets):
        if value is None:
            char = "·"
        elif not math.isfinite(value):
            char = "✗"
        else:
            char = BARS[min(len(BARS) - 1, int((scale(value) - scale(low)) / span * (len(BARS) - 1) + 0.5))]
        line.append((char, "current" if k == marked else "read"))
    return line


def loss_text(loss: float) -> str:
    return number(loss, 4)


class LossCurve(LineView, can_focus=False):
    padding_x = 1

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.known: np.ndarray | None = None  # the losses of iterations 1…len(known)
        self.total = 0
        self.current = 1
        self._line: Line = []

    @property
    def plain(self) -> str:
        return plain(self._line)

    def set_losses(self, known: np.ndarray, total: int) -> None:
        """The losses of the first len(known) iterations of a run of `total`."""
        self.known, self.total = known, total
        self._layout()

    def show_iteration(self, iteration: int) -> None:
        if iteration != self.current:
            self.current = iteration
            self._layout()

    def on_resize(self) -> None:
        super().on_resize()
        self._layout()

    def line(self, row: int) -> Line:
        return self._line

    def _layout(self) -> None:
        if self.known is None or not self.inner_width:
            return
        known = self.known
        diverged = diverged_at(known)
        finite = known[: diverged - 1] if diverged else known
        first = loss_text(finite[0]) if len(finite) else "·"
        if diverged:
            trend = f"{first} → diverged at iteration {diverged:,}: loss {loss_text(known[diverged - 1])}"
        else:
            trend = f"{first} → {loss_text(finite[-1]) if len(finite) else '·'}"
        here = loss_text(known[self.current - 1]) if self.current <= len(known) else "·"
        suffix = f"  {trend}   iteration {self.current:,}: {here}"
        if len(known) < self.total:
            suffix += "  (computing…)"
        room = self.inner_width - len("loss ") - len(suffix) - 1
        self._line = [("loss ", "bold"), *sparkline(known, self.total, max(room, 4), self.current), (suffix, "muted")]
        self.set_content_size(self.inner_width, 1)
        self.invalidate([0])
