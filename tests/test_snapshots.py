"""Snapshot tests (pytest-textual-snapshot): key frames at 80×24 and 120×40.

The first run of a new snapshot fails until `pytest --snapshot-update` writes it under
tests/__snapshots__/; review the SVG before committing. Snapshots depend on the Textual version,
which is pinned exactly in pyproject.toml.
"""

from __future__ import annotations

import pytest

from backprop_stepper.core import Trace, resolve
from backprop_stepper.tui.app import StepperApp

SIZES = [(80, 24), (120, 40)]


def app(name: str) -> StepperApp:
    return StepperApp(trace=Trace(resolve(name)))


def to(name: str, quantity: str, iteration: int = 1):
    """A run_before hook that jumps to the event computing `quantity`."""

    def jump(pilot) -> None:
        trace = pilot.app.trace
        pilot.app.position = trace.find(quantity, iteration=iteration)[0]

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
    assert snap_compare(app("wide-6-10-10-4"), terminal_size=(120, 40), run_before=to("wide-6-10-10-4", "z[2][6]"))


def test_help_screen(snap_compare):
    assert snap_compare(app("sigmoid-2-2-2"), terminal_size=(80, 24), press=["question_mark"])


def test_picker(snap_compare):
    def blink_off(pilot) -> None:
        pilot.app.screen.query_one("#picker-path").cursor_blink = False

    assert snap_compare(StepperApp(), terminal_size=(120, 40), run_before=blink_off)
