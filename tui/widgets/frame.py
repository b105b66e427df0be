"""Layout boxes that paint nothing of their own."""

from textual.containers import Container
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip

from .runs import filtered


class Frame(Container):
    """Groups panels for layout (side by side, hidden together). app.tcss makes frames
    `visibility: hidden` (their panels visible), so Textual's compositor leaves them out: their
    children cover them, or the screen shows through in the same colour."""


class BlankScreen(Screen):
    """The stepper's screen. The panels and the footer cover it, so it is BLANK: Textual would
    otherwise restyle its forty lines on every step, since every step repaints across its height.
    Where it shows (beside a shorter panel) it is painted here, through Textual's colour filters,
    which Textual's own BLANK path leaves out (NO_COLOR would keep a hue there)."""

    BLANK = True
    _blank_line: tuple[tuple, Strip] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        style, filters = self.visual_style.rich_style, tuple(self.app.get_line_filters())
        key = (crop.width, style, filters)
        if self._blank_line is None or self._blank_line[0] != key:
            self._blank_line = (key, Strip.blank(crop.width, filtered(style, filters, self.background_colors[1])))
        return [self._blank_line[1]] * crop.height
