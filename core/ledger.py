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
from enum import StrEnum
from functools import cached_property
from typing import NamedTuple

import numpy as np

from .plan import Plan
from .printed import Comparison
from .quantities import ANY_SAMPLE, BATCH, AnySample, Family, Key, SampleNumber, Scope, quantity_id
from .scenario import Mode
from .trace import Event, Trace


# A named tuple, not a frozen dataclass: as immutable, and defined at import (every start) in a
# tenth of the time (about 0.6 ms less).
class Entry(NamedTuple):
    """One row of the value table: a quantity in one scope (the sample on show's, the batch's, or a parameter)."""

    key: Key
    scope: Scope
    quantity: str
    symbol: str
    section: str


class Mark(StrEnum):
    """How an entry is marked at an event, in every panel alike; the value is the panels' style role."""

    CURRENT = "current"  # computed now (in the matrix view: by the block)
    READ = "read"  # read by the event (or the block's equation)

    @property
    def glyph(self) -> str:
        """The mark drawn before a marked value: ▶ for the quantity computed now, • for one it reads."""
        return "▶" if self is Mark.CURRENT else "•"


@dataclass(frozen=True)
class LedgerState:
    """What is known of every entry at one event: the values, which are known, and what is marked."""

    index: int
    sample: int  # the sample whose per-sample values are shown (never BATCH)
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

    @cached_property
    def marks(self) -> dict[int, Mark]:
        """The marked entries: what is computed wins over what is read (an update reads the
        parameter it replaces; a block's equation reads entries the block computes)."""
        marks = dict.fromkeys(self.reads, Mark.READ)
        marks.update(dict.fromkeys(self.block, Mark.CURRENT))
        if self.current is not None:
            marks[self.current] = Mark.CURRENT
        return marks


