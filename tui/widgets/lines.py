"""A line-API view that scrolls itself and draws its own chrome.

Textual's scrollable widgets reflow the whole screen when they scroll, and the value table and the
diagram scroll on most steps (to follow the current item). This view keeps its own offsets and
repaints only its own lines, so following the step costs a few cached strips, not a full screen.
It draws a one-column position indicator when its content is taller than the view.

It paints through Textual's line API (`render_line`), so CSS border, padding, tint and opacity on
a panel apply as on any widget. A panel's own chrome is simple — a title rule across the top
(`title`), blank columns each side (`padding_x`) and, beside another panel, a rule on the left —
so it is drawn here, and each finished line is kept per content row until that row changes:
Textual asks again only for the lines a step marks dirty, and a scroll moves finished lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.segment import Segment
from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from .runs import Line, RunPainter, cells, role_classes, role_css

EVERYTHING = -1  # in repainting_once(): the whole panel
RECENT_LINES = 128  # finished lines kept by what they show (see _screen_line)
RULE, LEFT_RULE = "─", "▏"  # as Textual draws a solid top border and a vkey left border


class LineView(Widget):
    """A panel of lines of (text, role) runs that scrolls itself and repaints only changed rows."""

    ALLOW_MAXIMIZE = True  # any panel may fill the screen (m), for a lecture hall
    COMPONENT_CLASSES = role_classes("rule", "title", "muted")  # the chrome's; subclasses add their own
    DEFAULT_CSS = role_css("LineView")

    title = ""  # drawn as a rule across the top row ("─network────"), like a border title
    padding_x = 0  # blank columns left and right of the content
    heading: Line | None = None  # a line kept above the content as it scrolls (column titles)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.top = 0
        self.left = 0
        self.content_width = 0
        self.content_height = 0
        self._strips: dict[int, tuple[list[Segment], int]] = {}  # content row -> segments, cells
        self._painted: dict[int, Strip] = {}  # screen line -> finished strip (see render_lines)
        # Content row -> its finished strip and what else it was drawn with (the horizontal
        # offset, the position indicator's glyph): kept across vertical scrolls, so a scroll
        # moves lines that are already painted instead of painting them again.
        self._finished: dict[int, tuple[tuple, Strip]] = {}
        # The last finished lines by what they show, whatever row they were on: a picture that
        # comes back (the diagram's network after a close-up, a row scrolled back into view, a
        # title rule after a scroll) reuses its lines instead of painting new ones. Painting a
        # line makes a Strip and a dozen objects the cycle collector must walk; see _screen_line.
        self._recent: dict[tuple, Strip] = {}
        self._runs = RunPainter(self)
        self._left_rule = False
        self._pending: set[int] | None = None  # screen lines collected by repainting_once()
        self._geometry: tuple[int, int, int, int, int] | None = None  # while painting: see _screen_line
        self._plain: tuple = (None, True)  # (the visual style, whether it has no CSS box): see render_lines
        # The size as last laid out. Widget.size asks the screen for the widget's region, and
        # painting a step needs it dozens of times; render_line and on_resize keep this current.
        self._laid_out = Size(0, 0)

    # -- what subclasses provide --------------------------------------------------------------

    def line(self, row: int) -> Line:
        raise NotImplementedError

    def line_extra(self, row: int) -> str:
        """An extra role laid over a whole line (e.g. the selection cursor)."""
        return ""

    def has_left_rule(self) -> bool:
        """Whether a rule separates this panel from one on its left (asked on every resize)."""
        return False

    # -- geometry -----------------------------------------------------------------------------

    @property
    def chrome_top(self) -> int:
        """Rows above the content: the title rule and the heading."""
        return (1 if self.title else 0) + (self.heading is not None)

    @property
    def view_height(self) -> int:
        """Rows of content visible at once."""
        return max(self._laid_out.height - self.chrome_top, 0)

    @property
    def inner_width(self) -> int:
        """Columns between the chrome (the position indicator, when shown, takes the last)."""
        return max(self._laid_out.width - 2 * self.padding_x - self._left_rule, 0)

    @property
    def view_width(self) -> int:
        return max(self.inner_width - (1 if self.content_height > self.view_height else 0), 1)

    # -- content changes ----------------------------------------------------------------------

    def set_content_size(self, width: int, height: int) -> None:
        """The content's size; the caller invalidates the rows whose content changed, and this
        the rows that appeared or went and those where the position indicator moved."""
        if (width, height) == (self.content_width, self.content_height):
            return
        was_scrollable, old_thumb = self.content_height > self.view_height, self._thumb()
        old_width, old_height = self.content_width, self.content_height
        self.content_width, self.content_height = width, height
        top, left = self.top, self.left
        self._clamp()
        scrollable = height > self.view_height
        if width != old_width or scrollable != was_scrollable or (top, left) != (self.top, self.left):
            self.invalidate_all()  # new strip widths, the indicator's column, or a scroll
            return
        self.invalidate(range(min(old_height, height), max(old_height, height)))
        if scrollable:  # the lines beside which the indicator changed: their content has not
            (old_start, old_end), (start, end) = old_thumb, self._thumb()
            self._repaint_lines([y + self.chrome_top for y in range(self.view_height)
                                 if (old_start <= y < old_end) != (start <= y < end)])

    def _thumb(self) -> tuple[int, int]:
        """The rows of the view where the position indicator is drawn thick."""
        height, content = self.view_height, max(self.content_height, 1)
        start = self.top * height // content
        return start, max(start + 1, (self.top + height) * height // content)

    def invalidate(self, rows) -> None:
        """Forget the cached strips of some rows and repaint just those rows."""
        lines = []
        chrome, view_height = self.chrome_top, self.view_height
        for row in rows:
            self._strips.pop(row, None)
            self._finished.pop(row, None)
            if 0 <= row - self.top < view_height:
                lines.append(row - self.top + chrome)
        self._repaint_lines(lines)

    def _repaint_lines(self, lines: list[int]) -> None:
        """Paint some screen lines again (their content rows' caches are up to date)."""
        for y in lines:
            self._painted.pop(y, None)
        if lines:
            self._refresh(lines)

    @contextmanager
    def repainting_once(self) -> Iterator[None]:
        """Collect the repaints asked for inside and ask Textual once: each refresh costs a pass
        through Textual's bookkeeping, and a step can invalidate a panel's rows several times."""
        self._pending = set()
        try:
            yield
        finally:
            pending, self._pending = self._pending, None
            if pending:
                self._repaint(None if EVERYTHING in pending else pending)

    def _refresh(self, lines: list[int] | None = None) -> None:
        """Repaint some screen lines of the panel (None: all of it), now or when
        repainting_once() ends."""
        if self._pending is None:
            self._repaint(lines)
        elif lines is None:
            self._pending.add(EVERYTHING)
        else:
            self._pending.update(lines)

    def _repaint(self, lines) -> None:
        if lines is None:
            self.refresh()
            return
        # Neighbouring lines as one region: Textual's bookkeeping goes region by region.
        regions: list[Region] = []
        width = self._laid_out.width
        for y in sorted(lines):
            if regions and regions[-1].bottom == y:
                regions[-1] = regions[-1].grow((0, 0, 1, 0))
            else:
                regions.append(Region(0, y, width, 1))
        self.refresh(*regions)

    def set_heading(self, heading: Line | None) -> None:
        if heading != self.heading:
            self.heading = heading
            self.invalidate_all()
            self._clamp()

    def invalidate_all(self) -> None:
        self._forget()
        self._refresh()

    def _forget(self) -> None:
        self._strips.clear()
        self._finished.clear()
        self._painted.clear()

    def _scrolled(self) -> None:
        self._painted.clear()
        self._refresh()

    # -- scrolling ----------------------------------------------------------------------------

    def _clamp(self) -> None:
        self.top = max(0, min(self.top, self.content_height - self.view_height))
        self.left = max(0, min(self.left, self.content_width - self.view_width))

    def scroll_into_view(self, x: int, y: int, width: int = 1, height: int = 1, margin_x: int = 0,
                         margin_y: int = 0) -> None:
        """Keep the region visible (with a margin). When it has left the view, page rather than
        creep: put it a third of the way in, so that following the steps after it does not
        scroll again at once (every scroll repaints the whole panel)."""
        top, left = self.top, self.left
        view_height, view_width = self.view_height, self.view_width
        if view_height <= 0:
            return  # not laid out yet: the first resize keeps the region in view
        if y - margin_y < self.top or y + height + margin_y > self.top + view_height:
            self.top = y - max(margin_y, (view_height - height + 1) // 3)
        if x - margin_x < self.left or x + width + margin_x > self.left + view_width:
            self.left = x - max(margin_x, (view_width - width + 1) // 3)
        self._clamp()
        if (top, left) != (self.top, self.left):
            self._scrolled()

    def keep_in_view(self, box: tuple[int, int, int, int], anchor: tuple[int, int, int, int] | None = None,
                     margin_x: int = 0, margin_y: int = 0) -> None:
        """Keep the box (x0, y0, x1, y1) visible, along each axis where it fits in the view, else
        the anchor (x, y, width, height) within it. Pages like scroll_into_view."""
        if self.view_height <= 0:
            return  # not laid out yet: the first resize keeps the box in view
        top, left = self.top, self.left
        x0, y0, x1, y1 = box
        if anchor is not None:
            ax, ay, aw, ah = anchor
            if x1 - x0 > self.view_width:
                x0, x1 = ax, ax + aw
            if y1 - y0 > self.view_height:
                y0, y1 = ay, ay + ah
        self.left = _follow(self.left, x0, x1, self.view_width, margin_x)
        self.top = _follow(self.top, y0, y1, self.view_height, margin_y)
        self._clamp()
        if (top, left) != (self.top, self.left):
            self._scrolled()

    def scroll_home(self) -> None:
        if self.top or self.left:
            self.top = self.left = 0
            self._scrolled()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll_by(3)
        event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll_by(-3)
        event.stop()

    def _scroll_by(self, rows: int) -> None:
        self.top += rows
        self._clamp()
        self._scrolled()

    def on_resize(self) -> None:
        self._resized(self.size)
        self._strips.clear()
        self.refresh()

    def _resized(self, size: Size) -> None:
        # Every line is painted again: Textual keeps a widget's rendered lines across a change of
        # height, and old lines could linger.
        self._laid_out = size
        self._left_rule = self.has_left_rule()
        self._clamp()
        self._painted.clear()
        self._finished.clear()
        self._recent.clear()  # painted at the old width

    @property
    def visible_text(self) -> str:
        """The panel as it is drawn now (chrome, scroll offsets and all), as plain text: for
        tests and screen readers."""
        width, height = self.outer_size
        return "\n".join(strip.text for strip in self.render_lines(Region(0, 0, width, height)))

    @contextmanager
    def caches_set_aside(self) -> Iterator[None]:
        """Paint every line from the content while inside, the caches kept as they were for
        after: what a fresh paint shows, to check what the caches show against (tests)."""
        kept = self._strips, self._finished, self._painted, self._recent
        self._strips, self._finished, self._painted, self._recent = {}, {}, {}, {}
        try:
            yield
        finally:
            self._strips, self._finished, self._painted, self._recent = kept

    # -- rendering ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Line y of the panel inside any CSS border and padding, through Textual's line API
        (whose styles cache applies the colour filters to each line)."""
        self._prepare(())
        self._geometry = None
        return self._screen_line(y)

    def render_lines(self, crop: Region) -> list[Strip]:
        """The panel's lines within crop, as Textual's compositor asks for them.

        The one hook below Textual's line API. Textual's own render_lines sends every repainted
        line through its styles cache (border, padding, tint, opacity, then each colour filter
        segment by segment, making three Strips of each line), which measured in
        benchmarks/run.py more than doubled the panels' share of a step: the wide network's step
        latency went from × 1.75 to × 2.6–3.3 the minimal app's (the goal is × 2; see the
        README's Performance notes). A panel with nothing for that pipeline to do (no border,
        padding, outline, tint, hatch or opacity: the stepper's own panels) is painted here
        from the same lines, with the filters applied once per role style; any other goes
        through Textual's path, so CSS on a panel always applies.
        tests/app/test_app_painting.py checks that both paths paint the same, and that the
        compositor still calls this method (a Textual upgrade that stops would be caught there).
        """
        style = self.visual_style  # a new object whenever the panel's styles change
        if style is not self._plain[0]:
            self._plain = (style, self._plain_box())
        if not self._plain[1]:
            return super().render_lines(crop)
        self._prepare(tuple(self.app.get_line_filters()), style.background)
        painted = self._painted
        lines = []
        self._geometry = None  # worked out at the first line that needs painting
        for y in crop.line_range:
            strip = painted.get(y)
            if strip is None:
                strip = painted[y] = self._screen_line(y)
            lines.append(strip)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, self._laid_out.width):
            lines = [strip.crop(x1, x2) for strip in lines]
        return lines

    def _plain_box(self) -> bool:
        """Whether the panel has no CSS that Textual's styles cache would draw around or over
        its lines."""
        styles = self.styles
        return (not styles.gutter and not any(edge for edge, _ in styles.outline) and not styles.tint.a
                and not styles.has_rule("hatch") and styles.text_opacity == 1 and self.opacity == 1)

    def _prepare(self, filters: tuple, background=None) -> None:
        """Bring the caches up to date with the panel's size and styles before painting."""
        size = self.size
        if size != self._laid_out:  # laid out anew; the Resize event is on its way
            self._resized(size)
        # Every cached line was painted with the panel's style, its roles' styles and the
        # filters: a new style (a theme, a class such as -maximized) makes them all stale.
        # Textual caches the visual style until the styles change, so this is a comparison.
        if self._runs.begin(self.visual_style.rich_style, filters, background, self.app.theme):
            self._forget()
            self._recent.clear()  # painted in the old styles

    def _screen_line(self, y: int) -> Strip:
        if self._geometry is None:
            self._geometry = (self.chrome_top, self.view_width, self.inner_width, *self._thumb())
        chrome = self._geometry[0]
        row = self.top + y - chrome
        content = y >= chrome and row < self.content_height
        if content:
            variant = (self.left, self._indicator(y - chrome))
            found = self._finished.get(row)
            if found is not None and found[0] == variant:
                return found[1]
        # A line is fixed by what it shows (the panel's size and styles are the same for every
        # line in _recent: it is emptied when they change), so a line shown before is reused.
        key = self._line_key(y, row)
        strip = self._recent.get(key)
        if strip is None:
            width = self._laid_out.width
            strip = self._strip(*self._paint_line(y, width), width)
            recent = self._recent
            if len(recent) >= RECENT_LINES:
                del recent[next(iter(recent))]  # the oldest
            recent[key] = strip
        if content:
            self._finished[row] = (variant, strip)
        return strip

    def _line_key(self, y: int, row: int) -> tuple:
        """Everything screen line y is painted from (besides the panel's size and styles)."""
        chrome = self._geometry[0]
        if y == 0 and self.title:
            return ("title",)
        if y < chrome:
            return ("heading", tuple(self.heading), self.content_width, self.left)
        indicator = self._indicator(y - chrome)
        if row >= self.content_height:
            return ("blank", indicator)
        return (tuple(self.line(row)), self.line_extra(row), self.content_width, self.left, indicator)

    def _strip(self, segments: list[Segment], length: int, width: int) -> Strip:
        if length != width:  # a panel narrower than its chrome
            segments, length = cells(segments, length, 0, width, self._runs.over("")), width
        return Strip(segments, length)

    def _indicator(self, y: int) -> str:
        """The position indicator's glyph beside line y of the view ("" when there is none)."""
        _, view, inner, thumb_start, thumb_end = self._geometry
        if view >= inner:
            return ""
        return "┃" if thumb_start <= y < thumb_end else "│"

    def _paint_line(self, y: int, width: int) -> tuple[list[Segment], int]:
        """Screen line `y` of the panel (the title rule, the heading, or a row of content) as
        finished segments and their width in cells (one Strip is made of them: a Strip is not
        cheap to make)."""
        runs = self._runs
        if y == 0 and self.title:
            title = self.title if len(self.title) < width - 4 else ""
            start = "┌─ " if self._left_rule else RULE  # the corner where the two rules meet
            segments, length = runs.segments([(start, "rule"), (title, "title"), (RULE * width, "rule")])
            return cells(segments, length, 0, width, runs.over("")), width
        chrome, view, inner, _, _ = self._geometry
        indicator = view < inner
        if y < chrome:  # the heading scrolls sideways with the columns below it
            segments, length = runs.segments(self.heading, self.content_width, "heading")
            view, indicator = inner, False
            content = cells(segments, length, self.left, self.left + view, runs.over("heading"))
        else:
            y -= chrome
            row = self.top + y
            if row >= self.content_height:
                content = [Segment(" " * view, runs.over(""))]
            else:
                cached = self._strips.get(row)
                if cached is None:
                    cached = self._strips[row] = runs.segments(self.line(row), self.content_width, self.line_extra(row))
                content = cells(*cached, self.left, self.left + view, runs.over(""))
        segments = []
        if self._left_rule:
            segments.append(Segment(LEFT_RULE, runs.over("rule")))
        if self.padding_x:
            segments.append(Segment(" " * self.padding_x, runs.over("")))
        segments += content
        if indicator:  # where the view is in the content
            segments.append(Segment(self._indicator(y), runs.over("muted")))
        if self.padding_x:
            segments.append(Segment(" " * self.padding_x, runs.over("")))
        return segments, view + self._left_rule + 2 * self.padding_x + indicator


def _follow(offset: int, start: int, end: int, view: int, margin: int) -> int:
    """The offset that shows [start, end) in a view of `view` cells, with up to `margin` cells to
    spare each side: unchanged if it already does, else the span a third of the way in (so that
    following the next steps does not scroll again at once)."""
    margin = max(0, min(margin, (view - (end - start)) // 2))
    if start - margin >= offset and end + margin <= offset + view:
        return offset
    return start - max(margin, (view - (end - start)) // 3)
