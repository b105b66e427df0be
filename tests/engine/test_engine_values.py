"""Every event value against independent computation.

- a from-scratch scalar autodiff (tests/engine/reference.py) for forward values, losses, and every
  derivative (dE/da, delta and gradients are its node gradients);
- central differences of the batch loss for every parameter gradient;
- the documents' closed-form formulas for the tanh chain;
- each event recomputed from the values it says it read, by the formula of its kind.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from backprop_stepper.core import Kind, Trace, parse_scenario
from backprop_stepper.core.scenario import Mode

from ..conftest import BUNDLED, generated
from .reference import batch_loss, sample_pass


def _layers(params, scenario):
    return [
        (layer.activation, W.tolist(), None if b is None else b.tolist(), layer.leak)
        for layer, (W, b) in zip(scenario.layers, params, strict=True)
    ]


def reference_values(scenario):
    """{(iteration, sample or None, quantity id): value} following the scenario's schedule."""
    params = [(l.weights.copy(), None if l.biases is None else l.biases.copy()) for l in scenario.layers]
    n = len(scenario.samples)
    groups = [[s] for s in range(n)] if scenario.mode is Mode.STOCHASTIC else [list(range(n))]
    expected = {}
    combine = 1 if scenario.batch_reduction == "sum" else None  # divide by this, or by the batch's size
    for iteration in range(1, scenario.iterations + 1):
        for group in groups:
            layers = _layers(params, scenario)
            per_sample = []
            for s in group:
                sample = scenario.samples[s]
                values = sample_pass(layers, scenario.loss, sample.x.tolist(), sample.y.tolist())
                per_sample.append(values)
                for quantity, value in values.items():
                    expected[(iteration, s + 1, quantity)] = value
            batch_scope = None if scenario.mode is Mode.BATCH else group[0] + 1
            n_combined = combine or len(group)
            if len(group) > 1:
                expected[(iteration, None, "E")] = sum(v["E"] for v in per_sample) / n_combined
            new = []
            for l, (W, b) in enumerate(params, start=1):
                gW = np.array([[sum(v[f"dE/dW[{l}][{j}][{i}]"] for v in per_sample) / n_combined
                                for i in range(1, W.shape[1] + 1)] for j in range(1, W.shape[0] + 1)])
                W2 = W - scenario.learning_rate * gW
                for (j, i), value in np.ndenumerate(W2):
                    expected[(iteration, batch_scope, f"W[{l}][{j + 1}][{i + 1}]")] = value
                    if len(group) > 1:
                        expected[(iteration, None, f"dE/dW[{l}][{j + 1}][{i + 1}]")] = gW[j, i]
                b2 = b
                if b is not None:
                    gb = np.array([sum(v[f"dE/db[{l}][{j}]"] for v in per_sample) / n_combined
                                   for j in range(1, len(b) + 1)])
                    if len(group) > 1:
                        for j, value in enumerate(gb):
                            expected[(iteration, None, f"dE/db[{l}][{j + 1}]")] = value
                    if scenario.update_biases:
                        b2 = b - scenario.learning_rate * gb
                        for j, value in enumerate(b2):
                            expected[(iteration, batch_scope, f"b[{l}][{j + 1}]")] = value
                new.append((W2, b2))
            params = new
    return expected


GENERATED = {
    "stochastic-tanh-2-3-2": generated((2, 3, 2), activation="tanh", seed=3, samples=3, iterations=2).replace(
        "[training]", '[training]\nmode = "stochastic"'),
    "relu-3-4-1-batch": generated((3, 4, 1), activation="relu", output_activation="linear", loss="squared_error",
                                  seed=5, samples=4, iterations=3, learning_rate=0.05),
    "sigmoid-no-bias-2-2-2-2": generated((2, 2, 2, 2), seed=11, samples=2, iterations=2, biases=False),
    "softmax-cross-entropy-2-3-3-batch": generated((2, 3, 3), loss="cross_entropy", seed=4, samples=3,
                                                   iterations=3),
    "softmax-squared-error-2-3-3": generated((2, 3, 3), output_activation="softmax", seed=6, samples=2,
                                             iterations=2),
    "sigmoid-binary-cross-entropy-sum-3-2-2": generated((3, 2, 2), activation="leaky_relu",
                                                        loss="binary_cross_entropy", seed=9, samples=3,
                                                        iterations=2).replace(
        "[training]", '[training]\nbatch_reduction = "sum"'),
    "fixed-biases": generated((2, 2, 1), seed=2, iterations=3).replace("[training]",
                                                                       "[training]\nupdate_biases = false"),
}


def _scenarios():
    for name in BUNDLED:
        yield name, None
    for name, text in GENERATED.items():
        yield name, text


@pytest.fixture(scope="module", params=list(_scenarios()), ids=lambda p: p[0])
def scenario_trace(request, traces):
    name, text = request.param
    if text is None:
        return traces[name]
    return Trace(parse_scenario(text, name=name))


