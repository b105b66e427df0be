"""Lines as runs of (text, role), rendered straight to strips.

The diagram and the value table repaint a few lines on every key press. Rendering them through
Content would parse style strings such as "$accent" each time; instead each role is a CSS
component class of the panel (so it follows the theme and a stylesheet may restyle it), resolved
to a Rich style by Textual's cache, and a line becomes a list of segments.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

Run = tuple[str, str]  # (text, role); role "" is the widget's own style
Line = list[Run]

# Marks survive a washed-out projector and a monochrome terminal: reverse and underline as well as
# colour. Text colours are the theme's text-* shades, made to be read on its background; the
# selection is an opaque muted primary (a translucent one loses its alpha in a role's style and
# would be the full primary), so every mark keeps its contrast on it.
ROLE_STYLES = {
    "current": "text-style: bold reverse; color: $accent;",
    "read": "text-style: bold underline; color: $accent;",
    "muted": "color: $text-muted;",
    "bold": "text-style: bold;",
    "italic": "text-style: italic;",
    "section": "text-style: bold underline;",
    "ok": "color: $text-success;",
    "bad": "text-style: bold; color: $text-error;",
    "cursor": "background: $primary-muted;",
    "rule": "color: $primary;",
    "title": "color: $text-primary; text-style: bold;",
    "heading": "text-style: bold; background: $panel;",
}
ROLES = tuple(ROLE_STYLES)


def role_classes(*roles: str) -> set[str]:
    """The component classes of some roles, for a panel's COMPONENT_CLASSES: each panel lists
    the roles it paints with (Textual styles every component class of every widget on start-up
    and on each change of theme, so a panel does not carry roles it never uses)."""
    return {f"run--{role}" for role in roles}


def role_css(widget_type: str, roles=ROLES) -> str:
    """The component-class rules of some roles, for a widget's DEFAULT_CSS."""
    return "\n".join(f"{widget_type} > .run--{role} {{ {ROLE_STYLES[role]} }}" for role in roles)


def plain(line: Line) -> str:
    return "".join(text for text, _ in line)


def wrap(line: Line, width: int, indent: int = 0) -> list[Line]:
    """Word-wrap one line of runs to `width`, continuing lines after `indent` spaces."""
    width = max(width, indent + 8)
    if sum(len(text) for text, _ in line) <= width:
        return [line]  # most lines fit: no need to split them into words
    words: list[Run] = []  # words and the spaces between them, each keeping its role
    for text, role in line:
        start = 0
        for n, char in enumerate(text):
            if char == " " and n > start:
                words.append((text[start:n], role))
                start = n
            elif char != " " and n > start and text[n - 1] == " ":
                words.append((text[start:n], role))
                start = n
        if start < len(text):
            words.append((text[start:], role))
    lines: list[Line] = [[]]
    used = 0
    for text, role in words:
        if used + len(text) > width and used > indent and text.strip():
            lines.append([(" " * indent, "")])
            used = indent
            if not text.strip():
                continue
        while len(text) > width - used:  # a word longer than a line: cut it
            room = width - used
            lines[-1].append((text[:room], role))
            lines.append([(" " * indent, "")])
            used, text = indent, text[room:]
        lines[-1].append((text, role))
        used += len(text)
    return lines


class RunPainter:
    """Turns runs into segments for one widget: each role's style (a component class of the
    widget) is combined with the widget's own style and passed through the colour filters once,
    not once per segment."""

    def __init__(self, widget) -> None:
        self.widget = widget
        self._finished: dict[tuple[str, str], Style] = {}  # (role, extra) -> filtered base + role + extra
        self._context: tuple | None = None  # what the styles were made for (see begin)
        self._base, self._filters, self._background = Style(), (), None

    def begin(self, base: Style, filters: tuple, background, *context) -> bool:
        """Paint on this base style, through these line filters (e.g. NO_COLOR, ANSI themes; none
        when Textual applies them itself) on this background colour, in this context (the
        theme); True if any of them changed since the last paint (lines painted before are stale)."""
        context = (base, filters, background, *context)
        if context == self._context:
            return False
        self._context, self._base, self._filters, self._background = context, base, filters, background
        self._finished.clear()
        return True

    def style(self, role: str) -> Style:
        return self.widget.get_component_rich_style(f"run--{role}", partial=True) if role else Style()

    def over(self, role: str, extra: str = "") -> Style:
        """The style of a role (and an extra role laid over it) on the widget's base."""
        style = self._finished.get((role, extra))
        if style is None:
            style = self._base + self.style(role) if role else self._base
            if extra:
                style += self.style(extra)
            style = self._finished[role, extra] = filtered(style, self._filters, self._background)
        return style

    def segments(self, line: Line, width: int = 0, extra: str = "") -> tuple[list[Segment], int]:
        """The segments of a line and its width in cells, padded to at least `width`."""
        # Neighbouring runs of one role become one segment: every later stage (the compositor's
        # cuts, the escape codes) works segment by segment.
        over = self.over
        segments = []
        text, role = "", ""
        for next_text, next_role in line:
            if next_role == role:
                text += next_text
                continue
            if text:
                segments.append(Segment(text, over(role, extra)))
            text, role = next_text, next_role
        if text:
            segments.append(Segment(text, over(role, extra)))
        # Measured run by run: the same short texts (symbols, values) recur from step to step, and
        # Rich caches their widths.
        length = sum([cell_len(text) for text, _ in line])
        if length < width:
            segments.append(Segment(" " * (width - length), over("", extra)))
            length = width
        return segments, length


def filtered(style: Style, filters, background) -> Style:
    """A style as Textual's line filters (NO_COLOR, ANSI themes, dim) would leave it. They map
    each segment's style on its own, so filtering a style once is the same as filtering every
    segment painted with it."""
    for line_filter in filters:
        style = line_filter.apply([Segment(" ", style)], background)[0].style
    return style


def cells(segments: list[Segment], length: int, start: int, end: int, pad: Style) -> list[Segment]:
    """Cells start..end of a line `length` cells wide, padded with spaces past its end."""
    if start == 0 and length <= end:
        out = list(segments)
    else:  # cut where the cells are (a wide character split by a cut becomes spaces)
        out = list(Segment.divide(segments, [start, end]))[1] if start < length else []
    if length < end:
        out.append(Segment(" " * (end - max(length, start)), pad))
    return out
