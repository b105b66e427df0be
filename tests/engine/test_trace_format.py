"""The trace format: `trace --json` fields, ids, ordering, navigation and laziness."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tracemalloc
from contextlib import redirect_stdout

import pytest

from backprop_stepper.core import Trace, parse_quantity_id, parse_scenario, quantity_id, resolve
from backprop_stepper.tui.cli import main

from ..conftest import BUNDLED, generated

FIELDS = {"index", "iteration", "sample", "phase", "kind", "quantity", "symbol", "value", "formula",
          "substituted", "reads"}
PHASES = {"forward", "loss", "backward", "update"}
KINDS = {"net_input", "activation", "loss_term", "loss_total", "loss_mean", "output_error",
         "activation_derivative", "backprop_sum", "delta", "weight_gradient", "bias_gradient",
         "weight_update", "bias_update", "exponential", "normaliser", "jacobian"}
ID = re.compile(r"^(x\[\d+\]|y\[\d+\]|E|E\[\d+\]|expsum\[\d+\]|(z|exp|a|dE/da|da/dz|delta|dE/db|b)\[\d+\]\[\d+\]"
                r"|(dE/dW|W|da/dz)\[\d+\]\[\d+\]\[\d+\])$")
BATCH_KINDS = {"loss_mean", "weight_update", "bias_update"}


def _json_lines(name: str) -> list[dict]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["trace", name, "--json"]) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("name", BUNDLED)
def test_trace_json_has_every_field_for_every_event(name):
    records = _json_lines(name)
    assert records
    assert [r["index"] for r in records] == list(range(len(records)))
    for r in records:
        assert FIELDS <= r.keys(), r
        assert r["phase"] in PHASES and r["kind"] in KINDS
        assert ID.match(r["quantity"]), r["quantity"]
        assert all(ID.match(q) for q in r["reads"]), r["reads"]
        assert r["iteration"] >= 1
        assert r["sample"] is None or r["sample"] >= 1
        assert isinstance(r["value"], float)
        assert r["formula"] and r["substituted"] and r["symbol"]
        if r["sample"] is None:
            # batch-level: averaged gradients, the batch-mean loss, updates
            assert r["kind"] in BATCH_KINDS | {"weight_gradient", "bias_gradient"}


@pytest.mark.parametrize("name", BUNDLED)
def test_events_only_read_quantities_computed_before_them(name, traces):
    trace = traces[name]
    scenario = trace.scenario
    given = {(f"x[{i}]", s) for s in range(1, len(scenario.samples) + 1) for i in range(1, scenario.inputs + 1)}
    given |= {(f"y[{k}]", s) for s in range(1, len(scenario.samples) + 1) for k in range(1, scenario.outputs + 1)}
    parameters = set()
    for l, layer in enumerate(scenario.layers, start=1):
        parameters |= {(f"W[{l}][{j + 1}][{i + 1}]", None)
                       for j in range(layer.size) for i in range(layer.weights.shape[1])}
        if layer.biases is not None:
            parameters |= {(f"b[{l}][{j + 1}]", None) for j in range(layer.size)}
    known = given | parameters
    iteration = 1
    for event in trace:
        if event.iteration != iteration:  # a new iteration recomputes everything but x, y, W, b
            iteration, known = event.iteration, given | parameters
        for quantity, sample in zip(event.reads, event.read_samples, strict=True):
            assert (quantity, sample) in known, (event.index, event.quantity, quantity, sample)
        scope = None if event.quantity[0] in "Wb" else event.sample
        known.add((event.quantity, scope))


def test_plan_reads_point_backwards(traces):
    for trace in traces.values():
        plan = trace.plan
        for offset in range(plan.size):
            assert all(slot < plan.n_context + offset for slot in plan.reads(offset))


def test_quantity_ids_round_trip():
    for text in ["x[1]", "y[2]", "z[1][2]", "a[3][1]", "E[2]", "E", "dE/da[2][1]", "da/dz[1][1]",
                 "delta[2][2]", "dE/dW[2][1][2]", "dE/db[1][1]", "W[1][2][1]", "b[2][1]"]:
        assert quantity_id(parse_quantity_id(text)) == text
    for bad in ["w[1][1]", "z[1]", "W[1][1]", "E[1][1]", "delta", "a[1][x]"]:
        assert parse_quantity_id(bad) is None


def test_trace_order_is_the_teachers_order(traces):
    kinds = [e.kind.value for e in traces["20-sigmoid-2-2-2"]]
    assert kinds[:4] == ["net_input", "activation", "net_input", "activation"]
    first = {k: kinds.index(k) for k in set(kinds)}
    assert first["activation"] < first["loss_term"] < first["loss_total"] < first["output_error"]
    assert first["output_error"] < first["backprop_sum"] < first["weight_update"]
    # Per output neuron: error, derivative, delta, then its weight gradients.
    assert kinds[11:16] == ["output_error", "activation_derivative", "delta", "weight_gradient", "weight_gradient"]


def test_batch_order_averages_after_all_samples_then_updates(traces):
    trace = traces["01-polynomial-batch"]
    events = [trace[i] for i in range(trace.per_iteration)]
    samples = [e.sample for e in events]
    last_sample_event = max(i for i, s in enumerate(samples) if s is not None)
    assert all(s is None for s in samples[last_sample_event + 1:])
    batch = [e.kind.value for e in events[last_sample_event + 1:]]
    assert batch[0] == "loss_mean"
    assert set(batch[1:7]) == {"weight_gradient", "bias_gradient"}
    assert set(batch[7:]) == {"weight_update", "bias_update"}


def test_navigation_by_phase_and_iteration(traces):
    trace = traces["10-tanh-chain"]
    starts = [0]
    while trace.next_phase(starts[-1]) not in (starts[-1], len(trace) - 1):
        starts.append(trace.next_phase(starts[-1]))
    phases = [(trace[i].iteration, trace[i].phase.value) for i in starts]
    assert trace.next_phase(starts[-1]) == len(trace) - 1  # the last phase: ] goes to the end
    assert phases == [(1, "forward"), (1, "loss"), (1, "backward"), (1, "update"),
                      (2, "forward"), (2, "loss"), (2, "backward"), (2, "update")]
    start_of_2 = trace.next_iteration(0)
    assert trace[start_of_2].iteration == 2 and trace[start_of_2 - 1].iteration == 1
    assert trace.previous_iteration(start_of_2) == 0
    assert trace.previous_iteration(start_of_2 + 3) == start_of_2
    middle_of_backward = trace.find("delta[2][1]")[0]
    start_of_backward = trace.previous_phase(middle_of_backward)
    assert trace[start_of_backward].phase.value == "backward" and trace[start_of_backward - 1].phase.value == "loss"
    assert trace.previous_phase(start_of_backward) == trace.find("E")[0]  # the loss phase starts with E


def test_a_long_run_opens_lazily_and_holds_little():
    text = generated((4, 8, 8, 3), activation="tanh", seed=1, samples=4, iterations=100_000, learning_rate=0.1)
    tracemalloc.start()
    trace = Trace(parse_scenario(text))
    first = trace[0]
    last_of_first_iteration = trace[trace.per_iteration - 1]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(trace) == 100_000 * trace.per_iteration  # 123 million events, indexable
    assert trace.training.computed_through == 1  # only the iteration that was looked at
    assert first.index == 0 and last_of_first_iteration.phase.value == "update"
    assert peak < 20_000_000  # bytes: no per-event objects for the 123 million events


def test_jumping_far_ahead_uses_checkpoints_and_agrees_with_stepping():
    text = generated((2, 3, 1), seed=4, iterations=3000, learning_rate=0.2)
    jumped = Trace(parse_scenario(text))
    walked = Trace(parse_scenario(text))
    for iteration in range(1, 3001, 7):
        walked.training.iteration(iteration)
    index = jumped.index_of(2999, 5)
    assert jumped[index].value == walked[index].value
    assert jumped.training.iteration(1500).values.tolist() == walked.training.iteration(1500).values.tolist()
    assert jumped.training.checkpoint_count <= 3000 // jumped.training.checkpoint_every + 1


def test_core_imports_no_user_interface_code():
    """`core` must stay free of Textual (and of our own UI package)."""
    probe = "import sys; from backprop_stepper import core; t = core.Trace(core.bundled()[0].load()); t[0]; " \
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') " \
            "or m.startswith('backprop_stepper.tui')))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(("name", "sentence"), [
    ("10-tanh-chain", "The error arriving from the next layer's only neuron, through the weight that connects them."),
    ("20-sigmoid-2-2-2", "The error arriving from the 2 neurons of the next layer, each through its weight, summed."),
])
def test_a_backpropagated_sum_says_how_many_neurons_it_sums_over(name, sentence):
    trace = Trace(resolve(name))
    sums = [trace[k] for k in range(trace.per_iteration) if trace[k].kind.value == "backprop_sum"]
    assert sums and all(event.meaning == sentence for event in sums)


@pytest.mark.parametrize("name", BUNDLED)
def test_the_same_place_in_an_unchanged_trace_is_the_same_event(name, traces):
    trace = traces[name]
    again = Trace(resolve(name))
    step = max(1, trace.per_iteration // 400)  # the wide network: a sample of its events
    for index in [*range(0, trace.per_iteration, step), len(trace) - 1]:
        assert again.same_place(trace, index) == index, trace[index].quantity


def test_the_same_place_in_a_smaller_network_is_found_by_meaning():
    big = Trace(parse_scenario(generated([2, 3, 2], iterations=3, seed=1), name="big.toml"))
    small = Trace(parse_scenario(generated([2, 2, 2], iterations=2, seed=1), name="small.toml"))
    for index in range(len(big)):
        event, place = big[index], small[small.same_place(big, index)]
        assert place.iteration == min(event.iteration, 2)
        if small.find(event.quantity):  # the quantity still exists: the same one
            assert place.quantity == event.quantity
        else:  # gone: the same phase, as far in as it was, or the phase's last event
            assert place.phase is event.phase
            start, end = big.phase_segment(index)
            small_start, small_end = small.phase_segment(small.same_place(big, index))
            assert small.same_place(big, index) - small_start == min(index - start, small_end - small_start - 1)
