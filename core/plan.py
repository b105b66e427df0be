"""The plan: the order of events in one iteration, and what each event reads.

Every iteration of a scenario has the same structure, so the structure is built once, as a few
numpy columns (kind, sample, layer, neuron ...) and a compressed list of reads. A trace of any
length is this plan repeated, with one float64 vector of values per iteration: no per-event
Python objects are kept.

Reads point at *slots*. Slots ``0 .. n_context-1`` are the iteration's context (the samples' x and
y, and every parameter as it was when the iteration began); slot ``n_context + o`` is the value of
the event at offset ``o``. A read always names the most recent value of a quantity, so after a
layerwise or stochastic update it names the update event, not the old parameter.

The ``sample`` column stores a sample as its 0-based index, -1 for the batch level; everything the
plan hands out names it as a `SampleNumber` (1-based, None for the batch level). `_sample_number`
and `_sample_code` are the only conversions between the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .errors import ScenarioError
from .quantities import (
    ANY_SAMPLE,
    FAMILY_OF_KIND,
    KINDS,
    PHASE_OF_KIND,
    PHASES,
    AnySample,
    Family,
    Key,
    Kind,
    SampleNumber,
)
from .scenario import Mode, Scenario, UpdateOrder

# A plan is held in memory as numpy columns; this bounds one iteration (not the number of
# iterations, which costs nothing until visited).
MAX_EVENTS_PER_ITERATION = 250_000

_KIND_CODE = {kind: n for n, kind in enumerate(KINDS)}
_PHASE_CODE = {phase: n for n, phase in enumerate(PHASES)}
_BATCH = -1  # sample column value of a batch-level event (and scope of parameters)


def _sample_number(code: int) -> SampleNumber:
    """The sample column's storage code as the engine names a sample."""
    return None if code < 0 else code + 1


def _sample_code(sample: SampleNumber) -> int:
    """A sample as the sample column stores it."""
    return _BATCH if sample is None else sample - 1


def key_of(kind: Kind, l: int, j: int, i: int) -> Key:
    """The quantity an event of this kind computes (loss events carry no layer)."""
    family = FAMILY_OF_KIND[kind]
    if family is Family.LOSS:
        return Key(family)
    if family is Family.LOSS_TERM:
        return Key(family, 0, j)
    return Key(family, l, j, i)


def count_events(scenario: Scenario) -> int:
    """Events per iteration, computed without building the plan."""
    sizes = scenario.sizes
    per_sample = 2 * sum(sizes[1:]) + (scenario.outputs if scenario.outputs > 1 else 0) + 1
    for l, layer in enumerate(scenario.layers, start=1):
        per_sample += 3 * layer.size + layer.size * sizes[l - 1] + (layer.size if layer.biases is not None else 0)
    updates = sum(
        layer.weights.size + (layer.biases.size if layer.biases is not None and scenario.update_biases else 0)
        for layer in scenario.layers
    )
    groups = _groups(scenario)
    total = 0
    for group in groups:
        g = len(group)
        total += g * per_sample + updates + ((1 + scenario.parameter_count) if g > 1 else 0)
    return total


def _groups(scenario: Scenario) -> list[np.ndarray]:
    n = len(scenario.samples)
    if scenario.mode is Mode.STOCHASTIC:
        return [np.array([s]) for s in range(n)]
    return [np.arange(n)]


