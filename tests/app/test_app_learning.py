"""Learning modes through the pilot: predict-then-reveal, why this number, breakpoints and
conditional runs, comparing with a classic-mistake variant, lesson notes."""

from __future__ import annotations

import shutil

import pytest
from textual.geometry import Region
from textual.widgets import DataTable, Static

from backprop_stepper.core import Trace, bundled, load_scenario, resolve
from backprop_stepper.core.predict import kinds_from
from backprop_stepper.tui.app import StepperApp
from backprop_stepper.tui.widgets.answer import AnswerBox
from backprop_stepper.tui.widgets.diagram import NetworkDiagram
from backprop_stepper.tui.widgets.equations import EquationsPanel
from backprop_stepper.tui.widgets.status import StatusBar
from backprop_stepper.tui.widgets.values import ValueTable

pytestmark = pytest.mark.slow  # each test starts the app and plays a teaching mode through


def app_for(name: str, **options) -> StepperApp:
    return StepperApp(trace=Trace(resolve(name)), **options)


def record_notifications(app) -> list[str]:
    said: list[str] = []
    notify = app.notify

    def recording(message, **options):
        said.append(str(message))
        return notify(message, **options)

    app.notify = recording
    return said


async def to_quantity(app, pilot, quantity: str) -> None:
    app.go_to(app.trace.find(quantity)[0])
    await pilot.pause()


# -- predict, then reveal -------------------------------------------------------------------------

