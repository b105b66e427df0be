"""The ledger: every quantity of the network, and what is known of it at any point of the trace.

A front end shows a table of all quantities (inputs, net inputs, activations, loss terms, deltas,
gradients, old and new parameters) with a value only once it has been computed. `Ledger.at(index)`
answers that for one position with a few numpy gathers, so stepping costs the same anywhere in a
long run.

Per-sample quantities are shown for one sample at a time: the current event's, or, for a
batch-level event, the last sample of the step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .document import Comparison
from .plan import Plan
from .quantities import Family, Key, quantity_id
from .scenario import Mode
from .trace import Event, Trace


@dataclass(frozen=True)
class Entry:
    """One row of the value table: a quantity in one scope ("sample", "batch" or "parameter")."""

    key: Key
    scope: str  # "sample", "batch" (mean loss, averaged gradients) or "parameter"
    quantity: str
    symbol: str
    section: str


@dataclass(frozen=True)
class LedgerState:
    """What is known of every entry at one event: the values, which are known, and what is marked."""

    index: int
    sample: int  # 0-based sample whose per-sample values are shown
    values: np.ndarray  # one per entry; meaningful only where known
    known: np.ndarray  # bool per entry
    before: np.ndarray  # parameters: value when the current update step began (NaN elsewhere)
    updated: np.ndarray  # bool: a parameter already updated in the current step
    current: int | None  # entry computed by the event at `index`
    reads: tuple[int, ...]  # entries the event read
    block: tuple[int, ...] = ()  # in the matrix view: every entry the block computes

    def value(self, entry: int) -> float | None:
        """The entry's value, or None while it is not yet computed."""
        return float(self.values[entry]) if self.known[entry] else None


