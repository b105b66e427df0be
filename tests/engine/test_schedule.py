"""One order of an iteration (`core.schedule`), followed by the plan and by the training."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from backprop_stepper.core.quantities import Kind
from backprop_stepper.core.schedule import Operation

from .event_expectations import scenarios

TRACES = scenarios()  # every bundled scenario, and generated ones in every mode and update order

_OPERATION_OF_KIND = {
    Kind.NET_INPUT: Operation.FORWARD, Kind.EXPONENTIAL: Operation.FORWARD,
    Kind.NORMALISER: Operation.FORWARD, Kind.ACTIVATION: Operation.FORWARD,
    Kind.LOSS_TERM: Operation.LOSS, Kind.LOSS_TOTAL: Operation.LOSS, Kind.LOSS_MEAN: Operation.BATCH_LOSS,
    Kind.WEIGHT_UPDATE: Operation.UPDATE, Kind.BIAS_UPDATE: Operation.UPDATE,
}  # fmt: skip


def _operation(plan, offset: int) -> tuple:
    """What the event at `offset` is part of, told from the event alone: (step, operation, layer, sample)."""
    kind, sample = plan.kind_at(offset), plan.sample_at(offset)
    operation = _OPERATION_OF_KIND.get(kind)
    if operation is None:  # the backward pass: a sample's δ and gradients, or the batch's gradients
        operation = Operation.BACKWARD if sample is not None else Operation.BATCH_GRADIENT
    if operation in (Operation.BATCH_LOSS, Operation.BATCH_GRADIENT, Operation.UPDATE):
        sample = None  # a stochastic update names its sample; the stage is the step's
    layer = 0 if operation in (Operation.LOSS, Operation.BATCH_LOSS) else int(plan.layer[offset])
    return int(plan.update_step[offset]), operation, layer, sample


@pytest.mark.parametrize("name", sorted(TRACES))
def test_the_plan_lays_out_events_in_the_schedules_order(name):
    plan = TRACES[name].plan
    expected = []
    for stage in plan.stages:
        if stage.by_sample:
            expected += [(stage.update_step, operation, layer, int(sample) + 1)
                         for sample in stage.samples for operation, layer in stage.operations]
        else:
            expected += [(stage.update_step, operation, layer, None) for operation, layer in stage.operations]
    seen = [part for part, _ in itertools.groupby(_operation(plan, offset) for offset in range(plan.size))]
    assert seen == expected


@pytest.mark.parametrize("name", sorted(TRACES))
def test_the_training_writes_every_event_exactly_once(name):
    plan = TRACES[name].plan
    written = np.concatenate([offsets[offsets >= 0].ravel() for offsets in plan.layouts.values()])
    assert np.array_equal(np.sort(written), np.arange(plan.size))
    values = TRACES[name].training.iteration(1).values
    assert len(values) == plan.size


@pytest.mark.parametrize("name", sorted(TRACES))
def test_a_stage_done_sample_by_sample_changes_no_parameter(name):
    # what lets the training compute such a stage for all samples at once
    for stage in TRACES[name].plan.stages:
        if stage.by_sample:
            assert all(operation in (Operation.FORWARD, Operation.LOSS, Operation.BACKWARD)
                       for operation, _ in stage.operations)
