"""Malformed scenarios: one clear message (file, place, problem), a non-zero exit, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backprop_stepper.core import ScenarioError, load_scenario, parse_scenario

GOOD = """
title = "t"
[network]
inputs = 2
[[network.layers]]
size = 2
activation = "sigmoid"
weights = [[0.1, 0.2], [0.3, 0.4]]
biases = [0.5, 0.5]
[[network.layers]]
size = 1
activation = "linear"
weights = [[0.1, 0.2]]
[training]
loss = "half_squared_error"
learning_rate = 0.5
iterations = 2
[[training.samples]]
x = [0.1, 0.2]
y = [1.0]
"""


def problem(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, name="bad.toml")
    error = caught.value
    assert str(error).startswith("bad.toml")
    return error


def replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def test_the_good_scenario_is_good():
    assert parse_scenario(GOOD).warnings == ()


@pytest.mark.parametrize(
    ("text", "place", "words"),
    [
        (replace('title = "t"', 'title = "t'), "line 2, column", "TOML syntax error"),
        (replace("inputs = 2", "inputs = = 2"), "line 4, column", "TOML syntax error"),
        (replace('title = "t"', ""), "title", "missing required key"),
        (replace("[network]\ninputs = 2", "[netwrk]\ninputs = 2"), "network.inputs", "missing required key"),
        (replace("inputs = 2", 'inputs = "two"'), "network.inputs", "expected an integer, found a string"),
        (replace("inputs = 2", "inputs = 2.0"), "network.inputs", "without '.0'"),
        (replace("inputs = 2", "inputs = 0"), "network.inputs", "at least 1"),
        (replace("inputs = 2", "inputs = -3"), "network.inputs", "at least 1"),
        (replace("size = 2", "size = 5000"), "network.layers[0].size", "limit of 64"),
        (replace("weights = [[0.1, 0.2], [0.3, 0.4]]", "weights = [[0.1, 0.2, 0.9], [0.3, 0.4, 0.9]]"),
         "network.layers[0].weights",
         "2 rows x 2 columns (layer 1: one row per neuron, one column per neuron of the previous layer): "
         "row 1 has 3 numbers"),
        (replace("weights = [[0.1, 0.2], [0.3, 0.4]]", "weights = [[0.1, 0.2]]"),
         "network.layers[0].weights", "found 1 row"),
        (replace("weights = [[0.1, 0.2]]", "weights = [0.1, 0.2]"), "network.layers[1].weights", "[[0.1, 0.1]]"),
        (replace("weights = [[0.1, 0.2], [0.3, 0.4]]", 'weights = [[0.1, "x"], [0.3, 0.4]]'),
         "network.layers[0].weights[0][1]", "expected a number"),
        (replace("weights = [[0.1, 0.2], [0.3, 0.4]]", "weights = [[0.1, nan], [0.3, 0.4]]"),
         "network.layers[0].weights[0][1]", "finite"),
        (replace("weights = [[0.1, 0.2], [0.3, 0.4]]", "weights = [[0.1, inf], [0.3, 0.4]]"),
         "network.layers[0].weights[0][1]", "finite"),
        (replace("weights = [[0.1, 0.2], [0.3, 0.4]]", "weights = [[0.1, 1e300], [0.3, 0.4]]"),
         "network.layers[0].weights[0][1]", "too large"),
        (replace("biases = [0.5, 0.5]", "biases = [0.5]"), "network.layers[0].biases", "expected 2 numbers"),
        (replace('activation = "sigmoid"', 'activation = "sigmoyd"'), "network.layers[0].activation",
         "did you mean 'sigmoid'"),
        (replace('loss = "half_squared_error"', 'loss = "mse"'), "training.loss", "expected one of"),
        (replace("learning_rate = 0.5", "learning_rate = -0.5"), "training.learning_rate", "greater than 0"),
        (replace("learning_rate = 0.5", ""), "training.learning_rate", "missing"),
        (replace("iterations = 2", "iterations = 1000000000"), "training.iterations", "limit of 100,000"),
        (replace("iterations = 2", "iterations = 0"), "training.iterations", "at least 1"),
        (replace("x = [0.1, 0.2]", "x = [0.1]"), "training.samples[0].x", "expected 2 numbers"),
        (replace("y = [1.0]", "y = [1.0, 2.0]"), "training.samples[0].y",
         "expected 1 number (one target per output neuron), found 2"),
        (replace("y = [1.0]", ""), "training.samples[0].y", "missing"),
        (replace("[[training.samples]]\nx = [0.1, 0.2]\ny = [1.0]", ""), "training.samples", "missing"),
        (GOOD + '\n[notation]\ninput = "x{j}"\n', "notation.input", "placeholder {j}"),
        (GOOD + '\n[notation]\ninput = "x{i"\n', "notation.input", "unmatched"),
        (GOOD + '\n[[printed]]\n[printed.values]\n"a[9][1]" = "0.5"\n', 'printed[0].values."a[9][1]"',
         "layer 9 does not exist"),
        (GOOD + '\n[[printed]]\n[printed.values]\n"b[2][1]" = "0.5"\n', 'printed[0].values."b[2][1]"', "no biases"),
        (GOOD + '\n[[printed]]\n[printed.values]\n"w5" = "0.5"\n', 'printed[0].values."w5"', "not a quantity id"),
        (GOOD + '\n[[printed]]\niteration = 3\n[printed.values]\n"E" = "0.5"\n', "printed[0].iteration", "limit of 2"),
        (GOOD + '\n[[notes]]\nat = "E"\n', "notes[0].text", "missing"),
    ],
)
def test_each_malformed_scenario_gets_one_clear_message(text, place, words):
    error = problem(text)
    assert place in error.place, str(error)
    assert words in error.problem, str(error)


def test_an_error_carries_the_warnings_that_explain_it():
    error = problem(replace("[[network.layers]]\nsize = 1", "[network.layerz]\nsize = 1"))
    assert error.place == "training.samples[0].y"  # the output layer is missing, so y is too long
    assert any("network.layerz: unknown key" in w for w in error.warnings)
    error = problem(replace("[network]\ninputs = 2", "[netwrk]\ninputs = 2"))
    assert any("did you mean 'network'" in w for w in error.warnings)


def test_unknown_keys_are_warnings_that_name_the_likely_typo():
    scenario = parse_scenario(replace("learning_rate = 0.5", "learning_rate = 0.5\nlearning_rat = 0.1"), name="s.toml")
    assert scenario.warnings == ("s.toml: training.learning_rat: unknown key, ignored (did you mean 'learning_rate'?)",)


def test_not_a_text_file(tmp_path: Path):
    path = tmp_path / "image.toml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ScenarioError, match="not a text file"):
        load_scenario(path)
    path.write_bytes(b'title = "\xff\xfe"')
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(path)


def test_missing_file_and_directory(tmp_path: Path):
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError, match="directory"):
        load_scenario(tmp_path)


def test_events_per_iteration_are_bounded():
    row = "[" + ", ".join(["0.0"] * 64) + "]"
    sizes = "\n".join(
        f"[[network.layers]]\nsize = 64\nactivation = \"tanh\"\nweights = [{', '.join([row] * 64)}]"
        for _ in range(3)
    )
    numbers = ", ".join(["0.1"] * 64)
    samples = "\n".join(f"[[training.samples]]\nx = [{numbers}]\ny = [{numbers}]" for _ in range(20))
    text = (f'title = "big"\n[network]\ninputs = 64\n{sizes}\n'
            f'[training]\nloss = "squared_error"\nlearning_rate = 0.1\n{samples}\n')
    with pytest.raises(ScenarioError, match="limit is 250,000"):  # the loader refuses it, before any plan
        parse_scenario(text)


@pytest.mark.parametrize("command", [["check"], ["trace"], ["trace", "--json"], []])
def test_the_command_line_exits_non_zero_without_a_traceback(tmp_path: Path, command):
    bad = tmp_path / "bad.toml"
    bad.write_text(replace("size = 2", "size = 0"))
    args = [sys.executable, "-m", "backprop_stepper", *command[:1], str(bad), *command[1:]]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"error: {bad}: network.layers[0].size: must be at least 1, found 0"
    assert result.stdout == ""
