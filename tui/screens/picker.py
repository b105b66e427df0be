"""The scenario picker: the bundled scenarios, or any file by path. Errors stay on screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from backprop_stepper.core import ScenarioError, Trace, bundled, resolve
from backprop_stepper.core.notation import count
from backprop_stepper.core.scenario import Scenario


class PickerScreen(ModalScreen[Trace | None]):
    AUTO_FOCUS = "OptionList"
    # A modal screen ends the chain of key bindings: the stepper's keys do not apply here, so the
    # picker's footer lists only its own. Escape goes back to the scenario shown, or, when none
    # is (the picker opened first), quits; its label follows (check_action).
    BINDINGS = [
        Binding("q", "app.quit", "Quit"),
        Binding("escape", "cancel", "Back"),
        Binding("escape", "app.quit", "Quit"),
    ]

    def __init__(self, can_cancel: bool = True) -> None:
        super().__init__()
        self.can_cancel = can_cancel
        self.scenarios: dict[str, Scenario] = {}
        self.short_names: dict[str, str] = {}
        self.problems: dict[str, str] = {}
        for entry in bundled():
            try:
                self.scenarios[entry.name] = entry.load()
                self.short_names[entry.name] = entry.short_name
            except ScenarioError as error:  # a broken bundled file must not stop the others
                self.problems[entry.name] = str(error)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-body"):
            yield Label(Content.assemble(("Choose a worked example", "bold"),
                                         ("   ↑↓ choose · Enter opens",
                                          "$text-muted")), id="picker-title")
            with Horizontal(id="picker-main"):
                yield OptionList(*[self._option(name) for name in self.scenarios], id="picker-list")
                yield Static(id="picker-details")
            yield Input(placeholder="…or type the path of a scenario file and press Enter", id="picker-path")
            yield Static(id="picker-error")
        yield Footer()

    def _option(self, name: str) -> Option:
        # One line each, the name a lecturer types next time (`backprop-stepper sigmoid-2-2-2`)
        # first; the title is cut to the list's width (app.tcss) and shown in full beside it.
        width = max(len(n) for n in self.short_names.values())
        return Option(Content.assemble((f"{self.short_names[name]:<{width}}", "bold"), "  ",
                                       (self.scenarios[name].title, "$text-muted")), id=name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.can_cancel  # False: hidden, and Escape falls through to quit
        return True

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        if self.scenarios:
            self._describe(next(iter(self.scenarios)))

    def on_option_list_option_highlighted(self, message: OptionList.OptionHighlighted) -> None:
        if message.option.id:
            self._describe(message.option.id)

    def _describe(self, name: str) -> None:
        s = self.scenarios[name]
        parts = [
            Content.styled(s.title, "bold"),
            Content.assemble("open it with ", (f"backprop-stepper {self.short_names[name]}", "bold")),
            Content(f"{s.shape_label} network · {count(len(s.samples), 'sample')} · "
                    f"{count(s.iterations, 'iteration')} · {s.loss}"),
        ]
        if s.source:
            parts.append(Content.styled(f"from {s.source}", "$text-muted"))
        if s.description:
            parts += [Content(""), Content(" ".join(s.description.split()))]
        self.query_one("#picker-details", Static).update(Content("\n").join(parts))

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        self._open(self.scenarios[message.option.id])

    def on_input_submitted(self, message: Input.Submitted) -> None:
        path = message.value.strip()
        if not path:
            return
        try:
            scenario = resolve(path)
        except ScenarioError as error:
            self._error(str(error))
            return
        self._open(scenario)

    def _open(self, scenario: Scenario) -> None:
        try:
            trace = Trace(scenario)
        except ScenarioError as error:
            self._error(str(error))
            return
        self.dismiss(trace)

    def _error(self, text: str) -> None:
        self.query_one("#picker-error", Static).update(Content.styled(text, "bold $error"))

    def action_cancel(self) -> None:
        self.dismiss(None)
