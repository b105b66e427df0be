"""Long command-line work: a progress bar on a terminal's standard error, nothing elsewhere, and
`export` announcing a large file before writing it."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from backprop_stepper.core import Trace, parse_scenario
from backprop_stepper.core.export import estimated_bytes, iteration_range, write_json, write_markdown
from backprop_stepper.core.scaffold import new_scenario
from backprop_stepper.tui import cli, progress

pytestmark = pytest.mark.slow  # long runs in pseudo-terminals

NETWORK = dict(activation="relu", output_activation="linear", seed=1, samples=4, learning_rate=0.1)


def scenario_file(folder: Path, iterations: int) -> str:
    path = folder / f"run-{iterations}.toml"
    path.write_text(new_scenario([4, 8, 8, 3], iterations=iterations, **NETWORK))
    return str(path)


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def terminal_streams(monkeypatch):
    """Standard output and error replaced, error a terminal; a bar shows at once. (Replaced in
    the test itself: pytest puts its own streams back between a fixture and the test.)"""
    out, err = io.StringIO(), Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    return out, err


def run_with_terminal(args: list[str]) -> tuple[int, bytes]:
    """Run the command with standard error on a pseudo-terminal and standard output discarded;
    returns its status and everything the terminal received."""
    master, slave = os.openpty()
    process = subprocess.Popen([sys.executable, "-m", "backprop_stepper", *args], stdout=subprocess.DEVNULL,
                               stderr=slave, env=dict(os.environ, TERM="xterm-256color", COLUMNS="100"))
    os.close(slave)
    received = b""
    while True:
        if select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            received += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    return process.wait(timeout=300), received


def test_a_long_trace_json_shows_progress_on_a_real_terminal(tmp_path):
    # 369,300 events: seconds of work, past the half second before a bar appears.
    status, terminal = run_with_terminal(["trace", scenario_file(tmp_path, 300), "--json"])
    assert status == 0
    assert b"trace" in terminal and b"/300" in terminal and b"iterations" in terminal


def test_quick_work_shows_nothing(tmp_path, monkeypatch):
    out, err = io.StringIO(), Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(progress, "SHOW_AFTER", 60.0)  # work shorter than this, however loaded the machine
    assert cli.main(["trace", scenario_file(tmp_path, 3), "--json"]) == 0
    assert out.getvalue().count("\n") == 3 * 1231 and err.getvalue() == ""


def test_trace_shows_progress_on_a_terminal(tmp_path, monkeypatch):
    out, err = terminal_streams(monkeypatch)
    assert cli.main(["trace", scenario_file(tmp_path, 5), "--json"]) == 0
    assert out.getvalue().count("\n") == 5 * 1231
    assert "trace" in err.getvalue() and "5/5" in err.getvalue() and "iterations" in err.getvalue()


def test_no_progress_when_standard_error_is_not_a_terminal(tmp_path, monkeypatch):
    terminal_streams(monkeypatch)  # a bar would show at once, were standard error a terminal
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli.main(["trace", scenario_file(tmp_path, 5), "--json"]) == 0
    assert sys.stderr.getvalue() == ""


def test_no_progress_over_a_table_printed_to_the_same_terminal(tmp_path, monkeypatch):
    streams = terminal_streams(monkeypatch)
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert cli.main(["trace", scenario_file(tmp_path, 2)]) == 0
    assert sys.stdout.getvalue().count("\n") == 1 + 2 * 1231
    assert streams[1].getvalue() == ""
    # The same table into a file: a bar on the terminal.
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert cli.main(["trace", scenario_file(tmp_path, 2)]) == 0
    assert "2462/2462" in streams[1].getvalue() and "events" in streams[1].getvalue()


def test_gradcheck_of_a_late_iteration_shows_training_progress(tmp_path, monkeypatch):
    streams = terminal_streams(monkeypatch)
    cli.main(["gradcheck", scenario_file(tmp_path, 40), "--iteration", "40"])
    assert "training to iteration 40" in streams[1].getvalue() and "40/40" in streams[1].getvalue()


@pytest.mark.parametrize("format", ["json", "markdown"])
def test_export_shows_progress_and_announces_a_large_file(tmp_path, monkeypatch, format):
    streams = terminal_streams(monkeypatch)
    monkeypatch.setattr(cli, "LARGE_EXPORT_EVENTS", 1000)
    monkeypatch.setattr(cli, "LARGE_EXPORT_BYTES", 1_000_000)
    output = tmp_path / f"out.{format}"
    assert cli.main(["export", scenario_file(tmp_path, 20), "--format", format, "-o", str(output)]) == 0
    message, _, rest = streams[1].getvalue().partition("\n")
    assert message.startswith("exporting 24,620 events (20 iterations of 1,231), about ")
    assert ("MB of JSON" if format == "json" else "MB of Markdown") in message and "--iterations" in message
    announced = float(message.split("about ", 1)[1].split(" MB", 1)[0])
    assert announced == pytest.approx(output.stat().st_size / 1e6, rel=0.1, abs=0.5)
    assert f"export {format}" in rest and ("20/20" if format == "json" else "24620/24620") in rest


def test_a_large_export_is_announced_by_the_command(tmp_path):
    result = subprocess.run([sys.executable, "-m", "backprop_stepper", "export", scenario_file(tmp_path, 300),
                             "--format", "json", "-o", os.devnull, "--force"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0
    assert result.stderr.startswith("exporting 369,300 events (300 iterations of 1,231), about ")
    assert "--iterations" in result.stderr.splitlines()[0]


def test_a_small_export_is_not_announced(tmp_path):
    output = tmp_path / "o.md"
    result = subprocess.run([sys.executable, "-m", "backprop_stepper", "export", scenario_file(tmp_path, 20),
                             "-o", str(output)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == f"wrote {output} (markdown)\n"


@pytest.mark.parametrize("markdown", [True, False])
def test_the_size_estimate_is_close_to_the_file(markdown, tmp_path):
    trace = Trace(parse_scenario(new_scenario([3, 5, 2], activation="tanh", seed=2, samples=3, iterations=60)))
    iterations = iteration_range(trace, None, None)
    path = tmp_path / "out"
    with open(path, "w", encoding="utf-8") as out:
        (write_markdown if markdown else write_json)(trace, out, iterations)
    written = path.stat().st_size
    assert abs(estimated_bytes(trace, iterations, markdown) - written) <= 0.1 * written
