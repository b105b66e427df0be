"""Events built from per-slot templates are exactly the events the straightforward builder made.

tests/engine/data/events/ holds every field of every event of each scenario, written before events were
built from templates (see tests/engine/event_expectations.py). Each way of getting events is compared
with them: one at a time (the app's steps), a walk over whole iterations, and the JSON lines of
`trace --json` and `export --format json`.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_stepper.core import Trace, parse_scenario
from backprop_stepper.core.numbers import fmt, fmt_all, term, terms_of
from backprop_stepper.core.scaffold import new_scenario

from .event_expectations import load, record, scenarios

TRACES = scenarios()


def as_json(saved: dict) -> dict:
    """What Event.as_json gives for a saved event (value_text for a value JSON cannot hold)."""
    value = saved["value"]
    json_record = {name: saved[name] for name in (
        "index", "iteration", "sample", "phase", "kind", "quantity", "symbol", "value", "formula",
        "substituted", "reads", "read_samples", "meaning")}
    if isinstance(value, str):
        json_record["value"] = None
        json_record["value_text"] = value
    return json_record


@pytest.mark.parametrize("name", sorted(TRACES))
def test_every_field_of_every_event_one_at_a_time(name):
    trace = Trace(TRACES[name].scenario)
    expected = load(name)
    assert len(trace) == len(expected)
    for index in reversed(range(len(trace))):  # backwards: no event may lean on the one before
        assert record(trace[index]) == expected[index], f"{name}: event {index}"


@pytest.mark.parametrize("name", sorted(TRACES))
def test_every_field_of_every_event_in_a_walk(name):
    trace = Trace(TRACES[name].scenario)
    expected = load(name)
    walked = [record(event) for event in trace]
    assert len(walked) == len(expected)
    for index, (got, want) in enumerate(zip(walked, expected, strict=True)):
        assert got == want, f"{name}: event {index}"


@pytest.mark.parametrize("name", sorted(TRACES))
def test_json_lines_are_the_events_as_json(name):
    trace = Trace(TRACES[name].scenario)
    expected = load(name)
    lines = list(trace.json_lines(range(1, trace.iterations + 1)))
    assert len(lines) == len(expected)
    for index, (line, want) in enumerate(zip(lines, expected, strict=True)):
        assert line == json.dumps(as_json(want), ensure_ascii=False, allow_nan=False), f"{name}: event {index}"


def test_a_walk_of_some_iterations_starts_at_their_first_event():
    trace = TRACES["linear-2-3-1-diverging"]
    expected = load("linear-2-3-1-diverging")
    walked = [record(event) for event in trace.walk(range(30, 32))]
    start = trace.index_of(30, 0)
    assert walked == expected[start:start + 2 * trace.per_iteration]


@pytest.mark.parametrize("name", sorted(TRACES))
def test_json_text_is_the_json_lines_joined(name):
    trace = Trace(TRACES[name].scenario)
    iterations = range(1, trace.iterations + 1)
    blocks = list(trace.json_text(iterations, ",\n"))
    assert len(blocks) == trace.iterations
    assert ",\n".join(blocks) == ",\n".join(trace.json_lines(iterations))


def test_a_plan_too_large_to_keep_its_templates_gives_the_same_events():
    # As for a plan of more than MAX_TEMPLATES slots: templates made as needed, events one by one.
    name = "sigmoid-2-3-2-layerwise"
    trace = Trace(TRACES[name].scenario)
    trace.templates.capacity = 10
    assert not trace.templates.keeps_all
    expected = load(name)
    assert [record(event) for event in trace] == expected
    iterations = range(1, trace.iterations + 1)
    assert list(trace.json_lines(iterations)) == [json.dumps(as_json(e), ensure_ascii=False) for e in expected]
    assert "\n".join(trace.json_text(iterations)) == "\n".join(trace.json_lines(iterations))


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1.1e-4, 1.0999999e-4, 9.99e5, 9.9899999e5, 999999.5, 9.9999951e-5, -1e-4]), max_size=60))
def test_numbers_of_an_iteration_are_written_as_one_by_one(values):
    texts = fmt_all(np.array(values, dtype=np.float64))
    assert texts == [fmt(v) for v in values]
    assert terms_of(texts) == [term(v) for v in values]


def test_walking_a_run_computes_each_iteration_once(monkeypatch):
    from backprop_stepper.core import training

    calls = []
    original = training.run_iteration
    monkeypatch.setattr(training, "run_iteration", lambda *args: calls.append(1) or original(*args))
    long = Trace(parse_scenario(new_scenario([2, 3, 1], activation="tanh", seed=1, samples=2, iterations=100)))
    for _ in long:
        pass
    assert len(calls) == 100  # checkpoints (every 16 iterations) are passed, not restarted from