class Ledger:
    """Every quantity of a trace's network as a table of entries, and what is known of it at any event."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        plan: Plan = trace.plan
        s = trace.scenario
        sym = trace.symbols
        self.entries: list[Entry] = []
        self._position: dict[tuple[Key, Scope], int] = {}
        self._rows: dict[tuple[Key, SampleNumber], tuple[int | None, bool]] = {}  # see entry_for

        def add(key: Key, scope: Scope, section: str) -> None:
            self._position[(key, scope)] = len(self.entries)
            self.entries.append(Entry(key, scope, quantity_id(key), sym[key], section))

        L = len(s.layers)
        for i in range(1, s.inputs + 1):
            add(Key(Family.X, 0, i), Scope.SAMPLE, "Input")
        for k in range(1, s.outputs + 1):
            add(Key(Family.Y, 0, k), Scope.SAMPLE, "Target")
        for l, layer in enumerate(s.layers, start=1):
            for j in range(1, layer.size + 1):
                add(Key(Family.Z, l, j), Scope.SAMPLE, f"Forward · layer {l}")
                if layer.activation != "softmax":
                    add(Key(Family.A, l, j), Scope.SAMPLE, f"Forward · layer {l}")
            if layer.activation == "softmax":  # the steps of the softmax, in the order computed
                for j in range(1, layer.size + 1):
                    add(Key(Family.EXP, l, j), Scope.SAMPLE, f"Forward · layer {l}")
                add(Key(Family.EXP_SUM, l), Scope.SAMPLE, f"Forward · layer {l}")
                for j in range(1, layer.size + 1):
                    add(Key(Family.A, l, j), Scope.SAMPLE, f"Forward · layer {l}")
        if s.outputs > 1:
            for k in range(1, s.outputs + 1):
                add(Key(Family.LOSS_TERM, 0, k), Scope.SAMPLE, "Loss")
        add(Key(Family.LOSS), Scope.SAMPLE, "Loss")
        for l in range(L, 0, -1):
            layer = s.layers[l - 1]
            for j in range(1, layer.size + 1):
                section = f"Backward · layer {l}"
                keys = [Key(Family.DE_DA, l, j), Key(Family.DA_DZ, l, j)]
                keys += [Key(Family.DA_DZ, l, k, j) for k in range(1, layer.size + 1)]  # a softmax's Jacobian
                for key in [*keys, Key(Family.DELTA, l, j)]:
                    if trace.offsets(key, 1):  # only what the trace computes (δ = o − t has no factors)
                        add(key, Scope.SAMPLE, section)
                for i in range(1, layer.weights.shape[1] + 1):
                    add(Key(Family.DE_DW, l, j, i), Scope.SAMPLE, section)
                if layer.biases is not None:
                    add(Key(Family.DE_DB, l, j), Scope.SAMPLE, section)
        batch = s.mode is Mode.BATCH and len(s.samples) > 1
        if batch:
            add(Key(Family.LOSS), Scope.BATCH, "Batch mean")
            for l in range(L, 0, -1):
                layer = s.layers[l - 1]
                for j in range(1, layer.size + 1):
                    for i in range(1, layer.weights.shape[1] + 1):
                        add(Key(Family.DE_DW, l, j, i), Scope.BATCH, "Batch mean")
                    if layer.biases is not None:
                        add(Key(Family.DE_DB, l, j), Scope.BATCH, "Batch mean")
        for l in range(L, 0, -1):
            layer = s.layers[l - 1]
            for j in range(1, layer.size + 1):
                for i in range(1, layer.weights.shape[1] + 1):
                    add(Key(Family.W, l, j, i), Scope.PARAMETER, f"Parameters · layer {l}")
                if layer.biases is not None:
                    add(Key(Family.B, l, j), Scope.PARAMETER, f"Parameters · layer {l}")

        n = len(self.entries)
        n_samples = len(s.samples)
        context_slot = {identity: slot for slot, identity in enumerate(plan.context_keys)}
        # Where each entry's value lives, per shown sample (row sample − 1): an event offset, or
        # (as −1 − slot) a context slot for given values (x, y).
        # Filled as lists and converted once: item by item into a numpy array cost milliseconds of
        # start-up for a network of a few hundred entries.
        never = int(np.iinfo(np.int64).max)
        samples = range(1, n_samples + 1)

        def first(offsets: tuple[int, ...]) -> int:
            return offsets[0] if offsets else never

        columns: list[list[int]] = []  # per entry, its source for each shown sample
        for entry in self.entries:
            if entry.scope is Scope.PARAMETER:
                columns.append([never] * n_samples)
            elif entry.key.family in (Family.X, Family.Y):
                columns.append([-1 - context_slot[(entry.key, sample)] for sample in samples])
            elif entry.scope is Scope.BATCH:  # the same event whichever sample is shown
                columns.append([first(trace.offsets(entry.key, BATCH))] * n_samples)
            else:
                columns.append([first(trace.offsets(entry.key, sample)) for sample in samples])
        self._sample_source = np.array(columns, dtype=np.int64).reshape(n, n_samples).T.copy()
        self._is_parameter = np.array([e.scope is Scope.PARAMETER for e in self.entries])
        # Parameters: their context slot, and the offsets of their update events, one per step.
        steps = len(plan.steps)
        self._parameter_rows = np.flatnonzero(self._is_parameter)
        self._parameter_slot = np.array([context_slot[(self.entries[p].key, BATCH)] for p in self._parameter_rows],
                                        dtype=np.int64)
        self._updates = np.full((len(self._parameter_rows), steps), np.iinfo(np.int64).max, dtype=np.int64)
        for row, position in enumerate(self._parameter_rows):
            key = self.entries[position].key
            for offset in trace.offsets(key):  # batch updates, or one per sample (stochastic)
                self._updates[row, plan.update_step[offset]] = offset

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
                position = self.entry_for(plan.key_at(offset), plan.sample_at(offset), state.sample)
                if position is not None:
                    found[position] = self.trace.printed_at(index)
            self._printed_for, self._printed = (iteration, state.sample), found
        return self._printed

    def row_of(self, key: Key, scope: Scope) -> int | None:
        """The entry of a quantity in this scope, or None if the table has no such row."""
        return self._position.get((key, scope))

    def _shown_sample(self, offset: int) -> int:
        plan = self.trace.plan
        sample = plan.sample_at(offset)
        if sample is not BATCH:
            return sample
        return plan.step_samples(int(plan.update_step[offset]))[-1]

    def computed_by(self, offsets, shown: int) -> tuple[int, ...]:
        """The entries the events at these offsets compute, for the sample on show."""
        plan = self.trace.plan
        found = (self.entry_for(plan.key_at(o), plan.sample_at(o), shown) for o in offsets)
        return tuple(dict.fromkeys(p for p in found if p is not None))

    def read_by(self, offsets, shown: int) -> tuple[int, ...]:
        """The entries the events at these offsets read, in order, each once (a block of the
        matrix view marks everything its equation reads, not only what its last event read)."""
        plan = self.trace.plan
        found = (self.entry_for(*plan.slot_identity(int(slot)), shown) for o in offsets for slot in plan.reads(o))
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

        source = self._sample_source[sample - 1]
        from_context = source < 0
        from_event = ~from_context & (source <= offset)
        values = np.full(len(self.entries), np.nan)
        values[from_event] = V[source[from_event]]
        values[from_context] = C[-1 - source[from_context]]
        known = from_event | from_context

        # Parameters: the latest update at or before this event, else the iteration's start
        # value; "before" is the value the current update step began with.
        step = int(trace.plan.update_step[offset])
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

        current = self.entry_for(event.key, event.sample, sample)
        if reads is None:
            reads = tuple(
                p for key, s in event.read_keys if (p := self.entry_for(key, s, sample)) is not None
            )
        return LedgerState(index, sample, values, known, before, updated, current, reads, block)

    def entry_for(self, key: Key, sample: SampleNumber, shown: int) -> int | None:
        """The row holding `key`'s value for `sample`, while `shown` is the sample on show: None
        when the table has no such row, or when the value is another sample's."""
        row = self._rows.get((key, sample))
        if row is None:  # asked once per value of the plan: a batch mean reads one per sample
            scope = Scope.of(key, sample)
            row = self._rows[(key, sample)] = (self._position.get((key, scope)), scope is Scope.SAMPLE)
        position, per_sample = row
        return None if per_sample and sample != shown else position

    def event_of(self, entry: int, index: int, latest: bool = False) -> int | None:
        """The event of `index`'s iteration that computes row `entry` (for a per-sample row, the
        sample on show at `index`): the next one after `index`, else the first of the iteration;
        with `latest`, the last one at or before `index`, else None. None for given values."""
        row = self.entries[entry]
        if row.key.family in (Family.X, Family.Y):
            return None
        # a parameter is updated once per step, for the step's sample (stochastic) or the batch
        sample: SampleNumber | AnySample = ANY_SAMPLE if row.scope is Scope.PARAMETER else BATCH
        if row.scope is Scope.SAMPLE:
            sample = self._shown_sample(self.trace.locate(index)[1])
        return self.trace.event_computing(row.key, sample, index, latest)
