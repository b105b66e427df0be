"""The order of one iteration, written once.

An iteration is a list of stages: forward through each layer, the loss, back through each layer,
the batch's gradients, the updates. The plan (`core.plan`) lays out the trace's events in this
order, sample by sample, as a student works it by hand; the training (`core.training`) computes the
same stages in the same order, each for all of an update step's samples at once. Both read the
order from `iteration_stages`, so a new update order or a new kind of step is written here once.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

import numpy as np

from .scenario import Mode, Scenario, UpdateOrder


class Operation(str, Enum):
    """One part of an iteration, for one layer (or for the network's output)."""

    FORWARD = "forward"  # a layer's net inputs and activations (a softmax's e^z and normaliser too)
    LOSS = "loss"  # each sample's loss terms and loss
    BATCH_LOSS = "batch_loss"  # the batch's loss from its samples' losses
    BACKWARD = "backward"  # a layer's δ and each sample's gradients
    BATCH_GRADIENT = "batch_gradient"  # a layer's gradients combined over the batch
    UPDATE = "update"  # a layer's new weights and biases


class Stage(NamedTuple):
    """Operations done in turn within one update step.

    For a stage `by_sample`, the plan writes all of the first sample's operations, then the
    second's; the training does each operation for every sample at once. Both give the same
    numbers because such a stage never changes a parameter (updates are stages of their own), so
    no sample's operation reads another's result."""

    update_step: int  # counted from 0
    samples: np.ndarray  # 0-based indices into scenario.samples of the update step
    by_sample: bool
    operations: tuple[tuple[Operation, int], ...]  # (operation, layer); layer 0 for the loss


def update_steps(scenario: Scenario) -> list[np.ndarray]:
    """The samples of each update step (0-based): one step of the whole batch, or one per sample."""
    n = len(scenario.samples)
    if scenario.mode is Mode.STOCHASTIC:
        return [np.array([s]) for s in range(n)]
    return [np.arange(n)]


def iteration_stages(scenario: Scenario) -> list[Stage]:
    """The stages of one iteration in the order the trace shows them.

    Simultaneous updates: each sample forward, its loss and back through every layer, then the
    batch's loss and gradients, then every layer's update. Layerwise updates: after the forward
    pass and losses, each layer from the output down is backpropagated for every sample and
    updated at once, so the next layer down reads weights that are already new."""
    layers = len(scenario.layers)
    down = range(layers, 0, -1)
    forward = tuple((Operation.FORWARD, l) for l in range(1, layers + 1)) + ((Operation.LOSS, 0),)
    backward = tuple((Operation.BACKWARD, l) for l in down)
    layerwise = scenario.update_order is UpdateOrder.LAYERWISE
    stages = []
    for number, samples in enumerate(update_steps(scenario)):
        batch = len(samples) > 1
        parts = [(True, forward + (() if layerwise else backward))]  # (by_sample, operations)
        if batch:
            parts.append((False, ((Operation.BATCH_LOSS, 0),)))
        if layerwise:
            for l in down:
                parts.append((True, ((Operation.BACKWARD, l),)))
                if batch:
                    parts.append((False, ((Operation.BATCH_GRADIENT, l),)))
                parts.append((False, ((Operation.UPDATE, l),)))
        else:
            if batch:
                parts.append((False, tuple((Operation.BATCH_GRADIENT, l) for l in down)))
            parts.append((False, tuple((Operation.UPDATE, l) for l in down)))
        stages += [Stage(number, samples, by_sample, operations) for by_sample, operations in parts]
    return stages
