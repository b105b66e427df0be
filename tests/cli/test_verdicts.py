"""Honest verdicts: the gradient check, `check --strict`, `new` against the loader's limits, and
the numbers and words a person reads (event numbers, messages, headings, saved files)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backprop_stepper.core import Trace, parse_scenario, resolve
from backprop_stepper.core.catalog import find_bundled
from backprop_stepper.core.gradcheck import gradient_check, verdict
from backprop_stepper.tui.app import StepperApp
from backprop_stepper.tui.widgets.status import StatusBar


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "backprop_stepper", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)


# A 1-1-1 sigmoid network with both weights 30: every unit saturates, both gradients are ~1e-14 and
# the central difference is rounding noise (0). Relative differences are then meaningless.
SATURATED = """
title = "Saturated sigmoid 1-1-1"
[network]
inputs = 1
[[network.layers]]
size = 1
activation = "sigmoid"
weights = [[30.0]]
[[network.layers]]
size = 1
activation = "sigmoid"
weights = [[30.0]]
[training]
loss = "half_squared_error"
learning_rate = 0.5
[[training.samples]]
x = [1.0]
y = [0.5]
"""


def test_a_diverged_gradient_check_names_what_is_not_finite_and_fails(tmp_path: Path):
    scenario = tmp_path / "diverging.toml"
    made = run("new", "--layers", "1,1", "--activation", "linear", "--output-activation", "linear",
               "--learning-rate", "1000", "--iterations", "60", "--loss", "squared_error", "-o", str(scenario))
    assert made.returncode == 0, made.stderr
    result = run("gradcheck", str(scenario), "--iteration", "60")
    assert result.returncode == 5, result.stdout
    assert "all agree" not in result.stdout
    assert "2 gradients; 2 not finite" in result.stdout
    assert "∂E/∂w⁽¹⁾₁₁: the numerical estimate is nan" in result.stdout


def test_one_verdict_for_a_saturated_network_on_the_command_line(tmp_path: Path):
    scenario = tmp_path / "saturated.toml"
    scenario.write_text(SATURATED)
    checks = gradient_check(Trace(parse_scenario(SATURATED)))
    assert max(c.relative for c in checks) > 1e-5  # the relative difference alone would call this a failure
    result = run("gradcheck", str(scenario))
    assert result.returncode == 0, result.stdout
    assert "2 gradients; all agree" in result.stdout


async def test_one_verdict_for_a_saturated_network_in_the_app():
    trace = Trace(parse_scenario(SATURATED))
    app = StepperApp(trace=trace)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        report = app.screen.query_one("#gradcheck-report").render().plain
        assert "disagree" not in report
        assert verdict(gradient_check(trace)).lines[0] in report
        assert "2 gradients; all agree" in report


def _one_output(printed: str, training: str = "") -> str:
    return f"""
