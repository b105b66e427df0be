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
from .activations import activate, slope, softmax_jacobian
from .losses import loss_terms, output_error
from .plan import Plan
from .quantities import Kind
from .scenario import Scenario
from .schedule import Operation

Params = tuple[tuple[np.ndarray, np.ndarray | None], ...]  # (weights, biases) per layer


@dataclass(frozen=True)
class IterationValues:
    """One computed iteration: its context, every event's value, its parameters before and after, its loss."""

    context: np.ndarray  # x, y and the parameters as the iteration began (plan.context_keys order)
    values: np.ndarray  # one value per event of the plan
    start: Params
    end: Params
    loss: float  # the iteration's loss: the batch's mean (or sum) of per-sample losses, in either mode


def initial_params(scenario: Scenario) -> Params:
    """The scenario's starting parameters, (weights, biases) per layer, as copies."""
    return tuple(
        (layer.weights.copy(), None if layer.biases is None else layer.biases.copy())
        for layer in scenario.layers
    )


class _Writer:
    """Puts an update step's arrays into the iteration's value vector, where the plan laid them out."""

    def __init__(self, plan: Plan, values: np.ndarray) -> None:
        self.plan, self.values = plan, values
        self.update_step = -1

    def start(self, update_step: int) -> None:
        self.update_step = update_step
        self.layouts = self.plan.step_layouts[update_step]

    def __call__(self, kind: Kind, layer: int, array, batch: bool = False) -> None:
        self.values[self.layouts[kind, layer, batch]] = array


class _StepState:
    """What one update step has computed so far, for all of its samples at once (one row each)."""

    def __init__(self, X: np.ndarray, Y: np.ndarray) -> None:
        self.Y = Y
        self.nets: list = [None]  # by layer; layer 0 has no net input
        self.acts: list = [X]  # by layer; layer 0 is the input
        self.deltas: dict[int, np.ndarray] = {}
        self.per_sample: dict[int, tuple] = {}  # layer -> each sample's (∂E/∂W, ∂E/∂b)
        self.gradients: dict[int, tuple] = {}  # layer -> the (∂E/∂W, ∂E/∂b) its update uses
        self.losses: np.ndarray | None = None


def _discard(kind: Kind, layer: int, array, batch: bool = False) -> None:
    """A writer for a forward pass that is not part of the trace: its values go nowhere."""


def _forward_layer(scenario: Scenario, l: int, weights, biases, state: _StepState, put) -> None:
    """Layer l's net inputs and activations for the step's samples."""
    layer = scenario.layers[l - 1]
    z = state.acts[l - 1] @ weights[l - 1].T
    if biases[l - 1] is not None:
        z = z + biases[l - 1]
    put(Kind.NET_INPUT, l, z)
    if layer.activation == "softmax":
        # The steps as written by hand: e^{z_k} (∞ once z_k > 709.78, which the output,
        # computed shifted, does not suffer from) and their sum.
        exps = np.exp(z)
        put(Kind.EXPONENTIAL, l, exps)
        put(Kind.NORMALISER, l, np.add.reduce(exps, axis=1))
    a = activate(layer.activation, z, layer.leak)
    put(Kind.ACTIVATION, l, a)
    state.nets.append(z)
    state.acts.append(a)


def _loss(scenario: Scenario, state: _StepState, put) -> np.ndarray:
    """Each sample's loss terms and loss; returns the losses."""
    terms = loss_terms(scenario.loss, state.acts[-1], state.Y, state.nets[-1], scenario.layers[-1].activation)
    losses = terms.sum(axis=1)
    if scenario.outputs > 1:
        put(Kind.LOSS_TERM, 0, terms)
    put(Kind.LOSS_TOTAL, 0, losses)
    return losses


def step_loss(scenario: Scenario, params: Params, samples) -> float:
    """The loss over `samples` (sample numbers) at `params` (the mean or sum of the per-sample
    losses, as the scenario combines them), by the training's own forward pass: the L(θ ± ε) of
    the gradient check."""
    X = np.stack([scenario.samples[s - 1].x for s in samples])
    Y = np.stack([scenario.samples[s - 1].y for s in samples])
    weights, biases = [w for w, _ in params], [b for _, b in params]
    state = _StepState(X, Y)
    with np.errstate(all="ignore"):
        for l in range(1, len(scenario.layers) + 1):
            _forward_layer(scenario, l, weights, biases, state, _discard)
        return float(rules.batch_reduced(scenario.batch_reduction, _loss(scenario, state, _discard)))


def _output_delta(scenario: Scenario, l: int, state: _StepState, put) -> np.ndarray:
    """The output layer's δ = ∂E/∂z, when it is not ∂E/∂o · ∂o/∂z neuron by neuron."""
    if scenario.output_delta == "direct":
        return rules.direct_output_delta(state.acts[l], state.Y)
    de_da = output_error(scenario.loss, state.acts[l], state.Y)
    jacobian = softmax_jacobian(state.acts[l])
    put(Kind.OUTPUT_ERROR, l, de_da)
    put(Kind.JACOBIAN, l, jacobian)
    return rules.jacobian_delta(de_da, jacobian)


