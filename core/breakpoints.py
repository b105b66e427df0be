"""Breakpoints and conditional runs: where does the trace go next that is worth stopping at?

A breakpoint names a quantity (an id such as "dE/dW[1][1][1]", so it survives reloading the
scenario). Finding the next event that computes any of them is a lookup of the trace's
(`Trace.offsets`), one per breakpoint, however long the run. Conditional runs (until a quantity changes sign, until the
loss falls below a value) look at values, computing iterations only as far as they need to.
"""

from __future__ import annotations

import math

import numpy as np

from .quantities import Family, Key
from .trace import Trace


def next_breakpoint(trace: Trace, index: int, quantities: set[str]) -> int | None:
    """The first event after `index` that computes one of `quantities`, or None."""
    offsets = sorted({o for q in quantities for o in trace.offsets(q)})
    if not offsets:
        return None
    iteration, offset = trace.locate(index)
    later = [o for o in offsets if o > offset]
    if later:
        return trace.index_of(iteration, later[0])
    if iteration < trace.iterations:
        return trace.index_of(iteration + 1, offsets[0])
    return None


def until_sign_change(trace: Trace, index: int, quantity: str) -> int | None:
    """The next event that computes `quantity` with the opposite sign to its latest value."""
    offsets = trace.offsets(quantity)
    if not offsets:
        return None
    iteration, offset = trace.locate(index)
    earlier = [o for o in offsets if o <= offset]
    values = trace.iteration_values(iteration)
    if earlier:
        reference = values[earlier[-1]]
    elif iteration > 1:
        reference = trace.iteration_values(iteration - 1)[offsets[-1]]
    else:
        reference = values[offsets[0]]
        earlier = [offsets[0]]
        offset = offsets[0]
    sign = np.sign(reference)
    for it in range(iteration, trace.iterations + 1):
        values = trace.iteration_values(it)
        for o in offsets:
            if it == iteration and o <= offset:
                continue
            if np.sign(values[o]) != sign and not math.isnan(values[o]):
                return trace.index_of(it, o)
    return None


def until_loss_below(trace: Trace, index: int, threshold: float) -> int | None:
    """The event that computes the first iteration's loss below `threshold`, after `index`."""
    iteration, _ = trace.locate(index)
    final_loss_event = trace.offsets(Key(Family.LOSS))[-1]  # a batch's mean follows its samples' losses
    for it in range(iteration, trace.iterations + 1):
        target = trace.index_of(it, final_loss_event)
        if target <= index:
            continue
        if trace.training.iteration(it).loss < threshold:
            return target
    return None


def end_of_phase(trace: Trace, index: int) -> int:
    """The last event of this phase; from its last event, the last event of the next phase."""
    _, end = trace.phase_segment(index)
    if end - 1 > index:
        return end - 1
    if end >= len(trace):
        return index
    return trace.phase_segment(end)[1] - 1


def end_of_iteration(trace: Trace, index: int) -> int:
    """The last event of this iteration; from its last event, the last event of the next iteration."""
    iteration, _offset = trace.locate(index)
    last = trace.index_of(iteration, trace.per_iteration - 1)
    if last > index or iteration == trace.iterations:
        return last
    return trace.index_of(iteration + 1, trace.per_iteration - 1)
