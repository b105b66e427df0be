"""What the terminal shows after a run of steps is what a fresh paint of the same position shows.

The panels repaint only the lines that change and keep every finished line (tui/widgets/lines.py);
a line forgotten by mistake would leave stale text on screen that no model-level assertion sees.
So these tests keep a virtual terminal: every update the app sends (the partial updates of each
step, the full ones after a resize) is applied to a grid of cells, and after each step the grid is
compared with the screen painted from scratch, with every panel's caches emptied.
"""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.segment import ControlType
from textual.app import App
from textual.geometry import Region

from backprop_stepper.core import Trace, resolve
from backprop_stepper.tui.app import StepperApp
from backprop_stepper.tui.widgets.lines import LineView

pytestmark = pytest.mark.slow  # every step of every scenario against a fresh paint


class VirtualTerminal:
    def __init__(self, width: int, height: int) -> None:
        self.console = Console(width=width, height=height, force_terminal=True, color_system="truecolor")
        self.resize(width, height)

    def resize(self, width: int, height: int) -> None:
        self.cells = [[(" ", None)] * width for _ in range(height)]

    def apply(self, update) -> None:
        x = y = 0
        for segment in update.__rich_console__(self.console, self.console.options):
            if segment.control:
                for code in segment.control:
                    if code[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = code[1], code[2]
                continue
            if segment.text == "\n":
                continue
            for char in segment.text:  # the stepper draws only single-width characters
                if 0 <= y < len(self.cells) and 0 <= x < len(self.cells[y]):
                    self.cells[y][x] = (char, segment.style)
                x += 1


def screen_cells(strips) -> list[list[tuple]]:
    return [[(char, segment.style) for segment in strip for char in segment.text] for strip in strips]


def fresh_paint(app: StepperApp) -> list[list[tuple]]:
    """The whole screen painted from scratch: every panel's cached lines set aside meanwhile."""
    views = list(app.screen.query(LineView))
    caches = ("_painted", "_finished", "_strips")
    saved = [[getattr(view, cache) for cache in caches] for view in views]
    for view in views:
        for cache in caches:
            setattr(view, cache, {})
    try:
        return screen_cells(app.screen._compositor.render_strips())
    finally:
        for view, kept in zip(views, saved, strict=True):
            for cache, value in zip(caches, kept, strict=True):
                setattr(view, cache, value)


def differences(shown, fresh) -> list[str]:
    out = []
    for y, (row, expected) in enumerate(zip(shown, fresh, strict=True)):
        if row != expected:
            out.append(f"line {y}: shown    {''.join(c for c, _ in row)!r}\n"
                       f"        expected {''.join(c for c, _ in expected)!r}")
    return out


async def watch(app: StepperApp, pilot, size) -> VirtualTerminal:
    terminal = VirtualTerminal(*size)
    display = app._display

    def display_and_apply(screen, update) -> None:
        display(screen, update)
        if update is not None:
            terminal.apply(update)

    app._display = display_and_apply
    app.screen.refresh(layout=True)  # one full paint into the virtual terminal to start from
    await pilot.pause()
    return terminal


async def assert_screen_is_fresh(app, pilot, terminal, what: str) -> None:
    await pilot.pause()
    problems = differences(terminal.cells, fresh_paint(app))
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
    app = StepperApp(trace=Trace(resolve(name)))
    async with app.run_test(size=size) as pilot:
        terminal = await watch(app, pilot, size)
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
    app = StepperApp(trace=Trace(resolve("90-wide-6-10-10-4")))
    async with app.run_test(size=(120, 40)) as pilot:
        terminal = await watch(app, pilot, (120, 40))
        for size in [(80, 24), (200, 50), (100, 30)]:
            terminal.resize(*size)
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await assert_screen_is_fresh(app, pilot, terminal, f"resizing to {size}")
            for n in range(15):
                await pilot.press("right")
                await assert_screen_is_fresh(app, pilot, terminal, f"step {n + 1} at {size}")


def colours(cells) -> set:
    return {colour for row in cells for _, style in row if style is not None
            for colour in (style.color, style.bgcolor) if colour is not None and colour.triplet is not None}


async def test_no_color_reaches_every_panel(monkeypatch):
    # The panels pass each role's style through Textual's line filters once, not each line:
    # with NO_COLOR set (Textual's Monochrome filter) nothing on screen may keep a hue.
    monkeypatch.setenv("NO_COLOR", "1")
    app = StepperApp(trace=Trace(resolve("20-sigmoid-2-2-2")))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(12):
            await pilot.press("right")
        await pilot.pause()
        shown = colours(screen_cells(app.screen._compositor.render_strips()))
        assert shown, "no colours at all: the check below would pass vacuously"
        hued = {c.triplet for c in shown if len(set(c.triplet)) > 1}
        assert not hued, f"colours left under NO_COLOR: {sorted(hued)[:5]}"


async def test_a_theme_change_repaints_every_cached_line():
    app = StepperApp(trace=Trace(resolve("90-wide-6-10-10-4")))
    async with app.run_test(size=(120, 40)) as pilot:
        terminal = await watch(app, pilot, (120, 40))
        for _ in range(10):
            await pilot.press("right")
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
        for cache in (view._painted, view._finished, view._strips):
            cache.clear()
        fresh = [strip.text for strip in view.render_lines(whole)]
        assert fresh != before, "the indicator did not move: the test would pass vacuously"
        assert shown == fresh