@dataclass(frozen=True, eq=False)  # compared by identity: numpy columns have no ==
class Plan:
    """The events of one iteration, the same for every iteration of a run: what each computes and reads."""

    size: int  # events per iteration
    kind: np.ndarray  # uint8 code into KINDS
    phase: np.ndarray  # uint8 code into PHASES
    sample: np.ndarray  # int32 storage: 0-based, -1 for batch-level events (use `sample_at`)
    step: np.ndarray  # int32: which update step of the iteration
    layer: np.ndarray  # int16, 1-based (0 for loss events)
    j: np.ndarray  # int16, 1-based neuron (output k for loss terms)
    i: np.ndarray  # int16, 1-based source neuron of a weight (0 otherwise)
    read_ptr: np.ndarray  # int64, size+1
    read_slot: np.ndarray  # int64 slots, see module docstring
    n_context: int
    context_keys: tuple[tuple[Key, SampleNumber], ...]  # (key, sample) of each context slot
    steps: tuple[np.ndarray, ...]  # storage: indices into scenario.samples per update step (`step_samples`)
    offsets: dict  # (step, array name, layer) -> event offsets, shaped like the engine's array
    segment_starts: np.ndarray  # offsets where (phase, sample) changes: the "phase" boundaries

    def __post_init__(self) -> None:
        # Keys of offsets looked up so far: stepping reads the same few hundred over and over.
        # Bounded by the plan's size and freed with the plan.
        object.__setattr__(self, "_keys", {})

    def kind_at(self, offset: int) -> Kind:
        """The kind of the event at `offset`."""
        return KINDS[self.kind[offset]]

    def sample_at(self, offset: int) -> SampleNumber:
        """The sample of the event at `offset` (None: batch level)."""
        return _sample_number(int(self.sample[offset]))

    def step_samples(self, step: int) -> tuple[int, ...]:
        """The samples of update step `step` (counted from 0, as the `step` column counts)."""
        return self._step_samples[step]

    @cached_property
    def _step_samples(self) -> tuple[tuple[int, ...], ...]:
        # converted once: the ledger asks at every batch-level step, and a batch can be 1,000 samples
        return tuple(tuple(_sample_number(int(code)) for code in group) for group in self.steps)

    def key_at(self, offset: int) -> Key:
        """The quantity the event at `offset` computes."""
        key = self._keys.get(offset)
        if key is None:
            key = self._keys[offset] = self._compute_key(offset)
        return key

    def _compute_key(self, offset: int) -> Key:
        return key_of(KINDS[self.kind[offset]], int(self.layer[offset]), int(self.j[offset]), int(self.i[offset]))

    @cached_property
    def index(self) -> dict[tuple[Key, SampleNumber], tuple[int, ...]]:
        """(key, sample) → offsets (ascending) of the events computing it, built in one pass when
        first needed (the value table needs it for every quantity; `find` scans once per call).
        Outside the plan, ask `Trace.offsets` or `Trace.event_computing`."""
        found: dict[tuple[Key, int], list[int]] = {}
        columns = zip(self.kind.tolist(), self.layer.tolist(), self.j.tolist(), self.i.tolist(), self.sample.tolist(),
                      strict=True)
        for offset, (kind, l, j, i, sample) in enumerate(columns):
            found.setdefault((key_of(KINDS[kind], l, j, i), _sample_number(sample)), []).append(offset)
        return {identity: tuple(offsets) for identity, offsets in found.items()}

    def find(self, key: Key, sample: SampleNumber | AnySample = ANY_SAMPLE) -> np.ndarray:
        """Offsets (ascending) of the events computing `key`, for one sample (None: batch level)
        or for any. A vectorised scan: no index is kept."""
        codes = [_KIND_CODE[k] for k, f in FAMILY_OF_KIND.items() if f is key.family]
        mask = np.isin(self.kind, codes)
        if key.family is not Family.LOSS:
            mask &= self.j == key.j
        if key.family not in (Family.LOSS, Family.LOSS_TERM):
            mask &= (self.layer == key.layer) & (self.i == key.i)
        if sample is not ANY_SAMPLE:
            mask &= self.sample == _sample_code(sample)
        return np.flatnonzero(mask)

    def reads(self, offset: int) -> np.ndarray:
        """The slots the event at `offset` reads, in read order."""
        return self.read_slot[self.read_ptr[offset] : self.read_ptr[offset + 1]]

    def slot_identity(self, slot: int) -> tuple[Key, SampleNumber]:
        """(key, sample) of the value a slot holds."""
        if slot < self.n_context:
            return self.context_keys[slot]
        offset = slot - self.n_context
        return self.key_at(offset), self.sample_at(offset)


