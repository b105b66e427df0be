"""Lecture and custom-scenario features, driven by the pilot: themes, maximise, autoplay, the
command palette, the matrix view, gradient check, the loss curve, file reloading, screenshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from backprop_stepper.core import Trace, bundled, load_scenario, resolve
from backprop_stepper.core.quantities import Phase
from backprop_stepper.tui.app import StepperApp
from backprop_stepper.tui.widgets.diagram import NetworkDiagram
from backprop_stepper.tui.widgets.equations import EquationsPanel
from backprop_stepper.tui.widgets.losscurve import LossCurve
from backprop_stepper.tui.widgets.status import StatusBar
from backprop_stepper.tui.widgets.values import ValueTable

pytestmark = pytest.mark.slow  # each test starts the app (themes in fresh interpreters, autoplay timers)


def app_for(name: str, **options) -> StepperApp:
    return StepperApp(trace=Trace(resolve(name)), **options)


async def wait_until(pilot, condition, timeout: float = 10.0) -> None:
    """Timers run in real time: wait for a condition rather than a fixed delay."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


async def test_lecture_themes_by_option_and_environment(monkeypatch):
    async with app_for("sigmoid-2-2-2", theme="lecture-light").run_test() as pilot:
        assert pilot.app.theme == "lecture-light"
        assert {"lecture-dark", "lecture-light"} <= set(pilot.app.available_themes)
    monkeypatch.setenv("TEXTUAL_THEME", "lecture-dark")
    async with app_for("sigmoid-2-2-2").run_test() as pilot:
        assert pilot.app.theme == "lecture-dark"


# Textual reads TEXTUAL_THEME when it is first imported, so only a fresh interpreter started with
# the variable set sees what a lecturer sees: the colours the screen is painted with.
THEME_PROBE = """
import asyncio
from backprop_stepper.core import Trace, resolve
from backprop_stepper.tui.app import StepperApp

async def main():
    app = StepperApp(trace=Trace(resolve("sigmoid-2-2-2")), watch=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        print(app.theme, app.screen.styles.background.hex)

asyncio.run(main())
"""


@pytest.mark.parametrize("theme, background", [("lecture-light", "#FFFFFF"), ("lecture-dark", "#000000"),
                                               ("nord", "#2E3440")])
def test_textual_theme_variable_paints_the_screen(theme, background):
    environment = {**os.environ, "TEXTUAL_THEME": theme}
    result = subprocess.run([sys.executable, "-c", THEME_PROBE], env=environment, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [theme, background]


@pytest.mark.slow
async def test_palette_switches_theme_and_jumps_to_a_symbol():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"lecture light", "enter")
        await pilot.pause()
        assert app.theme == "lecture-light"
        for query, quantity in [("δ_o1", "delta[2][1]"), ("dE/dw1", "dE/dW[1][1][1]"), ("w5 (update)", "W[2][1][1]")]:
            await pilot.press("home", "ctrl+p")
            await pilot.press(*query)
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            assert app.trace[app.event_index].quantity == quantity, query
        await pilot.press("ctrl+p", *"iteration 1", "enter")
        await pilot.pause()
        assert app.event_index == 0


async def test_palette_jumps_to_a_phase_and_iteration():
    app = app_for("tanh-chain")
    async with app.run_test(size=(120, 40)) as pilot:
        app.goto_phase(Phase.BACKWARD)
        await pilot.pause()
        event = app.trace[app.event_index]
        assert event.phase is Phase.BACKWARD and app.trace[app.event_index - 1].phase is Phase.LOSS
        app.goto_iteration(2)
        await pilot.pause()
        assert app.trace[app.event_index].iteration == 2 and app.trace.locate(app.event_index)[1] == 0


async def test_maximise_the_equations_and_restore():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        assert isinstance(app.screen.maximized, EquationsPanel)
        panel = app.query_one(EquationsPanel)
        assert panel.spacious and panel.size.height > 15  # the whole screen, lines spaced out
        await pilot.press("right")
        assert "h₁ = σ(net_h₁)" in panel.plain
        await pilot.press("m")
        assert app.screen.maximized is None and not panel.spacious
        await pilot.press("end", "m")  # a step whose equations had grown the panel
        await pilot.pause()
        assert panel.region.y == 0 and panel.size.height > 15, panel.region


