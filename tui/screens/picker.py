"""The scenario picker: the bundled scenarios, or any file by path. Errors stay on screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from backprop_stepper.core import ScenarioError, Trace, bundled, resolve
from backprop_stepper.core.notation import count
from backprop_stepper.core.scenario import Scenario


class PickerScreen(ModalScreen[Trace | None]):
    AUTO_FOCUS = "OptionList"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, can_cancel: bool = True) -> None:
        super().__init__()
        self.can_cancel = can_cancel
        self.scenarios: dict[str, Scenario] = {}
        self.problems: dict[str, str] = {}
        for entry in bundled():
            try:
                self.scenarios[entry.name] = entry.load()
            except ScenarioError as error:  # a broken bundled file must not stop the others
                self.problems[entry.name] = str(error)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-body"):
            yield Label(Content.styled("Choose a worked example", "bold"), id="picker-title")
            with Horizontal(id="picker-main"):
                yield OptionList(
                    *[Option(f"{s.shape_label:<10} {s.title}", id=name) for name, s in self.scenarios.items()],
                    id="picker-list",
                )
                yield Static(id="picker-details")
            yield Input(placeholder="…or type the path of a scenario file and press Enter", id="picker-path")
            yield Static(id="picker-error")

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
            Content(f"{s.shape_label} network · {count(len(s.samples), 'sample')} · {count(s.iterations, 'iteration')} · {s.loss}"),
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
        if self.can_cancel:
            self.dismiss(None)
        else:
            self.app.exit()
