"""Property tests (Hypothesis): whatever a student writes, the loader answers with a usable
scenario or a ScenarioError, never another exception, and a usable scenario traces cleanly."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_stepper.core import ScenarioError, Trace, bundled, parse_scenario

TEXTS = [entry.path.read_text(encoding="utf-8") for entry in bundled()]
TOKENS = ["0", "-1", "1e400", "nan", "inf", '"x"', "true", "[]", "[[]]", "{}", "[1, 2]", "3.5",
          '"sigmoid"', '"tanh"', '"relu"', "0.0", "-0.0", "1e-300", "99999999999", '""', "[[1.0]]"]

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(data: bytes | str) -> None:
    """The property itself: load, and if that works, trace the first and last events."""
    try:
        scenario = parse_scenario(data, name="mutant.toml")
    except ScenarioError as error:
        assert str(error).startswith("mutant.toml")
        return
    try:
        trace = Trace(scenario)
    except ScenarioError:  # e.g. too many events per iteration
        return
    for index in (0, len(trace) - 1):
        event = trace[index]
        assert event.formula and event.substituted
        assert isinstance(event.value, float) and (math.isfinite(event.value) or "not a finite" in event.meaning)


@SETTINGS
@given(st.sampled_from(TEXTS), st.data())
def test_mutated_scenarios_load_or_fail_clearly(text, data):
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        n = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "token", "truncate", "swap", "junk"]))
        if action == "delete":
            del lines[n]
        elif action == "duplicate":
            lines.insert(n, lines[n])
        elif action == "token" and "=" in lines[n]:
            key = lines[n].split("=", 1)[0]
            lines[n] = f"{key}= {data.draw(st.sampled_from(TOKENS))}"
        elif action == "truncate":
            lines[n] = lines[n][: data.draw(st.integers(0, len(lines[n])))]
        elif action == "swap":
            m = data.draw(st.integers(0, len(lines) - 1))
            lines[n], lines[m] = lines[m], lines[n]
        elif action == "junk":
            lines[n] = data.draw(st.text(max_size=20))
    outcome("\n".join(lines))


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_load_or_fail_clearly(data):
    outcome(data)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(value)
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (int, str)):
        return repr(value) if isinstance(value, int) else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5))
scalars = st.one_of(numbers, st.booleans(), st.text(max_size=6))
vectors = st.lists(numbers, max_size=4)
matrices = st.lists(vectors, max_size=4)


@SETTINGS
@given(
    inputs=st.one_of(st.integers(-1, 5), scalars),
    sizes=st.lists(st.integers(-1, 5), min_size=0, max_size=3),
    activations=st.lists(st.sampled_from(["sigmoid", "tanh", "relu", "linear", "softmax", ""]), min_size=3, max_size=3),
    weights=st.lists(st.one_of(matrices, scalars), min_size=3, max_size=3),
    biases=st.lists(st.one_of(vectors, scalars, st.none()), min_size=3, max_size=3),
    loss=st.sampled_from(["half_squared_error", "squared_error", "mse"]),
    learning_rate=st.one_of(numbers, scalars),
    iterations=st.one_of(st.integers(-2, 4), scalars),
    samples=st.lists(st.tuples(st.one_of(vectors, scalars), st.one_of(vectors, scalars)), max_size=3),
)
def test_generated_scenarios_load_or_fail_clearly(inputs, sizes, activations, weights, biases, loss,
                                                   learning_rate, iterations, samples):
    parts = ['title = "generated"', "[network]", f"inputs = {_toml_value(inputs)}"]
    for n, size in enumerate(sizes):
        parts += ["[[network.layers]]", f"size = {size}", f'activation = "{activations[n]}"',
                  f"weights = {_toml_value(weights[n])}"]
        if biases[n] is not None:
            parts.append(f"biases = {_toml_value(biases[n])}")
    parts += ["[training]", f'loss = "{loss}"', f"learning_rate = {_toml_value(learning_rate)}",
              f"iterations = {_toml_value(iterations)}"]
    for x, y in samples:
        parts += ["[[training.samples]]", f"x = {_toml_value(x)}", f"y = {_toml_value(y)}"]
    outcome("\n".join(parts))
