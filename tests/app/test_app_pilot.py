"""The stepper driven by Textual's pilot: keys in, what every panel shows and highlights out."""

from __future__ import annotations

import pytest

from backprop_stepper.core import Trace, resolve
from backprop_stepper.core.numbers import cell, exact
from backprop_stepper.tui.app import StepperApp
from backprop_stepper.tui.widgets.diagram import NetworkDiagram
from backprop_stepper.tui.widgets.equations import EquationsPanel
from backprop_stepper.tui.widgets.status import StatusBar
from backprop_stepper.tui.widgets.values import ValueTable

from ..conftest import BUNDLED


def _symbol_of(item: str) -> str:
    """The symbol an item of the diagram shows: "h₁─w₅ 0.4000" → w₅, "batch L 1.2" → L."""
    tokens = item.replace("│", " ").split()
    token = tokens[1] if tokens[0] == "batch" else tokens[0]
    return token.split("─")[-1]


def assert_in_sync(app: StepperApp) -> None:
    """All three panels (and the status line) describe the event at app.event_index."""
    trace, ledger = app.trace, app.ledger
    index = app.event_index
    event = trace[index]
    state = ledger.at(index, event)

    status = app.query_one(StatusBar).plain
    assert f"event {index + 1:,}/{len(trace):,}" in status
    assert f"▶{event.phase.value.upper()}" in status

    equations = app.query_one(EquationsPanel).plain
    assert event.formula in equations
    assert event.substituted in equations
    assert exact(event.value) in equations

    picture = app.query_one(NetworkDiagram).picture
    assert len(picture.current) == 1, picture.current
    # The diagram names the quantity as the equations and the table do: core's symbol.
    assert _symbol_of(picture.current[0]) == event.symbol, (picture.current[0], event.symbol)
    read_symbols = {trace.symbols[key] for key, _ in event.read_keys}
    for item in picture.reads:
        assert _symbol_of(item) in read_symbols, (item, event.reads)

    table = app.query_one(ValueTable)
    assert table.cursor_row == table.row_of(state.current)
    row = table.row_text(state.current)
    assert row[0] == "▶"
    assert cell(event.value) in row[3]
    for position in state.reads:
        if position != state.current:
            assert table.row_text(position)[0] == "•", (ledger.entries[position].quantity, event.quantity)


def app_for(name: str) -> StepperApp:
    return StepperApp(trace=Trace(resolve(name)))


SMALL = ["00-polynomial-derivation", "10-tanh-chain", "11-linear-chain", "20-sigmoid-2-2-2", "30-bias-2-2-1"]


@pytest.mark.slow
@pytest.mark.parametrize("name", SMALL)
async def test_every_event_forward_and_back_keeps_the_panels_in_sync(name):
    app = app_for(name)
    async with app.run_test(size=(120, 40)) as pilot:
        total = len(app.trace)
        assert_in_sync(app)
        for expected in range(1, total):
            await pilot.press("right")
            assert app.event_index == expected
            assert_in_sync(app)
        await pilot.press("right")  # at the end: nothing happens
        assert app.event_index == total - 1
        for expected in range(total - 2, -1, -1):
            await pilot.press("left")
            assert app.event_index == expected
            assert_in_sync(app)


@pytest.mark.slow
@pytest.mark.parametrize("name", BUNDLED)
async def test_every_event_of_every_scenario_in_sync_both_ways(name):
    """Every event of every bundled scenario, forward then backward, through the same watcher a
    key press runs (`position` → `show`); the key-press tests above and below cover the keys."""
    app = app_for(name)
    async with app.run_test(size=(120, 40)):
        total = len(app.trace)
        for index in [*range(total), *range(total - 2, -1, -1)]:
            app.go_to(index)
            assert_in_sync(app)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["01-polynomial-batch", "90-wide-6-10-10-4"])
