"""The stepper's screen and the layout boxes on it, which paint nothing of their own."""

from rich.style import Style
from textual.containers import Container
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip

from .runs import filtered


class Frame(Container):
    """Groups panels for layout (side by side, hidden together). app.tcss makes frames
    `visibility: hidden` (their panels visible), so Textual's compositor leaves them out: their
    children cover them, or the screen shows through in the same colour. Painted, the three
    frames under each panel cost the wide network's steps × 2.05–2.34 the minimal app's
    (median, three runs) against × 2.05–2.11 hidden, with the screen painted by Textual."""


class BlankScreen(Screen):
    """The stepper's screen: the panels and the footer cover it, but every step repaints lines
    across its height, and Textual's compositor paints the screen under each of them.

    Painted here as one blank line in the screen's style (through Textual's colour filters, so
    NO_COLOR leaves no hue where it shows beside a shorter panel), the same Strip for every row,
    which the compositor cuts once per layout instead of once per row. Through Textual's styles
    cache instead (a Strip per row), the wide network's step latency measured × 2.05–2.11 the
    minimal app's (median, three runs) against × 1.86–1.97 with this, run in turn with it in
    benchmarks/run.py: the same hook as the panels' (see LineView.render_lines), watched by
    the same tests."""

    _blank_line: tuple[tuple, Strip] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        visual, filters = self.visual_style, tuple(self.app.get_line_filters())
        key = (crop.width, visual, filters)
        if self._blank_line is None or self._blank_line[0] != key:
            style = Style(bgcolor=visual.rich_style.bgcolor)  # blanks: the background is all that shows
            self._blank_line = (key, Strip.blank(crop.width, filtered(style, filters, visual.background)))
        return [self._blank_line[1]] * crop.height
