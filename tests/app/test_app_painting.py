"""What the terminal shows after a run of steps is what a fresh paint of the same position shows.

The panels repaint only the lines that change and keep every finished line (tui/widgets/lines.py);
a line forgotten by mistake would leave stale text on screen that no model-level assertion sees.
So these tests keep a virtual terminal (tests/app/terminal.py): everything the app writes to its
driver (the partial updates of each step, the full ones after a resize) is applied to a grid of
cells, and after each step each panel's cells are compared with the panel painted from scratch,
its caches set aside. The last tests watch the panels' one hook below Textual's line API.
"""

from __future__ import annotations

import gc
import inspect

import pytest
from textual.app import App
from textual.geometry import Region
from textual.widget import Widget

from backprop_stepper.core import Trace, resolve
from backprop_stepper.tui.app import StepperApp
from backprop_stepper.tui.widgets.frame import BlankScreen
from backprop_stepper.tui.widgets.lines import LineView
from backprop_stepper.tui.widgets.values import ValueTable

from .terminal import resize, run_in_terminal, strip_cells

pytestmark = pytest.mark.slow  # every step of every scenario against a fresh paint


def stepper(name: str):
    return lambda **options: StepperApp(trace=Trace(resolve(name)), **options)


def fresh_cells(view: LineView) -> list[list[tuple[str, str]]]:
    """The panel painted from scratch, its cached lines set aside meanwhile."""
    with view.caches_set_aside():
        return [strip_cells(strip) for strip in view.render_lines(Region(0, 0, *view.outer_size))]


def differences(app, terminal) -> list[str]:
    """Where the terminal, as the app's updates left it, differs from a fresh paint of a panel."""
    out = []
    for view in app.screen.query(LineView):
        if not view.display or not view.region:
            continue
        shown = terminal.region_cells(*view.region)
        for y, (row, expected) in enumerate(zip(shown, fresh_cells(view), strict=True)):
            if row != expected:
                x = next(x for x, (cell, fresh) in enumerate(zip(row, expected, strict=True)) if cell != fresh)
                out.append(f"{view.id} line {y}: shown    {''.join(c for c, _ in row)!r}\n"
                           f"        expected {''.join(c for c, _ in expected)!r}\n"
                           f"        first difference at column {x}: {row[x]} instead of {expected[x]}")
    return out


async def assert_screen_is_fresh(app, pilot, terminal, what: str) -> None:
    await pilot.pause()
    problems = differences(app, terminal)
    assert not problems, f"after {what}:\n" + "\n".join(problems[:5])


CASES = [
    ("90-wide-6-10-10-4", (80, 24)),  # collapsed groups opening and closing, scrolling both ways
    ("90-wide-6-10-10-4", (120, 40)),
    ("20-sigmoid-2-2-2", (120, 40)),
    ("20-sigmoid-2-2-2", (200, 50)),  # the side-by-side layout
    ("10-tanh-chain", (80, 24)),  # notes longer than the equations panel
]


@pytest.mark.parametrize(("name", "size"), CASES, ids=[f"{n}-{w}x{h}" for n, (w, h) in CASES])
async def test_step_by_step_the_screen_matches_a_fresh_paint(name, size):
    async with run_in_terminal(stepper(name), size) as (app, pilot, terminal):
        await assert_screen_is_fresh(app, pilot, terminal, "start-up")
        steps = min(len(app.trace) - 1, 60)
        for n in range(steps):
            await pilot.press("right")
            await assert_screen_is_fresh(app, pilot, terminal, f"step {n + 1} forward")
        for n in range(min(steps, 25)):
            await pilot.press("left")
            await assert_screen_is_fresh(app, pilot, terminal, f"step {n + 1} back")
        for key in ("end", "home", "right_square_bracket", "right_curly_bracket", "down", "down"):
            await pilot.press(key)
            await assert_screen_is_fresh(app, pilot, terminal, key)


async def test_after_a_resize_the_screen_matches_a_fresh_paint():
    async with run_in_terminal(stepper("90-wide-6-10-10-4"), (120, 40)) as (app, pilot, terminal):
        for size in [(80, 24), (200, 50), (100, 30)]:
            await resize(pilot, terminal, *size)
            await assert_screen_is_fresh(app, pilot, terminal, f"resizing to {size}")
            for n in range(15):
                await pilot.press("right")
                await assert_screen_is_fresh(app, pilot, terminal, f"step {n + 1} at {size}")


def colours(cells) -> set[tuple[int, int, int]]:
    """The truecolor colours (foreground and background) of some cells."""
    found = set()
    for row in cells:
        for _, sgr in row:
            codes = sgr.split(";")
            for n, code in enumerate(codes[:-4]):
                if code in ("38", "48") and codes[n + 1] == "2":
                    found.add(tuple(int(c) for c in codes[n + 2:n + 5]))
    return found


