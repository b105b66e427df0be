"""The plan: the events of one iteration, in the order of `core.schedule`, and what each reads.

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
from typing import NamedTuple

import numpy as np

from .errors import ScenarioError
from .quantities import (
    ANY_SAMPLE,
    FAMILY_OF_KIND,
    KINDS,
    PARAMETER_FAMILIES,
    PHASE_OF_KIND,
    PHASES,
    AnySample,
    Family,
    Key,
    Kind,
    SampleNumber,
)
from .scenario import Mode, Scenario
from .schedule import Operation, Stage, iteration_stages, update_steps

# A plan is held in memory as numpy columns; this bounds one iteration (not the number of
# iterations, which costs nothing until visited).
MAX_EVENTS_PER_ITERATION = 250_000

_KIND_CODE = {kind: n for n, kind in enumerate(KINDS)}
_PHASE_CODE = {phase: n for n, phase in enumerate(PHASES)}
# (code, family, is a parameter) of each kind, looked up once per event the builder emits
_EMIT = {kind: (_KIND_CODE[kind], FAMILY_OF_KIND[kind], FAMILY_OF_KIND[kind] in PARAMETER_FAMILIES) for kind in KINDS}
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
    K = scenario.outputs
    if scenario.layers[-1].activation == "softmax":
        per_sample += K + 1  # each e^z and the normaliser
    # The output layer's backward: δ = o − t alone, or ∂E/∂o, a row of the Jacobian and δ.
    per_sample += {"direct": -2 * K, "jacobian": K * K - K, "elementwise": 0}[scenario.output_delta]
    groups = update_steps(scenario)
    total = 0
    for group in groups:
        g = len(group)
        total += g * per_sample + updates + ((1 + scenario.parameter_count) if g > 1 else 0)
    return total


class Layout(NamedTuple):
    """Names one array of the training (`core.training`): the events of one kind, of one layer, in
    one update step; `batch` for the batch's gradients rather than each sample's."""

    update_step: int  # counted from 0
    kind: Kind
    layer: int
    batch: bool = False


@dataclass(frozen=True, eq=False)  # compared by identity: numpy columns have no ==
class Plan:
    """The events of one iteration, the same for every iteration of a run: what each computes and reads."""

    size: int  # events per iteration
    kind: np.ndarray  # uint8 code into KINDS
    phase: np.ndarray  # uint8 code into PHASES
    sample: np.ndarray  # int32 storage: 0-based, -1 for batch-level events (use `sample_at`)
    update_step: np.ndarray  # int32: which update step of the iteration, from 0
    layer: np.ndarray  # int16, 1-based (0 for loss events)
    j: np.ndarray  # int16, 1-based neuron (output k for loss terms)
    i: np.ndarray  # int16, 1-based source neuron of a weight (0 otherwise)
    read_ptr: np.ndarray  # int64, size+1
    read_slot: np.ndarray  # int64 slots, see module docstring
    n_context: int
    context_keys: tuple[tuple[Key, SampleNumber], ...]  # (key, sample) of each context slot
    steps: tuple[np.ndarray, ...]  # storage: indices into scenario.samples per update step (`step_samples`)
    stages: tuple[Stage, ...]  # the iteration's order (`core.schedule`), which the training follows too
    layouts: dict[Layout, np.ndarray]  # the offsets of each of the training's arrays, shaped like it
    segment_starts: np.ndarray  # offsets where (phase, sample) changes: the "phase" boundaries

    def __post_init__(self) -> None:
        # Keys of offsets looked up so far: stepping reads the same few hundred over and over.
        # Bounded by the plan's size and freed with the plan.
        object.__setattr__(self, "_keys", {})

    @cached_property
    def step_layouts(self) -> tuple[dict[tuple[Kind, int, bool], np.ndarray], ...]:
        """`layouts` by update step, keyed (kind, layer, batch): the training's lookups at each write."""
        by_step: tuple[dict, ...] = tuple({} for _ in self.steps)
        for (step, kind, layer, batch), offsets in self.layouts.items():
            by_step[step][kind, layer, batch] = offsets
        return by_step

    def kind_at(self, offset: int) -> Kind:
        """The kind of the event at `offset`."""
        return KINDS[self.kind[offset]]

    def sample_at(self, offset: int) -> SampleNumber:
        """The sample of the event at `offset` (None: batch level)."""
        return _sample_number(int(self.sample[offset]))

    def step_samples(self, step: int) -> tuple[int, ...]:
        """The samples of update step `step` (counted from 0, as the `update_step` column counts)."""
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
    """Lays out the events of one iteration, stage by stage (`core.schedule`), sample by sample."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.rows: list[tuple[int, int, int, int, int, int]] = []  # (kind, sample, update step, layer, j, i)
        self.read_ptr: list[int] = [0]
        self.read_slot: list[int] = []
        self.layouts: dict[Layout, np.ndarray] = {}
        self.latest: dict[tuple[Key, int], int] = {}
        self.context: list[tuple[Key, int]] = []
        for sample, _ in enumerate(scenario.samples):
            for i in range(1, scenario.inputs + 1):
                self._context(Key(Family.X, 0, i), sample)
        for sample, _ in enumerate(scenario.samples):
            for k in range(1, scenario.outputs + 1):
                self._context(Key(Family.Y, 0, k), sample)
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

    def at(self, kind: Kind, layer: int, shape: tuple[int, ...], batch: bool = False) -> np.ndarray:
        """Where this update step's events of `kind` go, shaped as the training's array of them."""
        key = Layout(self.stage.update_step, kind, layer, batch)
        if key not in self.layouts:
            self.layouts[key] = np.full(shape, -1, dtype=np.int64)
        return self.layouts[key]

    def emit(self, kind: Kind, sample: int, l: int, j: int, i: int, reads: list[int]) -> int:
        offset = len(self.rows)
        code, family, parameter = _EMIT[kind]
        self.rows.append((code, sample, self.stage.update_step, l, j, i))
        self.read_slot.extend(reads)
        self.read_ptr.append(len(self.read_slot))
        # The key as `key_of` makes it (every event of a loss kind is emitted with l = j = i = 0
        # but a loss term's j), without building it by kind: this runs for every event.
        scope = _BATCH if parameter else sample
        self.latest[(Key(family, l, j, i), scope)] = self.n_context + offset
        return offset

    def iteration(self) -> None:
        by_sample = {
            Operation.FORWARD: self.forward,
            Operation.LOSS: self.loss,
            Operation.BACKWARD: self.backward,
        }
        for_step = {
            Operation.BATCH_LOSS: self.batch_loss,
            Operation.BATCH_GRADIENT: self.batch_gradients,
            Operation.UPDATE: self.updates,
        }
        self.stages = tuple(iteration_stages(self.scenario))
        for stage in self.stages:
            self.stage = stage
            if stage.by_sample:
                for t, sample in enumerate(stage.samples.tolist()):
                    for operation, l in stage.operations:
                        by_sample[operation](t, sample, l)
            else:
                for operation, l in stage.operations:
                    for_step[operation](l)

    # -- the operations of a stage (`core.schedule.Operation`) ---------------------------------

    @property
    def group_size(self) -> int:
        return len(self.stage.samples)

    def source(self, l: int, i: int, sample: int) -> int:
        return self.slot(Key(Family.X, 0, i) if l == 1 else Key(Family.A, l - 1, i), sample)

    def forward(self, t: int, sample: int, l: int) -> None:
        layer = self.scenario.layers[l - 1]
        rows, cols = layer.weights.shape
        g = self.group_size
        z_at = self.at(Kind.NET_INPUT, l, (g, rows))
        a_at = self.at(Kind.ACTIVATION, l, (g, rows))
        for j in range(1, rows + 1):
            reads = []
            for i in range(1, cols + 1):
                reads += [self.source(l, i, sample), self.slot(Key(Family.W, l, j, i), _BATCH)]
            if layer.biases is not None:
                reads.append(self.slot(Key(Family.B, l, j), _BATCH))
            z_at[t, j - 1] = self.emit(Kind.NET_INPUT, sample, l, j, 0, reads)
            if layer.activation != "softmax":
                a_at[t, j - 1] = self.emit(Kind.ACTIVATION, sample, l, j, 0, [self.slot(Key(Family.Z, l, j), sample)])
        if layer.activation == "softmax":
            self.softmax(t, sample, l, rows)

    def softmax(self, t: int, sample: int, l: int, rows: int) -> None:
        """As a student computes it by hand: each e^{z_k}, their sum, then each output."""
        g = self.group_size
        exp_at = self.at(Kind.EXPONENTIAL, l, (g, rows))
        for k in range(1, rows + 1):
            exp_at[t, k - 1] = self.emit(Kind.EXPONENTIAL, sample, l, k, 0, [self.slot(Key(Family.Z, l, k), sample)])
        exps = [self.slot(Key(Family.EXP, l, k), sample) for k in range(1, rows + 1)]
        self.at(Kind.NORMALISER, l, (g,))[t] = self.emit(Kind.NORMALISER, sample, l, 0, 0, exps)
        a_at = self.at(Kind.ACTIVATION, l, (g, rows))
        nets = [self.slot(Key(Family.Z, l, k), sample) for k in range(1, rows + 1)]
        normaliser = self.slot(Key(Family.EXP_SUM, l), sample)
        for k in range(1, rows + 1):
            # The formula reads e^{z_k} and the normaliser; every net input of the layer is read
            # too, because the output depends on each of them (the diagram marks them all).
            a_at[t, k - 1] = self.emit(Kind.ACTIVATION, sample, l, k, 0, [exps[k - 1], normaliser, *nets])

    def loss(self, t: int, sample: int, _layer: int) -> None:
        L, K, g = len(self.scenario.layers), self.scenario.outputs, self.group_size
        output = [self.slot(Key(Family.A, L, k), sample) for k in range(1, K + 1)]
        target = [self.slot(Key(Family.Y, 0, k), sample) for k in range(1, K + 1)]
        if K > 1:
            terms_at = self.at(Kind.LOSS_TERM, 0, (g, K))
            for k in range(1, K + 1):
                terms_at[t, k - 1] = self.emit(Kind.LOSS_TERM, sample, 0, k, 0, [output[k - 1], target[k - 1]])
            reads = [self.slot(Key(Family.LOSS_TERM, 0, k), sample) for k in range(1, K + 1)]
        else:
            reads = [output[0], target[0]]
        self.at(Kind.LOSS_TOTAL, 0, (g,))[t] = self.emit(Kind.LOSS_TOTAL, sample, 0, 0, 0, reads)

    def output_layer(self, t: int, sample: int, l: int) -> None:
        """The output layer's error signals when they are not ∂E/∂o · ∂o/∂z neuron by neuron."""
        rows, g = self.scenario.layers[l - 1].size, self.group_size
        delta_at = self.at(Kind.DELTA, l, (g, rows))
        output = [self.slot(Key(Family.A, l, k), sample) for k in range(1, rows + 1)]
        target = [self.slot(Key(Family.Y, 0, k), sample) for k in range(1, rows + 1)]
        if self.scenario.output_delta == "direct":
            for k in range(1, rows + 1):
                delta_at[t, k - 1] = self.emit(Kind.DELTA, sample, l, k, 0, [output[k - 1], target[k - 1]])
                self.gradients(t, sample, l, k)
            return
        # A softmax under another loss: every ∂E/∂oⱼ first, then for each net input k the
        # Jacobian column ∂oⱼ/∂zₖ and the sum over j, term by term.
        dEda_at = self.at(Kind.OUTPUT_ERROR, l, (g, rows))
        jacobian_at = self.at(Kind.JACOBIAN, l, (g, rows, rows))
        for j in range(1, rows + 1):
            dEda_at[t, j - 1] = self.emit(Kind.OUTPUT_ERROR, sample, l, j, 0, [output[j - 1], target[j - 1]])
        for k in range(1, rows + 1):
            for j in range(1, rows + 1):
                reads = [output[k - 1]] if j == k else [output[j - 1], output[k - 1]]
                jacobian_at[t, j - 1, k - 1] = self.emit(Kind.JACOBIAN, sample, l, j, k, reads)
            reads = []
            for j in range(1, rows + 1):
                reads += [self.slot(Key(Family.DE_DA, l, j), sample), self.slot(Key(Family.DA_DZ, l, j, k), sample)]
            delta_at[t, k - 1] = self.emit(Kind.DELTA, sample, l, k, 0, reads)
            self.gradients(t, sample, l, k)

    def gradients(self, t: int, sample: int, l: int, j: int) -> None:
        layer = self.scenario.layers[l - 1]
        rows, cols = layer.weights.shape
        g = self.group_size
        gw_at = self.at(Kind.WEIGHT_GRADIENT, l, (g, rows, cols))
        gb_at = self.at(Kind.BIAS_GRADIENT, l, (g, rows))
        delta = self.slot(Key(Family.DELTA, l, j), sample)
        for i in range(1, cols + 1):
            reads = [delta, self.source(l, i, sample)]
            gw_at[t, j - 1, i - 1] = self.emit(Kind.WEIGHT_GRADIENT, sample, l, j, i, reads)
        if layer.biases is not None:
            gb_at[t, j - 1] = self.emit(Kind.BIAS_GRADIENT, sample, l, j, 0, [delta])

    def backward(self, t: int, sample: int, l: int) -> None:
        layers = self.scenario.layers
        layer = layers[l - 1]
        if l == len(layers) and self.scenario.output_delta != "elementwise":
            self.output_layer(t, sample, l)
            return
        rows, g = layer.size, self.group_size
        error_kind = Kind.OUTPUT_ERROR if l == len(layers) else Kind.BACKPROP_SUM
        error_at = self.at(error_kind, l, (g, rows))
        slope_at = self.at(Kind.ACTIVATION_DERIVATIVE, l, (g, rows))
        delta_at = self.at(Kind.DELTA, l, (g, rows))
        local = Family.A if layer.activation in ("sigmoid", "tanh") else Family.Z
        for j in range(1, rows + 1):
            if l == len(layers):
                reads = [self.slot(Key(Family.A, l, j), sample), self.slot(Key(Family.Y, 0, j), sample)]
            else:
                reads = []
                for k in range(1, layers[l].size + 1):
                    reads += [self.slot(Key(Family.DELTA, l + 1, k), sample),
                              self.slot(Key(Family.W, l + 1, k, j), _BATCH)]
            error_at[t, j - 1] = self.emit(error_kind, sample, l, j, 0, reads)
            slope_at[t, j - 1] = self.emit(Kind.ACTIVATION_DERIVATIVE, sample, l, j, 0,
                                           [self.slot(Key(local, l, j), sample)])
            delta_at[t, j - 1] = self.emit(
                Kind.DELTA, sample, l, j, 0,
                [self.slot(Key(Family.DE_DA, l, j), sample), self.slot(Key(Family.DA_DZ, l, j), sample)],
            )
            self.gradients(t, sample, l, j)

    def batch_loss(self, _layer: int) -> None:
        reads = [self.slot(Key(Family.LOSS), sample) for sample in self.stage.samples.tolist()]
        self.at(Kind.LOSS_MEAN, 0, ())[()] = self.emit(Kind.LOSS_MEAN, _BATCH, 0, 0, 0, reads)

    def batch_gradients(self, l: int) -> None:
        layer = self.scenario.layers[l - 1]
        rows, cols = layer.weights.shape
        samples = self.stage.samples.tolist()
        gw_at = self.at(Kind.WEIGHT_GRADIENT, l, (rows, cols), batch=True)
        gb_at = self.at(Kind.BIAS_GRADIENT, l, (rows,), batch=True)
        for j in range(1, rows + 1):
            for i in range(1, cols + 1):
                reads = [self.slot(Key(Family.DE_DW, l, j, i), sample) for sample in samples]
                gw_at[j - 1, i - 1] = self.emit(Kind.WEIGHT_GRADIENT, _BATCH, l, j, i, reads)
            if layer.biases is not None:
                reads = [self.slot(Key(Family.DE_DB, l, j), sample) for sample in samples]
                gb_at[j - 1] = self.emit(Kind.BIAS_GRADIENT, _BATCH, l, j, 0, reads)

    def updates(self, l: int) -> None:
        layer = self.scenario.layers[l - 1]
        rows, cols = layer.weights.shape
        samples = self.stage.samples
        # A single-sample step updates from that sample's gradient; a batch from the batch's.
        scope = int(samples[0]) if len(samples) == 1 else _BATCH
        sample = scope if self.scenario.mode is Mode.STOCHASTIC else _BATCH
        w_at = self.at(Kind.WEIGHT_UPDATE, l, (rows, cols))
        b_at = self.at(Kind.BIAS_UPDATE, l, (rows,))
        for j in range(1, rows + 1):
            for i in range(1, cols + 1):
                reads = [self.slot(Key(Family.W, l, j, i), _BATCH), self.slot(Key(Family.DE_DW, l, j, i), scope)]
                w_at[j - 1, i - 1] = self.emit(Kind.WEIGHT_UPDATE, sample, l, j, i, reads)
            if layer.biases is not None and self.scenario.update_biases:
                reads = [self.slot(Key(Family.B, l, j), _BATCH), self.slot(Key(Family.DE_DB, l, j), scope)]
                b_at[j - 1] = self.emit(Kind.BIAS_UPDATE, sample, l, j, 0, reads)

    def finish(self) -> Plan:
        columns = np.array(self.rows, dtype=np.int64).reshape(-1, 6).T
        kind = columns[0].astype(np.uint8)
        phase_of = np.array([_PHASE_CODE[PHASE_OF_KIND[k]] for k in KINDS], dtype=np.uint8)
        phase = phase_of[kind]
        sample = columns[1].astype(np.int32)
        change = np.ones(len(kind), dtype=bool)
        change[1:] = (phase[1:] != phase[:-1]) | (sample[1:] != sample[:-1])
        return Plan(
            size=len(kind),
            kind=kind,
            phase=phase,
            sample=sample,
            update_step=columns[2].astype(np.int32),
            layer=columns[3].astype(np.int16),
            j=columns[4].astype(np.int16),
            i=columns[5].astype(np.int16),
            read_ptr=np.array(self.read_ptr, dtype=np.int64),
            read_slot=np.array(self.read_slot, dtype=np.int64),
            n_context=self.n_context,
            context_keys=tuple((key, _sample_number(code)) for key, code in self.context),
            steps=tuple(update_steps(self.scenario)),
            stages=self.stages,
            layouts=self.layouts,
            segment_starts=np.flatnonzero(change),
        )


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
