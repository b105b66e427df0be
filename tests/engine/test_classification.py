"""Classification: softmax, the cross-entropies, leaky ReLU and summed batches, beyond the
event-by-event reference (tests/engine/test_engine_values.py): numerics at the extremes, the
combinations the loader refuses, the order of the steps, and what the events say."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backprop_stepper.core import Kind, ScenarioError, Trace, parse_scenario
from backprop_stepper.core.formulas import DIVERGED, not_finite
from backprop_stepper.core.gradcheck import gradient_check, verdict

from ..conftest import generated


def classifier(weights: str = "[[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]", *, activation: str = "softmax",
               loss: str = "cross_entropy", y: str = "[0, 1, 0]", hidden: str = "", extra: str = "") -> str:
    return f"""
title = "classifier"
[network]
inputs = 2
{hidden}
[[network.layers]]
size = 3
activation = "{activation}"
weights = {weights}
biases = [0.0, 0.0, 0.0]
[training]
loss = "{loss}"
learning_rate = 0.5
{extra}
[[training.samples]]
x = [1.0, 1.0]
y = {y}
"""


def values(trace: Trace) -> dict[str, float]:
    return {e.quantity: e.value for e in (trace[i] for i in range(trace.per_iteration))}


def test_a_net_input_of_1000_gives_exact_outputs_not_nan():
    text = classifier("[[1000.0, 0.0], [0.0, 0.0], [-1.0, 0.0]]", y="[0, 1, 0]")
    with np.errstate(all="raise"):  # no warning escapes either
        trace = Trace(parse_scenario(text))
        v = values(trace)
    # z = (1000, 0, −1): o₁ = 1/(1 + e^−1000 + e^−1001) is 1 in float64, the others e^−1000·o₁ ≈ 0.
    assert v["a[1][1]"] == 1.0
    assert v["a[1][2]"] == 0.0 and v["a[1][3]"] == 0.0
    # −ln o₂ = ln(e^1000 + e^0 + e^−1) − 0: the log-sum-exp, exact though o₂ rounds to 0.
    assert v["E"] == 1000.0
    assert v["delta[1][2]"] == -1.0
    # e^1000 itself is past float64: ∞, and the event says why (not "the run has diverged").
    assert v["exp[1][1]"] == math.inf
    event = trace[trace.find("exp[1][1]")[0]]
    assert "overflows float64" in event.meaning and "same fraction" in event.meaning
    assert verdict(gradient_check(trace)).agrees


def test_an_output_that_rounds_to_0_still_gives_its_exact_finite_loss():
    # Sigmoid outputs under binary cross-entropy: o₂ = σ(−1e12) is 0 in float64, yet the term is
    # −ln σ(−1e12) = ln(1 + e^1e12) = 1e12, and δ = o − t stays −1 (not −1/0 · 0 = NaN).
    text = classifier("[[0.0, 0.0], [-1e12, 0.0], [0.0, 0.0]]", activation="sigmoid",
                      loss="binary_cross_entropy", y="[0, 1, 0]")
    v = values(Trace(parse_scenario(text)))
    assert v["a[1][2]"] == 0.0 and v["E[2]"] == 1e12 and v["delta[1][2]"] == -1.0


def test_a_probability_of_exactly_0_is_explained_as_infinite_loss_not_divergence():
    assert "probability of 0" in not_finite(Kind.LOSS_TERM, math.inf, "cross_entropy")
    assert "−ln 0 = ∞" in not_finite(Kind.LOSS_TOTAL, math.inf, "binary_cross_entropy")
    assert "overflows float64" in not_finite(Kind.NORMALISER, math.inf)
    assert not_finite(Kind.LOSS_TERM, math.nan, "cross_entropy") == DIVERGED
    assert not_finite(Kind.LOSS_TOTAL, math.inf, "squared_error") == DIVERGED  # squared errors only overflow


def test_softmax_is_stepped_as_by_hand_and_each_output_reads_every_net_input():
    trace = Trace(parse_scenario(classifier()))
    events = (trace[i] for i in range(trace.per_iteration))
    forward = [(e.kind, e.quantity) for e in events if e.phase.value == "forward"]
    assert forward == [
        (Kind.NET_INPUT, "z[1][1]"), (Kind.NET_INPUT, "z[1][2]"), (Kind.NET_INPUT, "z[1][3]"),
        (Kind.EXPONENTIAL, "exp[1][1]"), (Kind.EXPONENTIAL, "exp[1][2]"), (Kind.EXPONENTIAL, "exp[1][3]"),
        (Kind.NORMALISER, "expsum[1]"),
        (Kind.ACTIVATION, "a[1][1]"), (Kind.ACTIVATION, "a[1][2]"), (Kind.ACTIVATION, "a[1][3]"),
    ]
    output = trace[trace.find("a[1][2]")[0]]
    assert output.reads == ("exp[1][2]", "expsum[1]", "z[1][1]", "z[1][2]", "z[1][3]")
    assert output.formula == "a⁽¹⁾₂ = e^z⁽¹⁾₂ / Σⱼe^z⁽¹⁾ⱼ"
    total = trace[trace.find("expsum[1]")[0]]
    assert total.formula == "Σⱼe^z⁽¹⁾ⱼ = e^z⁽¹⁾₁ + e^z⁽¹⁾₂ + e^z⁽¹⁾₃"


def test_cross_entropy_output_error_is_o_minus_t_as_the_textbook_writes_it():
    trace = Trace(parse_scenario(classifier()))
    kinds = [trace[i].kind for i in range(trace.per_iteration)]
    assert Kind.OUTPUT_ERROR not in kinds and Kind.JACOBIAN not in kinds
    delta = trace[trace.find("delta[1][2]")[0]]
    assert delta.formula == "δ⁽¹⁾₂ = a⁽¹⁾₂ − y₂"
    assert delta.value == values(trace)["a[1][2]"] - 1.0
    term = trace[trace.find("E[2]")[0]]
    assert term.formula == "E₂ = −y₂·ln a⁽¹⁾₂"


def test_softmax_with_squared_error_steps_the_jacobian_sum_term_by_term():
    trace = Trace(parse_scenario(classifier(loss="half_squared_error", y="[0.2, 0.7, 0.1]")))
    v = values(trace)
    o = [v[f"a[1][{k}]"] for k in (1, 2, 3)]
    assert v["da/dz[1][1][1]"] == pytest.approx(o[0] * (1 - o[0]), rel=1e-15)
    assert v["da/dz[1][3][1]"] == pytest.approx(-o[2] * o[0], rel=1e-15)
    delta = trace[trace.find("delta[1][1]")[0]]
    assert delta.reads == ("dE/da[1][1]", "da/dz[1][1][1]", "dE/da[1][2]", "da/dz[1][2][1]",
                           "dE/da[1][3]", "da/dz[1][3][1]")
    assert delta.value == pytest.approx(sum(v[f"dE/da[1][{j}]"] * v[f"da/dz[1][{j}][1]"] for j in (1, 2, 3)),
                                        rel=1e-14)


def test_summed_batches_sum_the_loss_and_the_gradients_and_say_so():
    text = generated((2, 3, 3), loss="cross_entropy", seed=4, samples=3)
    mean = Trace(parse_scenario(text))
    total = Trace(parse_scenario(text.replace("[training]", '[training]\nbatch_reduction = "sum"')))
    assert total.losses()[0] == pytest.approx(3 * mean.losses()[0], rel=1e-15)
    gradient = total[total.find("dE/dW[2][1][1]", sample=None)[-1]]
    assert gradient.sample is None
    assert gradient.formula == "∂E/∂w⁽²⁾₁₁ = Σₛ ∂E/∂w⁽²⁾₁₁⁽ˢ⁾"
    assert "sum of the 3 per-sample gradients" in gradient.meaning
    batch_loss = next(e for e in total if e.kind is Kind.LOSS_MEAN)
    assert batch_loss.formula == "E = Σₛ E⁽ˢ⁾" and "sum of the 3" in batch_loss.meaning
    assert verdict(gradient_check(total)).agrees


def test_leaky_relu_uses_its_slope_below_zero():
    hidden = """
