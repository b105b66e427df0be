"""A one-line loss curve across iterations, with the current iteration marked.

    loss ▇▆▅▄▃▃▂▂▂▁▁▁▁▁▁▁▁▁▁  3.211 → 0.2590   iteration 12: 0.6101

Shown only when a scenario has more than one iteration. Long runs fill in as a background worker
computes them; until then the unknown part is dotted.
"""

from __future__ import annotations

import math

import numpy as np

from .lines import LineView
from .runs import Line, plain

BARS = "▁▂▃▄▅▆▇█"


def sparkline(losses: np.ndarray, width: int, current: int) -> Line:
    """Bars for `losses` (NaN where unknown) in `width` cells; iteration `current` (1-based)
    is reversed. A log scale is used when the loss spans more than two orders of magnitude."""
    n = len(losses)
    width = max(1, min(width, n))
    edges = np.linspace(0, n, width + 1).astype(int)
    buckets = []
    for start, end in zip(edges[:-1], edges[1:]):
        chunk = losses[start:max(end, start + 1)]
        finite = chunk[np.isfinite(chunk)]
        buckets.append(float(finite.mean()) if len(finite) else math.nan)
    finite = [b for b in buckets if math.isfinite(b)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    log = low > 0 and high / low > 100
    scale = (lambda v: math.log(v)) if log else (lambda v: v)
    span = (scale(high) - scale(low)) or 1.0
    marked = min(int((current - 1) * width / n), width - 1)
    line: Line = []
    for k, value in enumerate(buckets):
        if not math.isfinite(value):
            char = "·"
        else:
            char = BARS[min(len(BARS) - 1, int((scale(value) - scale(low)) / span * (len(BARS) - 1) + 0.5))]
        line.append((char, "current" if k == marked else "read"))
    return line


class LossCurve(LineView, can_focus=False):
    padding_x = 1

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.losses: np.ndarray | None = None
        self.current = 1
        self._line: Line = []

    @property
    def plain(self) -> str:
        return plain(self._line)

    def set_losses(self, losses: np.ndarray) -> None:
        self.losses = losses
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
        if self.losses is None or not self.inner_width:
            return
        losses = self.losses
        known = losses[np.isfinite(losses)]
        first = f"{known[0]:.4g}" if len(known) else "·"
        last = f"{known[-1]:.4g}" if len(known) else "·"
        here = losses[self.current - 1]
        suffix = f"  {first} → {last}   iteration {self.current:,}: " + (f"{here:.4g}" if math.isfinite(here) else "·")
        if len(known) < len(losses):
            suffix += "  (computing…)"
        room = self.inner_width - len("loss ") - len(suffix) - 1
        self._line = [("loss ", "bold"), *sparkline(losses, max(room, 4), self.current), (suffix, "muted")]
        self.set_content_size(self.inner_width, 1)
        self.invalidate([0])