title = "One output"
[network]
inputs = 1
[[network.layers]]
size = 1
activation = "sigmoid"
weights = [[0.5]]
biases = [0.1]
[training]
loss = "half_squared_error"
learning_rate = 0.5
{training}
[[training.samples]]
x = [1.0]
y = [0.2]
[[printed]]
[printed.values]
{printed}
"""


def test_check_strict_fails_on_a_printed_value_that_matches_no_event(tmp_path: Path):
    scenario = tmp_path / "unmatched.toml"
    # The document prints an updated bias, but this scenario does not update biases.
    scenario.write_text(_one_output('"b[1][1]" = "0.05"', "update_biases = false"))
    relaxed = run("check", str(scenario))
    assert relaxed.returncode == 0
    assert "note: printed value for b[1][1] (iteration 1) matches no computed event" in relaxed.stdout
    strict = run("check", str(scenario), "--strict")
    assert strict.returncode == 3, strict.stdout
    assert "error: printed value for b[1][1] (iteration 1) matches no computed event" in strict.stdout


def test_the_loss_term_of_a_single_output_is_the_loss(tmp_path: Path):
    text = _one_output('"E[1]" = "0.1"\n"E" = "0.1"')
    trace = Trace(parse_scenario(text))
    assert trace.unmatched_printed == ()
    (loss_event,) = trace.find("E")
    assert trace.find("E[1]") == [loss_event]
    assert [c.printed.quantity for c in trace.printed_at(loss_event)] == ["E[1]", "E"]
    scenario = tmp_path / "loss-term.toml"
    scenario.write_text(text)
    result = run("check", str(scenario))
    assert "matches no computed event" not in result.stdout and "2 printed" in result.stdout


def test_new_refuses_what_check_would_reject_with_the_same_message(tmp_path: Path):
    layers = "16," + "64," * 11 + "10"
    # One sample is within the limit; the same network with four samples is not.
    small = tmp_path / "small.toml"
    assert run("new", "--layers", layers, "-o", str(small)).returncode == 0
    grown = tmp_path / "grown.toml"
    sample = "\n[[training.samples]]\nx = [0.1" + ", 0.1" * 15 + "]\ny = [0.5" + ", 0.5" * 9 + "]\n"
    grown.write_text(small.read_text() + sample * 3)
    checked = run("check", str(grown))
    assert checked.returncode == 1 and "274,353 events; the limit is 250,000" in checked.stderr

    refused = tmp_path / "refused.toml"
    result = run("new", "--layers", layers, "--samples", "4", "-o", str(refused))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not refused.exists()
    assert result.stderr.replace(str(refused), "FILE") == checked.stderr.replace(str(grown), "FILE")


def test_new_writes_its_counts_in_words_that_agree(tmp_path: Path):
    scenario = tmp_path / "tiny.toml"
    assert run("new", "--layers", "1,2,1", "-o", str(scenario)).returncode == 0
    text = scenario.read_text()
    assert "1 rows" not in text and "1 columns" not in text
    assert "# 2 rows (one per neuron) x 1 column (one per neuron" in text
    assert "# 1 row (one per neuron) x 2 columns (one per neuron" in text


@pytest.mark.slow
async def test_the_trace_table_numbers_events_as_the_app_does():
    table = run("trace", "sigmoid-2-2-2").stdout.splitlines()[1:]
    numbered = {line.split()[0]: line for line in table}
    assert table[0].split()[0] == "1" and len(numbered) == len(table) == 39
    app = StepperApp(trace=Trace(resolve("sigmoid-2-2-2")))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(21):
            await pilot.press("right")
        await pilot.pause()
        event = app.trace[app.event_index]
        shown = app.query_one(StatusBar).plain
        assert "event 22/39" in shown
        assert f" {event.symbol} " in numbered["22"]
    json_lines = run("trace", "sigmoid-2-2-2", "--json").stdout.splitlines()
    assert '"index": 21' in json_lines[21]


def test_every_heading_names_the_kind_then_the_symbol(traces):
    from backprop_stepper.core.formulas import heading

    for name, trace in traces.items():
        seen = set()
        for offset in range(trace.per_iteration):
            event = trace[offset]
            if (event.kind, event.sample is None) in seen:
                continue
            seen.add((event.kind, event.sample is None))
            text = heading(event.kind, event.sample is None, event.symbol)
            words = text.removesuffix(" " + event.symbol)
            assert words != text, (name, text)
            # Words only before the symbol: no "of", no symbol repeated ("error signal δ of δ_o₁").
            assert all(c.isascii() and (c.isalpha() or c == " ") for c in words), (name, text)
            assert not words.endswith(" of"), (name, text)
        assert len(seen) >= 8, name


@pytest.mark.slow
async def test_the_equations_heading_and_breakpoint_message_read_naturally():
    from backprop_stepper.tui.widgets.equations import EquationsPanel

    app = StepperApp(trace=Trace(resolve("sigmoid-2-2-2")))
    said: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify = lambda message, **options: said.append(message)
        headings = {}
        for _ in range(len(app.trace) - 1):
            headings[app.trace[app.event_index].quantity] = app.query_one(EquationsPanel).plain.splitlines()[0]
            await pilot.press("right")
        assert "activation derivative ∂h₁/∂net_h₁" in headings["da/dz[1][1]"]
        assert "loss E_total" in headings["E"]
        assert "error signal δ_o₁" in headings["delta[2][1]"]
        assert not any(" of " in line for line in headings.values())
        app.go_to(app.trace.find("delta[1][2]")[0])
        await pilot.pause()
        await pilot.press("b")
        assert said[-1] == "Breakpoint set on δ_h₂"


def test_a_row_is_counted_from_1_like_the_layer_beside_it(tmp_path: Path):
    source = find_bundled("sigmoid-2-2-2").path.read_text()  # the installed copy
    bad = tmp_path / "bad-row.toml"
    bad.write_text(source.replace("weights = [[0.40, 0.45],", "weights = [[0.40],", 1))
    result = run("check", str(bad))
    assert result.returncode == 1
    assert ("(layer 2: one row per neuron, one column per neuron of the previous layer): row 1 has 1 number"
            in result.stderr)
    assert "row 0" not in result.stderr


@pytest.mark.slow
async def test_saved_files_go_to_one_folder_and_are_numbered_readably(tmp_path, monkeypatch):
    folder = tmp_path / "saved here"
    monkeypatch.setenv("BACKPROP_STEPPER_SAVE_DIR", str(folder))  # created on first save
    monkeypatch.chdir(tmp_path)
    app = StepperApp(trace=Trace(resolve("sigmoid-2-2-2")))
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify = lambda message, **options: said.append(message)
        for _ in range(28):
            await pilot.press("right")
        await pilot.press("s")
        await pilot.press("s")
        await pilot.pause()
        shots = sorted(p.name for p in folder.glob("*.svg"))
        assert shots == ["20-sigmoid-2-2-2-event-29-2.svg", "20-sigmoid-2-2-2-event-29.svg"]
        assert said[-1] == f"Saved {folder / '20-sigmoid-2-2-2-event-29-2.svg'}"  # the full path
        app.export("markdown")
        app.export("markdown")
        assert sorted(p.name for p in folder.glob("*.md")) == ["20-sigmoid-2-2-2.solution-2.md",
                                                               "20-sigmoid-2-2-2.solution.md"]
        assert said[-1] == f"Wrote {folder / '20-sigmoid-2-2-2.solution-2.md'}"
        await pilot.press("question_mark")
        assert any(str(folder) in static.render().plain for static in app.screen.query("Static"))
    assert list(tmp_path.glob("*.svg")) == list(tmp_path.glob("*.md")) == []  # nothing in the current folder


def test_a_picked_file_name_is_taken_at_once_and_numbered_as_a_copy(monkeypatch, tmp_path):
    """One place picks a name, and picking it creates the file: two picks before anything is
    written get two names, and a failed write leaves nothing behind."""
    from backprop_stepper.tui.saving import new_file, write_new

    monkeypatch.setenv("BACKPROP_STEPPER_SAVE_DIR", str(tmp_path))
    (tmp_path / "run-event-3.svg").write_text("earlier")
    first, second = new_file("run-event-3", ".svg"), new_file("run-event-3", ".svg")
    assert (first.name, second.name) == ("run-event-3-2.svg", "run-event-3-3.svg")
    assert first.exists() and (tmp_path / "run-event-3.svg").read_text() == "earlier"
    assert write_new("run-event-3", ".svg", lambda out: out.write("<svg/>")).name == "run-event-3-4.svg"

    def broken(out):
        out.write("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_new("report", ".md", broken)
    assert not list(tmp_path.glob("report*"))


def test_the_saved_files_folder_defaults_to_the_documents_folder(monkeypatch, tmp_path):
    from backprop_stepper.tui.saving import folder

    monkeypatch.delenv("BACKPROP_STEPPER_SAVE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "Docs"))
    assert folder() == tmp_path / "Docs" / "backprop-stepper"


async def test_a_diverged_gradient_check_in_the_app_says_what_is_not_finite():
    from backprop_stepper.core.scaffold import new_scenario

    text = new_scenario([1, 1], "linear", "linear", "squared_error", iterations=60, learning_rate=1000)
    app = StepperApp(trace=Trace(parse_scenario(text)))
    async with app.run_test(size=(120, 40)) as pilot:
        app.go_to(len(app.trace) - 1)  # iteration 60
        await pilot.pause()
        await pilot.press("c")
        report = app.screen.query_one("#gradcheck-report").render().plain
        assert "agree with" not in report
        assert "2 not finite" in report and "the numerical estimate is nan" in report
        rows = [line.split() for line in report.splitlines() if line.startswith("∂E/∂")]
        # the table's numbers are written as everywhere on screen: NaN, ∞, a true minus
        assert len(rows) == 2 and all(row[2] == "NaN" and row[1][0] not in "-n" for row in rows), rows
