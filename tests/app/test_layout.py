"""What a class sees at 80×24: the diagram shows what the current step computes and reads."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Footer

from backprop_stepper.core import Trace, resolve
from backprop_stepper.tui.app import MIN_HEIGHT, MIN_WIDTH, StepperApp
from backprop_stepper.tui.diagram_layout import short
from backprop_stepper.tui.widgets.diagram import NetworkDiagram
from backprop_stepper.tui.widgets.equations import EquationsPanel
from backprop_stepper.tui.widgets.runs import plain
from backprop_stepper.tui.widgets.status import StatusBar
from backprop_stepper.tui.widgets.values import ValueTable

from ..conftest import BUNDLED

pytestmark = pytest.mark.slow  # walks every event of every scenario at 80×24


def shown(text: str, symbol: str, value: str) -> bool:
    """`symbol` then `value` on one line of `text`, as the diagram writes an item (after a mark,
    a space or a connection's dash)."""
    pattern = rf"(?:^|[\s▶•─]){re.escape(symbol)}\s+{re.escape(value)}(?![\d.])"
    return re.search(pattern, text, re.MULTILINE) is not None


def missing_items(app: StepperApp) -> list[str]:
    """The quantities the current event computes and reads that the diagram does not show."""
    state = app.ledger.at(app.event_index)
    text = app.query_one(NetworkDiagram).visible_text
    wanted = {*state.reads, *([state.current] if state.current is not None else [])}
    missing = []
    for entry in sorted(wanted):
        symbol, value = app.ledger.entries[entry].symbol, short(state.value(entry))
        if not shown(text, symbol, value):
            missing.append(f"{symbol} {value}")
    return missing


def cut_items(diagram: NetworkDiagram) -> list[str]:
    """The items of the diagram that its view cuts at the left or right edge: each run of text
    on screen must stand in the full picture's line, with a space or the line's end each side."""
    cut = []
    full = [plain(line) for line in diagram.picture.lines]
    view = diagram.visible_text.splitlines()[diagram.chrome_top:]
    for y, shown_line in enumerate(view):
        row = diagram.top + y
        if row >= len(full):
            break
        line = full[row].ljust(diagram.left + diagram.view_width)
        for match in re.finditer(r"\S+", shown_line[:diagram.view_width]):
            start, end = diagram.left + match.start(), diagram.left + match.end()
            whole = line[start:end] == match.group() and line[start - 1:start] in ("", " ") \
                and line[end:end + 1] in ("", " ")
            if not whole:
                cut.append(f"row {row}: {match.group()!r}")
    return cut


@pytest.mark.parametrize("name", BUNDLED)
async def test_every_step_shows_what_it_computes_and_reads_at_80x24(name):
    """From the first event to the last, in order as in class, so that the diagram's scrolling is
    what it would be. Visible means in the diagram's view, as the symbol then its value, for every
    quantity: a weight of the 6-10-10-4 network's 10×10 layer too (its nine rows show such a step
    as a close-up), not only in the value table, which has room for two rows at this size."""
    assert not await walk(name)


async def walk(name: str) -> str:
    app = StepperApp(trace=Trace(resolve(name)), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        failures = []
        for index in range(len(app.trace)):
            app.go_to(index)  # what → does, without waiting for each frame
            missing = missing_items(app)
            cut = cut_items(app.query_one(NetworkDiagram))
            if missing or cut:
                failures.append(f"event {index + 1} {app.trace[index].symbol}: "
                                + "; ".join(filter(None, [", ".join(missing) and f"{', '.join(missing)} not visible",
                                                          ", ".join(cut) and f"cut: {', '.join(cut)}"])))
        return "\n".join(failures[:20]) + f"\n({len(failures)} events)" if failures else ""


async def test_keys_do_nothing_behind_the_too_small_message():
    app = StepperApp(trace=Trace(resolve("tanh-chain")), watch=False)
    async with app.run_test(size=(MIN_WIDTH - 1, MIN_HEIGHT)) as pilot:
        await pilot.pause()
        assert app.query_one("#too-small").display
        for key in ("right", "space", "end", "right_square_bracket", "right_curly_bracket", "p", "v"):
            await pilot.press(key)
        await pilot.pause()
        assert app.event_index == 0 and app.matrix is None and app.autoplay_timer is None
        await pilot.resize_terminal(MIN_WIDTH, MIN_HEIGHT)
        await pilot.pause()
        assert not app.query_one("#too-small").display
        await pilot.press("right")
        assert app.event_index == 1


@pytest.mark.parametrize("name", ["sigmoid-2-2-2", "tanh-chain"])
async def test_the_smallest_size_shows_the_whole_network_and_table_rows(name):
    app = StepperApp(trace=Trace(resolve(name)), watch=False)
    async with app.run_test(size=(MIN_WIDTH, MIN_HEIGHT)) as pilot:
        await pilot.pause()
        for index in range(len(app.trace)):
            app.go_to(index)
            assert "⋯" not in app.query_one(NetworkDiagram).visible_text, f"event {index + 1}: groups collapsed"
            table = app.query_one(ValueTable).visible_text.splitlines()
            assert any(line.lstrip().startswith("▶") for line in table[2:]), f"event {index + 1}: no current row"


async def test_help_and_quit_stay_in_the_footer_at_the_smallest_size():
    app = StepperApp(trace=Trace(resolve("tanh-chain")), watch=False)
    async with app.run_test(size=(MIN_WIDTH, MIN_HEIGHT)) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        shown = [item for item in footer.query("FooterKey")
                 if item.region.right <= app.size.width and item.region.width]
        labels = {item.description for item in shown}
        assert {"Help", "Quit"} <= labels, labels


def words(text: str) -> str:
    return " ".join(text.replace("┃", " ").replace("│", " ").split())


async def test_a_step_with_a_slip_and_a_note_shows_them_whole_at_80x24():
    """∂L/∂z₂ of the tanh chain: the document's slip, explained, and the scenario's note."""
    app = StepperApp(trace=Trace(resolve("tanh-chain")), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.go_to(app.trace.find("delta[2][1]")[0])
        await pilot.pause()
        await pilot.pause()
        panel = app.query_one(EquationsPanel)
        shown = words(panel.visible_text)
        for line in panel.plain.splitlines():
            assert words(line) in shown, line
        assert "✗ document" in shown and "✎" in shown
        # The table keeps its minimum: its heading and the current row.
        assert "▶ ∂L/∂z₂" in app.query_one(ValueTable).visible_text
        app.go_to(0)  # a step with nothing more to say: the panel is back to its own height
        await pilot.pause()
        await pilot.pause()
        assert panel.size.height == panel.styles.base.height.value


async def test_the_matrix_view_shows_whole_matrices_at_80x24():
    app = StepperApp(trace=Trace(resolve("sigmoid-2-2-2")), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.go_to(app.trace.find("dE/da[1][1]")[0])
        await pilot.press("v")
        await pilot.pause()
        await pilot.pause()
        shown = app.query_one(EquationsPanel).visible_text
        assert "⎡0.4000 0.5000⎤" in shown and "⎣0.4500 0.5500⎦" in shown


async def test_autoplay_speed_and_phase_stops_stay_readable_at_80_columns():
    app = StepperApp(trace=Trace(resolve("tanh-chain")), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p", "P")
        await pilot.pause()
        assert "▶ playing 1s · stops at phases" in app.query_one(StatusBar).visible_text
        await pilot.press("p")


async def test_the_predict_score_and_every_flag_stay_whole_at_80_columns():
    """Predict mode's score, autoplay with phase stops and a breakpoint: more than one line holds.
    The bar and the other phases' names give way, then the title; no flag is cut."""
    app = StepperApp(trace=Trace(resolve("sigmoid-2-2-2")), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("1", "enter", *str(app.trace[0].value), "enter")  # a wrong answer, then the right one
        await pilot.pause()
        status = app.query_one(StatusBar)
        flags = app.status_flags()
        assert "predict 0/1 first try · 2 answers" in flags
        assert flags in words(status.visible_text)
        await pilot.press("b", "p", "P")
        await pilot.pause()
        flags = app.status_flags()
        assert len(flags) > 70 and "◆ 1 breakpoint" in flags and "▶ playing 1s · stops at phases" in flags
        shown = words(status.visible_text)
        assert "…" not in shown and all(piece in shown for piece in flags.split(" · ")), (flags, shown)
        assert "▶FORWARD" in shown and "event 1/39" in shown
        await pilot.press("p")


async def test_the_gradient_check_has_one_line_per_gradient_at_80x24():
    app = StepperApp(trace=Trace(resolve("wide-6-10-10-4")), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.go_to(app.trace.find("W[1][1][1]")[0])
        await pilot.press("c")
        await pilot.pause()
        report = app.screen.query_one("#gradcheck-report")
        rows = [line for line in str(report.render()).splitlines() if line.startswith("∂E/∂")]
        assert rows and max(len(row) for row in rows) <= report.content_region.width


async def test_compare_keeps_the_document_column_on_screen_at_80x24():
    app = StepperApp(trace=Trace(resolve("sigmoid-2-2-2")), watch=False, compare="update_order=layerwise")
    async with app.run_test(size=(80, 24)) as pilot:
        app.go_to(app.trace.find("W[2][2][2]")[0])
        await pilot.pause()
        table = app.query_one(ValueTable).visible_text.splitlines()
        assert "variant" in table[1] and "document" in table[1]
        current = next(line for line in table if line.startswith("▶"))
        assert "0.57143✗" in current  # the document's printed w₈, beside the exact and the variant's


@pytest.mark.parametrize("name, quantity, label", [
    ("sigmoid-2-2-2", "da/dz[2][1]", "▶∂o₁/∂net_o₁  0.2387"),  # was "▶a′(z)"
    ("sigmoid-2-2-2", "dE/dW[2][1][1]", "▶∂E/∂w₅  0.0722"),  # was the weight: "▶w₅ 0.4000"
    ("wide-6-10-10-4", "dE/da[2][3]", "▶∂E/∂a⁽²⁾₃"),  # was "▶∂E/∂a"
])
async def test_the_diagram_names_the_current_quantity_as_the_panels_do(name, quantity, label):
    app = StepperApp(trace=Trace(resolve(name)), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.go_to(app.trace.find(quantity)[0])
        await pilot.pause()
        event = app.trace[app.event_index]
        assert label.split()[0] == f"▶{event.symbol}"  # the equations' symbol
        assert label in app.query_one(NetworkDiagram).visible_text
        assert event.symbol in app.query_one(EquationsPanel).plain
