"""One way to name a sample, and one way to find the event that computes a quantity.

A sample is its 1-based number, None for the batch level, in events, the plan's lookups, printed
values, notes and the ledger; `Trace.offsets` / `find` / `event_computing` (and `Ledger.event_of`
for a table row) are the only lookups of "which event computes this". Each is checked here
against a from-scratch scan of the events themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import backprop_stepper.core.training as training
from backprop_stepper.core import Trace, parse_scenario
from backprop_stepper.core.gradcheck import gradient_check
from backprop_stepper.core.ledger import Ledger
from backprop_stepper.core.quantities import ANY_SAMPLE, BATCH, Family, Key, Scope

from ..conftest import generated


def _trace(sizes, samples: int, mode: str = "batch", **options) -> Trace:
    text = generated(sizes, samples=samples, seed=3, **options)
    head, marker, rest = text.partition("[[training.samples]]")
    return Trace(parse_scenario(f'{head}mode = "{mode}"\n{marker}{rest}'))


@pytest.fixture(scope="module")
def runs() -> dict[str, Trace]:
    return {"batch": _trace([2, 3, 2], 3, iterations=2), "stochastic": _trace([2, 2, 2], 3, "stochastic")}


# -- one sample convention ---------------------------------------------------------------------

@pytest.mark.parametrize("run", ["batch", "stochastic"])
def test_the_plan_and_every_read_name_samples_as_events_do(runs, run):
    trace = runs[run]
    plan = trace.plan
    for event in trace.walk(range(1, 2)):
        offset = trace.locate(event.index)[1]
        assert plan.sample_at(offset) == event.sample
        assert event.index in trace.find(event.key, 1, event.sample)
        # each read names its sample the way the trace format's read_samples do
        assert [sample for _, sample in event.read_keys] == list(event.read_samples)
        for slot, (key, sample) in zip(plan.reads(offset), event.read_keys, strict=True):
            assert plan.slot_identity(int(slot)) == (key, sample)
    samples = {sample for _, sample in plan.context_keys}
    assert samples == {BATCH, 1, 2, 3}  # x and y of samples 1..3, and the parameters


def test_the_sample_on_show_is_the_events_own_number(runs):
    trace = runs["batch"]
    ledger = Ledger(trace)
    for event in trace.walk(range(1, 2)):
        state = ledger.at(event.index, event)
        # a batch-level event shows the last sample of its step
        assert state.sample == (3 if event.sample is None else event.sample)
        if state.current is not None:
            row = ledger.entries[state.current]
            assert row.scope is Scope.of(event.key, event.sample)


def test_printed_values_and_notes_name_the_batch_and_every_sample(runs):
    text = generated([2, 2, 1], samples=2, seed=3) + """
[[printed]]
sample = "batch"
[printed.values]
"E" = "0.1"

[[printed]]
sample = 2
[printed.values]
"a[1][1]" = "0.5"

[[printed]]
[printed.values]
"a[1][2]" = "0.5"

[[notes]]
at = "dE/dW[1][1][1]"
text = "every sample and the batch"

[[notes]]
at = "dE/dW[1][1][1]"
sample = "batch"
text = "the batch only"

