"""The numbers: forward, loss, backward and update, vectorised with numpy, iteration by iteration.

`run_iteration` computes one iteration from the parameters it starts with and writes every event's
value into one float64 vector laid out by the plan. `Training` computes iterations only when they
are asked for, keeps a few recent ones, and checkpoints the parameters every few iterations so any
iteration of a long run can be recomputed quickly without storing them all.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from . import rules
from .activations import activate, slope
from .losses import loss_terms, output_error
from .plan import Plan
from .scenario import Scenario, UpdateOrder

Params = tuple[tuple[np.ndarray, np.ndarray | None], ...]  # (weights, biases) per layer


@dataclass(frozen=True)
class IterationValues:
    """One computed iteration: its context, every event's value, its parameters before and after, its loss."""

    context: np.ndarray  # x, y and the parameters as the iteration began (plan.context_keys order)
    values: np.ndarray  # one value per event of the plan
    start: Params
    end: Params
    loss: float  # the iteration's loss: batch mean, or the mean of per-sample losses in stochastic mode


def initial_params(scenario: Scenario) -> Params:
    """The scenario's starting parameters, (weights, biases) per layer, as copies."""
    return tuple(
        (layer.weights.copy(), None if layer.biases is None else layer.biases.copy())
        for layer in scenario.layers
    )


class _Writer:
    """Puts a step's arrays into the iteration's value vector, where the plan says they go."""

    def __init__(self, plan: Plan, step: int, values: np.ndarray) -> None:
        self.plan, self.step, self.values = plan, step, values

    def __call__(self, name: str, layer: int, array) -> None:
        self.values[self.plan.offsets[(self.step, name, layer)]] = array


def _forward(scenario: Scenario, weights, biases, X, put: _Writer):
    acts, nets = [X], [None]
    for l, layer in enumerate(scenario.layers, start=1):
        z = acts[-1] @ weights[l - 1].T
        if biases[l - 1] is not None:
            z = z + biases[l - 1]
        a = activate(layer.activation, z)
        put("z", l, z)
        put("a", l, a)
        nets.append(z)
        acts.append(a)
    return nets, acts


def _discard(name: str, layer: int, array) -> None:
    """A writer for a forward pass that is not part of the trace: its values go nowhere."""


def step_loss(scenario: Scenario, params: Params, samples) -> float:
    """The mean loss over `samples` (sample numbers) at `params`, by the training's own forward
    pass: the L(θ ± ε) of the gradient check."""
    X = np.stack([scenario.samples[s - 1].x for s in samples])
    Y = np.stack([scenario.samples[s - 1].y for s in samples])
    with np.errstate(all="ignore"):
        _, acts = _forward(scenario, [w for w, _ in params], [b for _, b in params], X, _discard)
        return float(loss_terms(scenario.loss, acts[-1], Y).sum(axis=1).mean())


def _backward_layer(scenario: Scenario, l: int, weights, biases, nets, acts, Y, deltas, put: _Writer):
    """δ and gradients of layer l for a step's samples; returns the gradients its update uses."""
    layer = scenario.layers[l - 1]
    if l == len(scenario.layers):
        de_da = output_error(scenario.loss, acts[l], Y)
    else:
        # Σₖ δₖ·w_kj over the next layer, with that layer's weights as they are *now*
        # (already updated if the order is layerwise).
        de_da = rules.backpropagated_sum(deltas[l + 1], weights[l])
    da_dz = slope(layer.activation, nets[l], acts[l])
    delta = deltas[l] = rules.error_signal(de_da, da_dz)
    grad_w = rules.weight_gradients(delta, acts[l - 1])
    put("dEda", l, de_da)
    put("dadz", l, da_dz)
    put("delta", l, delta)
    put("gW", l, grad_w)
    grad_b = None
    if biases[l - 1] is not None:
        grad_b = delta
        put("gb", l, grad_b)
    if len(Y) > 1:  # a batch: the update uses the mean over its samples
        grad_w = rules.batch_mean(grad_w)
        put("gW_mean", l, grad_w)
        if grad_b is not None:
            grad_b = rules.batch_mean(grad_b)
            put("gb_mean", l, grad_b)
        return grad_w, grad_b
    return grad_w[0], None if grad_b is None else grad_b[0]


def _update(scenario: Scenario, l: int, weights, biases, grad_w, grad_b, put: _Writer) -> None:
    weights[l - 1] = rules.updated(weights[l - 1], grad_w, scenario.learning_rate)
    put("W_new", l, weights[l - 1])
    if grad_b is not None and scenario.update_biases:
        biases[l - 1] = rules.updated(biases[l - 1], grad_b, scenario.learning_rate)
        put("b_new", l, biases[l - 1])


