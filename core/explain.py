""""Why this number?": a value's full chain-rule expansion, down to inputs and parameters.

Backward quantities (an error derivative, a delta, a gradient) are written as the documents write
∂E/∂w₁: a sum over every path from the loss through the later layers, each path a product of local
derivatives, every factor with its value. Forward quantities (net inputs, activations, losses) are
written as the tree of formulas that fed them, down to the inputs and parameters.

The factors are the values in effect when the quantity was computed (after a layerwise update,
the updated weights), taken from the ledger, so the paths always add up to the trace's value.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from .ledger import Ledger, LedgerState
from .numbers import exact
from .quantities import Family, Key, SampleNumber, Scope
from .trace import Trace

MAX_PATHS = 64


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product: a quantity's symbol, its value and its ledger entry."""

    symbol: str
    value: float
    entry: int | None  # ledger entry, for highlighting (None: a factor the trace does not compute)


@dataclass(frozen=True)
class Path:
    """One path from the loss to a quantity: the local derivatives (and input) whose product it is."""

    factors: tuple[Factor, ...]

    @property
    def product(self) -> float:
        """The product of the path's factors: its share of the quantity's value."""
        return math.prod(f.value for f in self.factors)


@dataclass(frozen=True)
class Explanation:
    """Why a value is what it is: the sum over its paths (backward quantities) or the tree of
    formulas that fed it (forward quantities)."""

    index: int
    symbol: str
    value: float
    headline: str  # what the expansion is
    paths: tuple[Path, ...]  # backward quantities: one product per path
    hidden_paths: int  # paths not listed (beyond MAX_PATHS)
    tree: tuple[tuple[int, str], ...]  # forward quantities: (depth, formula = substitution = value)
    mean_of: int  # > 1: a batch value, the mean of this many per-sample values (expanded for one)
    entries: tuple[int, ...]  # every factor's ledger entry

    @property
    def total(self) -> float:
        """The sum of the listed paths' products."""
        return sum(p.product for p in self.paths)