async def test_autoplay_steps_changes_speed_and_stops_at_phase_boundaries():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*(["plus"] * 9))  # the fastest speed
        await pilot.press("p")
        assert "playing" in app.query_one(StatusBar).plain
        await wait_until(pilot, lambda: app.event_index > 2)
        await pilot.press("p")
        moved = app.event_index
        await pilot.pause(0.3)
        assert app.event_index == moved and app.autoplay_timer is None  # paused
        await pilot.press("home", "P", "p")  # stop at the next phase boundary
        await wait_until(pilot, lambda: app.autoplay_timer is None)
        assert app.trace[app.event_index].phase is Phase.LOSS and app.trace[app.event_index - 1].phase is Phase.FORWARD


async def test_autoplay_stops_at_the_end():
    app = app_for("tanh-chain")
    async with app.run_test() as pilot:
        await pilot.press(*(["plus"] * 9), "end", "left", "left", "p")
        await wait_until(pilot, lambda: app.autoplay_timer is None)
        assert app.event_index == len(app.trace) - 1


async def test_matrix_view_steps_a_layer_at_a_time():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        equations = app.query_one(EquationsPanel).plain
        assert "net inputs of layer 1 (matrix view)" in equations and "z⁽¹⁾ = W⁽¹⁾x" in equations
        assert "⎡0.1500 0.2000⎤" in equations and "⎣0.0425⎦" in equations
        assert app.event_index == 2  # the last net input of layer 1
        table = app.query_one(ValueTable)
        marked = [e for e in range(len(app.ledger)) if table.row_text(e)[0] == "▶"]
        assert [app.ledger.entries[e].quantity for e in marked] == ["z[1][1]", "z[1][2]"]
        await pilot.press("right", "right")
        assert "net inputs of layer 2" in app.query_one(EquationsPanel).plain
        for _ in range(3):
            await pilot.press("right")
        equations = app.query_one(EquationsPanel).plain
        assert "δ⁽²⁾ = (a⁽²⁾ − t) ⊙ σ′(z⁽²⁾)" in equations and "⎡ 0.1424⎤" in equations
        picture = app.query_one(NetworkDiagram).picture
        assert len(picture.current) >= 2  # the whole layer's error signals are marked
        await pilot.press("left")
        assert "loss (matrix view)" in app.query_one(EquationsPanel).plain
        await pilot.press("v")
        assert "matrix view" not in app.query_one(EquationsPanel).plain


async def test_gradient_check_view_lists_every_parameter():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        report = app.screen.query_one("#gradcheck-report").render().plain
        assert "∂E/∂w₅" in report and "∂E/∂w₁" in report
        assert "8 gradients; all agree with their numerical estimates" in report
        await pilot.press("escape")
        assert app.screen.id == "stepper"  # back on the stepper


async def test_loss_curve_shows_every_iteration_and_marks_the_current_one():
    app = app_for("tanh-chain")
    async with app.run_test(size=(120, 40)) as pilot:
        curve = app.query_one(LossCurve)
        await wait_until(pilot, lambda: "computing" not in curve.plain and "→" in curve.plain)
        assert curve.display
        assert "10.26 → 9.018" in curve.plain and "iteration 1: 10.26" in curve.plain
        await pilot.press("right_curly_bracket")
        assert "iteration 2: 9.018" in curve.plain
    async with app_for("sigmoid-2-2-2").run_test() as pilot:
        assert not pilot.app.query_one(LossCurve).display  # one iteration: no curve


async def test_long_runs_open_at_once_and_the_curve_fills_in(tmp_path):
    from backprop_stepper.core.scaffold import new_scenario

    path = tmp_path / "long.toml"
    path.write_text(new_scenario([2, 3, 1], seed=1, iterations=3000, learning_rate=0.3))
    app = StepperApp(trace=Trace(load_scenario(path)))
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.trace.training.computed_through == 1  # the first frame needed one iteration
        curve = app.query_one(LossCurve)
        await wait_until(pilot, lambda: "computing" not in curve.plain, timeout=60)
        assert "iteration 1:" in curve.plain


