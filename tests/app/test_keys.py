"""One key table (tui/keys.py): the app's bindings, when each may run, the help screen and the
README's key table all list the same keys."""

from __future__ import annotations

import re
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from backprop_stepper.core import Trace, resolve
from backprop_stepper.tui import keys
from backprop_stepper.tui.app import StepperApp
from backprop_stepper.tui.screens.help import HelpScreen
from backprop_stepper.tui.widgets.values import ValueTable

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_keys() -> list[list[str]]:
    """The keys of each row of the README's key table, as written between backticks."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| key | does |"):]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append(re.findall(r"`([^`]+)`", line.split("|")[1]))
    return rows


def test_the_readme_lists_the_key_table_s_keys_and_only_them():
    listed = [name for row in readme_keys() for name in row]
    assert len(listed) == len(set(listed)), "a key listed twice in the README"
    assert sorted(listed) == sorted(name for row in keys.KEYS for name in row.names)


def test_every_binding_is_shown_in_its_row_and_every_row_s_keys_are_bound():
    app = App()
    for row in keys.KEYS:
        names = {name.lower() for name in row.names}
        bound = {app.get_key_display(Binding(key, command.action)).lower()
                 for command in row.commands for key in command.keys.split(",")}
        if row.commands:
            assert bound == names, row.shown
    # the rows without commands are Textual's and the value table's own keys
    assert app.COMMAND_PALETTE_BINDING == "ctrl+p"
    assert {b.key for b in ValueTable.BINDINGS} >= {"up", "down"}


def test_the_app_binds_exactly_the_key_table_with_help_and_quit_first():
    bound = [(b.key, b.action, b.show) for b in StepperApp.BINDINGS]
    assert bound == [(b.key, b.action, b.show) for b in keys.BINDINGS]
    assert [action for _, action, show in bound if show][:2] == ["help", "quit"]
    assert len({key for key, _, _ in bound for key in key.split(",")}) == sum(
        len(key.split(",")) for key, _, _ in bound), "a key bound twice"


async def test_the_help_screen_lists_every_row_of_the_key_table():
    app = StepperApp(trace=Trace(resolve("sigmoid-2-2-2")), watch=False)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(static.render()) for static in app.screen.query("Static"))
        for row in keys.KEYS:
            assert f"  {row.shown:<14}{row.does}" in text


async def test_moves_are_disabled_at_the_ends_of_the_trace_as_the_key_table_says():
    app = StepperApp(trace=Trace(resolve("sigmoid-2-2-2")), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for position, disabled in ((0, -1), (len(app.trace) - 1, 1)):
            app.go_to(position)
            await pilot.pause()
            for command in keys.COMMANDS:
                allowed = app.check_action(command.action, command.args)
                assert (allowed is None) == (command.move == disabled), (position, command.action, command.args)
