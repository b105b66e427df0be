"""The matrix view: the same trace replayed a layer at a time, as the documents' vectorised
equations (δ⁽ᴸ⁾ = (a⁽ᴸ⁾ − t) ⊙ σ′(z⁽ᴸ⁾), W⁽ˡ⁺¹⁾ᵀδ⁽ˡ⁺¹⁾, δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ) with the matrices substituted.

A block groups the events that one vector equation computes (all net inputs of a layer for one
sample, say). Stepping in the matrix view moves from the last event of one block to the last event
of the next, so every value a block shows is already in the ledger: matrices are gathered, never
recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ledger import Ledger, LedgerState
from .notation import FUNCTION_NAMES
from .numbers import fmt
from .quantities import KINDS, Family, Key, Kind, Phase, SampleNumber, Scope

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

_GROUP = {
    Kind.NET_INPUT: "net", Kind.EXPONENTIAL: "act", Kind.NORMALISER: "act", Kind.ACTIVATION: "act",
    Kind.JACOBIAN: "delta", Kind.LOSS_TERM: "loss", Kind.LOSS_TOTAL: "loss",
    Kind.LOSS_MEAN: "loss mean", Kind.OUTPUT_ERROR: "delta", Kind.BACKPROP_SUM: "delta",
    Kind.ACTIVATION_DERIVATIVE: "delta", Kind.DELTA: "delta", Kind.WEIGHT_GRADIENT: "grad",
    Kind.BIAS_GRADIENT: "grad", Kind.WEIGHT_UPDATE: "update", Kind.BIAS_UPDATE: "update",
}


@dataclass(frozen=True)
class Term:
    """A named matrix (column vectors are n×1) in a substituted equation."""

    label: str
    values: np.ndarray


Part = Term | str  # a term, or an operator such as "·", "+", "⊙", "=", "−"


@dataclass(frozen=True)
class Block:
    """One vector equation of the matrix view: the events it groups, its matrices and the entries it marks."""

    iteration: int
    end: int  # index of the block's last event: where the matrix view stands
    start: int  # index of its first event
    phase: Phase
    layer: int
    sample: SampleNumber  # None for batch-level blocks
    title: str
    formula: str
    parts: tuple[tuple[Part, ...], ...]  # one or more substituted equations
    entries: tuple[int, ...]  # ledger entries the block computes (marked as current)
    events: tuple[int, ...] = ()  # indices of its events (a layer's interleave with others)
    reads: tuple[int, ...] = ()  # ledger entries its events read, beyond what it computes


def _sup(layer: int) -> str:
    return f"⁽{str(layer).translate(_SUP)}⁾"


class MatrixView:
    """The blocks of one trace; built once, looked up per step."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.trace = trace = ledger.trace
        plan = trace.plan
        groups: dict[tuple, list[int]] = {}
        for offset in range(plan.size):
            kind = KINDS[plan.kind[offset]]
            group = _GROUP[kind]
            sample = plan.sample_at(offset)
            if group == "grad" and sample is None:
                group = "mean"
            layer = int(plan.layer[offset]) if group not in ("loss", "loss mean") else 0
            groups.setdefault((int(plan.update_step[offset]), sample, group, layer), []).append(offset)
        ordered = sorted(groups.items(), key=lambda item: item[1][-1])
        self._keys = [key for key, _ in ordered]
        self._offsets = [offsets for _, offsets in ordered]
        self._ends = np.array([offsets[-1] for offsets in self._offsets], dtype=np.int64)
        # Which block each event belongs to: blocks interleave (net_h₁, h₁, net_h₂, h₂ are two
        # blocks), so an event's block is not the first one ending after it.
        self._block_of = np.empty(plan.size, dtype=np.int64)
        for n, offsets in enumerate(self._offsets):
            self._block_of[offsets] = n

    def __len__(self) -> int:
        return len(self._keys) * self.trace.iterations

    def block_number(self, index: int) -> int:
        """The block containing event `index`, numbered across the whole run."""
        iteration, offset = self.trace.locate(index)
        return (iteration - 1) * len(self._keys) + int(self._block_of[offset])

    def end_of(self, number: int) -> int:
        """The index of the last event of block `number` (blocks are numbered across the run)."""
        iteration, n = divmod(number, len(self._keys))
        return self.trace.index_of(iteration + 1, int(self._ends[n]))

    def block(self, index: int) -> Block:
        """The block containing event `index`, with its matrices as they stand at its end."""
        number = self.block_number(index)
        iteration, n = divmod(number, len(self._keys))
        _step, sample, group, layer = self._keys[n]
        offsets = self._offsets[n]
        end = self.trace.index_of(iteration + 1, offsets[-1])
        state = self.ledger.at(end)
        entries = self.ledger.computed_by(offsets, state.sample)
        reads = tuple(p for p in self.ledger.read_by(offsets, state.sample) if p not in entries)
        title, formula, parts = getattr(self, f"_{group.replace(' ', '_')}")(state, layer)
        phase = self.trace[end].phase
        events = tuple(self.trace.index_of(iteration + 1, o) for o in offsets)
        return Block(iteration + 1, end, events[0], phase, layer, sample,
                     title, formula, parts, entries, events, reads)

    # -- gathering matrices from the ledger ---------------------------------------------------

    def _vector(self, state: LedgerState, family: Family, layer: int, size: int,
                scope: Scope = Scope.SAMPLE) -> np.ndarray:
        at = 0 if family in (Family.X, Family.Y, Family.LOSS_TERM) else layer
        keys = [Key(family, at, j) for j in range(1, size + 1)]
        return np.array([[self._value(state, key, scope)] for key in keys])

    def _matrix(self, state: LedgerState, family: Family, layer: int, scope: Scope) -> np.ndarray:
        rows, cols = self.trace.scenario.layers[layer - 1].weights.shape
        return np.array([[self._value(state, Key(family, layer, j, i), scope) for i in range(1, cols + 1)]
                         for j in range(1, rows + 1)])

    def _value(self, state: LedgerState, key: Key, scope: Scope) -> float:
        position = self.ledger.row_of(key, scope)
        value = state.value(position) if position is not None else None
        return np.nan if value is None else value

    def _before(self, state: LedgerState, family: Family, layer: int, shape) -> np.ndarray:
        rows, cols = shape
        if family is Family.W:
            keys = [[Key(family, layer, j, i) for i in range(1, cols + 1)] for j in range(1, rows + 1)]
        else:
            keys = [[Key(family, layer, j)] for j in range(1, rows + 1)]
        return np.array([[float(state.before[self.ledger.row_of(k, Scope.PARAMETER)]) for k in row] for row in keys])

    def _input(self, state, layer: int) -> Term:
        sizes = self.trace.scenario.sizes
        if layer == 1:
            return Term("x", self._vector(state, Family.X, 0, sizes[0]))
        return Term(f"a{_sup(layer - 1)}", self._vector(state, Family.A, layer - 1, sizes[layer - 1]))

    def _sigma(self, layer: int) -> str:
        return FUNCTION_NAMES[self.trace.scenario.layers[layer - 1].activation] or "id"

    # -- the equations, group by group --------------------------------------------------------

    def _net(self, state, l):
        layer = self.trace.scenario.layers[l - 1]
        W = Term(f"W{_sup(l)}", self._matrix(state, Family.W, l, Scope.PARAMETER))
        z = Term(f"z{_sup(l)}", self._vector(state, Family.Z, l, layer.size))
        source = self._input(state, l)
        parts: tuple[Part, ...] = (W, "·", source)
        formula = f"z{_sup(l)} = W{_sup(l)}{source.label}"
        if layer.biases is not None:
            parts += ("+", Term(f"b{_sup(l)}", self._vector(state, Family.B, l, layer.size, Scope.PARAMETER)))
            formula += f" + b{_sup(l)}"
        return f"net inputs of layer {l}", formula, (parts + ("=", z),)

    def _act(self, state, l):
        size = self.trace.scenario.layers[l - 1].size
        f = self._sigma(l)
        z = Term(f"z{_sup(l)}", self._vector(state, Family.Z, l, size))
        a = Term(f"a{_sup(l)}", self._vector(state, Family.A, l, size))
        if f == "softmax":  # as a vector equation: e^z, its sum, the quotient
            exps = Term(f"e^z{_sup(l)}", self._vector(state, Family.EXP, l, size))
            total = Term("Σⱼ e^zⱼ", np.array([[self._value(state, Key(Family.EXP_SUM, l), Scope.SAMPLE)]]))
            formula = f"a{_sup(l)} = softmax(z{_sup(l)}) = e^z{_sup(l)} / Σⱼ e^zⱼ{_sup(l)}"
            return (f"activations of layer {l}", formula,
                    (("exp(", z, ")", "=", exps), ("Σ", exps, "=", total), (exps, "/", total, "=", a)))
        return f"activations of layer {l}", f"a{_sup(l)} = {f}(z{_sup(l)})", ((f"{f}(", z, ")", "=", a),)

    def _loss(self, state, _):
        s = self.trace.scenario
        L = len(s.layers)
        a = Term(f"a{_sup(L)}", self._vector(state, Family.A, L, s.outputs))
        t = Term("t", self._vector(state, Family.Y, 0, s.outputs))
        E = Term(self.trace.symbols[Key(Family.LOSS)], np.array([[self._value(state, Key(Family.LOSS), Scope.SAMPLE)]]))
        if s.loss == "cross_entropy":
            return "loss", f"E = −Σₖ tₖ ln aₖ{_sup(L)}", (("−Σ", t, "⊙ ln", a, "=", E),)
        if s.loss == "binary_cross_entropy":
            formula = f"E = −Σₖ [tₖ ln aₖ{_sup(L)} + (1 − tₖ) ln(1 − aₖ{_sup(L)})]"
            return "loss", formula, (("−Σ[", t, "⊙ ln", a, "+ (1 −", t, ") ⊙ ln(1 −", a, ")]", "=", E),)
        half = s.loss == "half_squared_error"
        formula = f"E = Σₖ {'½' if half else ''}(tₖ − aₖ{_sup(L)})²"
        return "loss", formula, ((("½ Σ(" if half else "Σ("), t, "−", a, ")²", "=", E),)

    def _loss_mean(self, state, _):
        n = len(self.trace.scenario.samples)
        E = Term("E", np.array([[self._value(state, Key(Family.LOSS), Scope.BATCH)]]))
        if self.trace.scenario.batch_reduction == "sum":
            return "batch loss", "E = Σₛ Eₛ", (("Σₛ Eₛ", "=", E),)
        return "batch loss", f"E = (1/{n}) Σₛ Eₛ", ((f"(1/{n}) Σₛ Eₛ", "=", E),)

    def _output_delta(self, state, l):
        """δ⁽ᴸ⁾ of a softmax (or sigmoid with binary cross-entropy) output: o − t, or Jᵀ ∂E/∂a."""
        s = self.trace.scenario
        size = s.layers[l - 1].size
        a = Term(f"a{_sup(l)}", self._vector(state, Family.A, l, size))
        t = Term("t", self._vector(state, Family.Y, 0, size))
        delta = Term(f"δ{_sup(l)}", self._vector(state, Family.DELTA, l, size))
        if s.output_delta == "direct":
            return f"error signal of the output layer {l}", f"δ{_sup(l)} = a{_sup(l)} − t", ((a, "−", t, "=", delta),)
        error = Term(f"∂E/∂a{_sup(l)}", self._vector(state, Family.DE_DA, l, size))
        two = "" if s.loss == "half_squared_error" else "2"
        # The Jacobian's transpose: row k holds ∂aⱼ/∂zₖ over j.
        jacobian = np.array([[self._value(state, Key(Family.DA_DZ, l, j, k), Scope.SAMPLE) for j in range(1, size + 1)]
                             for k in range(1, size + 1)])
        formula = f"δ{_sup(l)} = Jᵀ ∂E/∂a{_sup(l)},  Jⱼₖ = ∂aⱼ/∂zₖ = aⱼ(δⱼₖ − aₖ)"
        slope = (f"{two}(" if two else "(", a, "−", t, ")", "=", error)
        return f"error signal of the output layer {l}", formula, (slope, (Term("Jᵀ", jacobian), "·", error, "=", delta))

    def _delta(self, state, l):
        s = self.trace.scenario
        size = s.layers[l - 1].size
        f = self._sigma(l)
        slope = Term(f"{f}′(z{_sup(l)})", self._vector(state, Family.DA_DZ, l, size))
        delta = Term(f"δ{_sup(l)}", self._vector(state, Family.DELTA, l, size))
        if l == len(s.layers) and s.output_delta != "elementwise":
            return self._output_delta(state, l)
        error = self._vector(state, Family.DE_DA, l, size)
        if l == len(s.layers):
            a = Term(f"a{_sup(l)}", self._vector(state, Family.A, l, size))
            t = Term("t", self._vector(state, Family.Y, 0, size))
            two = "" if s.loss == "half_squared_error" else "2"
            formula = f"δ{_sup(l)} = {two}(a{_sup(l)} − t) ⊙ {f}′(z{_sup(l)})"
            first = ((f"{two}(" if two else "(", a, "−", t, ")", "=", Term(f"∂E/∂a{_sup(l)}", error)),)
            second = ((Term(f"∂E/∂a{_sup(l)}", error), "⊙", slope, "=", delta),)
            return f"error signal of the output layer {l}", formula, first + second
        following = Term(f"W{_sup(l + 1)}ᵀ", self._matrix(state, Family.W, l + 1, Scope.PARAMETER).T)
        delta_next = Term(f"δ{_sup(l + 1)}", self._vector(state, Family.DELTA, l + 1, s.layers[l].size))
        formula = f"δ{_sup(l)} = (W{_sup(l + 1)}ᵀ δ{_sup(l + 1)}) ⊙ {f}′(z{_sup(l)})"
        summed = Term(f"W{_sup(l + 1)}ᵀδ{_sup(l + 1)}", error)
        return (f"error signal of hidden layer {l}", formula,
                ((following, "·", delta_next, "=", summed), (summed, "⊙", slope, "=", delta)))

    def _grad(self, state, l):
        layer = self.trace.scenario.layers[l - 1]
        delta = Term(f"δ{_sup(l)}", self._vector(state, Family.DELTA, l, layer.size))
        source = self._input(state, l)
        source_t = Term(f"{source.label}ᵀ", source.values.T)
        gradient = Term(f"∂E/∂W{_sup(l)}", self._matrix(state, Family.DE_DW, l, Scope.SAMPLE))
        parts: tuple = ((delta, "·", source_t, "=", gradient),)
        formula = f"∂E/∂W{_sup(l)} = δ{_sup(l)} {source.label}ᵀ"
        if layer.biases is not None:
            parts += ((Term(f"∂E/∂b{_sup(l)}", self._vector(state, Family.DE_DB, l, layer.size)), "=", delta),)
            formula += f",  ∂E/∂b{_sup(l)} = δ{_sup(l)}"
        return f"gradients of layer {l}", formula, parts

    def _mean(self, state, l):
        layer = self.trace.scenario.layers[l - 1]
        n = len(self.trace.scenario.samples)
        scale = "" if self.trace.scenario.batch_reduction == "sum" else f"(1/{n}) "
        parts: tuple = ((f"{scale}Σₛ δₛ aₛᵀ", "=",
                         Term(f"∂E/∂W{_sup(l)}", self._matrix(state, Family.DE_DW, l, Scope.BATCH))),)
        formula = f"∂E/∂W{_sup(l)} = {scale}Σₛ δ{_sup(l)}ₛ aₛᵀ"
        if layer.biases is not None:
            parts += ((f"{scale}Σₛ δₛ", "=",
                       Term(f"∂E/∂b{_sup(l)}", self._vector(state, Family.DE_DB, l, layer.size, Scope.BATCH))),)
        return f"batch gradients of layer {l}", formula, parts

    def _update(self, state, l):
        s = self.trace.scenario
        layer = s.layers[l - 1]
        eta = self.trace.symbols.learning_rate
        scope = Scope.BATCH if s.mode.value == "batch" and len(s.samples) > 1 else Scope.SAMPLE
        old_W = Term(f"W{_sup(l)}", self._before(state, Family.W, l, layer.weights.shape))
        new_W = Term(f"W{_sup(l)}", self._matrix(state, Family.W, l, Scope.PARAMETER))
        gradient = Term(f"∂E/∂W{_sup(l)}", self._matrix(state, Family.DE_DW, l, scope))
        parts: tuple = ((old_W, "−", fmt(s.learning_rate), "·", gradient, "=", new_W),)
        formula = f"W{_sup(l)} ← W{_sup(l)} − {eta} ∂E/∂W{_sup(l)}"
        if layer.biases is not None and s.update_biases:
            old_b = Term(f"b{_sup(l)}", self._before(state, Family.B, l, (layer.size, 1)))
            new_b = Term(f"b{_sup(l)}", self._vector(state, Family.B, l, layer.size, Scope.PARAMETER))
            gradient_b = Term(f"∂E/∂b{_sup(l)}", self._vector(state, Family.DE_DB, l, layer.size, scope))
            parts += ((old_b, "−", fmt(s.learning_rate), "·", gradient_b, "=", new_b),)
            formula += f",  b{_sup(l)} ← b{_sup(l)} − {eta} ∂E/∂b{_sup(l)}"
        return f"update of layer {l}", formula, parts
