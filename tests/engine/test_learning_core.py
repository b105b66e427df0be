"""The learning modes' engine: grading and slips, chain-rule expansions, breakpoints, variants."""

from __future__ import annotations

import math

import pytest

from backprop_stepper.core import Kind, Trace, resolve
from backprop_stepper.core.breakpoints import (
    end_of_iteration,
    end_of_phase,
    next_breakpoint,
    until_loss_below,
    until_sign_change,
)
from backprop_stepper.core.explain import Explainer
from backprop_stepper.core.ledger import Ledger
from backprop_stepper.core.predict import PredictSession, grade, kinds_from, recompute, slips
from backprop_stepper.core.quantities import Phase, Scope
from backprop_stepper.core.variants import corresponding, variant

from ..conftest import BUNDLED


def event_of(trace, quantity, n=0):
    return trace[trace.find(quantity)[n]]


# -- predict -------------------------------------------------------------------------------------

def test_kinds_from_groups_and_names():
    assert kinds_from("deltas,gradients") == {Kind.DELTA, Kind.WEIGHT_GRADIENT, Kind.BIAS_GRADIENT}
    assert kinds_from(None) == set(Kind) == kinds_from("all")
    assert kinds_from("net_input") == {Kind.NET_INPUT}
    with pytest.raises(ValueError, match="unknown kind 'delts'"):
        kinds_from("delts")


@pytest.mark.parametrize(("quantity", "answer", "correct", "slip"), [
    ("delta[2][1]", 0.14236, True, None),  # within relative 1e-3 of 0.1423568...
    ("delta[2][1]", 0.1424, True, None),
    ("delta[2][1]", 0.1426, False, None),  # 1.7e-3 off: not within tolerance
    ("delta[2][1]", -0.14236, False, "the sign is flipped"),
    ("delta[2][1]", 0.59648, False, "the activation derivative is forgotten (that is ∂E/∂a, not δ)"),
    ("dE/da[1][1]", 0.056943, False,
     "only one path: the error of a hidden neuron is the sum over every path through the next layer"),
    ("W[2][1][1]", 0.4 + 0.5 * 0.0721571, False, "the gradient is added instead of subtracted"),
    ("W[2][1][1]", 0.4 - 0.0721571, False, "the learning rate is forgotten"),
    ("dE/dW[2][1][1]", 0.14236, False, "δ is used without the input it multiplies"),
])
def test_grading_names_the_classic_slips(traces, quantity, answer, correct, slip):
    trace = traces["20-sigmoid-2-2-2"]
    verdict = grade(trace, event_of(trace, quantity), answer, 1e-3)
    assert (verdict.correct, verdict.slip) == (correct, slip)


def test_forgotten_factor_two_of_the_squared_error(traces):
    trace = traces["10-tanh-chain"]
    event = event_of(trace, "dE/da[3][1]")  # 2(ŷ − y) = −6.4065
    assert grade(trace, event, -3.2032, 1e-3).slip == "the factor 2 of the squared error is forgotten"


def test_a_session_scores_first_time_hinted_and_revealed(traces):
    trace = traces["20-sigmoid-2-2-2"]
    session = PredictSession(kinds_from("deltas"))
    first, second, third = (event_of(trace, q) for q in ("delta[2][1]", "delta[2][2]", "delta[1][1]"))
    assert session.asks(first) and not session.asks(event_of(trace, "z[1][1]"))
    assert session.answer(trace, first, 0.14236).correct
    assert not session.asks(first)  # answered
    assert session.answer(trace, second, 1.0).slip is None
    assert session.hints(second.index) == 1
    assert session.answer(trace, second, -0.08376).correct
    for _ in range(3):
        session.answer(trace, third, 99.0)
    assert session.done[third.index] == "revealed"
    score = session.scores[Phase.BACKWARD]
    assert (score.first, score.hinted, score.revealed, score.answers) == (1, 1, 1, 6)
    report = session.report("Sigmoid")
    assert "| backward | 3 | 1 | 1 | 1 | 6 |" in report and "| **all** | 3 | 1 | 1 | 1 | 6 |" in report
    assert session.standing() == "predict 1/3 first try · 6 answers"


def test_two_misses_then_a_hit_is_not_a_first_try(traces):
    trace = traces["20-sigmoid-2-2-2"]
    session = PredictSession(kinds_from("deltas"))
    event = event_of(trace, "delta[2][1]")
    session.answer(trace, event, 1.0)
    session.answer(trace, event, 2.0)
    assert session.answer(trace, event, event.value).correct
    assert session.done[event.index] == "hinted"
    assert session.standing() == "predict 0/1 first try · 3 answers"


