"""The key footer: Textual's, recomposed only when what it shows changes.

Textual's Footer rebuilds all of its keys whenever the screen's bindings may have changed: when
focus moves, and when the app refreshes its bindings. Starting the stepper did that twice (the
first focus, then the trace's keys coming alive), and each rebuild of its dozen keys, with the
layout and repaint it brings, took about 40 ms of CPU (4-8-8-3 network, 120×40), against none
for a rebuild that shows the same keys in the same states. So a rebuild that would show what is
already there is skipped.
"""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """A Footer that skips rebuilding when its keys, their states and tooltips are unchanged."""

    _shown: tuple | None = None

    def _keys(self) -> tuple:
        """What the footer's keys would show now: the shown bindings, enabled or not, and the palette's key."""
        bindings = self.screen.active_bindings
        shown = tuple((binding.key, binding.description, binding.action, binding.group, enabled, tooltip)
                      for (_, binding, enabled, tooltip) in bindings.values() if binding.show)
        palette = bindings.get(self.app.COMMAND_PALETTE_BINDING)
        return self.compact, self.show_command_palette, shown, palette is not None and palette[2]

    async def recompose(self) -> None:
        keys = self._keys()
        if keys == self._shown and self.children:
            return
        self._shown = keys
        await super().recompose()