def run_iteration(scenario: Scenario, plan: Plan, start: Params) -> IterationValues:
    """One iteration computed from the parameters `start`: every event's value, laid out by the plan."""
    X = np.stack([s.x for s in scenario.samples])
    Y = np.stack([s.y for s in scenario.samples])
    context = np.concatenate(
        [X.ravel(), Y.ravel()]
        + [part.ravel() for w, b in start for part in ((w,) if b is None else (w, b))]
    )
    values = np.empty(plan.size, dtype=np.float64)
    weights = [w.copy() for w, _ in start]
    biases = [None if b is None else b.copy() for _, b in start]
    L = len(scenario.layers)
    layerwise = scenario.update_order is UpdateOrder.LAYERWISE
    step_losses = []

    # Overflow and 0·∞ are real outcomes of a diverging run; they become inf/nan in the trace
    # (and are explained there) rather than warnings on the terminal.
    with np.errstate(all="ignore"):
        for step, group in enumerate(plan.steps):
            put = _Writer(plan, step, values)
            nets, acts = _forward(scenario, weights, biases, X[group], put)
            terms = loss_terms(scenario.loss, acts[L], Y[group])
            losses = terms.sum(axis=1)
            if scenario.outputs > 1:
                put("E_k", 0, terms)
            put("E", 0, losses)
            if len(group) > 1:
                put("E_mean", 0, losses.mean())
            step_losses.append(losses)
            deltas: dict[int, np.ndarray] = {}
            gradients = {}
            for l in range(L, 0, -1):
                gradients[l] = _backward_layer(scenario, l, weights, biases, nets, acts, Y[group], deltas, put)
                if layerwise:
                    _update(scenario, l, weights, biases, *gradients[l], put)
            if not layerwise:
                for l in range(L, 0, -1):
                    _update(scenario, l, weights, biases, *gradients[l], put)

    losses = np.concatenate(step_losses)
    end = tuple(zip(weights, biases, strict=True))
    return IterationValues(context, values, start, end, float(losses.mean()))


class Training:
    """Iterations on demand: cached, checkpointed, never all held at once."""

    CACHE_SIZE = 8

    def __init__(self, scenario: Scenario, plan: Plan) -> None:
        self.scenario = scenario
        self.plan = plan
        self.iterations = scenario.iterations
        # Checkpoint often enough that reaching any iteration from the nearest checkpoint is a
        # short recomputation, and rarely enough that even the longest run keeps ~2000 of them.
        self.checkpoint_every = max(16, math.ceil(self.iterations / 2048))
        self._checkpoints: dict[int, Params] = {1: initial_params(scenario)}
        self._cache: OrderedDict[int, IterationValues] = OrderedDict()
        self._losses = np.full(self.iterations, np.nan)
        self.computed_through = 0  # highest iteration ever computed

    def iteration(self, number: int) -> IterationValues:
        """Values of iteration `number` (1-based)."""
        if not 1 <= number <= self.iterations:
            raise IndexError(f"iteration {number} is outside 1..{self.iterations}")
        cached = self._cache.get(number)
        if cached is not None:
            self._cache.move_to_end(number)
            return cached
        start_at = max(n for n in self._checkpoints if n <= number)
        # The iteration before, if kept, is a shorter start than a checkpoint at or before it (a
        # walk reaching a checkpoint's iteration must not compute the one before it again).
        if number - 1 in self._cache and number - 1 >= start_at:
            params, start_at = self._cache[number - 1].end, number
        else:
            params = self._checkpoints[start_at]
        result = None
        for n in range(start_at, number + 1):
            result = run_iteration(self.scenario, self.plan, params)
            self._record(n, result)
            params = result.end
        return result

    def _record(self, number: int, result: IterationValues) -> None:
        self._losses[number - 1] = result.loss
        self.computed_through = max(self.computed_through, number)
        if number < self.iterations and number % self.checkpoint_every == 0:
            self._checkpoints.setdefault(number + 1, result.end)
        self._cache[number] = result
        self._cache.move_to_end(number)
        while len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)

    def losses(self, through: int | None = None) -> np.ndarray:
        """Loss per iteration, computing up to `through` (default: every iteration)."""
        through = self.iterations if through is None else through
        if self.computed_through < through:
            self.iteration(through)
        return self._losses[:through].copy()

    def final_params(self) -> Params:
        """The parameters after the last iteration."""
        return self.iteration(self.iterations).end


def diverged_at(losses: np.ndarray) -> int | None:
    """The first iteration (1-based) whose loss is not finite, or None. A run whose loss has
    overflowed to ∞ or become NaN has diverged: every later iteration is non-finite too."""
    bad = np.flatnonzero(~np.isfinite(losses))
    return int(bad[0]) + 1 if len(bad) else None
