"""The stepper's controller without an app: navigation, autoplay's timing, the file on show and
each teaching mode's start, step and stop, as the view state a command leaves behind."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from backprop_stepper.core import ScenarioError, Trace, resolve
from backprop_stepper.core.predict import kinds_from
from backprop_stepper.core.quantities import Phase
from backprop_stepper.tui.controller import Stepper
from backprop_stepper.tui.controller.view import BlockText, EventText, QuestionText, WhyText

from ..conftest import generated


def stepper_for(name: str = "sigmoid-2-2-2", **options) -> Stepper:
    stepper = Stepper(**options)
    stepper.load(Trace(resolve(name)))
    return stepper


def at(stepper: Stepper, quantity: str) -> None:
    stepper.go(stepper.trace.find(quantity)[0])


def shown(view) -> tuple:
    """Everything a view shows, comparable: two equal tuples paint the same screen."""
    state = view.state
    variant = None if view.variant is None else view.variant.tolist()
    return (view.index, view.event, type(view.equation.body), view.equation, view.flags, view.events, variant,
            view.variant_label, view.breakpoints, view.asking, view.question, state.current, state.reads, state.block,
            state.known.tolist(), np.nan_to_num(state.values, nan=-7.5).tolist())


def fresh_view(stepper: Stepper):
    """The view of a stepper that never had a mode on, at the same place."""
    other = Stepper()
    other.load(stepper.trace, stepper.event_index)
    return other.view()


def test_the_controller_imports_no_textual():
    code = ("import sys\n"
            "import backprop_stepper.tui.controller as c\n"
            "from backprop_stepper.tui.controller import autoplay, breakpoints, compare, matrix, predict, why\n"
            "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if m.startswith('textual'))\n")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- navigation -----------------------------------------------------------------------------------

def test_moves_are_clamped_and_the_view_follows():
    stepper = stepper_for()
    trace = stepper.trace
    assert stepper.view().index == 0 and isinstance(stepper.view().equation.body, EventText)
    stepper.move(-1)
    assert stepper.event_index == 0
    stepper.move(1)
    view = stepper.view()
    assert view.index == 1 and view.event == trace[1] and view.state.current is not None
    assert view.equation.body.printed == trace.printed_at(1) and view.flags == ""
    stepper.last()
    stepper.move(1)
    assert stepper.event_index == len(trace) - 1 and stepper.at_end
    stepper.first()
    stepper.next_phase()
    assert stepper.event_index == trace.next_phase(0)
    stepper.previous_phase()
    assert stepper.event_index == 0
    stepper.goto_phase(Phase.UPDATE)
    assert trace[stepper.event_index].phase is Phase.UPDATE
    assert trace[stepper.event_index - 1].phase is not Phase.UPDATE


def test_iterations_and_the_place_kept_by_meaning_on_load():
    stepper = stepper_for("tanh-chain")
    trace = stepper.trace
    stepper.next_iteration()
    assert trace.locate(stepper.event_index) == (2, 0)
    stepper.goto_iteration(1)
    assert stepper.event_index == 0
    at(stepper, "a[1][1]")
    stepper.load(Trace(resolve("tanh-chain")), 10**9)  # clamped
    assert stepper.at_end


def test_a_table_row_goes_to_the_event_computing_it():
    stepper = stepper_for("01-polynomial-batch")
    ledger, trace = stepper.ledger, stepper.trace
    row = next(n for n, e in enumerate(ledger.entries) if e.quantity == "dE/dW[1][1][1]" and e.scope == "sample")
    stepper.goto_row(row)
    event = trace[stepper.event_index]
    assert event.quantity == "dE/dW[1][1][1]" and event.sample == 1
    # A batch row is computed by the batch-level event, not by any sample's.
    mean = next(n for n, e in enumerate(ledger.entries) if e.quantity == "dE/dW[1][1][1]" and e.scope == "batch")
    stepper.goto_row(mean)
    event = trace[stepper.event_index]
    assert event.quantity == "dE/dW[1][1][1]" and event.sample is None
    assert stepper.view().state.current == mean
    loss = next(n for n, e in enumerate(ledger.entries) if e.quantity == "E" and e.scope == "batch")
    stepper.first()
    stepper.goto_row(loss)
    assert trace[stepper.event_index].kind.value == "loss_mean"
    # Given values are computed by no event.
    stepper.goto_row(0)
    assert trace[stepper.event_index].kind.value == "loss_mean"
    assert stepper.computed(0) is None


def test_the_latest_computation_of_a_row_up_to_here():
    stepper = stepper_for()
    row = next(n for n, e in enumerate(stepper.ledger.entries) if e.quantity == "a[1][1]")
    assert stepper.computed(row) is None  # not yet computed at event 1
    at(stepper, "a[2][2]")
    assert stepper.computed(row) == stepper.trace.find("a[1][1]")[0]
    assert stepper.computed(None) == stepper.event_index


# -- autoplay -------------------------------------------------------------------------------------

def test_autoplay_ticks_and_stops_at_the_end_and_at_phases():
    stepper = stepper_for()
    stepper.toggle_autoplay()
    assert stepper.autoplay.playing and stepper.view().flags == "▶ playing 1s"
    stepper.change_speed(1)
    assert stepper.autoplay.interval == 0.7
    stepper.change_speed(-100)
    assert stepper.autoplay.interval == 3.0
    stepper.tick()
    assert stepper.event_index == 1 and stepper.autoplay.playing
    stepper.toggle_phase_stops()
    assert stepper.view().flags == "▶ playing 3s · stops at phases"
    while stepper.autoplay.playing:
        stepper.tick()
    assert stepper.event_index == stepper.trace.next_phase(0)  # paused at the loss phase's first event
    stepper.autoplay.phase_stops = False
    stepper.last()
    stepper.toggle_autoplay()
    stepper.tick()
    assert not stepper.autoplay.playing and stepper.view().flags == ""


# -- predict, then reveal -------------------------------------------------------------------------

def test_predict_start_step_stop():
    stepper = stepper_for(predict=kinds_from("deltas"))
    at(stepper, "delta[2][1]")
    view = stepper.view()
    assert view.asking and view.question and isinstance(view.equation.body, QuestionText)
    assert not view.state.known[view.state.current]  # hidden in the table and the diagram too
    assert view.flags == "predict 0/0 first try · 0 answers"
    notice = stepper.move(1)
    assert notice.back_to_answer and stepper.event_index == stepper.trace.find("delta[2][1]")[0]  # waits
    stepper.answer("")  # a hint
    assert stepper.view().equation.body.hints == 1
    stepper.answer("0.5")  # wrong
    assert stepper.view().equation.body.feedback[0] == ("✗ not quite", "bad")
    stepper.answer(repr(view.event.value))
    view = stepper.view()
    assert not view.asking and view.state.known[view.state.current]
    assert isinstance(view.equation.body, EventText)
    assert view.equation.extra[0][0] == 1 and "✓ right" in view.equation.extra[0][1][1][0]  # under the heading
    stepper.move(1)  # the feedback belongs to where it was given
    assert stepper.view().equation.extra == ()
    stepper.toggle_predict()  # off
    assert stepper.predict is None and stepper.take_summary() is not None and stepper.take_summary() is None
    at(stepper, "delta[2][2]")
    assert shown(stepper.view()) == shown(fresh_view(stepper))


def test_predict_starts_afresh_on_a_new_trace():
    stepper = stepper_for(predict=kinds_from("forward"))
    stepper.answer(repr(stepper.trace[0].value))
    assert stepper.predict.session.done
    stepper.load(Trace(resolve("sigmoid-2-2-2")))
    assert not stepper.predict.session.done and stepper.view().asking


def test_the_last_answer_makes_the_summary_due():
    stepper = stepper_for("linear-chain", predict=kinds_from("updates"))
    stepper.last()
    assert stepper.view().asking
    stepper.answer(repr(stepper.trace[stepper.event_index].value))
    summary = stepper.take_summary()
    assert summary is not None and summary.total.first == 1


# -- why this number? -----------------------------------------------------------------------------

def test_why_start_step_stop():
    stepper = stepper_for()
    at(stepper, "dE/dW[1][1][1]")
    before = shown(stepper.view())
    assert stepper.toggle_why() is None
    view = stepper.view()
    assert isinstance(view.equation.body, WhyText)
    assert view.state.reads == view.equation.body.explanation.entries and len(view.state.reads) > 2
    stepper.toggle_why()  # again: closed
    assert stepper.why is None and shown(stepper.view()) == before
    stepper.toggle_why()
    stepper.move(1)  # it belongs to where it was asked for
    assert stepper.why is None and shown(stepper.view()) == shown(fresh_view(stepper))


def test_why_of_a_row_and_what_it_refuses():
    stepper = stepper_for(predict=kinds_from("deltas"))
    at(stepper, "delta[2][1]")
    assert stepper.toggle_why().text.startswith("Answer first")  # it would give the answer away
    row = next(n for n, e in enumerate(stepper.ledger.entries) if e.quantity == "a[2][1]")
    assert stepper.toggle_why(row) is None
    view = stepper.view()
    assert view.equation.body.explanation.symbol == "o₁" and view.asking and not view.question
    stepper.close_why()
    stepper.first()
    stepper.move(-1)
    assert stepper.toggle_why(0) is not None  # an input is computed by no event


# -- breakpoints ----------------------------------------------------------------------------------

def test_breakpoints_start_step_stop():
    stepper = stepper_for()
    assert stepper.run().text.startswith("No breakpoints")
    row = next(n for n, e in enumerate(stepper.ledger.entries) if e.quantity == "delta[2][1]")
    assert "set on δ_o₁" in stepper.toggle_breakpoint(row).text
    view = stepper.view()
    assert view.breakpoints == {row} and view.flags == "◆ 1 breakpoint"
    assert stepper.run() is None and stepper.trace[stepper.event_index].quantity == "delta[2][1]"
    assert stepper.run().text == "No breakpoint ahead."
    assert "removed from δ_o₁" in stepper.toggle_breakpoint().text  # the event on show
    stepper.toggle_breakpoint(row)
    stepper.clear_breakpoints()
    assert not stepper.breakpoints and shown(stepper.view()) == shown(fresh_view(stepper))


def test_breakpoints_survive_a_reload():
    stepper = stepper_for()
    stepper.toggle_breakpoint(next(n for n, e in enumerate(stepper.ledger.entries) if e.quantity == "delta[2][1]"))
    stepper.load(Trace(resolve("sigmoid-2-2-2")))
    assert stepper.breakpoints.quantities == {"delta[2][1]"} and len(stepper.view().breakpoints) == 1


def test_conditional_runs():
    stepper = stepper_for("01-polynomial-batch")
    stepper.run_to_end_of_phase()
    assert stepper.trace[stepper.event_index + 1].phase is not stepper.trace[stepper.event_index].phase
    stepper.run_to_end_of_iteration()
    assert stepper.trace.locate(stepper.event_index)[1] == stepper.trace.per_iteration - 1
    assert stepper.run_until_loss_below(-1.0).text == "No loss below -1 ahead."


# -- compare with a variant -----------------------------------------------------------------------

def test_compare_start_step_stop():
    stepper = stepper_for()
    at(stepper, "dE/dW[1][1][1]")
    stepper.compare_with("update_order=layerwise")
    view = stepper.view()
    assert view.flags == "compare: update_order=layerwise" and view.variant_label
    assert view.variant is not None and len(view.variant) == len(stepper.ledger)
    (where, line), = view.equation.extra
    assert where is None and line[0] == ("  variant: ", "bold") and "≠" in line[2][0]  # the slip shows here
    stepper.compare_with(None)
    assert stepper.compare is None and shown(stepper.view()) == shown(fresh_view(stepper))


# -- the matrix view ------------------------------------------------------------------------------

def test_matrix_start_step_stop():
    stepper = stepper_for()
    at(stepper, "z[1][1]")
    stepper.toggle_matrix()
    view = stepper.view()
    assert isinstance(view.equation.body, BlockText) and view.flags == "matrix view"
    assert stepper.event_index == view.index == max(view.events) and len(view.events) == 2  # net_h₁, net_h₂
    assert set(view.state.block) >= {view.state.current}
    stepper.move(1)  # a block at a time
    assert stepper.trace[stepper.event_index].quantity == "a[1][2]"
    stepper.go(0)  # a jump inside a block shows the whole block
    assert stepper.view().index == view.index
    stepper.toggle_matrix()
    assert stepper.matrix is None and shown(stepper.view()) == shown(fresh_view(stepper))


# -- the file on show and files saved -------------------------------------------------------------

def test_a_changed_file_is_read_again(tmp_path):
    path = tmp_path / "net.toml"
    text = generated((2, 2, 1), seed=3, iterations=2)
    path.write_text(text)
    stepper = Stepper()
    stepper.load(Trace(resolve(str(path))))
    stepper.go(stepper.trace.find("delta[1][2]", iteration=2)[0])
    assert stepper.changed_file() is None
    path.write_text(text.replace("[training]", "[training]\n# edited"))
    found = stepper.changed_file()
    assert isinstance(found, Trace) and stepper.changed_file() is None
    stepper.reload(found)
    assert stepper.trace is found and found[stepper.event_index].quantity == "delta[1][2]"
    assert found.locate(stepper.event_index)[0] == 2
    path.write_text("not = [valid")
    assert isinstance(stepper.changed_file(), ScenarioError)
    assert stepper.screenshot_name() == f"net-event-{stepper.event_index + 1}"


def test_export_writes_a_new_file(saved_files_folder):
    stepper = stepper_for()
    first, second = stepper.export("markdown"), stepper.export("markdown")
    assert first.text.endswith("20-sigmoid-2-2-2.solution.md") and second.text.endswith("solution-2.md")
    assert (saved_files_folder / "20-sigmoid-2-2-2.solution-2.md").read_text().startswith("#")


@pytest.mark.parametrize("name", ["tanh-chain", "01-polynomial-batch"])
def test_gradient_check_of_the_step_on_show(name):
    stepper = stepper_for(name)
    stepper.last()
    results, iteration, step = stepper.gradient_check()
    assert iteration == stepper.trace.iterations and step == stepper.trace[stepper.event_index].update_step
    assert results and all(result.agrees for result in results)