[[notes]]
at = "dE/dW[1][1][1]"
sample = 2
text = "sample 2 only"
"""
    scenario = parse_scenario(text)
    assert [p.sample for p in scenario.printed] == [BATCH, 2, 1]
    assert [n.sample for n in scenario.notes] == [ANY_SAMPLE, BATCH, 2]
    trace = Trace(scenario)
    [mean_loss] = trace.find("E", 1, BATCH)
    assert [c.printed.text for c in trace.printed_at(mean_loss)] == ["0.1"]
    assert trace[trace.find("a[1][1]", 1, 2)[0]].sample == 2
    assert trace.printed_at(trace.find("a[1][1]", 1, 2)[0])
    notes = {trace[i].sample: [n.text for n in trace.notes_at(i)] for i in trace.find("dE/dW[1][1][1]")}
    assert notes == {1: ["every sample and the batch"],
                     2: ["every sample and the batch", "sample 2 only"],
                     BATCH: ["every sample and the batch", "the batch only"]}


# -- one way to find the event that computes a quantity ---------------------------------------

def _scan(trace: Trace, iteration: int, key: Key, sample) -> list[int]:
    """The events of an iteration computing `key` for `sample`, found by looking at every event."""
    return [e.index for e in trace.walk(range(iteration, iteration + 1))
            if e.key == key and (sample is ANY_SAMPLE or e.sample == sample)]


@pytest.mark.parametrize("run", ["batch", "stochastic"])
def test_trace_lookups_agree_with_a_scan_of_the_events(runs, run):
    trace = runs[run]
    keys = {e.key for e in trace.walk(range(1, 2))}
    for key in keys:
        for sample in (ANY_SAMPLE, BATCH, 1, 3):
            for iteration in range(1, trace.iterations + 1):
                assert trace.find(key, iteration, sample) == _scan(trace, iteration, key, sample), (key, sample)
    w = Key(Family.W, 1, 1, 1)
    middle = trace.find(w)[0] - 1  # before the first update of w
    assert trace.event_computing(w, ANY_SAMPLE, middle) == trace.find(w)[0]
    assert trace.event_computing(w, ANY_SAMPLE, middle, latest=True) is None
    last = len(trace) - 1
    assert trace.event_computing(w, ANY_SAMPLE, last, latest=True) == trace.find(w, trace.iterations)[-1]
    # past the last one of the iteration: back to its first
    assert trace.event_computing(w, ANY_SAMPLE, last) == trace.find(w, trace.iterations)[0]


@pytest.mark.parametrize("run", ["batch", "stochastic"])
def test_the_event_of_a_table_row_is_the_one_whose_value_the_row_shows(runs, run):
    trace = runs[run]
    ledger = Ledger(trace)
    per_iteration = trace.per_iteration
    for index in range(0, per_iteration, 7):
        shown = ledger.at(index).sample
        events = list(trace.walk(range(1, 2)))
        for entry, row in enumerate(ledger.entries):
            fills = [e.index for e in events if ledger.entry_for(e.key, e.sample, shown) == entry]
            if row.key.family in (Family.X, Family.Y) or not fills:
                assert ledger.event_of(entry, index) is None
                continue
            later = [i for i in fills if i > index]
            assert ledger.event_of(entry, index) == (later[0] if later else fills[0]), row.quantity
            done = [i for i in fills if i <= index]
            assert ledger.event_of(entry, index, latest=True) == (done[-1] if done else None), row.quantity


def test_only_the_trace_looks_events_up_in_the_plan():
    """The teaching modes ask the trace; none keeps a lookup of its own over `plan.index`."""
    core = Path(training.__file__).parent
    for module in sorted(core.glob("*.py")):
        if module.name in ("plan.py", "trace.py"):
            continue
        assert not re.search(r"plan\.index\b", module.read_text(encoding="utf-8")), module.name


# -- one forward pass ---------------------------------------------------------------------------

def test_the_gradient_check_uses_the_trainings_forward_pass(runs, monkeypatch):
    trace = runs["batch"]
    trace.training.iteration(1)  # computed before counting
    passes = []
    loss = training._loss  # the end of the training's forward pass
    monkeypatch.setattr(training, "_loss", lambda *args: passes.append(1) or loss(*args))
    checks = gradient_check(trace, 1, 1)
    assert len(passes) == 2 * len(checks) == 2 * trace.scenario.parameter_count  # L(θ + ε) and L(θ − ε)
    # unshifted, it is the trace's own batch loss, to the last bit
    params = trace.training.iteration(1).start
    assert training.step_loss(trace.scenario, params, [1, 2, 3]) == trace[trace.find("E", 1, BATCH)[0]].value