def test_every_event_matches_the_autodiff_reference(scenario_trace):
    trace = scenario_trace
    expected = reference_values(trace.scenario)
    checked = 0
    for event in trace:
        key = (event.iteration, event.sample, event.quantity)
        assert key in expected, f"no reference value for {key}"
        want = expected[key]
        assert event.value == pytest.approx(want, rel=1e-12, abs=1e-14), (event.index, event.quantity, event.formula)
        checked += 1
    assert checked == len(trace)


def test_gradients_match_central_differences(scenario_trace):
    """∂L/∂θ ≈ (L(θ + ε) − L(θ − ε)) / 2ε for every parameter, at the start of iteration 1."""
    trace = scenario_trace
    s = trace.scenario
    group = [0] if s.mode is Mode.STOCHASTIC else list(range(len(s.samples)))
    samples = [(s.samples[k].x.tolist(), s.samples[k].y.tolist()) for k in group]
    scope = 1 if len(group) == 1 else None
    base = [(l.activation, l.weights.tolist(), None if l.biases is None else l.biases.tolist(), l.leak)
            for l in s.layers]
    eps = 1e-6
    gradients = {e.quantity: e.value for e in (trace[i] for i in range(trace.per_iteration))
                 if e.kind in (Kind.WEIGHT_GRADIENT, Kind.BIAS_GRADIENT) and e.sample == scope and e.update_step == 1}
    assert gradients
    def shifted(l: int, j: int, rest: list[int], delta: float) -> float:
        layers = [(name, [row[:] for row in W], None if b is None else b[:], leak) for name, W, b, leak in base]
        if rest:
            layers[l - 1][1][j - 1][rest[0] - 1] += delta
        else:
            layers[l - 1][2][j - 1] += delta
        return batch_loss(layers, s.loss, samples, s.batch_reduction)

    for quantity, analytic in gradients.items():
        l, j, *rest = [int(n) for n in quantity.split("[", 1)[1].rstrip("]").split("][")]
        numeric = (shifted(l, j, rest, eps) - shifted(l, j, rest, -eps)) / (2 * eps)
        assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-8), quantity


def _recompute(event, scenario) -> float:
    """The value of an event from the values it read, by the formula of its kind."""
    r = event.read_values
    kind = event.kind
    half = scenario.loss == "half_squared_error"
    layer = scenario.layers[event.layer - 1] if event.layer else None
    activation = layer.activation if layer else None
    mean = scenario.batch_reduction == "mean"
    if kind is Kind.EXPONENTIAL:
        return math.exp(r[0])
    if kind is Kind.NORMALISER:
        return sum(r)
    if kind is Kind.ACTIVATION and activation == "softmax":
        return r[0] / r[1]
    if kind is Kind.JACOBIAN:
        return r[0] * (1 - r[0]) if len(r) == 1 else -r[0] * r[1]
    if (kind is Kind.LOSS_TERM or (kind is Kind.LOSS_TOTAL and event.reads[0].startswith("a["))) and \
            scenario.loss.endswith("cross_entropy"):
        o, t = r
        term = -t * math.log(o) if t else 0.0
        if scenario.loss == "binary_cross_entropy" and t != 1:
            term -= (1 - t) * math.log(1 - o)
        return term
    if kind is Kind.OUTPUT_ERROR and scenario.loss == "cross_entropy":
        return -r[1] / r[0] if r[1] else 0.0
    if kind is Kind.OUTPUT_ERROR and scenario.loss == "binary_cross_entropy":
        return (r[0] - r[1]) / (r[0] * (1 - r[0]))
    if kind is Kind.DELTA and event.reads[0].startswith("a["):
        return r[0] - r[1]
    if kind is Kind.DELTA and len(r) > 2:
        return sum(r[n] * r[n + 1] for n in range(0, len(r), 2))
    if kind is Kind.NET_INPUT:
        total = sum(r[n] * r[n + 1] for n in range(0, len(r) - len(r) % 2, 2))
        return total + (r[-1] if len(r) % 2 else 0.0)
    if kind is Kind.ACTIVATION:
        z = r[0]
        return {"sigmoid": lambda: 1 / (1 + math.exp(-z)), "tanh": lambda: math.tanh(z),
                "relu": lambda: max(z, 0.0), "linear": lambda: z,
                "leaky_relu": lambda: z if z > 0 else layer.leak * z}[activation]()
    if kind is Kind.LOSS_TERM or (kind is Kind.LOSS_TOTAL and event.reads[0].startswith("a[")):
        return (0.5 if half else 1.0) * (r[1] - r[0]) ** 2
    if kind is Kind.LOSS_TOTAL:
        return sum(r)
    if kind is Kind.LOSS_MEAN or (kind in (Kind.WEIGHT_GRADIENT, Kind.BIAS_GRADIENT) and event.sample is None):
        return sum(r) / len(r) if mean else sum(r)
    if kind is Kind.OUTPUT_ERROR:
        return (1.0 if half else 2.0) * (r[0] - r[1])
    if kind is Kind.BACKPROP_SUM:
        return sum(r[n] * r[n + 1] for n in range(0, len(r), 2))
    if kind is Kind.ACTIVATION_DERIVATIVE:
        v = r[0]
        return {"sigmoid": v * (1 - v), "tanh": 1 - v * v, "relu": float(v > 0), "linear": 1.0,
                "leaky_relu": 1.0 if v > 0 else layer.leak}[activation]
    if kind is Kind.DELTA:
        return r[0] * r[1]
    if kind is Kind.WEIGHT_GRADIENT:
        return r[0] * r[1]
    if kind is Kind.BIAS_GRADIENT:
        return r[0]
    if kind in (Kind.WEIGHT_UPDATE, Kind.BIAS_UPDATE):
        return r[0] - scenario.learning_rate * r[1]
    raise AssertionError(kind)