async def test_large_scenarios_stay_in_sync_across_iterations(name):
    """Key presses through the start of the run and across the first iteration boundary, then
    iteration by iteration with } and {."""
    app = app_for(name)
    async with app.run_test(size=(120, 40)) as pilot:
        trace = app.trace
        steps = min(trace.per_iteration + 2, 150)
        for expected in range(1, steps):
            await pilot.press("l")
            assert app.event_index == expected
            assert_in_sync(app)
        app.go_to(trace.per_iteration - 3)
        for expected in range(trace.per_iteration - 2, trace.per_iteration + 3):  # over the boundary
            await pilot.press("right")
            assert app.event_index == expected
            assert_in_sync(app)
        for _ in range(trace.iterations):
            await pilot.press("right_curly_bracket")
            assert_in_sync(app)
        assert app.event_index == len(trace) - 1
        await pilot.press("left_curly_bracket")
        assert trace[app.event_index].iteration == trace.iterations and trace.locate(app.event_index)[1] == 0
        assert_in_sync(app)


@pytest.mark.slow
async def test_a_burst_of_200_key_presses_lands_on_the_right_event():
    app = app_for("01-polynomial-batch")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*(["right"] * 200))
        await pilot.pause()
        assert app.event_index == 200
        assert_in_sync(app)
        await pilot.press(*(["left"] * 150), *(["space"] * 50))
        await pilot.pause()
        assert app.event_index == 100
        assert_in_sync(app)


async def test_stepping_back_over_an_iteration_boundary():
    app = app_for("10-tanh-chain")
    async with app.run_test(size=(80, 24)) as pilot:
        trace = app.trace
        await pilot.press("right_curly_bracket")
        assert trace[app.event_index].iteration == 2 and trace[app.event_index].quantity == "z[1][1]"
        assert_in_sync(app)
        await pilot.press("left")
        event = trace[app.event_index]
        assert (event.iteration, event.kind.value) == (1, "bias_update")
        assert_in_sync(app)
        # The last update of iteration 1: every parameter shows old → new in the table.
        table = app.query_one(ValueTable)
        w1 = app.ledger.row_of(trace.plan.key_at(trace.find("W[1][1][1]")[0]), "parameter")
        assert table.row_text(w1)[3] == f"{cell(0.5)} → {cell(trace[trace.find('W[1][1][1]')[0]].value)}"
        # The status and equations say iteration 1; the diagram shows the new weight.
        assert "iteration 1/2" in app.query_one(StatusBar).plain
        assert "W₁  0.5366" in app.query_one(NetworkDiagram).plain
        await pilot.press("right")
        assert "iteration 2/2" in app.query_one(StatusBar).plain
        assert_in_sync(app)


