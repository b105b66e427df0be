"""Layout boxes that paint nothing of their own."""

from rich.segment import Segment
from textual.containers import Container
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip


class _Blank:
    """BLANK: Textual skips styling the box's lines, which it would otherwise do on every repaint
    of anything inside it. Where the background shows (padding, gaps) it is painted here, through
    Textual's colour filters, which Textual's own BLANK path leaves out (so NO_COLOR would keep a
    hue at the box's edges)."""

    BLANK = True
    _blank_line: tuple[tuple, Strip] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        style, filters = self.visual_style.rich_style, tuple(self.app.get_line_filters())
        key = (crop.width, style, filters)
        if self._blank_line is None or self._blank_line[0] != key:
            for line_filter in filters:
                style = line_filter.apply([Segment(" ", style)], self.background_colors[1])[0].style
            self._blank_line = (key, Strip.blank(crop.width, style))
        return [self._blank_line[1]] * crop.height


class Frame(_Blank, Container):
    """Groups panels for layout (side by side, hidden together). app.tcss makes frames
    `visibility: hidden` (their panels visible), so Textual's compositor leaves them out
    altogether; BLANK keeps one cheap if a style ever shows it."""


class BlankScreen(_Blank, Screen):
    """The stepper's screen: the panels and the footer cover it (otherwise its forty lines are
    restyled on every step, since every step repaints across its height)."""
