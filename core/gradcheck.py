"""Gradient check, as the documents' verification sections describe it.

For every parameter θ, the analytic gradient the trace computed by backpropagation is compared with
the central difference  (L(θ + ε) − L(θ − ε)) / 2ε  of the loss of the same update step, at the
parameters that step started from. A correct backward pass agrees to about 1e-8; the layerwise
update slip does not (its hidden gradients are taken through weights already updated).

The verdict is made here and only here (`Verdict`), so the command line and the app cannot
disagree about the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .notation import count
from .plan import Plan
from .quantities import BATCH, Family, Key, Kind, quantity_id
from .trace import Trace
from .training import step_loss

EPSILON = 1e-6
# A gradient agrees when its relative difference is below RELATIVE or its absolute one below
# ABSOLUTE. The absolute floor matters where a unit saturates: both gradients are then ~1e-14,
# the central difference is rounding noise (often exactly 0), and the relative difference of two
# numbers that are both zero to working precision says nothing.
RELATIVE = 1e-5
ABSOLUTE = 1e-8


@dataclass(frozen=True)
class GradientCheck:
    """One parameter's gradient: the analytic value from backpropagation and its numerical estimate."""

    quantity: str  # "dE/dW[2][1][1]"
    parameter: str  # "W[2][1][1]"
    symbol: str  # the gradient's document symbol, "∂E/∂w₅"
    analytic: float
    numeric: float

    @property
    def difference(self) -> float:
        """|analytic − numeric|."""
        return abs(self.analytic - self.numeric)

    @property
    def relative(self) -> float:
        """The difference relative to the larger of the two gradients' magnitudes."""
        scale = max(abs(self.analytic), abs(self.numeric), 1e-12)
        return self.difference / scale

    @property
    def non_finite(self) -> str:
        """What is not finite ("the numerical estimate is nan"), or "" when both numbers are."""
        parts = [f"the {name} is {_text(value)}" for name, value in
                 (("analytic gradient", self.analytic), ("numerical estimate", self.numeric))
                 if not math.isfinite(value)]
        return " and ".join(parts)

    @property
    def agrees(self) -> bool:
        """A non-finite gradient or estimate never agrees, whatever its difference (nan < x is
        false, so the comparisons alone would let nan through one way or the other)."""
        if self.non_finite:
            return False
        return self.relative < RELATIVE or self.difference < ABSOLUTE

    @property
    def mark(self) -> str:
        """The check's verdict as a table cell: "✓", "✗" or "✗ not finite"."""
        return "✓" if self.agrees else ("✗ not finite" if self.non_finite else "✗")


def _power(tolerance: float) -> str:
    return f"{tolerance:.0e}".replace("e-0", "e-")  # "1e-5", as the README writes it


def _text(value: float) -> str:
    return "nan" if math.isnan(value) else ("∞" if value > 0 else "−∞")


@dataclass(frozen=True)
class Verdict:
    """The one verdict on a gradient check: every gradient agrees, or which do not and why."""

    checks: tuple[GradientCheck, ...]

    @property
    def non_finite(self) -> list[GradientCheck]:
        """The checks whose gradient or estimate is not a finite number."""
        return [c for c in self.checks if c.non_finite]

    @property
    def disagreeing(self) -> list[GradientCheck]:
        """Finite gradients whose estimate differs by more than the tolerances."""
        return [c for c in self.checks if not c.non_finite and not c.agrees]

    @property
    def agrees(self) -> bool:
        """Whether every gradient agrees with its numerical estimate."""
        return all(c.agrees for c in self.checks)

    @property
    def lines(self) -> list[str]:
        """The verdict in sentences: the first says it in short, one line per gradient at fault."""
        n = count(len(self.checks), "gradient")
        if self.agrees:
            return [f"{n}; all agree with their numerical estimates "
                    f"(relative difference < {_power(RELATIVE)} or absolute < {_power(ABSOLUTE)})."]
        parts = []
        if self.non_finite:
            parts.append(f"{len(self.non_finite)} not finite (the run has diverged: there is nothing to compare)")
        if self.disagreeing:
            parts.append(f"{len(self.disagreeing)} {'disagrees' if len(self.disagreeing) == 1 else 'disagree'} "
                         f"(relative difference ≥ {_power(RELATIVE)} and absolute ≥ {_power(ABSOLUTE)})")
        lines = [f"{n}; " + "; ".join(parts) + "."]
        lines += [f"  {c.symbol}: {c.non_finite}" for c in self.non_finite]
        return lines


def _parameters_at(trace: Trace, iteration: int, first_offset: int):
    """The parameters as they stood just before event `first_offset` of an iteration."""
    values = trace.training.iteration(iteration)
    plan: Plan = trace.plan
    params = [(W.copy(), None if b is None else b.copy()) for W, b in values.start]
    for offset in range(first_offset):
        kind = plan.kind_at(offset)
        if kind in (Kind.WEIGHT_UPDATE, Kind.BIAS_UPDATE):
            l, j, i = int(plan.layer[offset]), int(plan.j[offset]), int(plan.i[offset])
            if kind is Kind.WEIGHT_UPDATE:
                params[l - 1][0][j - 1, i - 1] = values.values[offset]
            else:
                params[l - 1][1][j - 1] = values.values[offset]
    return params


def _shifted_loss(scenario, params, samples, where, delta: float) -> float:
    """The step's loss with one parameter moved by `delta` (where: layer, W or b, index)."""
    layer, part, index = where
    moved = [(W.copy(), None if b is None else b.copy()) for W, b in params]
    moved[layer][part][index] += delta
    return step_loss(scenario, moved, samples)


def gradient_check(trace: Trace, iteration: int = 1, step: int = 1, epsilon: float = EPSILON) -> list[GradientCheck]:
    """Analytic against numerical gradients for every parameter, for one update step."""
    plan = trace.plan
    scenario = trace.scenario
    samples = plan.step_samples(step - 1)
    in_step = np.flatnonzero(plan.update_step == step - 1)
    params = _parameters_at(trace, iteration, int(in_step[0]))
    values = trace.training.iteration(iteration).values
    scope = samples[0] if len(samples) == 1 else BATCH  # the gradient the update uses
    checks = []
    for l, layer in enumerate(scenario.layers, start=1):
        targets = [(Family.DE_DW, Family.W, (j, i)) for j in range(1, layer.size + 1)
                   for i in range(1, layer.weights.shape[1] + 1)]
        if layer.biases is not None:
            targets += [(Family.DE_DB, Family.B, (j,)) for j in range(1, layer.size + 1)]
        for gradient_family, parameter_family, index in targets:
            gradient = Key(gradient_family, l, *index)
            offsets = [o for o in trace.offsets(gradient, scope) if plan.update_step[o] == step - 1]
            analytic = float(values[offsets[0]])
            where = (l - 1, 0 if parameter_family is Family.W else 1, tuple(n - 1 for n in index))
            numeric = (_shifted_loss(scenario, params, samples, where, epsilon)
                       - _shifted_loss(scenario, params, samples, where, -epsilon)) / (2 * epsilon)
            checks.append(GradientCheck(
                quantity_id(gradient), quantity_id(Key(parameter_family, l, *index)),
                trace.symbols[gradient], analytic, numeric,
            ))
    return checks


def verdict(checks: list[GradientCheck]) -> Verdict:
    """The one verdict on these checks."""
    return Verdict(tuple(checks))
