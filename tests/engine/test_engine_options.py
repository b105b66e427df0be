"""The classic mistakes as scenario options, each against an independent computation.

(Stochastic mode and fixed biases are also covered event by event by the autodiff reference in
test_engine_values.py.)
"""

from __future__ import annotations

import math

import pytest

from backprop_stepper.core import Kind, Trace, parse_scenario, resolve
from backprop_stepper.core.gradcheck import gradient_check
from backprop_stepper.core.variants import variant

from ..conftest import generated


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def layerwise_reference(scenario):
    """The layerwise slip from scratch, in plain floats: for each layer from the output down,
    per-sample deltas with the next layer's weights as they are now, the batch-mean gradient,
    then that layer's update straight away. Returns {(iteration, sample or None, id): value}."""
    W = [layer.weights.tolist() for layer in scenario.layers]
    b = [layer.biases.tolist() for layer in scenario.layers]
    eta, n = scenario.learning_rate, len(scenario.samples)
    assert all(layer.activation == "sigmoid" for layer in scenario.layers) and scenario.loss == "half_squared_error"
    out = {}
    for it in range(1, scenario.iterations + 1):
        acts = []
        for sample in scenario.samples:
            a = [sample.x.tolist()]
            for l in range(len(W)):
                a.append([sigmoid(sum(w * x for w, x in zip(row, a[-1], strict=True)) + b[l][j])
                          for j, row in enumerate(W[l])])
            acts.append(a)
        deltas = [None] * len(W)
        for l in range(len(W) - 1, -1, -1):
            per_sample = []
            for s, a in enumerate(acts, start=1):
                if l == len(W) - 1:
                    error = [o - t for o, t in zip(a[-1], scenario.samples[s - 1].y.tolist(), strict=True)]
                else:
                    error = [sum(deltas[l + 1][s - 1][k] * W[l + 1][k][j] for k in range(len(W[l + 1])))
                             for j in range(len(W[l]))]  # W[l + 1] is already updated: the slip
                delta = [e * h * (1 - h) for e, h in zip(error, a[l + 1], strict=True)]
                per_sample.append(delta)
                for j, value in enumerate(error):
                    out[(it, s, f"dE/da[{l + 1}][{j + 1}]")] = value
                for j, value in enumerate(delta):
                    out[(it, s, f"delta[{l + 1}][{j + 1}]")] = value
            deltas[l] = per_sample
            for j in range(len(W[l])):
                for i in range(len(W[l][j])):
                    g = sum(per_sample[s][j] * acts[s][l][i] for s in range(n)) / n
                    W[l][j][i] -= eta * g
                    out[(it, None, f"W[{l + 1}][{j + 1}][{i + 1}]")] = W[l][j][i]
                g = sum(per_sample[s][j] for s in range(n)) / n
                b[l][j] -= eta * g
                out[(it, None, f"b[{l + 1}][{j + 1}]")] = b[l][j]
    return out


LAYERWISE = generated((2, 3, 2), seed=9, samples=2, iterations=3, learning_rate=0.8).replace(
    "[training]", '[training]\nupdate_order = "layerwise"')


def test_layerwise_updates_match_the_slip_computed_from_scratch():
    trace = Trace(parse_scenario(LAYERWISE))
    expected = layerwise_reference(trace.scenario)
    checked = 0
    for event in trace:
        key = (event.iteration, event.sample, event.quantity)
        if key in expected:
            assert event.value == pytest.approx(expected[key], rel=1e-12, abs=1e-15), key
            checked += 1
    assert checked == len(expected)


def test_layerwise_updates_appear_inside_the_backward_pass():
    trace = Trace(parse_scenario(LAYERWISE))
    kinds = [trace[i].kind for i in range(trace.per_iteration)]
    first_update = kinds.index(Kind.WEIGHT_UPDATE)
    assert Kind.BACKPROP_SUM in kinds[first_update:]  # hidden layers still to come after an update
    # The hidden layer's error reads the output weight as updated, not as it started.
    event = trace[trace.find("dE/da[1][1]", sample=1)[0]]
    update = trace.find("W[2][1][1]")[0]
    assert update < event.index and event.read_values[1] == trace.value(update)


def test_gradient_check_catches_the_layerwise_slip_but_not_the_correct_order():
    correct = Trace(parse_scenario(LAYERWISE.replace('update_order = "layerwise"', "")))
    assert max(c.relative for c in gradient_check(correct)) < 1e-5
    slipped = gradient_check(Trace(parse_scenario(LAYERWISE)))
    wrong = {c.parameter for c in slipped if c.relative > 1e-5}
    assert wrong and all(p.startswith(("W[1]", "b[1]")) for p in wrong)  # hidden layer only
    assert all(c.relative < 1e-5 for c in slipped if c.parameter.startswith(("W[2]", "b[2]")))


def test_fixed_biases_never_change():
    scenario = variant(resolve("01-polynomial-batch"), "update_biases=false")
    trace = Trace(scenario)
    assert not any(trace[i].kind is Kind.BIAS_UPDATE for i in range(trace.per_iteration))
    final = trace.training.final_params()
    for (_, biases), layer in zip(final, scenario.layers, strict=True):
        assert biases.tolist() == layer.biases.tolist()
    assert any(trace[i].kind is Kind.BIAS_GRADIENT for i in range(trace.per_iteration))  # still shown


def test_stochastic_mode_updates_once_per_sample():
    scenario = variant(resolve("01-polynomial-batch"), "mode=stochastic")
    trace = Trace(scenario)
    updates = [trace[i] for i in range(trace.per_iteration) if trace[i].kind is Kind.WEIGHT_UPDATE]
    assert [u.sample for u in updates if u.quantity == "W[1][1][1]"] == [1, 2, 3, 4]
    # Sample 2's forward pass reads the weight sample 1's update produced.
    forward = trace[trace.find("z[1][1]", sample=2)[0]]
    first_update = next(u for u in updates if u.quantity == "W[1][1][1]" and u.sample == 1)
    assert forward.read_values[1] == first_update.value
    assert not any(trace[i].kind is Kind.LOSS_MEAN for i in range(trace.per_iteration))


def test_the_trace_json_reflects_the_options():
    import io
    import json

    from backprop_stepper.tui.report import write_json_lines

    trace = Trace(parse_scenario(LAYERWISE))
    out = io.StringIO()
    write_json_lines((trace[i] for i in range(trace.per_iteration)), out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    phases = [r["phase"] for r in records]
    first_update = phases.index("update")
    assert "backward" in phases[first_update:]  # updates interleaved with the backward pass