async def test_phase_keys_walk_forward_loss_backward_update():
    app = app_for("20-sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        phases = [app.trace[app.event_index].phase.value]
        for _ in range(3):
            await pilot.press("right_square_bracket")
            phases.append(app.trace[app.event_index].phase.value)
            assert_in_sync(app)
        assert phases == ["forward", "loss", "backward", "update"]
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.trace[app.event_index].phase.value == "loss"
        await pilot.press("end")
        assert app.event_index == len(app.trace) - 1
        await pilot.press("home")
        assert app.event_index == 0
        assert_in_sync(app)


async def test_backward_arrows_point_left_and_forward_arrows_right():
    app = app_for("20-sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        diagram = app.query_one(NetworkDiagram)
        assert "─▶" in diagram.plain and "◀─" not in diagram.plain
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.trace[app.event_index].phase.value == "backward"
        assert "◀─" in diagram.plain and "─▶" not in diagram.plain


async def test_hidden_delta_marks_both_outgoing_paths():
    """∂E/∂h₁ reads δ_o₁, w₅, δ_o₂, w₇: all four are marked in the diagram and the table."""
    app = app_for("20-sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        app.go_to(app.trace.find("dE/da[1][1]")[0])
        await pilot.pause()
        assert_in_sync(app)
        picture = app.query_one(NetworkDiagram).picture
        assert sorted(_symbol_of(item) for item in picture.reads) == ["w₅", "w₇", "δ_o₁", "δ_o₂"]
        assert "▶∂E/∂h₁  0.0151" in app.query_one(NetworkDiagram).plain


async def test_a_softmax_output_marks_every_net_input_of_its_layer():
    """o₂ = e^z⁽²⁾₂ / Σⱼe^z⁽²⁾ⱼ depends on z⁽²⁾₁, z⁽²⁾₂ and z⁽²⁾₃: the diagram and the table mark all
    three as read, beside the exponential and the normaliser the formula divides."""
    app = app_for("40-softmax-2-3-3")
    async with app.run_test(size=(120, 40)) as pilot:
        app.go_to(app.trace.find("a[2][2]")[0])
        await pilot.pause()
        assert_in_sync(app)
        picture = app.query_one(NetworkDiagram).picture
        read = {_symbol_of(item) for item in picture.reads}
        assert {"z⁽²⁾₁", "z⁽²⁾₂", "z⁽²⁾₃"} <= read
        table = app.query_one(ValueTable)
        for quantity in ("z[2][1]", "z[2][2]", "z[2][3]", "exp[2][2]", "expsum[2]"):
            key = app.trace.key_of(quantity)
            assert table.row_text(app.ledger.row_of(key, "sample"))[0] == "•", quantity
        assert "o₂ = e^z⁽²⁾₂ / Σⱼe^z⁽²⁾ⱼ" in app.query_one(EquationsPanel).plain


async def test_go_to_an_event_number():
    app = app_for("20-sigmoid-2-2-2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await pilot.press(*"30", "enter")
        assert app.event_index == 29
        assert_in_sync(app)
        await pilot.press("g", *"999", "enter")  # out of range: the prompt stays and says why
        assert app.screen.query_one("#goto-error").render().plain.startswith("Enter a whole number from 1 to 39")
        await pilot.press("escape")
        assert app.event_index == 29


async def test_document_disagreement_is_visible_in_equations_and_table():
    app = app_for("20-sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        app.go_to(app.trace.find("a[2][1]")[0])
        await pilot.pause()
        equations = app.query_one(EquationsPanel).plain
        assert "document: 0.60635 ✗" in equations
        assert "the exact value rounds to 0.60648" in equations
        assert "σ(0.43253) = 1/(1 + e^(−0.43253))" in equations  # the scenario's note
        state = app.ledger.at(app.event_index)
        assert app.query_one(ValueTable).row_text(state.current)[4] == "0.60635✗"
        await pilot.press("home")
        assert app.query_one(ValueTable).row_text(app.ledger.at(0).current)[4] == "0.0275✓"


async def test_help_opens_and_closes():
    app = app_for("10-tanh-chain")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        assert app.screen.id == "stepper"  # back on the stepper
        await pilot.press("right")
        assert app.event_index == 1


async def test_the_picker_opens_first_and_loads_a_choice():
    app = StepperApp()
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.screen.__class__.__name__ == "PickerScreen"
        await pilot.press("down")
        details = app.screen.query_one("#picker-details").render().plain
        assert "1-1-1-1 network · 4 samples · 40 iterations · squared_error" in details
        await pilot.press("enter")  # the second bundled scenario
        assert app.trace is not None and app.trace.scenario.title.startswith("Polynomial approximation: batch")
        assert_in_sync(app)


async def test_the_picker_lists_every_scenario_by_name_at_80x24_and_quits_with_q():
    from textual.widgets import OptionList

    from backprop_stepper.core import bundled

    names = [entry.short_name for entry in bundled()]
    assert "sigmoid-2-2-2" in names and len(names) > 5
    app = StepperApp()
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.screen.query_one(OptionList)
        shown = "\n".join(picker.render_line(y).text for y in range(picker.size.height))
        for name in names:  # the name typed on the command line, every one on screen at once
            assert name in shown, (name, shown)
        keys = {key: active.binding.description for key, active in app.screen.active_bindings.items()
                if active.binding.show}
        assert keys == {"q": "Quit", "escape": "Quit"}  # nothing of the stepper's
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_keys_of_the_stepper_do_not_act_behind_the_picker():
    app = app_for("20-sigmoid-2-2-2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right", "o")
        keys = {key: active.binding.description for key, active in app.screen.active_bindings.items()
                if active.binding.show}
        assert keys == {"q": "Quit", "escape": "Back"}
        await pilot.press("l", "space", "right_square_bracket", "end")
        assert app.event_index == 1
        await pilot.press("escape")
        assert app.screen.id == "stepper" and app.event_index == 1
        await pilot.press("o", "q")
        await pilot.pause()
    assert app.return_code == 0


async def test_opening_a_bad_file_shows_the_error_and_keeps_the_scenario(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n[network]\ninputs = 0\n')
    app = app_for("10-tanh-chain")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right", "right", "o")
        app.screen.query_one("#picker-path").value = str(bad)
        await pilot.press("tab", "enter")  # focus the path field? enter submits it
        app.screen.query_one("#picker-path").focus()
        await pilot.press("enter")
        error = app.screen.query_one("#picker-error").render().plain
        assert f"{bad}: network.inputs: must be at least 1, found 0" in error
        await pilot.press("escape")
        assert app.trace.scenario.title.startswith("Tanh chain") and app.event_index == 2
        assert_in_sync(app)


async def test_a_terminal_too_small_asks_for_room_and_recovers():
    app = app_for("20-sigmoid-2-2-2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.resize_terminal(50, 14)
        await pilot.pause()
        assert app.query_one("#too-small").display and not app.query_one("#main").display
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.query_one("#main").display and not app.query_one("#too-small").display
        await pilot.press("right")
        assert_in_sync(app)


async def test_quit_key_exits():
    app = app_for("10-tanh-chain")
    async with app.run_test() as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running  # q exited the app, not the end of the test
    assert app.return_code == 0


async def test_the_wide_network_collapses_around_the_focus_at_80x24():
    app = app_for("90-wide-6-10-10-4")
    async with app.run_test(size=(80, 24)) as pilot:
        app.go_to(app.trace.find("a[2][6]")[0])
        await pilot.pause()
        picture = app.query_one(NetworkDiagram).picture
        assert picture.collapsed and not picture.closeup
        assert "⋯" in app.query_one(NetworkDiagram).plain
        # The focused neuron's group is open: its ten incoming weights are listed.
        assert all(f"w⁽²⁾₆,{sub} " in app.query_one(NetworkDiagram).plain for sub in "₁₂₃₄₅₆₇₈₉")
        assert_in_sync(app)
        diagram = app.query_one(NetworkDiagram)
        _x, y, _w, _h = picture.focus
        assert diagram.top <= y < diagram.top + diagram.view_height
        # Its net input reads those ten weights, the bias and ten activations: a close-up of them.
        app.go_to(app.trace.find("z[2][6]")[0])
        await pilot.pause()
        picture = app.query_one(NetworkDiagram).picture
        assert picture.closeup
        assert sum(1 for item in picture.reads if "w⁽²⁾₆," in item) == 10
        assert_in_sync(app)


async def test_the_footer_is_rebuilt_only_when_its_keys_change():
    app = app_for("10-tanh-chain")

    def moves():
        return [(key.key, key.has_class("-disabled")) for key in app.screen.query("FooterKey")
                if key.action.startswith("move(")]

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert moves() == [("right", False), ("left", True)]  # ← greyed out at the first event
        built = list(app.screen.query("FooterKey"))
        app.refresh_bindings()  # nothing changed: the same keys stay (a rebuild costs ~40 ms)
        app.set_focus(None)
        await pilot.pause()
        await pilot.pause()
        assert list(app.screen.query("FooterKey")) == built
        await pilot.press("end")
        await pilot.pause()
        await pilot.pause()
        assert moves() == [("right", True), ("left", False)]
        await pilot.press("home")
        await pilot.pause()
        await pilot.pause()
        assert moves() == [("right", False), ("left", True)]


async def test_next_and_back_are_greyed_out_at_the_ends():
    app = app_for("10-tanh-chain")
    async with app.run_test(size=(120, 40)) as pilot:
        enabled = lambda key: app.screen.active_bindings[key].enabled  # noqa: E731
        assert enabled("right") and not enabled("left")
        await pilot.press("right")
        assert enabled("right") and enabled("left")
        await pilot.press("end")
        await pilot.pause()
        assert not enabled("right") and enabled("left")
        await pilot.press("right")
        assert app.event_index == len(app.trace) - 1