async def test_predict_right_first_time_then_moves_on():
    app = app_for("sigmoid-2-2-2", predict=kinds_from("deltas"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket", "right_square_bracket", "right", "right")
        assert app.trace[app.event_index].quantity == "delta[2][1]"
        equations = app.query_one(EquationsPanel).plain
        assert "PREDICT" in equations and "What is δ_o₁?" in equations
        assert "0.1423568" not in equations  # hidden
        table = app.query_one(ValueTable)
        current = app.ledger.at(app.event_index).current
        assert table.row_text(current)[3] == "·"  # hidden in the table too
        assert app.query_one(AnswerBox).has_focus
        await pilot.press("right")
        assert app.trace[app.event_index].quantity == "delta[2][1]"  # blocked until answered
        await pilot.press(*"0.14236", "enter")
        assert "✓ right: δ_o₁ = 0.14235686" in app.query_one(EquationsPanel).plain
        assert table.row_text(current)[3] == "0.14235686"
        assert "predict 1/1 first try · 1 answer" in app.query_one(StatusBar).plain
        await pilot.press("right")
        assert app.trace[app.event_index].quantity == "dE/dW[2][1][1]"


async def test_predict_names_a_slip_gives_two_hints_then_reveals():
    app = app_for("sigmoid-2-2-2", predict=kinds_from("deltas"))
    async with app.run_test(size=(120, 40)) as pilot:
        await to_quantity(app, pilot, "delta[2][1]")
        await pilot.press(*"-0.14236", "enter")
        equations = app.query_one(EquationsPanel).plain
        assert "✗ not quite: the sign is flipped" in equations
        assert "hint 1: δ_o₁ = ∂E/∂o₁ · ∂o₁/∂net_o₁" in equations and "hint 2" not in equations
        await pilot.press("enter")  # an empty line: the next hint
        equations = app.query_one(EquationsPanel).plain
        assert "hint 2: = 0.596478 × 0.238662" in equations
        await pilot.press("enter")  # hints used up: the answer
        equations = app.query_one(EquationsPanel).plain
        assert "revealed: δ_o₁ = 0.14235686" in equations and "PREDICT" not in equations
        assert app.session.done[app.event_index] == "revealed"
        assert "predict 0/1 first try · 1 answer" in app.query_one(StatusBar).plain


async def test_predict_names_the_forgotten_activation_derivative_and_one_path():
    app = app_for("sigmoid-2-2-2", predict=kinds_from("deltas,errors"))
    async with app.run_test(size=(120, 40)) as pilot:
        await to_quantity(app, pilot, "delta[2][1]")
        await pilot.press(*"0.5965", "enter")
        assert "the activation derivative is forgotten" in app.query_one(EquationsPanel).plain
        await to_quantity(app, pilot, "dE/da[1][1]")
        await pilot.press(*"0.05694", "enter")
        assert "only one path" in app.query_one(EquationsPanel).plain


async def test_predict_summary_at_the_end_can_be_saved(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STEPPER_SAVE_DIR", str(tmp_path))
    app = app_for("tanh-chain", predict=kinds_from("updates"))
    async with app.run_test(size=(120, 40)) as pilot:
        trace = app.trace
        last = len(trace) - 1
        app.go_to(last)
        await pilot.pause()
        await pilot.press(*str(trace.value(last)), "enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "SummaryScreen"
        table = app.screen.query_one("#summary-table", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]
        assert rows == [["update", "1", "1", "0", "0", "1"], ["all", "1", "1", "0", "0", "1"]]
        await pilot.press("s")
        saved = list(tmp_path.glob("*.predict-report.md"))
        assert len(saved) == 1 and saved[0].read_text().startswith("# Predict-then-reveal")
        assert "| update | 1 | 1 | 0 | 0 | 1 |" in saved[0].read_text()  # the file stays Markdown


async def test_predict_summary_is_a_table_on_screen_not_markdown():
    app = app_for("tanh-chain", predict=kinds_from("updates"))
    async with app.run_test(size=(80, 24)) as pilot:
        last = len(app.trace) - 1
        app.go_to(last)
        await pilot.pause()
        await pilot.press("1", "enter", "2", "enter", *str(app.trace.value(last)), "enter")
        await pilot.pause()
        shown = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "|" not in shown and "**" not in shown
        table = app.screen.query_one("#summary-table", DataTable)
        assert [str(c) for c in table.get_row_at(table.row_count - 1)] == ["all", "1", "0", "1", "0", "3"]


async def test_two_misses_then_a_hit_counts_as_after_hints_in_the_status_line():
    app = app_for("sigmoid-2-2-2", predict=kinds_from("deltas"))
    async with app.run_test(size=(120, 40)) as pilot:
        await to_quantity(app, pilot, "delta[2][1]")
        await pilot.press("1", "enter", "2", "enter", *"0.14236", "enter")
        assert "✓ right" in app.query_one(EquationsPanel).plain
        assert "predict 0/1 first try · 3 answers" in app.query_one(StatusBar).plain


async def test_switching_predict_off_removes_the_answer_box():
    app = app_for("sigmoid-2-2-2", predict=kinds_from("deltas"))
    async with app.run_test(size=(120, 40)) as pilot:
        await to_quantity(app, pilot, "delta[2][1]")
        await pilot.press("1", "tab", "a")
        assert app.session is None
        assert not app.query(AnswerBox)
        assert "PREDICT" not in app.query_one(EquationsPanel).plain
        await pilot.press("right", "right")  # stepping goes on, nothing of the mode comes back
        assert app.event_index == app.trace.find("delta[2][1]")[0] + 2
        assert not app.query(AnswerBox) and "predict" not in app.query_one(StatusBar).plain


async def test_the_answer_box_takes_numbers_and_lets_every_other_key_through():
    app = app_for("sigmoid-2-2-2", predict=kinds_from("deltas"))
    async with app.run_test(size=(120, 40)) as pilot:
        await to_quantity(app, pilot, "delta[2][1]")
        box = app.query_one(AnswerBox)
        asked = app.event_index
        said = record_notifications(app)
        await pilot.press(*"-1.5e", "backspace", "x")
        assert box.value == "-1.5" and "takes a number" in said[-1]  # x is refused, with a message
        await pilot.press("right")  # refused with a message, the cursor stays in the box
        assert app.event_index == asked and box.has_focus and said[-1].startswith("Answer first")
        await pilot.press("escape")  # Esc always leaves the box; the question stays
        assert not box.has_focus and box.display and app.event_index == asked
        await pilot.press("w")
        assert "WHY" not in app.query_one(EquationsPanel).plain  # it would show the value
        await pilot.press("right")  # back into the box
        assert box.has_focus and app.event_index == asked
        await pilot.press("left_square_bracket")  # the jump keys navigate, they are not typed
        assert box.value == "" and app.event_index < asked
        await to_quantity(app, pilot, "delta[2][1]")
        assert box.has_focus and box.value == ""  # arriving at a question: an empty box
        await pilot.press("g")
        assert app.screen.__class__.__name__ == "PromptScreen" and box.value == ""


async def test_predict_mode_can_be_switched_on_in_the_app():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        assert app.session is not None
        assert "PREDICT" in app.query_one(EquationsPanel).plain  # every kind: the first net input too
        await pilot.press(*"0.0275", "enter", "right")
        assert app.event_index == 1


# -- why this number? -------------------------------------------------------------------------------

async def test_why_an_output_weight_has_one_path():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_quantity(app, pilot, "dE/dW[2][1][1]")
        await pilot.press("w")
        equations = app.query_one(EquationsPanel).plain
        assert "WHY" in equations
        assert "is the product of the local derivatives along the one path from the loss" in equations
        assert "path 1: ∂E/∂o₁ × ∂o₁/∂net_o₁ × h₁" in equations
        await pilot.press("escape")
        assert "WHY" not in app.query_one(EquationsPanel).plain


async def test_why_a_hidden_weight_sums_the_paths_and_marks_every_factor():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_quantity(app, pilot, "dE/dW[1][1][1]")
        await pilot.press("w")
        equations = app.query_one(EquationsPanel).plain
        assert "path 1: ∂E/∂o₁ × ∂o₁/∂net_o₁ × w₅ × ∂h₁/∂net_h₁ × I₁" in equations
        assert "path 2: ∂E/∂o₂ × ∂o₂/∂net_o₂ × w₇ × ∂h₁/∂net_h₁ × I₁" in equations
        # each path's product is written on the total line as on its own line (six digits, as in formulas)
        assert "total: 0.00071165 + (−0.000523394) = 0.0001882556669" in equations
        assert "= 0.00071165\n" in equations and "= −0.000523394\n" in equations
        reads = app.query_one(NetworkDiagram).picture.reads
        assert any("w₅" in r for r in reads) and any("w₇" in r for r in reads) and any("I₁" in r for r in reads)
        table = app.query_one(ValueTable)
        marked = {app.ledger.entries[e].quantity for e in range(len(app.ledger)) if table.row_text(e)[0] == "•"}
        assert {"W[2][1][1]", "W[2][2][1]", "dE/da[2][1]", "dE/da[2][2]", "da/dz[1][1]", "x[1]"} <= marked
        await pilot.press("right")  # moving on closes the explanation
        assert "WHY" not in app.query_one(EquationsPanel).plain


async def test_why_on_a_value_table_row():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("end")
        table = app.query_one(ValueTable)
        table.focus()
        entry = next(n for n, e in enumerate(app.ledger.entries) if e.quantity == "delta[1][1]")
        table.select_row(table.row_of(entry))
        await pilot.press("w")
        equations = app.query_one(EquationsPanel).plain
        assert "WHY  δ_h₁ = 0.003765113339" in equations and "path 2" in equations


# -- breakpoints and conditional runs ---------------------------------------------------------------

async def test_breakpoints_run_to_and_survive_a_reload(tmp_path):
    path = tmp_path / "chain.toml"
    shutil.copy(next(b for b in bundled() if b.name == "10-tanh-chain").path, path)
    app = StepperApp(trace=Trace(load_scenario(path)))
    async with app.run_test(size=(120, 40)) as pilot:
        await to_quantity(app, pilot, "delta[2][1]")
        await pilot.press("b", "home", "r")
        assert app.trace[app.event_index].quantity == "delta[2][1]" and app.trace[app.event_index].iteration == 1
        await pilot.press("r")
        assert app.trace[app.event_index].quantity == "delta[2][1]" and app.trace[app.event_index].iteration == 2
        assert "◆ 1 breakpoint" in app.query_one(StatusBar).plain
        path.write_text(path.read_text().replace("learning_rate = 0.01", "learning_rate = 0.03"))
        app.check_file()
        await pilot.pause()
        assert app.trace.scenario.learning_rate == 0.03 and app.breakpoints == {"delta[2][1]"}
        await pilot.press("home", "r")
        assert app.trace[app.event_index].quantity == "delta[2][1]"
        entry = next(n for n, e in enumerate(app.ledger.entries) if e.quantity == "delta[2][1]")
        assert app.query_one(ValueTable).breakpoints == {entry}


async def test_breakpoint_on_a_table_row_and_conditional_runs():
    app = app_for("01-polynomial-batch")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()  # start-up's first show() selects the current event's row: let it happen first
        table = app.query_one(ValueTable)
        table.focus()
        await pilot.pause()  # focus() takes effect in a later callback: without this, `b` can arrive first
        entry = next(n for n, e in enumerate(app.ledger.entries)
                     if e.quantity == "dE/dW[1][1][1]" and e.scope == "sample")
        table.select_row(table.row_of(entry))
        await pilot.press("b")
        app.set_focus(None)
        await pilot.press("r")
        assert app.trace[app.event_index].quantity == "dE/dW[1][1][1]"
        app.run_to_end_of_phase()
        assert app.trace[app.event_index + 1].phase.value == "forward"  # the end of sample 1's backward pass
        app.run_to_end_of_iteration()
        assert app.trace.locate(app.event_index) == (1, app.trace.per_iteration - 1)
        await to_quantity(app, pilot, "dE/dW[3][1][1]")
        app.run_until_sign_change()
        await pilot.pause()
        assert app.trace[app.event_index].quantity == "dE/dW[3][1][1]" and app.trace[app.event_index].value < 0
        app.run_until_loss_below()
        await pilot.pause()
        await pilot.press(*"1.0", "enter")
        event = app.trace[app.event_index]
        assert event.quantity == "E" and app.trace.losses(event.iteration)[-1] < 1.0


# -- compare with a classic mistake -----------------------------------------------------------------

async def test_compare_with_layerwise_updates_shows_where_values_diverge():
    app = app_for("sigmoid-2-2-2", compare="update_order=layerwise")
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.query_one(ValueTable)
        heading = table.render_lines(Region(0, table.chrome_top - 1, table.size.width, 1))[0].text
        assert "variant: layerwise" in heading  # the column titles above the rows
        await to_quantity(app, pilot, "delta[2][1]")
        row = table.row_text(app.ledger.at(app.event_index).current)
        assert row[-1] == "0.14235686"  # output layer: the same either way
        assert "variant: 0.14235686 (the same)" in app.query_one(EquationsPanel).plain
        await to_quantity(app, pilot, "dE/da[1][1]")
        row = table.row_text(app.ledger.at(app.event_index).current)
        assert row[3] == "0.015063301" and row[-1].endswith("≠")  # the hidden layer sees updated weights
        assert "differs by" in app.query_one(EquationsPanel).plain
        assert "compare: update_order=layerwise" in app.query_one(StatusBar).plain
        app.compare_with(None)
        assert len(table.row_text(app.ledger.at(app.event_index).current)) == 5


# -- lesson notes -----------------------------------------------------------------------------------

async def test_lesson_notes_appear_when_their_event_is_reached():
    app = app_for("10-tanh-chain")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_quantity(app, pilot, "delta[2][1]")
        assert "✎ −6.407 × 1.2 × 0.8287 = −6.371, yet the document prints −6.361" in app.query_one(EquationsPanel).plain
        await pilot.press("right")
        assert "✎" not in app.query_one(EquationsPanel).plain


# -- the matrix view ------------------------------------------------------------------------------

def marked(app, mark: str) -> list[str]:
    table = app.query_one(ValueTable)
    return [app.ledger.entries[e].symbol for e in range(len(app.ledger)) if table.row_text(e)[0] == mark]


async def to_block(app, pilot, title: str) -> None:
    """The matrix view on, from the first block, stepped to the block called `title`."""
    await pilot.press("home", "v")
    for _ in range(40):
        if title in app.query_one(EquationsPanel).plain:
            return
        await pilot.press("right")
    raise AssertionError(f"no block {title!r}")


async def test_a_matrix_block_marks_everything_it_reads():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_block(app, pilot, "gradients of layer 1")
        assert sorted(marked(app, "•")) == ["I₁", "I₂", "δ_h₁", "δ_h₂"]
        assert sorted(marked(app, "▶")) == ["∂E/∂w₁", "∂E/∂w₂", "∂E/∂w₃", "∂E/∂w₄"]
        diagram = app.query_one(NetworkDiagram).picture
        assert any("δ_h₁" in text or "h₁" in text for text in diagram.reads), diagram.reads
        await pilot.press("v")
        await to_block(app, pilot, "activations of layer 1")
        assert sorted(marked(app, "•")) == ["net_h₁", "net_h₂"]
        await pilot.press("v")
        await to_block(app, pilot, "update of layer 1")
        assert sorted(marked(app, "•")) == ["∂E/∂w₁", "∂E/∂w₂", "∂E/∂w₃", "∂E/∂w₄"]


async def test_a_matrix_block_names_the_events_it_spans_wherever_a_jump_lands():
    app = app_for("sigmoid-2-2-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        status = app.query_one(StatusBar).plain
        # net_h₁ and net_h₂ are events 1 and 3 (h₁ comes between them)
        assert status.startswith("events 1, 3/39"), status
        await pilot.press("right", "home")  # lands on event 1, inside the first block
        assert app.query_one(StatusBar).plain.startswith("events 1, 3/39")
        assert "net inputs of layer 1" in app.query_one(EquationsPanel).plain
        assert sorted(marked(app, "▶")) == ["net_h₁", "net_h₂"]  # the whole block, as computed
        app.go_to(1)  # h₁: the activations' block, not the net inputs' (blocks interleave)
        await pilot.pause()
        assert "activations of layer 1" in app.query_one(EquationsPanel).plain
        assert app.query_one(StatusBar).plain.startswith("events 2, 4/39")
        await pilot.press("left")
        assert "net inputs of layer 1" in app.query_one(EquationsPanel).plain