[[network.layers]]
size = 2
activation = "leaky_relu"
slope = 0.2
weights = [[-1.0, 0.0], [1.0, 0.0]]
"""
    text = classifier("[[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]", hidden=hidden)
    v = values(Trace(parse_scenario(text)))
    assert v["a[1][1]"] == -0.2 and v["da/dz[1][1]"] == 0.2
    assert v["a[1][2]"] == 1.0 and v["da/dz[1][2]"] == 1.0


@pytest.mark.parametrize(("text", "place", "problem"), [
    (classifier(hidden='[[network.layers]]\nsize = 2\nactivation = "softmax"\nweights = [[1, 0], [0, 1]]'),
     "network.layers[0].activation", "softmax is for the output layer only"),
    (classifier(y="[0, 1, 1]"), "training.samples[0].y", "summing to 2"),
    (classifier(y="[0.5, 0.6, -0.1]"), "training.samples[0].y", "between 0 and 1"),
    (classifier(activation="linear"), "training.loss", 'use activation = "softmax"'),
    (classifier(activation="sigmoid"), "training.loss", "needs softmax outputs"),
    (classifier(loss="binary_cross_entropy"), "training.loss", "needs sigmoid outputs"),
    (classifier(activation="tanh", loss="binary_cross_entropy", y="[0, 1, 0]"), "training.loss",
     'use activation = "sigmoid"'),
    (classifier(extra='batch_reduction = "median"'), "training.batch_reduction", "expected one of mean, sum"),
    (classifier(activation="sigmoid", loss="binary_cross_entropy").replace('activation = "sigmoid"',
                                                                            'activation = "sigmoid"\nslope = 0.1'),
     "network.layers[0].slope", "leaky_relu's slope"),
])
def test_combinations_without_a_meaning_are_refused_with_a_reason(text, place, problem):
    with pytest.raises(ScenarioError) as error:
        parse_scenario(text, name="bad.toml")
    assert error.value.place == place and problem in error.value.problem


def test_a_softmax_over_one_output_is_refused():
    text = generated((2, 1), output_activation="sigmoid").replace('"sigmoid"', '"softmax"', 1)
    with pytest.raises(ScenarioError, match="a softmax over one neuron"):
        parse_scenario(text)


def test_new_writes_a_valid_classifier_with_one_hot_targets():
    text = generated((2, 3, 3), output_activation="softmax", loss="cross_entropy", samples=4, seed=1)
    scenario = parse_scenario(text)
    assert scenario.layers[-1].activation == "softmax" and scenario.loss == "cross_entropy"
    for sample in scenario.samples:
        assert sorted(sample.y.tolist()) == [0.0, 0.0, 1.0]
    binary = parse_scenario(generated((2, 2, 2), loss="binary_cross_entropy", samples=3))
    assert binary.layers[-1].activation == "sigmoid"
    assert all(set(s.y.tolist()) <= {0.0, 1.0} for s in binary.samples)


def _grade(trace, quantity: str, answer: float, sample: int | None = 1):
    from backprop_stepper.core.predict import grade

    event = trace[trace.find(quantity, sample=sample)[-1]]
    return grade(trace, event, answer, 1e-6)


def test_predict_names_the_classic_slips_of_classification():
    trace = Trace(parse_scenario(classifier()))
    v = values(trace)
    o2 = v["a[1][2]"]
    # The sign of o − t.
    assert _grade(trace, "delta[1][2]", 1.0 - o2).slip == "t − o instead of o − t: the sign is flipped"
    # Treating the softmax as element-wise: −t₁/o₁ · o₁(1 − o₁) = 0 at a class that is not the target
    # (at the target it happens to give o − t: the slip shows only elsewhere).
    assert _grade(trace, "delta[1][1]", 0.0).slip.startswith("only this output's own net input")
    # log base 10 for ln.
    assert _grade(trace, "E", -math.log10(o2)).slip == "log base 10 instead of the natural log ln"


def test_predict_names_the_forgotten_batch_mean_and_the_softmax_jacobian():
    trace = Trace(parse_scenario(generated((2, 3, 3), loss="cross_entropy", seed=4, samples=3)))
    batch = trace[trace.find("dE/dW[2][1][1]", sample=None)[-1]]
    assert _grade(trace, "dE/dW[2][1][1]", math.fsum(batch.read_values), sample=None).slip.startswith(
        "the mean over the batch is forgotten")
    squared = Trace(parse_scenario(classifier(loss="half_squared_error", y="[0.2, 0.7, 0.1]")))
    v = values(squared)
    diagonal_only = v["dE/da[1][1]"] * v["da/dz[1][1][1]"]
    assert _grade(squared, "delta[1][1]", diagonal_only).slip.startswith("only this output's own net input")
    assert _grade(squared, "da/dz[1][2][1]", 0.0).slip.startswith("an output does depend")


def test_why_expands_o_minus_t_to_the_jacobian_sum_it_came_from():
    from backprop_stepper.core.explain import Explainer
    from backprop_stepper.core.ledger import Ledger

    trace = Trace(parse_scenario(classifier()))
    v = values(trace)
    index = trace.find("delta[1][1]")[0]
    explanation = Explainer(Ledger(trace)).explain(index)
    assert "cancel to o − t" in explanation.headline
    assert [[f.symbol for f in p.factors] for p in explanation.paths] == [
        ["∂E/∂a⁽¹⁾₁", "∂a⁽¹⁾₁/∂z⁽¹⁾₁"], ["∂E/∂a⁽¹⁾₂", "∂a⁽¹⁾₂/∂z⁽¹⁾₁"], ["∂E/∂a⁽¹⁾₃", "∂a⁽¹⁾₃/∂z⁽¹⁾₁"]]
    o1, o2 = v["a[1][1]"], v["a[1][2]"]
    # Only the target class (2) has a non-zero ∂E/∂o: −1/o₂ · (−o₂o₁) = o₁ = o₁ − t₁.
    assert explanation.paths[1].factors[0].value == pytest.approx(-1 / o2, rel=1e-15)
    assert explanation.paths[1].factors[1].value == pytest.approx(-o2 * o1, rel=1e-15)
    assert explanation.total == pytest.approx(v["delta[1][1]"], rel=1e-14)


def test_the_matrix_view_writes_softmax_as_a_vector_equation_and_delta_as_o_minus_t():
    from backprop_stepper.core.ledger import Ledger
    from backprop_stepper.core.matrix import MatrixView

    trace = Trace(parse_scenario(classifier()))
    view = MatrixView(Ledger(trace))
    softmax = view.block(trace.find("a[1][3]")[0])
    assert softmax.formula == "a⁽¹⁾ = softmax(z⁽¹⁾) = e^z⁽¹⁾ / Σⱼ e^zⱼ⁽¹⁾"
    assert set(trace.find("exp[1][1]") + trace.find("expsum[1]")) <= set(softmax.events)
    delta = view.block(trace.find("delta[1][3]")[0])
    assert delta.formula == "δ⁽¹⁾ = a⁽¹⁾ − t"
    assert view.block(trace.find("E")[0]).formula == "E = −Σₖ tₖ ln aₖ⁽¹⁾"
    squared = Trace(parse_scenario(classifier(loss="half_squared_error", y="[0.2, 0.7, 0.1]")))
    jacobian = MatrixView(Ledger(squared)).block(squared.find("delta[1][2]")[0])
    assert jacobian.formula.startswith("δ⁽¹⁾ = Jᵀ ∂E/∂a⁽¹⁾")
    J = jacobian.parts[1][0].values
    v = values(squared)
    assert J[0][1] == v["da/dz[1][2][1]"]  # row k = 1 holds ∂aⱼ/∂z₁


def test_the_markdown_export_writes_softmax_and_cross_entropy_in_latex():
    import io

    from backprop_stepper.core.export import write_markdown

    out = io.StringIO()
    write_markdown(Trace(parse_scenario(classifier())), out)
    text = out.getvalue()
    assert r"E = -\sum_k t_k \ln o_k, \quad o_k = \mathrm{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}" in text
    assert r"\sum_{j} e^{z^{(1)}_{j}} = e^{z^{(1)}_{1}} + e^{z^{(1)}_{2}} + e^{z^{(1)}_{3}}" in text
    assert r"a^{(1)}_{2} = e^{z^{(1)}_{2}} / \sum_{j} e^{z^{(1)}_{j}}" in text
    assert r"E_{2} = -y_{2} \cdot \ln a^{(1)}_{2}" in text
    assert r"\delta^{(1)}_{2} = a^{(1)}_{2} - y_{2}" in text


def test_the_bundled_classifiers_learn_and_pass_the_gradient_check(traces):
    batch = traces["41-softmax-batch"].losses()
    assert batch[-1] < batch[0] / 4 and bool((np.diff(batch) < 0).all())
    binary = traces["42-sigmoid-bce"].losses()
    assert binary[-1] < binary[0] / 10
    for name in ("40-softmax-2-3-3", "41-softmax-batch", "42-sigmoid-bce", "45-softmax-postnetwork"):
        trace = traces[name]
        for iteration in (1, trace.iterations):
            assert verdict(gradient_check(trace, iteration)).agrees, (name, iteration)


def test_the_classifiers_rules_are_written_once_for_the_training_and_predict(monkeypatch):
    """o − t, the Jacobian sum and a summed batch are rules of core/rules.py: with each changed
    (to anything), the trace and predict's recomputation of every δ and batch gradient still
    agree to the last bit."""
    from backprop_stepper.core import rules
    from backprop_stepper.core.predict import recompute

    monkeypatch.setattr(rules, "direct_output_delta", lambda outputs, targets: 2.0 * outputs - targets)
    monkeypatch.setattr(rules, "jacobian_delta", lambda de_da, jacobian: np.einsum("sj,sjk->sk", de_da, jacobian) + 1.0)
    monkeypatch.setattr(rules, "batch_sum", lambda per_sample: 3.0 * np.add.reduce(per_sample, axis=0))
    direct = generated((2, 3, 3), loss="cross_entropy", seed=4, samples=3).replace(
        "[training]", '[training]\nbatch_reduction = "sum"')
    changed = {"direct": Trace(parse_scenario(direct)),
               "jacobian": Trace(parse_scenario(classifier(loss="half_squared_error", y="[0.2, 0.7, 0.1]")))}
    checked = set()
    for name, trace in changed.items():
        s = trace.scenario
        for event in (trace[i] for i in range(trace.per_iteration)):
            if event.kind is Kind.DELTA and event.key.layer == len(s.layers) or event.sample is None and \
                    event.kind in (Kind.WEIGHT_GRADIENT, Kind.BIAS_GRADIENT):
                got = recompute(event, event.read_values, s.learning_rate, s.batch_reduction)
                assert got == event.value, (name, event.symbol)
                checked.add((name, event.kind))
    assert checked == {("direct", Kind.DELTA), ("direct", Kind.WEIGHT_GRADIENT), ("direct", Kind.BIAS_GRADIENT),
                       ("jacobian", Kind.DELTA)}
    # and the change did reach the trace: the rules are the training's, not a copy
    delta = changed["direct"][changed["direct"].find("delta[2][1]")[0]]
    assert delta.value == 2.0 * delta.read_values[0] - delta.read_values[1]