@pytest.mark.parametrize("name", BUNDLED)
def test_the_rule_slips_are_pushed_through_reproduces_every_value(traces, name):
    """`recompute` is how an earlier slip's consequence is carried on: from the true read values
    it must give the true value of every event it applies to."""
    trace = traces[name]
    checked = 0
    for index in range(trace.per_iteration):
        event = trace[index]
        value = recompute(event, event.read_values, trace.scenario.learning_rate, trace.scenario.batch_reduction)
        if value is not None:
            assert math.isclose(value, event.value, rel_tol=1e-12, abs_tol=1e-15), event.symbol
            checked += 1
    assert checked


def test_slips_are_carried_on_by_the_trainings_own_rules(monkeypatch):
    """`recompute` restates no rule: with the error signal and the update rules changed (to
    anything), the trace and the recomputation still agree to the last bit."""
    from backprop_stepper.core import rules

    monkeypatch.setattr(rules, "error_signal", lambda de_da, da_dz: de_da + 2.0 * da_dz)
    monkeypatch.setattr(rules, "updated", lambda parameter, gradient, rate: parameter * (1.0 - rate * gradient))
    trace = Trace(resolve("sigmoid-2-2-2"))
    kinds = set()
    for event in trace:
        if event.kind in (Kind.DELTA, Kind.WEIGHT_UPDATE, Kind.BIAS_UPDATE):
            assert recompute(event, event.read_values, trace.scenario.learning_rate) == event.value, event.symbol
            kinds.add(event.kind)
    assert Kind.DELTA in kinds and Kind.WEIGHT_UPDATE in kinds


def test_a_slip_is_recognised_wherever_its_consequence_shows(traces):
    """One path at ∂E/∂h₁ (δ_o₁·w₅ alone) carries into δ_h₁, ∂E/∂w₁ and the update of w₁."""
    trace = traces["20-sigmoid-2-2-2"]
    hidden_error = event_of(trace, "dE/da[1][1]")
    one_path = hidden_error.read_values[0] * hidden_error.read_values[1]
    delta = event_of(trace, "delta[1][1]")
    slipped_delta = one_path * delta.read_values[1]
    gradient = event_of(trace, "dE/dW[1][1][1]")
    slipped_gradient = slipped_delta * gradient.read_values[1]
    update = event_of(trace, "W[1][1][1]")
    slipped_update = update.read_values[0] - trace.scenario.learning_rate * slipped_gradient
    for event, answer in ((delta, slipped_delta), (gradient, slipped_gradient), (update, slipped_update)):
        verdict = grade(trace, event, answer, 1e-4)
        assert not verdict.correct
        assert verdict.slip.startswith("only one path") and "a slip at ∂E/∂h₁" in verdict.slip, event.symbol
    # 0.014233, as a student would type it at δ_h₁
    assert grade(trace, delta, float(f"{slipped_delta:.6f}"), 1e-3).slip.startswith("only one path")


@pytest.mark.slow
def test_slips_never_include_the_right_value_or_repeat(traces):
    for name in ("20-sigmoid-2-2-2", "90-wide-6-10-10-4"):
        trace = traces[name]
        for index in range(trace.per_iteration):
            event = trace[index]
            values = [slip.value for slip in slips(trace, event)]
            assert all(not math.isclose(v, event.value, rel_tol=1e-9) for v in values)
            assert all(not math.isclose(a, b, rel_tol=1e-9) for n, a in enumerate(values) for b in values[:n])


def test_a_custom_tolerance():
    trace = Trace(resolve("sigmoid-2-2-2"))
    event = event_of(trace, "delta[2][1]")
    assert not grade(trace, event, 0.1426, 1e-3).correct
    assert grade(trace, event, 0.1426, 1e-2).correct


# -- why this number? ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", BUNDLED)
def test_every_path_expansion_adds_up_to_the_traced_value(traces, name):
    trace = traces[name]
    explainer = Explainer(Ledger(trace))
    checked = 0
    for index in range(trace.per_iteration):
        event = trace[index]
        backward = (Kind.WEIGHT_GRADIENT, Kind.BIAS_GRADIENT, Kind.DELTA, Kind.BACKPROP_SUM)
        if event.kind in backward and event.sample is not None:
            explanation = explainer.explain(index)
            if explanation.hidden_paths:
                continue
            assert explanation.total == pytest.approx(event.value, rel=1e-12, abs=1e-15), event.quantity
            checked += 1
    assert checked > 0


