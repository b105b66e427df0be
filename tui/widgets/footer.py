"""The key footer: one line of the keys that work here, drawn by one widget.

Textual's Footer makes a widget per key (each with its own styles, a compact watcher and a
tooltip) and rebuilds them all whenever the bindings may have changed. With the stepper's dozen
keys that was most of the app's own start-up work: in the app, the CPU from start to the first
settled frame of a 4-8-8-3 network at 120×40 was 140 ms with it, 82–96 ms with no footer at all,
87–107 ms with this one (medians of 9). This footer draws the same line (each key bold in the
footer's key colours, its description, a disabled key dimmed, the command palette's key at the
right edge) as one widget, redrawn when the screen's bindings change; a click on a key presses
it, as on Textual's (which also highlights the key under the mouse; this one does not).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


class KeyFooter(Widget):
    """The screen's shown key bindings on one line; disabled ones dimmed."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--rule"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--rule {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each enabled key drawn
        self._drawn: tuple | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen) -> None:
        if self._keys() != self._drawn:
            self.refresh()

    def _keys(self) -> tuple:
        """What to draw: (key, shown key, description, enabled) of each shown binding, and of the
        command palette's key (drawn at the right edge), or None."""
        bindings = self.screen.active_bindings
        first_of_action = {}  # one key per action, as Textual's footer shows them (→ for → l space)
        for _, binding, enabled, _ in bindings.values():
            if binding.show:
                first_of_action.setdefault(binding.action, (binding, enabled))
        shown = tuple((binding.key, self.app.get_key_display(binding), binding.description, enabled)
                      for binding, enabled in first_of_action.values())
        palette = bindings.get(self.app.COMMAND_PALETTE_BINDING) if self.app.ENABLE_COMMAND_PALETTE else None
        if palette is not None:
            _, binding, enabled, _ = palette
            palette = (binding.key, self.app.get_key_display(binding), binding.description, enabled)
        return shown, palette

    def render(self) -> Text:
        shown, palette = self._drawn = self._keys()
        width = self.size.width
        left = Text(no_wrap=True)
        spans = [self._draw(left, item, f" {item[1]} ", f"{item[2]} ") for item in shown]
        if palette is None:
            left.truncate(width)
        else:  # "▏^p palette" at the right edge, however narrow the terminal, as Textual draws it
            _, display, description, _ = palette
            right = Text("▏", style=self.get_component_rich_style("key-footer--rule"))
            right_width = len(display) + len(description) + 3  # the rule, the key, a space, a blank
            left.truncate(max(width - right_width, 0), pad=True)
            left.append_text(right)
            spans.append(self._draw(left, palette, display, f" {description}"))
            left.append(" ")
        self._spans = [span for span in spans if span is not None and span[0] < width]
        return left

    def _draw(self, line: Text, item: tuple, key_text: str, description_text: str) -> tuple | None:
        """Append one key to `line`; its (start, end, key) if a click on it should press it."""
        key, _, _, enabled = item
        extra = Style() if enabled else Style(dim=True)
        start = line.cell_len
        line.append(key_text, self.get_component_rich_style("key-footer--key", partial=True) + extra)
        line.append(description_text, self.get_component_rich_style("key-footer--description", partial=True) + extra)
        return (start, line.cell_len, key) if enabled else None

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