class Explainer:
    """"Why this number?" for any event of a trace, with every factor's value taken from its ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.trace: Trace = ledger.trace

    def explain(self, index: int) -> Explanation:
        """The expansion of the value event `index` computes (for an update, of the gradient it used)."""
        trace = self.trace
        event = trace[index]
        state = self.ledger.at(index, event)
        key = event.key
        mean_of = 1
        if event.sample is None and key.family in (Family.DE_DW, Family.DE_DB):
            # A batch gradient is the mean of per-sample gradients: expand the shown sample's.
            mean_of = len(event.reads)
            index = self._per_sample(index, key, state.sample)
            event = trace[index]
            state = self.ledger.at(index, event)
        if key.family in (Family.W, Family.B):  # an update: explain the gradient it used
            gradient_key, gradient_sample = event.read_keys[1]
            found = self._first(index, gradient_key, gradient_sample)
            if found is not None:
                inner = self.explain(found)
                return Explanation(event.index, event.symbol, event.value,
                                   f"{event.formula}, and {inner.headline}", inner.paths, inner.hidden_paths,
                                   ((0, f"{event.formula} = {event.substituted} = {exact(event.value)}"),) + inner.tree,
                                   inner.mean_of, inner.entries)
        if key.family in (Family.DE_DW, Family.DE_DB, Family.DELTA, Family.DE_DA):
            return self._paths(event, state, mean_of)
        return self._tree(index)

    def _per_sample(self, index: int, key: Key, sample: int) -> int:
        found = self._first(index, key, sample)
        return index if found is None else found

    def _first(self, index: int, key: Key, sample: SampleNumber) -> int | None:
        """The first event of `index`'s iteration that computes `key` for `sample`."""
        found = self.trace.find(key, self.trace.locate(index)[0], sample)
        return found[0] if found else None

    # -- backward: sums over paths --------------------------------------------------------

    def _factor(self, state: LedgerState, key: Key, scope: Scope = Scope.SAMPLE) -> Factor:
        position = self.ledger.row_of(key, scope)
        value = state.value(position)
        return Factor(self.trace.symbols[key], math.nan if value is None else value, position)

    def _output_sum(self, event, state: LedgerState, mean_of: int) -> Explanation:
        """δₖ of an output layer whose δ is not ∂E/∂o · ∂o/∂z neuron by neuron: the sum over the
        outputs j of ∂E/∂oⱼ · ∂oⱼ/∂zₖ (a softmax's every output depends on zₖ). Where the trace
        writes δ = o − t, the factors it cancelled are worked out here from o and t."""
        s = self.trace.scenario
        L, k = len(s.layers), event.key.j
        softmax = s.layers[-1].activation == "softmax"
        sym = self.trace.symbols
        outputs = [self._factor(state, Key(Family.A, L, j)) for j in range(1, s.outputs + 1)]
        targets = [self._factor(state, Key(Family.Y, 0, j)) for j in range(1, s.outputs + 1)]
        o, t = [f.value for f in outputs], [f.value for f in targets]
        paths = []
        for j in range(1, s.outputs + 1) if softmax else (k,):
            jacobian = Key(Family.DA_DZ, L, j, k) if softmax else Key(Family.DA_DZ, L, j)
            if s.output_delta == "jacobian":
                factors = (self._factor(state, Key(Family.DE_DA, L, j)), self._factor(state, jacobian))
            else:
                oj, tj = o[j - 1], t[j - 1]
                if s.loss == "cross_entropy":
                    slope = 0.0 if tj == 0 else -tj / oj
                else:
                    slope = (oj - tj) / (oj * (1.0 - oj))
                local = oj * ((1.0 if j == k else 0.0) - o[k - 1])
                factors = (Factor(sym[Key(Family.DE_DA, L, j)], slope, None), Factor(sym[jacobian], local, None))
            paths.append(Path(factors))
        if softmax:
            headline = (f"the error signal {event.symbol} is a sum over the {s.outputs} outputs, each output's error "
                        "times how much that output moves with this net input (every softmax output depends on it)")
        else:
            headline = f"the error signal {event.symbol} is the output's error times the sigmoid's slope"
        if s.output_delta == "direct":
            headline += ": the terms cancel to o − t"
        entries = {f.entry for f in (*outputs, *targets) if f.entry is not None}
        entries |= {f.entry for p in paths for f in p.factors if f.entry is not None}
        return Explanation(event.index, event.symbol, event.value, headline, tuple(paths), 0, (), mean_of,
                           tuple(sorted(entries)))

    def _paths(self, event, state: LedgerState, mean_of: int) -> Explanation:
        s = self.trace.scenario
        L = len(s.layers)
        l, j = event.key.layer, event.key.j
        family = event.key.family
        fused = s.output_delta != "elementwise"  # the output layer's δ is a sum of its own
        if fused and l == L and family is Family.DELTA:
            return self._output_sum(event, state, mean_of)
        # Every route from the loss down to neuron j of layer l: one neuron per later layer.
        routes = itertools.product(*[range(1, s.layers[m - 1].size + 1) for m in range(L, l, -1)])
        paths, hidden = [], 0
        for route in routes:
            if len(paths) >= MAX_PATHS:
                hidden += 1
                continue
            neurons = list(route) + [j]  # neurons in layers L, L-1, ..., l
            if fused:  # every path leaves the output layer through its δ
                factors = [self._factor(state, Key(Family.DELTA, L, neurons[0]))]
            else:
                factors = [self._factor(state, Key(Family.DE_DA, L, neurons[0])),
                           self._factor(state, Key(Family.DA_DZ, L, neurons[0]))]
            for m, (upper, lower) in zip(range(L, l, -1), itertools.pairwise(neurons), strict=True):
                factors.append(self._factor(state, Key(Family.W, m, upper, lower), Scope.PARAMETER))
                factors.append(self._factor(state, Key(Family.DA_DZ, m - 1, lower)))
            if family is Family.DE_DA:
                factors = factors[:-1]  # stop at the activation: no ∂a/∂z of neuron j itself
                if l == L:
                    factors = [self._factor(state, Key(Family.DE_DA, L, j))] if fused else factors[:1]
            elif family is Family.DE_DW:
                i = event.key.i
                source = Key(Family.X, 0, i) if l == 1 else Key(Family.A, l - 1, i)
                factors.append(self._factor(state, source))
            paths.append(Path(tuple(factors)))
        count = len(paths) + hidden
        what = {Family.DE_DW: "the gradient", Family.DE_DB: "the gradient", Family.DELTA: "the error signal",
                Family.DE_DA: "the error derivative"}[family]
        if count == 1:
            headline = (f"{what} {event.symbol} is the product of the local derivatives along the one path "
                        "from the loss")
        else:
            headline = (f"{what} {event.symbol} is a sum over the {count} paths from the loss, each the product "
                        "of the local derivatives along it")
        entries = tuple(sorted({f.entry for p in paths for f in p.factors if f.entry is not None}))
        return Explanation(event.index, event.symbol, event.value, headline, tuple(paths), hidden, (), mean_of, entries)

    # -- forward: the tree of formulas ----------------------------------------------------

    def _tree(self, index: int) -> Explanation:
        trace = self.trace
        root = trace[index]
        lines: list[tuple[int, str]] = []
        entries: set[int] = set()
        seen: set[tuple] = set()
        state = self.ledger.at(index, root)

        def visit(event, depth: int) -> None:
            lines.append((depth, f"{event.formula} = {event.substituted} = {exact(event.value)}"))
            for key, sample in event.read_keys:
                position = self.ledger.entry_for(key, sample, state.sample)
                if position is not None:
                    entries.add(position)
                if key.family in (Family.X, Family.Y, Family.W, Family.B) or (key, sample) in seen:
                    continue  # given values and parameters are leaves; shared subtrees are shown once
                seen.add((key, sample))
                found = self._first(index, key, sample)
                if found is not None:
                    visit(trace[found], depth + 1)

        visit(root, 0)
        return Explanation(index, root.symbol, root.value,
                           f"{root.symbol} from the inputs and parameters, formula by formula",
                           (), 0, tuple(lines), 1, tuple(sorted(entries)))
