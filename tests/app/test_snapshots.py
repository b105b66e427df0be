"""Snapshot tests (pytest-textual-snapshot): key frames at 80×24 and 120×40.

The first run of a new snapshot fails until `pytest --snapshot-update` writes it under
tests/app/__snapshots__/; review the SVG before committing. Snapshots depend on the Textual version,
which is pinned exactly in pyproject.toml.
"""

from __future__ import annotations

import pytest

from backprop_stepper.core import Trace, resolve
from backprop_stepper.tui.app import StepperApp

pytestmark = pytest.mark.slow  # each snapshot starts an app and renders an SVG

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def saved_files_folder(monkeypatch):
    """One fixed folder name in every frame that shows it (the shared fixture's is new each run)."""
    monkeypatch.setenv("BACKPROP_STEPPER_SAVE_DIR", "/tmp/backprop-stepper-saved")


def app(name: str) -> StepperApp:
    return StepperApp(trace=Trace(resolve(name)))


def to(name: str, quantity: str, iteration: int = 1):
    """A run_before hook that jumps to the event computing `quantity`."""

    def jump(pilot) -> None:
        trace = pilot.app.trace
        pilot.app.go_to(trace.find(quantity, iteration=iteration)[0])

    return jump


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sigmoid_first_event(snap_compare, size):
    assert snap_compare(app("sigmoid-2-2-2"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sigmoid_output_with_the_documents_slip(snap_compare, size):
    """o₁: the document prints 0.60635, the exact value is 0.60648."""
    assert snap_compare(app("sigmoid-2-2-2"), terminal_size=size, run_before=to("sigmoid-2-2-2", "a[2][1]"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sigmoid_hidden_error_sums_two_paths(snap_compare, size):
    """∂E/∂h₁ = δ_o₁·w₅ + δ_o₂·w₇, in the backward pass."""
    assert snap_compare(app("sigmoid-2-2-2"), terminal_size=size, run_before=to("sigmoid-2-2-2", "dE/da[1][1]"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_tanh_chain_update_of_w1(snap_compare, size):
    assert snap_compare(app("tanh-chain"), terminal_size=size, run_before=to("tanh-chain", "W[1][1][1]"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_tanh_chain_second_iteration_loss(snap_compare, size):
    """The verify pass of the document: the loss is now 9.018."""
    assert snap_compare(app("tanh-chain"), terminal_size=size, run_before=to("tanh-chain", "E", iteration=2))


def test_tanh_chain_first_loss_at_80x24(snap_compare):
    """Event 7: L reads ŷ and y, both on screen beside it (they once scrolled off to the right)."""
    assert snap_compare(app("tanh-chain"), terminal_size=(80, 24), run_before=to("tanh-chain", "E"))


def test_wide_network_collapses_around_the_focus(snap_compare):
    """An activation: the network, its groups collapsed but the one in focus."""
    assert snap_compare(app("wide-6-10-10-4"), terminal_size=(120, 40), run_before=to("wide-6-10-10-4", "a[2][6]"))


def test_wide_network_net_input_is_a_closeup_at_80x24(snap_compare):
    """z⁽²⁾₃ reads 21 values, two layers apart: a close-up of them all in the diagram's nine rows."""
    assert snap_compare(app("wide-6-10-10-4"), terminal_size=(80, 24), run_before=to("wide-6-10-10-4", "z[2][3]"))


def test_help_screen(snap_compare):
    assert snap_compare(app("sigmoid-2-2-2"), terminal_size=(80, 24), press=["question_mark"])


def test_picker(snap_compare):
    def blink_off(pilot) -> None:
        pilot.app.screen.query_one("#picker-path").cursor_blink = False

    assert snap_compare(StepperApp(), terminal_size=(120, 40), run_before=blink_off)


def test_predict_summary(snap_compare):
    """The end of a predict session: a table on screen (not Markdown), first tries counted apart
    from answers after a slip, and the slip named."""
    from backprop_stepper.core.predict import kinds_from

    async def answer_the_last_update(pilot) -> None:
        trace = pilot.app.trace
        last = len(trace) - 1
        pilot.app.go_to(last)
        await pilot.pause()
        event = trace[last]
        old, gradient = event.read_values
        added = old + trace.scenario.learning_rate * gradient  # the gradient added: a named slip
        await pilot.press(*f"{added:.6g}", "enter", *f"{event.value:.6g}", "enter")
        await pilot.pause()

    stepper = StepperApp(trace=Trace(resolve("tanh-chain")), predict=kinds_from("updates"))
    assert snap_compare(stepper, terminal_size=(80, 24), run_before=answer_the_last_update)


def test_matrix_view_gradients_of_layer_1(snap_compare):
    """A block marks everything it reads (δ_h₁, δ_h₂, I₁, I₂) and names the events it spans."""

    async def to_gradients(pilot) -> None:
        await pilot.press("v")
        for _ in range(12):
            if "gradients of layer 1" in pilot.app.equations.plain:
                return
            await pilot.press("right")

    assert snap_compare(app("sigmoid-2-2-2"), terminal_size=(80, 24), run_before=to_gradients)


def test_softmax_output_marks_every_net_input_of_its_layer(snap_compare):
    """o₂ = e^z⁽²⁾₂ / Σⱼe^z⁽²⁾ⱼ: the diagram and the table mark z⁽²⁾₁, z⁽²⁾₂ and z⁽²⁾₃ as read."""
    assert snap_compare(app("softmax-2-3-3"), terminal_size=(120, 40), run_before=to("softmax-2-3-3", "a[2][2]"))