def _backward_layer(scenario: Scenario, l: int, weights, state: _StepState, put) -> None:
    """Layer l's δ and each sample's gradients."""
    layer = scenario.layers[l - 1]
    if l == len(scenario.layers) and scenario.output_delta != "elementwise":
        delta = _output_delta(scenario, l, state, put)
    else:
        if l == len(scenario.layers):
            de_da = output_error(scenario.loss, state.acts[l], state.Y)
            put(Kind.OUTPUT_ERROR, l, de_da)
        else:
            # Σₖ δₖ·w_kj over the next layer, with that layer's weights as they are *now*
            # (already updated if the order is layerwise).
            de_da = rules.backpropagated_sum(state.deltas[l + 1], weights[l])
            put(Kind.BACKPROP_SUM, l, de_da)
        da_dz = slope(layer.activation, state.nets[l], state.acts[l], layer.leak)
        put(Kind.ACTIVATION_DERIVATIVE, l, da_dz)
        delta = rules.error_signal(de_da, da_dz)
    state.deltas[l] = delta
    put(Kind.DELTA, l, delta)
    grad_w = rules.weight_gradients(delta, state.acts[l - 1])
    put(Kind.WEIGHT_GRADIENT, l, grad_w)
    # A single sample's update uses its own gradients (a batch's, `_batch_gradients`).
    state.gradients[l] = (grad_w[0], None if layer.biases is None else delta[0])
    if layer.biases is not None:
        put(Kind.BIAS_GRADIENT, l, delta)
    state.per_sample[l] = (grad_w, None if layer.biases is None else delta)


def _batch_gradients(scenario: Scenario, l: int, state: _StepState, put) -> None:
    """Layer l's gradients combined over the batch (mean or sum): what a batch's update uses."""
    grad_w, grad_b = state.per_sample[l]
    grad_w = rules.batch_reduced(scenario.batch_reduction, grad_w)
    put(Kind.WEIGHT_GRADIENT, l, grad_w, batch=True)
    if grad_b is not None:
        grad_b = rules.batch_reduced(scenario.batch_reduction, grad_b)
        put(Kind.BIAS_GRADIENT, l, grad_b, batch=True)
    state.gradients[l] = (grad_w, grad_b)


def _update(scenario: Scenario, l: int, weights, biases, state: _StepState, put) -> None:
    grad_w, grad_b = state.gradients[l]
    weights[l - 1] = rules.updated(weights[l - 1], grad_w, scenario.learning_rate)
    put(Kind.WEIGHT_UPDATE, l, weights[l - 1])
    if grad_b is not None and scenario.update_biases:
        biases[l - 1] = rules.updated(biases[l - 1], grad_b, scenario.learning_rate)
        put(Kind.BIAS_UPDATE, l, biases[l - 1])


def run_iteration(scenario: Scenario, plan: Plan, start: Params) -> IterationValues:
    """One iteration computed from the parameters `start`, stage by stage in the plan's order
    (`core.schedule`; each stage for all of its update step's samples at once): every event's
    value, laid out by the plan."""
    X = np.stack([s.x for s in scenario.samples])
    Y = np.stack([s.y for s in scenario.samples])
    context = np.concatenate(
        [X.ravel(), Y.ravel()]
        + [part.ravel() for w, b in start for part in ((w,) if b is None else (w, b))]
    )
    values = np.empty(plan.size, dtype=np.float64)
    weights = [w.copy() for w, _ in start]
    biases = [None if b is None else b.copy() for _, b in start]
    put = _Writer(plan, values)
    state: _StepState
    step_losses = []

    # Overflow and 0·∞ are real outcomes of a diverging run; they become inf/nan in the trace
    # (and are explained there) rather than warnings on the terminal.
    with np.errstate(all="ignore"):
        for stage in plan.stages:
            if put.update_step != stage.update_step:
                put.start(stage.update_step)
                state = _StepState(X[stage.samples], Y[stage.samples])
            for operation, l in stage.operations:
                if operation is Operation.FORWARD:
                    _forward_layer(scenario, l, weights, biases, state, put)
                elif operation is Operation.LOSS:
                    state.losses = _loss(scenario, state, put)
                    step_losses.append(state.losses)
                elif operation is Operation.BATCH_LOSS:
                    put(Kind.LOSS_MEAN, 0, rules.batch_reduced(scenario.batch_reduction, state.losses))
                elif operation is Operation.BACKWARD:
                    _backward_layer(scenario, l, weights, state, put)
                elif operation is Operation.BATCH_GRADIENT:
                    _batch_gradients(scenario, l, state, put)
                else:
                    _update(scenario, l, weights, biases, state, put)

    losses = np.concatenate(step_losses)
    end = tuple(zip(weights, biases, strict=True))
    return IterationValues(context, values, start, end, float(rules.batch_reduced(scenario.batch_reduction, losses)))


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

    @property
    def checkpoint_count(self) -> int:
        """How many iterations' starting parameters are kept to recompute from."""
        return len(self._checkpoints)

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
