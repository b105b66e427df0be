"""What a class sees at 80×24: the diagram shows what the current step computes and reads."""

from __future__ import annotations

import re

import pytest

from backprop_stepper.core import Trace, resolve
from textual.widgets import Footer

from backprop_stepper.tui.app import MIN_HEIGHT, MIN_WIDTH, StepperApp
from backprop_stepper.tui.diagram import short
from backprop_stepper.tui.widgets.diagram import NetworkDiagram
from backprop_stepper.tui.widgets.values import ValueTable

from .conftest import BUNDLED


def shown(text: str, symbol: str, value: str) -> bool:
    """`symbol` then `value` on one line of `text`, as the diagram writes an item (after a mark,
    a space or a connection's dash)."""
    pattern = rf"(?:^|[\s▶•─]){re.escape(symbol)}\s+{re.escape(value)}(?![\d.])"
    return re.search(pattern, text, re.MULTILINE) is not None


def missing_items(app: StepperApp) -> list[str]:
    """The quantities the current event computes or reads that the diagram does not show.

    Each is one row of the picture: a step that reads more quantities than the diagram has rows
    (a net input of the 6-10-10-4 network at 80×24 reads ten activations and eleven
    parameters) can only show the quantity computed, and is checked for that alone."""
    state = app.ledger.at(app.position)
    diagram = app.query_one(NetworkDiagram)
    text = diagram.visible_text
    wanted = {*state.reads, *([state.current] if state.current is not None else [])}
    if len(wanted) > diagram.view_height and state.current is not None:
        wanted = {state.current}
    missing = []
    for entry in sorted(wanted):
        symbol, value = app.ledger.entries[entry].symbol, short(state.value(entry))
        if not shown(text, symbol, value):
            missing.append(f"{symbol} {value}")
    return missing


@pytest.mark.parametrize("name", BUNDLED)
async def test_every_step_shows_what_it_computes_and_reads_at_80x24(name):
    """Stepped with → from the first event to the last, as in class, so the diagram's scrolling
    is what it would be."""
    app = StepperApp(trace=Trace(resolve(name)), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        failures = []
        for index in range(len(app.trace)):
            app.position = index  # what → does, without waiting for each frame
            missing = missing_items(app)
            if missing:
                failures.append(f"event {index + 1} {app.trace[index].symbol}: {', '.join(missing)} not visible")
        assert not failures, "\n".join(failures[:20]) + f"\n({len(failures)} events)"


async def test_keys_do_nothing_behind_the_too_small_message():
    app = StepperApp(trace=Trace(resolve("tanh-chain")), watch=False)
    async with app.run_test(size=(MIN_WIDTH - 1, MIN_HEIGHT)) as pilot:
        await pilot.pause()
        assert app.query_one("#too-small").display
        for key in ("right", "space", "end", "right_square_bracket", "right_curly_bracket", "p", "v"):
            await pilot.press(key)
        await pilot.pause()
        assert app.position == 0 and app.matrix is None and app.autoplay_timer is None
        await pilot.resize_terminal(MIN_WIDTH, MIN_HEIGHT)
        await pilot.pause()
        assert not app.query_one("#too-small").display
        await pilot.press("right")
        assert app.position == 1


@pytest.mark.parametrize("name", ["sigmoid-2-2-2", "tanh-chain"])
async def test_the_smallest_size_shows_the_whole_network_and_table_rows(name):
    app = StepperApp(trace=Trace(resolve(name)), watch=False)
    async with app.run_test(size=(MIN_WIDTH, MIN_HEIGHT)) as pilot:
        await pilot.pause()
        for index in range(len(app.trace)):
            app.position = index
            assert "⋯" not in app.query_one(NetworkDiagram).visible_text, f"event {index + 1}: groups collapsed"
            table = app.query_one(ValueTable).visible_text.splitlines()
            assert any(line.lstrip().startswith("▶") for line in table[2:]), f"event {index + 1}: no current row"


async def test_help_and_quit_stay_in_the_footer_at_the_smallest_size():
    app = StepperApp(trace=Trace(resolve("tanh-chain")), watch=False)
    async with app.run_test(size=(MIN_WIDTH, MIN_HEIGHT)) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        shown = [item for item in footer.query("FooterKey") if item.region.right <= app.size.width and item.region.width]
        labels = {item.description for item in shown}
        assert {"Help", "Quit"} <= labels, labels