class _Builder:
    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.kind: list[int] = []
        self.sample: list[int] = []
        self.step: list[int] = []
        self.layer: list[int] = []
        self.j: list[int] = []
        self.i: list[int] = []
        self.read_ptr: list[int] = [0]
        self.read_slot: list[int] = []
        self.offsets: dict = {}
        self.latest: dict[tuple[Key, int], int] = {}
        self.context: list[tuple[Key, int]] = []
        for s, _ in enumerate(scenario.samples):
            for i in range(1, scenario.inputs + 1):
                self._context(Key(Family.X, 0, i), s)
        for s, _ in enumerate(scenario.samples):
            for k in range(1, scenario.outputs + 1):
                self._context(Key(Family.Y, 0, k), s)
        for l, layer in enumerate(scenario.layers, start=1):
            rows, cols = layer.weights.shape
            for j in range(1, rows + 1):
                for i in range(1, cols + 1):
                    self._context(Key(Family.W, l, j, i), _BATCH)
            if layer.biases is not None:
                for j in range(1, rows + 1):
                    self._context(Key(Family.B, l, j), _BATCH)
        self.n_context = len(self.context)

    def _context(self, key: Key, sample: int) -> None:
        self.latest[(key, sample)] = len(self.context)
        self.context.append((key, sample))

    def slot(self, key: Key, sample: int) -> int:
        return self.latest[(key, sample)]

    def array(self, step: int, name: str, layer: int, shape: tuple[int, ...]) -> np.ndarray:
        key = (step, name, layer)
        if key not in self.offsets:
            self.offsets[key] = np.full(shape, -1, dtype=np.int64)
        return self.offsets[key]

    def emit(self, kind: Kind, step: int, sample: int, l: int, j: int, i: int, reads: list[int]) -> int:
        offset = len(self.kind)
        self.kind.append(_KIND_CODE[kind])
        self.sample.append(sample)
        self.step.append(step)
        self.layer.append(l)
        self.j.append(j)
        self.i.append(i)
        self.read_slot.extend(reads)
        self.read_ptr.append(len(self.read_slot))
        key = key_of(kind, l, j, i)
        scope = _BATCH if key.family in (Family.W, Family.B) else sample
        self.latest[(key, scope)] = self.n_context + offset
        return offset

    # -- the parts of an iteration -------------------------------------------------------------

    def source(self, l: int, i: int, s: int) -> int:
        return self.slot(Key(Family.X, 0, i) if l == 1 else Key(Family.A, l - 1, i), s)

    def forward(self, step: int, t: int, s: int, g: int) -> None:
        for l, layer in enumerate(self.s.layers, start=1):
            rows, cols = layer.weights.shape
            z_at = self.array(step, "z", l, (g, rows))
            a_at = self.array(step, "a", l, (g, rows))
            for j in range(1, rows + 1):
                reads = []
                for i in range(1, cols + 1):
                    reads += [self.source(l, i, s), self.slot(Key(Family.W, l, j, i), _BATCH)]
                if layer.biases is not None:
                    reads.append(self.slot(Key(Family.B, l, j), _BATCH))
                z_at[t, j - 1] = self.emit(Kind.NET_INPUT, step, s, l, j, 0, reads)
                a_at[t, j - 1] = self.emit(
                    Kind.ACTIVATION, step, s, l, j, 0, [self.slot(Key(Family.Z, l, j), s)]
                )

    def loss(self, step: int, t: int, s: int, g: int) -> None:
        L, K = len(self.s.layers), self.s.outputs
        output = [self.slot(Key(Family.A, L, k), s) for k in range(1, K + 1)]
        target = [self.slot(Key(Family.Y, 0, k), s) for k in range(1, K + 1)]
        if K > 1:
            terms_at = self.array(step, "E_k", 0, (g, K))
            for k in range(1, K + 1):
                terms_at[t, k - 1] = self.emit(
                    Kind.LOSS_TERM, step, s, 0, k, 0, [output[k - 1], target[k - 1]]
                )
            reads = [self.slot(Key(Family.LOSS_TERM, 0, k), s) for k in range(1, K + 1)]
        else:
            reads = [output[0], target[0]]
        self.array(step, "E", 0, (g,))[t] = self.emit(Kind.LOSS_TOTAL, step, s, 0, 0, 0, reads)

    def backward_layer(self, step: int, t: int, s: int, g: int, l: int) -> None:
        layers = self.s.layers
        layer = layers[l - 1]
        rows, cols = layer.weights.shape
        names = ("dEda", "dadz", "delta", "gb")
        at = {name: self.array(step, name, l, (g, rows)) for name in names}
        gw_at = self.array(step, "gW", l, (g, rows, cols))
        for j in range(1, rows + 1):
            if l == len(layers):
                reads = [self.slot(Key(Family.A, l, j), s), self.slot(Key(Family.Y, 0, j), s)]
                kind = Kind.OUTPUT_ERROR
            else:
                reads = []
                for k in range(1, layers[l].size + 1):
                    reads += [self.slot(Key(Family.DELTA, l + 1, k), s), self.slot(Key(Family.W, l + 1, k, j), _BATCH)]
                kind = Kind.BACKPROP_SUM
            at["dEda"][t, j - 1] = self.emit(kind, step, s, l, j, 0, reads)
            local = Family.A if layer.activation in ("sigmoid", "tanh") else Family.Z
            at["dadz"][t, j - 1] = self.emit(
                Kind.ACTIVATION_DERIVATIVE, step, s, l, j, 0, [self.slot(Key(local, l, j), s)]
            )
            at["delta"][t, j - 1] = self.emit(
                Kind.DELTA, step, s, l, j, 0,
                [self.slot(Key(Family.DE_DA, l, j), s), self.slot(Key(Family.DA_DZ, l, j), s)],
            )
            delta = self.slot(Key(Family.DELTA, l, j), s)
            for i in range(1, cols + 1):
                gw_at[t, j - 1, i - 1] = self.emit(
                    Kind.WEIGHT_GRADIENT, step, s, l, j, i, [delta, self.source(l, i, s)]
                )
            if layer.biases is not None:
                at["gb"][t, j - 1] = self.emit(Kind.BIAS_GRADIENT, step, s, l, j, 0, [delta])

    def loss_mean(self, step: int, group: np.ndarray) -> None:
        reads = [self.slot(Key(Family.LOSS), int(s)) for s in group]
        self.array(step, "E_mean", 0, ())[()] = self.emit(Kind.LOSS_MEAN, step, _BATCH, 0, 0, 0, reads)

    def averages(self, step: int, group: np.ndarray, l: int) -> None:
        layer = self.s.layers[l - 1]
        rows, cols = layer.weights.shape
        gw_at = self.array(step, "gW_mean", l, (rows, cols))
        gb_at = self.array(step, "gb_mean", l, (rows,))
        for j in range(1, rows + 1):
            for i in range(1, cols + 1):
                reads = [self.slot(Key(Family.DE_DW, l, j, i), int(s)) for s in group]
                gw_at[j - 1, i - 1] = self.emit(Kind.WEIGHT_GRADIENT, step, _BATCH, l, j, i, reads)
            if layer.biases is not None:
                reads = [self.slot(Key(Family.DE_DB, l, j), int(s)) for s in group]
                gb_at[j - 1] = self.emit(Kind.BIAS_GRADIENT, step, _BATCH, l, j, 0, reads)

    def updates(self, step: int, group: np.ndarray, l: int) -> None:
        layer = self.s.layers[l - 1]
        rows, cols = layer.weights.shape
        # A single-sample step updates from that sample's gradient; a batch from the average.
        scope = int(group[0]) if len(group) == 1 else _BATCH
        sample = scope if self.s.mode is Mode.STOCHASTIC else _BATCH
        w_at = self.array(step, "W_new", l, (rows, cols))
        b_at = self.array(step, "b_new", l, (rows,))
        for j in range(1, rows + 1):
            for i in range(1, cols + 1):
                reads = [self.slot(Key(Family.W, l, j, i), _BATCH), self.slot(Key(Family.DE_DW, l, j, i), scope)]
                w_at[j - 1, i - 1] = self.emit(Kind.WEIGHT_UPDATE, step, sample, l, j, i, reads)
            if layer.biases is not None and self.s.update_biases:
                reads = [self.slot(Key(Family.B, l, j), _BATCH), self.slot(Key(Family.DE_DB, l, j), scope)]
                b_at[j - 1] = self.emit(Kind.BIAS_UPDATE, step, sample, l, j, 0, reads)

    def iteration(self) -> None:
        L = len(self.s.layers)
        layerwise = self.s.update_order is UpdateOrder.LAYERWISE
        for step, group in enumerate(_groups(self.s)):
            g = len(group)
            for t, s in enumerate(group):
                self.forward(step, t, int(s), g)
                self.loss(step, t, int(s), g)
                if not layerwise:
                    for l in range(L, 0, -1):
                        self.backward_layer(step, t, int(s), g, l)
            if g > 1:
                self.loss_mean(step, group)
            if layerwise:
                for l in range(L, 0, -1):
                    for t, s in enumerate(group):
                        self.backward_layer(step, t, int(s), g, l)
                    if g > 1:
                        self.averages(step, group, l)
                    self.updates(step, group, l)
            else:
                if g > 1:
                    for l in range(L, 0, -1):
                        self.averages(step, group, l)
                for l in range(L, 0, -1):
                    self.updates(step, group, l)

    def finish(self) -> Plan:
        kind = np.array(self.kind, dtype=np.uint8)
        phase_of = np.array([_PHASE_CODE[PHASE_OF_KIND[k]] for k in KINDS], dtype=np.uint8)
        phase = phase_of[kind]
        sample = np.array(self.sample, dtype=np.int32)
        change = np.ones(len(kind), dtype=bool)
        change[1:] = (phase[1:] != phase[:-1]) | (sample[1:] != sample[:-1])
        plan = Plan(
            size=len(kind),
            kind=kind,
            phase=phase,
            sample=sample,
            step=np.array(self.step, dtype=np.int32),
            layer=np.array(self.layer, dtype=np.int16),
            j=np.array(self.j, dtype=np.int16),
            i=np.array(self.i, dtype=np.int16),
            read_ptr=np.array(self.read_ptr, dtype=np.int64),
            read_slot=np.array(self.read_slot, dtype=np.int64),
            n_context=self.n_context,
            context_keys=tuple((key, _sample_number(code)) for key, code in self.context),
            steps=tuple(_groups(self.s)),
            offsets=self.offsets,
            segment_starts=np.flatnonzero(change),
        )
        return plan


def check_size(scenario: Scenario, file: str) -> None:
    """Refuse a scenario whose iteration is too long to plan. The loader asks this of every file,
    `new` of what it is about to write (through the loader), and the plan of every variant."""
    expected = count_events(scenario)
    if expected > MAX_EVENTS_PER_ITERATION:
        raise ScenarioError(
            file,
            "network",
            f"one iteration of this scenario has {expected:,} events; the limit is "
            f"{MAX_EVENTS_PER_ITERATION:,} (use fewer neurons or samples)",
        )


def build_plan(scenario: Scenario) -> Plan:
    """The plan of one iteration of this scenario; ScenarioError if the iteration is too long."""
    check_size(scenario, str(scenario.path or "<scenario>"))
    expected = count_events(scenario)
    builder = _Builder(scenario)
    builder.iteration()
    plan = builder.finish()
    assert plan.size == expected, (plan.size, expected)
    return plan
