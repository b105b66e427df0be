"""The command line: list, check, trace, gradcheck, export and new, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backprop_stepper.core import load_scenario


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "backprop_stepper", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_list_names_every_bundled_scenario():
    result = run("list")
    assert result.returncode == 0
    for name in ("00-polynomial-derivation", "10-tanh-chain", "20-sigmoid-2-2-2", "30-bias-2-2-1", "90-wide-6-10-10-4"):
        assert name in result.stdout


def test_check_reports_the_documents_disagreements():
    result = run("check", "sigmoid-2-2-2")
    assert result.returncode == 0
    assert "45 printed, 11 agree with the exact value at the printed precision, 34 differ" in result.stdout
    assert "a[2][1]" in result.stdout and "printed 0.60635" in result.stdout and "rounds to 0.60648" in result.stdout
    assert run("check", "sigmoid-2-2-2", "--strict").returncode == 3
    assert run("check", "30-bias-2-2-1", "--strict").returncode == 0  # no printed values: nothing disagrees


def test_trace_table_and_one_iteration():
    result = run("trace", "tanh-chain", "--iteration", "2")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + 28 and lines[1].split()[0] == "29"  # header + iteration 2's events, numbered on from 1
    assert "z₁ = W₁·x + b₁" in result.stdout


def test_gradcheck_agrees_for_the_correct_backward_pass():
    result = run("gradcheck", "sigmoid-2-2-2")
    assert result.returncode == 0
    assert "8 gradients; all agree" in result.stdout
    assert "∂E/∂w₅" in result.stdout


def test_export_markdown_and_json(tmp_path: Path):
    markdown = tmp_path / "solution.md"
    result = run("export", "sigmoid-2-2-2", "--format", "markdown", "-o", str(markdown))
    assert result.returncode == 0, result.stderr
    text = markdown.read_text()
    assert text.startswith("# Sigmoid 2-2-2 network")
    assert r"$$" in text and r"\mathrm{net}_{h1} = I_{1} \cdot w_{1} + I_{2} \cdot w_{2}" in text
    assert "The document prints 0.60635" in text and "rounds to 0.60648" in text  # the slip, named
    assert "σ(0.43253) = 1/(1 + e^(−0.43253))" in text  # the scenario's note
    assert text.count("**") // 2 == 39  # one titled block per event

    data = tmp_path / "trace.json"
    assert run("export", "tanh-chain", "--format", "json", "-o", str(data)).returncode == 0
    exported = json.loads(data.read_text())
    assert len(exported["events"]) == 56 and [round(x, 3) for x in exported["losses"]] == [10.261, 9.018]
    assert exported["events"][0]["formula"] == "z₁ = W₁·x + b₁"


def test_export_never_overwrites_unless_asked(tmp_path: Path):
    target = tmp_path / "mine.md"
    target.write_text("my notes")
    result = run("export", "tanh-chain", "-o", str(target))
    assert result.returncode == 1 and "exists already" in result.stderr and "Traceback" not in result.stderr
    assert target.read_text() == "my notes"
    assert run("export", "tanh-chain", "-o", str(target), "--force").returncode == 0
    assert target.read_text().startswith("# Tanh chain")


def test_export_selected_iterations_to_stdout():
    result = run("export", "01-polynomial-batch", "--format", "json", "--iterations", "2-3", "-o", "-")
    exported = json.loads(result.stdout)
    assert {e["iteration"] for e in exported["events"]} == {2, 3}
    assert len(exported["losses"]) == 2


def test_new_writes_a_valid_commented_scenario(tmp_path: Path):
    target = tmp_path / "mine.toml"
    result = run("new", "--layers", "2,3,1", "--activation", "tanh", "--seed", "7", "-o", str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text()
    assert text.count("#") >= 5  # commented
    scenario = load_scenario(target)
    assert scenario.shape_label == "2-3-1" and scenario.layers[0].activation == "tanh" and scenario.warnings == ()
    # Xavier/Glorot scale: weights of a 2→3 layer have standard deviation √(2/5) ≈ 0.63, not 1 or 0.01.
    assert 0.05 < abs(scenario.layers[0].weights).mean() < 1.5
    assert run("check", str(target)).returncode == 0
    # The same seed gives the same file; another seed another network.
    again = tmp_path / "again.toml"
    run("new", "--layers", "2,3,1", "--activation", "tanh", "--seed", "7", "-o", str(again))
    assert again.read_text() == text
    assert run("new", "--layers", "2,3,1", "-o", str(target)).returncode == 1  # exists: refused
    assert target.read_text() == text


@pytest.mark.parametrize(("args", "message"), [
    (["--layers", "2"], "at least two layer sizes"),
    (["--layers", "2,x,1"], "sizes such as 2,3,1"),
    (["--layers", "2,3,1", "--activation", "softmax"], "unknown activation"),
])
def test_new_rejects_bad_options(tmp_path: Path, args, message):
    result = run("new", *args, "-o", str(tmp_path / "x.toml"))
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_the_app_rejects_an_unknown_theme():
    result = run("sigmoid-2-2-2", "--theme", "neon")
    assert result.returncode == 2 and "unknown theme 'neon'" in result.stderr and "lecture-dark" in result.stderr


def test_start_up_pauses_the_cycle_collector_then_exempts_what_it_built():
    import gc

    from backprop_stepper.tui.launch import collector_paused

    assert gc.isenabled()
    try:
        with pytest.raises(ValueError), collector_paused():
            assert not gc.isenabled()
            built = [[n] for n in range(1000)]
            raise ValueError("start-up failed")  # the collector must come back even so
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(built)
    finally:
        gc.unfreeze()


def test_the_compare_help_names_the_classic_mistakes_of_the_variants_table():
    from backprop_stepper.core.variants import VARIANTS

    result = run("--help")
    said = " ".join(result.stdout.split())  # argparse wraps the help to the terminal's width
    assert result.returncode == 0
    for v in VARIANTS:
        assert (v.option in said) == v.mistake, v.option