class Ledger:
    """Every quantity of a trace's network as a table of entries, and what is known of it at any event."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        plan: Plan = trace.plan
        s = trace.scenario
        sym = trace.symbols
        self.entries: list[Entry] = []
        self._position: dict[tuple[Key, str], int] = {}

        def add(key: Key, scope: str, section: str) -> None:
            self._position[(key, scope)] = len(self.entries)
            self.entries.append(Entry(key, scope, quantity_id(key), sym[key], section))

        L = len(s.layers)
        for i in range(1, s.inputs + 1):
            add(Key(Family.X, 0, i), "sample", "Input")
        for k in range(1, s.outputs + 1):
            add(Key(Family.Y, 0, k), "sample", "Target")
        for l, layer in enumerate(s.layers, start=1):
            for j in range(1, layer.size + 1):
                add(Key(Family.Z, l, j), "sample", f"Forward · layer {l}")
                add(Key(Family.A, l, j), "sample", f"Forward · layer {l}")
        if s.outputs > 1:
            for k in range(1, s.outputs + 1):
                add(Key(Family.LOSS_TERM, 0, k), "sample", "Loss")
        add(Key(Family.LOSS), "sample", "Loss")
        for l in range(L, 0, -1):
            layer = s.layers[l - 1]
            for j in range(1, layer.size + 1):
                section = f"Backward · layer {l}"
                for family in (Family.DE_DA, Family.DA_DZ, Family.DELTA):
                    add(Key(family, l, j), "sample", section)
                for i in range(1, layer.weights.shape[1] + 1):
                    add(Key(Family.DE_DW, l, j, i), "sample", section)
                if layer.biases is not None:
                    add(Key(Family.DE_DB, l, j), "sample", section)
        batch = s.mode is Mode.BATCH and len(s.samples) > 1
        if batch:
            add(Key(Family.LOSS), "batch", "Batch mean")
            for l in range(L, 0, -1):
                layer = s.layers[l - 1]
                for j in range(1, layer.size + 1):
                    for i in range(1, layer.weights.shape[1] + 1):
                        add(Key(Family.DE_DW, l, j, i), "batch", "Batch mean")
                    if layer.biases is not None:
                        add(Key(Family.DE_DB, l, j), "batch", "Batch mean")
        for l in range(L, 0, -1):
            layer = s.layers[l - 1]
            for j in range(1, layer.size + 1):
                for i in range(1, layer.weights.shape[1] + 1):
                    add(Key(Family.W, l, j, i), "parameter", f"Parameters · layer {l}")
                if layer.biases is not None:
                    add(Key(Family.B, l, j), "parameter", f"Parameters · layer {l}")

        n = len(self.entries)
        n_samples = len(s.samples)
        context_slot = {identity: slot for slot, identity in enumerate(plan.context_keys)}
        # Where each entry's value lives, per shown sample: an event offset, or (as −1 − slot)
        # a context slot for given values (x, y).
        self._sample_source = np.full((n_samples, n), np.iinfo(np.int64).max, dtype=np.int64)
        self._is_parameter = np.array([e.scope == "parameter" for e in self.entries])
        for position, entry in enumerate(self.entries):
            if entry.scope == "parameter":
                continue
            for sample in range(n_samples):
                if entry.key.family in (Family.X, Family.Y):
                    self._sample_source[sample, position] = -1 - context_slot[(entry.key, sample)]
                    continue
                offsets = plan.index.get((entry.key, sample if entry.scope == "sample" else -1))
                if offsets:
                    self._sample_source[sample, position] = offsets[0]
        # Parameters: their context slot, and the offsets of their update events, one per step.
        steps = len(plan.steps)
        self._parameter_rows = np.flatnonzero(self._is_parameter)
        self._parameter_slot = np.array([context_slot[(self.entries[p].key, -1)] for p in self._parameter_rows],
                                        dtype=np.int64)
        self._updates = np.full((len(self._parameter_rows), steps), np.iinfo(np.int64).max, dtype=np.int64)
        for row, position in enumerate(self._parameter_rows):
            key = self.entries[position].key
            for sample in (-1, *range(n_samples)):  # batch updates, or one per sample (stochastic)
                for offset in plan.index.get((key, sample), ()):
                    self._updates[row, plan.step[offset]] = offset

        self._printed_for: tuple[int, int] | None = None
        self._printed: dict[int, list[Comparison]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def printed(self, state: LedgerState) -> dict[int, list[Comparison]]:
        """The document's printed values by entry, for the iteration and sample on show."""
        iteration, _ = self.trace.locate(state.index)
        if self._printed_for != (iteration, state.sample):
            plan = self.trace.plan
            found: dict[int, list[Comparison]] = {}
            for index in self.trace.printed_indices(iteration):
                offset = index - self.trace.index_of(iteration, 0)
                position = self._entry_for(plan.key_at(offset), int(plan.sample[offset]), state.sample)
                if position is not None:
                    found[position] = self.trace.printed_at(index)
            self._printed_for, self._printed = (iteration, state.sample), found
        return self._printed

    def position(self, key: Key, scope: str) -> int | None:
        """The entry of a quantity in this scope, or None if the table has no such row."""
        return self._position.get((key, scope))

    def computing(self, entry: int, index: int) -> list[int]:
        """The events of `index`'s iteration that compute table row `entry`, in order: for a
        per-sample row, those of the sample on show at `index`; for a batch row, the batch-level
        ones; for a parameter, its update in every update step. Empty for given values (x, y)."""
        item = self.entries[entry]
        iteration, offset = self.trace.locate(index)
        if item.key.family in (Family.X, Family.Y):
            return []
        plan = self.trace.plan
        if item.scope == "sample":
            offsets = plan.find(item.key, self._shown_sample(offset))
        elif item.scope == "batch":
            offsets = plan.find(item.key, -1)
        else:
            offsets = plan.find(item.key)
        return [self.trace.index_of(iteration, int(o)) for o in offsets]

    def _shown_sample(self, offset: int) -> int:
        plan = self.trace.plan
        sample = int(plan.sample[offset])
        if sample >= 0:
            return sample
        return int(plan.steps[int(plan.step[offset])][-1])

    def computed_by(self, offsets, shown: int) -> tuple[int, ...]:
        """The entries the events at these offsets compute, for the sample on show."""
        plan = self.trace.plan
        found = (self._entry_for(plan.key_at(o), int(plan.sample[o]), shown) for o in offsets)
        return tuple(dict.fromkeys(p for p in found if p is not None))

    def read_by(self, offsets, shown: int) -> tuple[int, ...]:
        """The entries the events at these offsets read, in order, each once (a block of the
        matrix view marks everything its equation reads, not only what its last event read)."""
        plan = self.trace.plan
        found = (self._entry_for(*plan.slot_identity(int(slot)), shown) for o in offsets for slot in plan.reads(o))
        return tuple(dict.fromkeys(p for p in found if p is not None))

    def at(self, index: int, event: Event | None = None, block: tuple[int, ...] = (),
           reads: tuple[int, ...] | None = None) -> LedgerState:
        """What is known at `index`. `block` and `reads` (the matrix view) replace the marks of the
        one event by those of a whole block."""
        trace = self.trace
        iteration, offset = trace.locate(index)
        event = event if event is not None else trace[index]
        values_of = trace.training.iteration(iteration)
        V, C = values_of.values, values_of.context
        sample = self._shown_sample(offset)

        source = self._sample_source[sample]
        from_context = source < 0
        from_event = ~from_context & (source <= offset)
        values = np.full(len(self.entries), np.nan)
        values[from_event] = V[source[from_event]]
        values[from_context] = C[-1 - source[from_context]]
        known = from_event | from_context

        # Parameters: the latest update at or before this event, else the iteration's start
        # value; "before" is the value the current update step began with.
        step = int(trace.plan.step[offset])
        updates = self._updates  # (parameters, steps); steps update in order
        done = updates <= offset
        count = done.sum(axis=1)
        start = C[self._parameter_slot]
        last = len(V) - 1
        latest_offset = np.minimum(updates[np.arange(len(updates)), np.maximum(count - 1, 0)], last)
        latest = np.where(count > 0, V[latest_offset], start)
        if step > 0:
            previous = updates[:, step - 1]
            before_step = np.where(previous <= offset, V[np.minimum(previous, last)], start)
        else:
            before_step = start
        rows = self._parameter_rows
        values[rows] = latest
        known[rows] = True
        before = np.full(len(self.entries), np.nan)
        before[rows] = before_step
        updated = np.zeros(len(self.entries), dtype=bool)
        updated[rows] = done[:, step]

        current = self._entry_for(event.key, -1 if event.sample is None else event.sample - 1, sample)
        if reads is None:
            reads = tuple(
                p for key, s in event.read_keys if (p := self._entry_for(key, s, sample)) is not None
            )
        return LedgerState(index, sample, values, known, before, updated, current, reads, block)

    def _entry_for(self, key: Key, sample: int, shown: int) -> int | None:
        if key.family in (Family.W, Family.B):
            return self._position.get((key, "parameter"))
        if sample < 0:
            return self._position.get((key, "batch"))
        return self._position.get((key, "sample")) if sample == shown else None