def test_every_event_follows_from_what_it_read(scenario_trace):
    trace = scenario_trace
    for event in trace:
        assert event.value == pytest.approx(_recompute(event, trace.scenario), rel=1e-12, abs=1e-15), event


def test_tanh_chain_matches_the_documents_closed_forms(traces):
    """Doc 001's summary: ∂L/∂W₁ = 2(ŷ − y) × W₃ × (1 − h₂²) × W₂ × (1 − h₁²) × x, and so on."""
    trace = traces["10-tanh-chain"]
    v = {e.quantity: e.value for e in (trace[i] for i in range(trace.per_iteration))}
    x, y, W2, W3 = 2.0, 4.0, 0.8, 1.2
    h1 = math.tanh(0.5 * x + 0.1)
    h2 = math.tanh(W2 * h1 - 0.2)
    yhat = W3 * h2 + 0.3
    e = 2 * (yhat - y)
    assert v["E"] == pytest.approx((yhat - y) ** 2, rel=1e-14)
    assert v["dE/dW[3][1][1]"] == pytest.approx(e * h2, rel=1e-14)
    assert v["dE/db[3][1]"] == pytest.approx(e, rel=1e-14)
    assert v["dE/dW[2][1][1]"] == pytest.approx(e * W3 * (1 - h2**2) * h1, rel=1e-14)
    assert v["dE/db[2][1]"] == pytest.approx(e * W3 * (1 - h2**2), rel=1e-14)
    assert v["dE/dW[1][1][1]"] == pytest.approx(e * W3 * (1 - h2**2) * W2 * (1 - h1**2) * x, rel=1e-14)
    assert v["dE/db[1][1]"] == pytest.approx(e * W3 * (1 - h2**2) * W2 * (1 - h1**2), rel=1e-14)
    assert v["W[1][1][1]"] == pytest.approx(0.5 - 0.01 * e * W3 * (1 - h2**2) * W2 * (1 - h1**2) * x, rel=1e-14)


def test_loss_falls_from_10_261_to_9_018_as_the_document_says(traces):
    losses = traces["10-tanh-chain"].losses()
    assert f"{losses[0]:.3f}" == "10.261"
    assert f"{losses[1]:.3f}" == "9.018"


def test_sigmoid_2_2_2_matches_the_hidden_path_sum_by_hand(traces):
    """Doc 002, w₁: (δ_o1·w₅ + δ_o2·w₇) · h₁(1 − h₁) · I₁, computed here from scratch."""
    trace = traces["20-sigmoid-2-2-2"]
    v = {e.quantity: e.value for e in (trace[i] for i in range(trace.per_iteration))}

    def sig(z):
        return 1 / (1 + math.exp(-z))

    h1, h2 = sig(0.05 * 0.15 + 0.10 * 0.20), sig(0.05 * 0.25 + 0.10 * 0.30)
    o1, o2 = sig(h1 * 0.40 + h2 * 0.45), sig(h1 * 0.50 + h2 * 0.55)
    d1, d2 = (o1 - 0.01) * o1 * (1 - o1), (o2 - 0.99) * o2 * (1 - o2)
    assert v["delta[2][1]"] == pytest.approx(d1, rel=1e-14)
    assert v["dE/da[1][1]"] == pytest.approx(d1 * 0.40 + d2 * 0.50, rel=1e-14)
    assert v["dE/dW[1][1][1]"] == pytest.approx((d1 * 0.40 + d2 * 0.50) * h1 * (1 - h1) * 0.05, rel=1e-13)
    assert v["W[1][1][1]"] == pytest.approx(0.15 - 0.5 * (d1 * 0.40 + d2 * 0.50) * h1 * (1 - h1) * 0.05, rel=1e-14)


def test_large_net_inputs_do_not_overflow_the_sigmoid():
    text = generated((1, 1), seed=0).replace("weights = [[", "weights = [[800.0, ").replace("inputs = 1", "inputs = 2")
    text = text.replace("x = [", "x = [1.0, ")
    with np.errstate(all="raise"):
        trace = Trace(parse_scenario(text))
        values = [e.value for e in trace]
    assert all(math.isfinite(v) for v in values)