async def test_no_color_reaches_every_panel(monkeypatch):
    # The panels pass each role's style through Textual's line filters once, not each line:
    # with NO_COLOR set (Textual's Monochrome filter) nothing on screen may keep a hue.
    monkeypatch.setenv("NO_COLOR", "1")
    async with run_in_terminal(stepper("20-sigmoid-2-2-2"), (120, 40)) as (app, pilot, terminal):
        for _ in range(12):
            await pilot.press("right")
        await pilot.pause()
        shown = colours(terminal.cells)
        assert shown, "no colours at all: the check below would pass vacuously"
        hued = {c for c in shown if len(set(c)) > 1}
        assert not hued, f"colours left under NO_COLOR: {sorted(hued)[:5]}"


async def test_a_theme_change_repaints_every_cached_line():
    async with run_in_terminal(stepper("90-wide-6-10-10-4"), (120, 40)) as (app, pilot, terminal):
        for _ in range(10):
            await pilot.press("right")
        await pilot.pause()
        before = colours(terminal.cells)
        app.theme = "textual-light" if app.current_theme.dark else "textual-dark"
        await pilot.pause()
        await assert_screen_is_fresh(app, pilot, terminal, "a theme change")
        assert colours(terminal.cells) != before
        await pilot.press("right")
        await assert_screen_is_fresh(app, pilot, terminal, "a step after the theme change")


async def test_the_position_indicator_follows_a_change_of_content_height():
    # A panel whose content grows while its view stays put: only the indicator beside some lines
    # changes, and those lines must be painted again although their content has not changed.

    class Numbers(LineView):
        rows = 12

        def line(self, row):
            return [(f"row {row}", "")]

    class Host(App):
        def compose(self):
            yield Numbers()

    app = Host()
    async with app.run_test(size=(30, 6)) as pilot:
        view = app.query_one(Numbers)
        view.set_content_size(10, view.rows)
        await pilot.pause()
        whole = Region(0, 0, *view.size)
        before = [strip.text for strip in view.render_lines(whole)]
        view.set_content_size(10, 40)  # the thumb shrinks; no row's text changes
        await pilot.pause()
        shown = [strip.text for strip in view.render_lines(whole)]
        with view.caches_set_aside():
            fresh = [strip.text for strip in view.render_lines(whole)]
        assert fresh != before, "the indicator did not move: the test would pass vacuously"
        assert shown == fresh


async def test_a_picture_shown_again_reuses_its_lines_and_they_stay_true():
    # The wide network's forward pass alternates the network (an activation) and a close-up (a
    # net input). Coming back to the network, a line that reads as it did is the very Strip
    # painted for it before (painting it anew costs time and leaves garbage for Python's cycle
    # collector); and what is reused must be what a fresh paint shows, also after the theme and
    # the size change (where every line must be painted anew).
    async with run_in_terminal(stepper("90-wide-6-10-10-4"), (120, 40)) as (app, pilot, terminal):
        diagram = app.diagram

        async def step_to(closeup: bool) -> None:
            for _ in range(4):
                await pilot.press("right")
                await assert_screen_is_fresh(app, pilot, terminal, f"step to event {app.event_index + 1}")
                if diagram.picture.closeup is closeup:
                    return
            raise AssertionError(f"no {'close-up' if closeup else 'network'} within four steps")

        def lines():
            return diagram.render_lines(Region(0, 0, *diagram.outer_size))

        await step_to(closeup=False)
        network = lines()
        await step_to(closeup=True)
        await step_to(closeup=False)
        again = lines()
        same_text = [(old, new) for old, new in zip(network, again, strict=True) if old.text == new.text]
        assert len(same_text) >= 5, "too few lines read as before: the test would say little"
        assert all(old is new for old, new in same_text), (
            f"{sum(old is not new for old, new in same_text)} of {len(same_text)} unchanged lines painted anew")

        app.theme = "textual-light" if app.current_theme.dark else "textual-dark"
        await assert_screen_is_fresh(app, pilot, terminal, "a theme change")
        await step_to(closeup=True)
        await step_to(closeup=False)
        await resize(pilot, terminal, 100, 30)
        await assert_screen_is_fresh(app, pilot, terminal, "a resize")
        for _ in range(3):
            await pilot.press("left")
            await assert_screen_is_fresh(app, pilot, terminal, f"back to event {app.event_index + 1}")


async def test_the_cycle_collector_runs_between_steps_not_within_them():
    # Each step leaves garbage only the cycle collector frees (see tui/collector.py). Python runs
    # it when allocations pass a threshold, within whatever step is running then; the collections
    # of the older generations (milliseconds each) made the slowest steps. The app now runs the
    # collection due once each frame is out: what may still fall within a step is a young
    # collection (a fraction of a millisecond). Logged in order: keys, collections, frames.
    log: list[str] = []

    def on_collection(phase, info):
        if phase == "start":
            log.append(f"collection {info['generation']}")

    async with run_in_terminal(stepper("90-wide-6-10-10-4"), (120, 40)) as (app, pilot, terminal):
        write = terminal.write
        terminal.write = lambda data: (log.append("frame"), write(data))
        gc.callbacks.append(on_collection)
        try:
            for _ in range(120):
                log.append("key")
                await pilot.press("right")
                await pilot.pause()
        finally:
            gc.callbacks.remove(on_collection)
    within, between, stepping = [], [], False
    for entry in log:
        if entry == "key":
            stepping = True
        elif entry == "frame":
            stepping = False
        else:
            (within if stepping else between).append(entry)
    assert between.count("collection 0") >= 100, f"{len(between)} collections between 120 steps"
    assert "collection 1" in between, "no older collection in 120 steps: the test would say little"
    older = [entry for entry in within if entry != "collection 0"]
    # Python can still start an older one by itself within a step when the step (with the pilot's
    # own work, counted here) allocates past its young threshold twice over: once in a fresh-clone
    # run. Before the collector ran between steps, five fell within these 120 steps.
    assert len(older) <= 1, f"within a step's work, before its frame: {older}"