def test_hidden_weight_expansion_is_the_documents_two_paths(traces):
    trace = traces["20-sigmoid-2-2-2"]
    explanation = Explainer(Ledger(trace)).explain(trace.find("dE/dW[1][1][1]")[0])
    assert len(explanation.paths) == 2
    first = [f.symbol for f in explanation.paths[0].factors]
    assert first == ["∂E/∂o₁", "∂o₁/∂net_o₁", "w₅", "∂h₁/∂net_h₁", "I₁"]
    assert [f.symbol for f in explanation.paths[1].factors][2] == "w₇"
    # The document: δ_o1·w5 = 0.05699 and δ_o2·w7 = −0.04196 before h₁(1−h₁)·I₁; exactly:
    assert explanation.paths[0].product == pytest.approx(0.142357 * 0.4 * 0.249953 * 0.05, rel=1e-5)


def test_output_weight_expansion_is_one_path(traces):
    trace = traces["20-sigmoid-2-2-2"]
    explanation = Explainer(Ledger(trace)).explain(trace.find("dE/dW[2][1][1]")[0])
    assert len(explanation.paths) == 1
    assert [f.symbol for f in explanation.paths[0].factors] == ["∂E/∂o₁", "∂o₁/∂net_o₁", "h₁"]


def test_forward_values_expand_to_a_tree_of_formulas(traces):
    trace = traces["20-sigmoid-2-2-2"]
    explanation = Explainer(Ledger(trace)).explain(trace.find("a[2][1]")[0])
    depths = [depth for depth, _ in explanation.tree]
    assert explanation.tree[0][1].startswith("o₁ = σ(net_o₁)") and max(depths) == 3
    assert any(text.startswith("net_h₁ = I₁·w₁ + I₂·w₂") for _, text in explanation.tree)


def test_batch_gradient_explains_one_samples_share(traces):
    trace = traces["01-polynomial-batch"]
    index = next(i for i in range(trace.per_iteration)
                 if trace[i].sample is None and trace[i].quantity == "dE/dW[1][1][1]")
    explanation = Explainer(Ledger(trace)).explain(index)
    assert explanation.mean_of == 4 and len(explanation.paths) == 1


def test_layerwise_paths_use_the_updated_weights():
    trace = Trace(variant(resolve("sigmoid-2-2-2"), "update_order=layerwise"))
    explanation = Explainer(Ledger(trace)).explain(trace.find("dE/da[1][1]")[0])
    w5 = next(f for f in explanation.paths[0].factors if f.symbol == "w₅")
    assert w5.value == pytest.approx(0.36392146, rel=1e-7)  # already updated
    assert explanation.total == pytest.approx(trace.value(trace.find("dE/da[1][1]")[0]), rel=1e-12)


# -- breakpoints and conditional runs -----------------------------------------------------------

def test_next_breakpoint_wraps_into_the_next_iteration(traces):
    trace = traces["10-tanh-chain"]
    first = next_breakpoint(trace, 0, {"delta[2][1]"})
    assert trace[first].quantity == "delta[2][1]" and trace[first].iteration == 1
    second = next_breakpoint(trace, first, {"delta[2][1]"})
    assert trace[second].quantity == "delta[2][1]" and trace[second].iteration == 2
    assert next_breakpoint(trace, second, {"delta[2][1]"}) is None
    assert next_breakpoint(trace, 0, {"z[9][9]", "nonsense"}) is None


def test_runs_until_the_loss_falls_below_a_value(traces):
    trace = traces["01-polynomial-batch"]
    index = until_loss_below(trace, 0, 1.0)
    event = trace[index]
    losses = trace.losses(event.iteration)
    assert event.quantity == "E" and event.sample is None
    assert losses[event.iteration - 1] < 1.0 <= losses[event.iteration - 2]
    assert until_loss_below(trace, 0, 1e-9) is None


def test_runs_until_a_quantity_changes_sign(traces):
    trace = traces["01-polynomial-batch"]
    index = until_sign_change(trace, 0, "dE/dW[3][1][1]")
    event = trace[index]
    assert event.quantity == "dE/dW[3][1][1]"
    assert math.copysign(1, event.value) != math.copysign(1, trace.value(trace.find("dE/dW[3][1][1]", sample=1)[0]))


def test_end_of_phase_and_iteration(traces):
    trace = traces["10-tanh-chain"]
    end = end_of_phase(trace, 0)
    assert trace[end].phase is Phase.FORWARD and trace[end + 1].phase is Phase.LOSS
    assert trace[end_of_phase(trace, end)].phase is Phase.LOSS
    assert end_of_iteration(trace, 0) == trace.per_iteration - 1
    assert end_of_iteration(trace, trace.per_iteration - 1) == len(trace) - 1


