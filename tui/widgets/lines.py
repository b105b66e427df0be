"""A line-API view that scrolls itself.

Textual's scrollable widgets reflow the whole screen when they scroll, and the value table and the
diagram scroll on most steps (to follow the current item). This view keeps its own offsets and
repaints only its own lines, so following the step costs a few cached strips, not a full screen.
It draws a one-column position indicator when its content is taller than the view.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from .runs import Line, RunPainter


class LineView(Widget):
    ALLOW_MAXIMIZE = True  # any panel may fill the screen (m), for a lecture hall

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.top = 0
        self.left = 0
        self.content_width = 0
        self.content_height = 0
        self._strips: dict[int, Strip] = {}
        self._runs = RunPainter(self)
        self._base: Style | None = None

    # -- what subclasses provide --------------------------------------------------------------

    def line(self, row: int) -> Line:
        raise NotImplementedError

    def line_extra(self, row: int) -> str:
        """An extra role laid over a whole line (e.g. the selection cursor)."""
        return ""

    # -- content changes ----------------------------------------------------------------------

    def set_content_size(self, width: int, height: int) -> None:
        if (width, height) != (self.content_width, self.content_height):
            self.content_width, self.content_height = width, height
            self._strips.clear()
            self._clamp()
            self.refresh()

    def invalidate(self, rows) -> None:
        """Forget the cached strips of some rows and repaint just those rows."""
        regions = []
        width, height = self.size
        for row in rows:
            self._strips.pop(row, None)
            if 0 <= row - self.top < height:
                regions.append(Region(0, row - self.top, width, 1))
        if regions:
            self.refresh(*regions)

    def invalidate_all(self) -> None:
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # a new theme: every cached line has old colours
        self._runs.forget()
        self._base = None

    # -- scrolling ----------------------------------------------------------------------------

    @property
    def view_width(self) -> int:
        return max(self.size.width - (1 if self.content_height > self.size.height else 0), 1)

    def _clamp(self) -> None:
        self.top = max(0, min(self.top, self.content_height - self.size.height))
        self.left = max(0, min(self.left, self.content_width - self.view_width))

    def scroll_into_view(self, x: int, y: int, width: int = 1, height: int = 1, margin_x: int = 0, margin_y: int = 0) -> None:
        """Move the offsets as little as possible so the region is visible (with a margin)."""
        top, left = self.top, self.left
        view_height, view_width = self.size.height, self.view_width
        if y - margin_y < self.top:
            self.top = y - margin_y
        elif y + height + margin_y > self.top + view_height:
            self.top = y + height + margin_y - view_height
        if x - margin_x < self.left:
            self.left = x - margin_x
        elif x + width + margin_x > self.left + view_width:
            self.left = x + width + margin_x - view_width
        self._clamp()
        if (top, left) != (self.top, self.left):
            self.refresh()

    def page_into_view(self, row: int) -> None:
        """Keep a row visible by paging: when it leaves the view, put it a third of the way down.
        Most steps then do not scroll at all (a scroll repaints every visible line)."""
        height = self.size.height
        if height <= 0 or self.top <= row < self.top + height:
            return
        self.top = row - height // 3
        self._clamp()
        self.refresh()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.top += 3
        self._clamp()
        self.refresh()
        event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.top -= 3
        self._clamp()
        self.refresh()
        event.stop()

    def on_resize(self) -> None:
        # Textual keeps a widget's rendered lines across a change of height; after a resize every
        # line must be painted again or old lines can linger.
        self._clamp()
        self._strips.clear()
        self.refresh()

    # -- rendering ----------------------------------------------------------------------------

    def render_lines(self, crop):
        # Resolved once, not once per frame: a style change resets it (see notify_style_update).
        if self._base is None:
            self._base = self.rich_style
        self._frame = (self.size.width, self.size.height, self.view_width)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        row = self.top + y
        base = self._base
        width, height, view = self._frame
        if row >= self.content_height:
            strip = Strip.blank(view, base)
        else:
            strip = self._strips.get(row)
            if strip is None:
                strip = self._runs.strip(self.line(row), self.content_width, base, self.line_extra(row))
                self._strips[row] = strip
            strip = strip.crop_extend(self.left, self.left + view, base)
        if view < width:  # the position indicator
            thumb_start = self.top * height // max(self.content_height, 1)
            thumb_end = max(thumb_start + 1, (self.top + height) * height // max(self.content_height, 1))
            mark = "┃" if thumb_start <= y < thumb_end else "│"
            strip = Strip([*strip, Segment(mark, base + self._runs.style("muted"))], width)
        return strip