async def test_a_diverged_run_finishes_its_curve_and_says_where_it_diverged(tmp_path):
    from backprop_stepper.core.scaffold import new_scenario

    path = tmp_path / "diverging.toml"
    path.write_text(new_scenario([1, 1], activation="linear", iterations=200, learning_rate=1000,
                                 loss="squared_error"))
    losses = Trace(load_scenario(path)).losses()
    diverged = int(np.argmin(np.isfinite(losses))) + 1  # the first iteration whose loss is not finite
    assert 1 < diverged < 200 and not np.isfinite(losses[-1])
    app = StepperApp(trace=Trace(load_scenario(path)), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        curve = app.query_one(LossCurve)
        await wait_until(pilot, lambda: "computing" not in curve.plain, timeout=60)
        first_bad = "NaN" if np.isnan(losses[diverged - 1]) else "∞"
        assert f"diverged at iteration {diverged}: loss {first_bad}" in curve.plain
        assert "✗" in curve.plain  # the diverged iterations are marked on the curve
        await pilot.press("end")
        assert f"iteration 200: {'NaN' if np.isnan(losses[-1]) else '∞'}" in curve.plain


async def test_the_scenario_reloads_when_its_file_changes(tmp_path):
    path = tmp_path / "chain.toml"
    shutil.copy(next(b for b in bundled() if b.name == "10-tanh-chain").path, path)
    app = StepperApp(trace=Trace(load_scenario(path)))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("right", "right", "right")
        path.write_text(path.read_text().replace("learning_rate = 0.01", "learning_rate = 0.02"))
        app.check_file()
        await pilot.pause()
        assert app.trace.scenario.learning_rate == 0.02 and app.event_index == 3  # the same place
        last_good = app.trace
        path.write_text(path.read_text().replace('size = 1\nactivation = "tanh"', 'size = 0\nactivation = "tanh"', 1))
        app.check_file()
        await pilot.pause()
        assert app.trace is last_good  # the broken file is not loaded
        shown = shown_notifications(app)
        assert any("network.layers[0].size: must be at least 1" in m for m in shown), shown
        await pilot.press("right")
        assert app.event_index == 4  # still usable
        # Fixed again: the stale error goes, only the news of the reload stays.
        path.write_text(path.read_text().replace('size = 0\nactivation = "tanh"', 'size = 1\nactivation = "tanh"', 1))
        app.check_file()
        await pilot.pause()
        assert app.trace is not last_good
        shown = shown_notifications(app)
        assert any("Reloaded chain.toml" in m for m in shown)
        assert not any("not reloaded" in m for m in shown), shown


def shown_notifications(app: StepperApp) -> list[str]:
    """The text of the notifications on screen, as a person reads them."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def write_network(path, sizes, iterations: int = 3) -> None:
    from backprop_stepper.core.scaffold import new_scenario

    path.write_text(new_scenario(sizes, iterations=iterations, seed=3))


async def test_reloading_keeps_the_place_by_meaning(tmp_path):
    """An edit that changes the network's size renumbers every event after it: the place kept
    is the same iteration, phase and quantity, not the same event number."""
    path = tmp_path / "net.toml"
    write_network(path, [2, 2, 2])
    app = StepperApp(trace=Trace(load_scenario(path)))
    async with app.run_test(size=(120, 40)) as pilot:
        def reload_as(sizes, iterations=3):
            write_network(path, sizes, iterations)
            app.check_file()

        # δ_o₁ in iteration 2: it still exists in a smaller network
        before = app.trace
        app.go_to(before.find("delta[2][1]", iteration=2)[0])
        await pilot.pause()
        reload_as([2, 1, 2])
        await pilot.pause()
        event = app.trace[app.event_index]
        assert (event.quantity, event.iteration) == ("delta[2][1]", 2)
        assert app.trace.per_iteration < before.per_iteration  # the numbers did change
        # The last update of iteration 1, a weight that a smaller network no longer has: the
        # same iteration and phase, as near as the phase allows.
        reload_as([2, 2, 2])
        await pilot.pause()
        last_of_first = app.trace.index_of(1, app.trace.per_iteration - 1)
        gone = app.trace[last_of_first].quantity
        app.go_to(last_of_first)
        await pilot.pause()
        reload_as([2, 1, 2])
        await pilot.pause()
        event = app.trace[app.event_index]
        assert event.iteration == 1 and event.phase is Phase.UPDATE, (gone, event.quantity)
        assert app.trace.find(gone) == []
        # Fewer iterations than the one shown: the last one, at the same quantity
        app.go_to(app.trace.find("delta[1][1]", iteration=3)[0])
        await pilot.pause()
        reload_as([2, 1, 2], iterations=2)
        await pilot.pause()
        event = app.trace[app.event_index]
        assert (event.quantity, event.iteration) == ("delta[1][1]", 2)


async def test_screenshot_and_export_write_new_files_only(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STEPPER_SAVE_DIR", str(tmp_path))
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right", "s")
        await pilot.pause()
        shots = list(tmp_path.glob("*.svg"))
        assert len(shots) == 1 and "event-2" in shots[0].name and shots[0].read_text().startswith("<svg")
        app.export("markdown")
        app.export("markdown")  # a second export never replaces the first
        solutions = sorted(tmp_path.glob("*.md"))
        assert len(solutions) == 2 and all(p.read_text().startswith("# Sigmoid 2-2-2") for p in solutions)
        app.export("json")
        assert len(list(tmp_path.glob("*.json"))) == 1


async def test_every_panel_repaints_its_marks_in_a_new_themes_colours():
    from textual.color import Color
    from textual.geometry import Region

    def marks(app) -> dict[str, set[str]]:
        """Per panel, the colours of the current item's mark (reverse video)."""
        found = {}
        for panel in app.query("#diagram, #values-table"):
            found[panel.id] = {segment.style.color.triplet.hex
                               for strip in panel.render_lines(Region(0, 0, *panel.size))
                               for segment in strip if segment.style and segment.style.reverse}
        return found

    def near(hex_colour: str, expected: str) -> bool:
        return all(abs(a - b) <= 2 for a, b in zip(Color.parse(hex_colour).rgb, Color.parse(expected).rgb, strict=True))

    app = app_for("sigmoid-2-2-2", theme="lecture-dark")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right")
        for colours in marks(app).values():
            assert len(colours) == 1 and near(colours.pop(), "#FFD700")  # lecture-dark's accent
        app.theme = "lecture-light"
        await pilot.pause()
        for colours in marks(app).values():
            assert len(colours) == 1 and near(colours.pop(), "#0033CC")  # lecture-light's accent


def contrast(foreground, background) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    def luminance(color) -> float:
        def channel(value: int) -> float:
            value /= 255
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("theme", ["textual-dark", "lecture-dark", "lecture-light"])
async def test_a_selected_row_keeps_every_mark_readable(theme):
    """Every row of the value table, selected in turn: each character painted on it (the
    document's ✓/✗ values, the ▶ value, symbols and ids) keeps WCAG contrast ≥ 4.5 against the
    colour behind it, as Textual resolves the theme's colours."""
    from textual.color import Color
    from textual.geometry import Region

    app = app_for("sigmoid-2-2-2", theme=theme, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.go_to(next(i for i, c in app.trace.comparisons() if not c.agrees))  # ✓ and ✗ both shown
        table = app.query_one(ValueTable)
        table.focus()
        await pilot.pause()
        checked = set()
        for row in range(table.content_height):
            table.action_move_cursor(row - table.cursor_row)
            await pilot.pause()
            y = table.chrome_top + table.cursor_row - table.top
            [strip] = table.render_lines(Region(0, y, table.size.width, 1))
            text = strip.text
            for mark in "✓✗▶":
                if mark in text:
                    checked.add(mark)
            for segment in strip:
                if not segment.text.strip() or segment.text.strip() in "│┃":
                    continue
                style = segment.style
                fg, bg = Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
                if style.reverse:
                    fg, bg = bg, fg
                ratio = contrast(fg, bg)
                assert ratio >= 4.5, (theme, segment.text, fg.hex, bg.hex, round(ratio, 2))
        assert checked == set("✓✗▶")  # the rows that matter were among them