# -- variants ------------------------------------------------------------------------------------

def test_variants_change_one_option():
    base = resolve("01-polynomial-batch")
    assert variant(base, "update_order=layerwise").update_order.value == "layerwise"
    assert variant(base, "mode = stochastic").mode.value == "stochastic"
    assert variant(base, "update_biases=false").update_biases is False
    summed = Trace(variant(base, "batch_reduction=sum"))
    assert summed.losses()[0] == pytest.approx(4 * Trace(base).losses()[0], rel=1e-14)  # a batch of 4
    with pytest.raises(ValueError, match="unknown option 'order'"):
        variant(base, "order=layerwise")
    with pytest.raises(ValueError, match="update_order can be after_backward or layerwise"):
        variant(base, "update_order=sideways")


def test_each_variant_is_described_once_for_every_value_a_scenario_can_take():
    """The allowed options, their words and the --compare help come from one table: a value the
    scenario can take without a description fails here."""
    from backprop_stepper.core.scenario import REDUCTIONS, Mode, UpdateOrder
    from backprop_stepper.core.variants import OPTIONS, VARIANTS, describe, mistakes

    assert {v.setting for v in VARIANTS if v.name == "update_order"} == set(UpdateOrder)
    assert {v.setting for v in VARIANTS if v.name == "mode"} == set(Mode)
    assert {v.setting for v in VARIANTS if v.name == "batch_reduction"} == set(REDUCTIONS)
    for v in VARIANTS:
        assert OPTIONS[v.name][v.value] == v.setting
        assert describe(v.option) == v.words and describe(v.option, short=True) == v.short
        assert describe(f" {v.name} = {v.value.upper()}") == v.words  # typed loosely, read the same
    assert describe("update_order=sideways") == "update_order=sideways"
    assert [v.name for v in VARIANTS if v.mistake] == list(OPTIONS)  # one classic mistake per option
    assert mistakes() == "update_order=layerwise, mode=stochastic, update_biases=false or batch_reduction=sum"


def test_corresponding_events_compute_the_same_quantity():
    base = Trace(resolve("sigmoid-2-2-2"))
    other = Trace(variant(base.scenario, "update_order=layerwise"))
    for index in range(len(base)):
        assert other[corresponding(base, other, index)].quantity == base[index].quantity


def test_marks_are_derived_once_and_what_is_computed_wins_over_what_is_read(traces):
    """The diagram and the value table both take `LedgerState.marks`: an update reads the
    parameter it replaces, and that entry is marked as computed, in a block as for one event."""
    from backprop_stepper.core.ledger import Mark
    from backprop_stepper.core.matrix import MatrixView

    trace = traces["20-sigmoid-2-2-2"]
    ledger = Ledger(trace)
    index = trace.find("W[1][1][1]")[0]
    state = ledger.at(index, trace[index])
    assert state.current in state.reads and state.marks[state.current] is Mark.CURRENT
    assert {p for p, m in state.marks.items() if m is Mark.READ} == set(state.reads) - {state.current}
    block = MatrixView(ledger).block(index)
    state = ledger.at(block.end, trace[block.end], block.entries, block.reads)
    assert {p for p, m in state.marks.items() if m is Mark.CURRENT} == set(block.entries)
    assert {p for p, m in state.marks.items() if m is Mark.READ} == set(block.reads) - set(block.entries)
    assert (Mark.CURRENT.glyph, Mark.READ.glyph) == ("▶", "•")


# -- the matrix view's blocks --------------------------------------------------------------------

@pytest.mark.parametrize("name", BUNDLED)
def test_every_event_belongs_to_the_block_that_marks_what_it_reads(traces, name):
    from backprop_stepper.core.matrix import MatrixView

    trace = traces[name]
    ledger = Ledger(trace)
    view = MatrixView(ledger)
    for index in range(trace.per_iteration):
        block = view.block(index)
        assert index in block.events and block.end == max(block.events) and block.start == min(block.events)
        state = ledger.at(block.end)
        event = trace[index]
        computed = ledger.at(index, event).current
        if computed is not None and (event.sample is None or event.sample == state.sample):
            assert computed in block.entries
        # everything the event read is marked: as read, or as computed by the block itself
        for key, sample in event.read_keys:
            entry = ledger.row_of(key, Scope.of(key, sample))
            if entry is not None and (sample is None or sample == state.sample):
                assert entry in block.reads or entry in block.entries, (event.symbol, ledger.entries[entry].symbol)