# -- the panels' one hook below Textual's line API (see LineView.render_lines) -------------------

async def test_the_compositor_still_paints_the_panels_through_their_render_lines(monkeypatch):
    # The panels' fast path is an override of Widget.render_lines, the method Textual's
    # compositor calls for a widget's lines. A Textual upgrade that renames it or stops calling
    # it would quietly send every panel through the slower styles cache: fail loudly instead.
    assert list(inspect.signature(Widget.render_lines).parameters) == ["self", "crop"], (
        "Textual's Widget.render_lines changed: LineView and BlankScreen override it (see their docstrings)")
    painted = set()

    def recording(fast_path):
        def render_lines(widget, crop):
            painted.add(type(widget).__name__)
            return fast_path(widget, crop)
        return render_lines

    for cls in (LineView, BlankScreen):
        monkeypatch.setattr(cls, "render_lines", recording(cls.render_lines))
    app = StepperApp(trace=Trace(resolve("20-sigmoid-2-2-2")))
    async with app.run_test(size=(120, 40)) as pilot:
        painted.clear()
        await pilot.press("right", "right")
        await pilot.pause()
    assert {"NetworkDiagram", "EquationsPanel", "ValueTable", "StatusBar", "BlankScreen"} <= painted, (
        f"Textual's compositor no longer calls the overridden render_lines (painted: {sorted(painted)})")


@pytest.mark.parametrize("size", [(120, 40), (200, 50)])
async def test_the_fast_path_paints_what_textuals_own_path_paints(size):
    app = StepperApp(trace=Trace(resolve("90-wide-6-10-10-4")))
    async with app.run_test(size=size) as pilot:
        await pilot.press(*["right"] * 25, "down", "down")
        await pilot.pause()
        views = [view for view in app.screen.query(LineView) if view.display and view.region]
        assert len(views) >= 4
        for view in views:
            whole = Region(0, 0, *view.outer_size)
            fast = [strip_cells(strip) for strip in view.render_lines(whole)]
            view.refresh()  # nothing Textual cached for the panel before is reused
            textual = [strip_cells(strip) for strip in Widget.render_lines(view, whole)]
            assert fast == textual, f"{view.id}: the fast path and Textual's path paint differently"


@pytest.mark.parametrize("no_color", [False, True])
async def test_the_screen_paints_what_textuals_own_path_paints(monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = StepperApp(trace=Trace(resolve("20-sigmoid-2-2-2")))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BlankScreen)
        whole = Region(0, 0, *screen.outer_size)
        fast = [strip_cells(strip) for strip in screen.render_lines(whole)]
        textual = [strip_cells(strip) for strip in Widget.render_lines(screen, whole)]
        assert fast == textual


async def test_css_box_and_tint_on_a_panel_are_drawn():
    # Textual draws a widget's border, padding and tint around and over its lines; a panel
    # with any of them goes through Textual's path instead of the fast one.
    class Numbers(LineView):
        DEFAULT_CSS = "Numbers { border: solid red; padding: 0 2; } Numbers.-tinted { tint: red 40%; }"

        def line(self, row):
            return [(f"row {row}", "")]

    class Host(App):
        def compose(self):
            yield Numbers()

    app = Host()
    async with app.run_test(size=(30, 8)) as pilot:
        view = app.query_one(Numbers)
        view.set_content_size(10, 3)
        await pilot.pause()
        lines = [strip.text for strip in view.render_lines(Region(0, 0, *view.outer_size))]
        assert lines[0].startswith("┌") and lines[-1].startswith("└"), lines
        assert lines[1].startswith("│  row 0"), lines
        plain = fresh_cells(view)
        view.add_class("-tinted")
        await pilot.pause()
        tinted = fresh_cells(view)
        assert [[c for c, _ in row] for row in tinted] == [[c for c, _ in row] for row in plain]
        assert colours(tinted) != colours(plain), "the tint changed no colour"


async def test_a_stylesheet_can_restyle_one_panels_roles():
    # Each panel's roles are its own component classes: restyling the value table's current
    # row leaves the diagram's current item alone.
    class Restyled(StepperApp):
        CSS = "ValueTable > .run--current { background: #ff0000; }"

    app = Restyled(trace=Trace(resolve("20-sigmoid-2-2-2")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right")
        await pilot.pause()
        red = (255, 0, 0)
        assert red in colours(fresh_cells(app.query_one(ValueTable)))
        assert red not in colours(fresh_cells(app.diagram))
