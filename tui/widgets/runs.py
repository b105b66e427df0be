"""Lines as runs of (text, role), rendered straight to strips.

The diagram and the value table repaint a few lines on every key press. Rendering them through
Content would parse style strings such as "$accent" each time; instead each role is a CSS
component class (so it follows the theme), resolved once to a Rich style by Textual's cache, and a
line becomes a list of segments.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

Run = tuple[str, str]  # (text, role); role "" is the widget's own style
Line = list[Run]

ROLES = ("current", "read", "muted", "bold", "italic", "section", "ok", "bad", "cursor")

# Marks survive a washed-out projector and a monochrome terminal: reverse and underline as well
# as colour.
ROLE_CSS = """
{name} > .run--current {{ text-style: bold reverse; color: $accent; }}
{name} > .run--read {{ text-style: bold underline; color: $accent; }}
{name} > .run--muted {{ color: $text-muted; }}
{name} > .run--bold {{ text-style: bold; }}
{name} > .run--italic {{ text-style: italic; }}
{name} > .run--section {{ text-style: bold underline; }}
{name} > .run--ok {{ color: $success; }}
{name} > .run--bad {{ text-style: bold; color: $error; }}
{name} > .run--cursor {{ background: $primary 40%; }}
"""

COMPONENT_CLASSES = {f"run--{role}" for role in ROLES}


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
    """Turns runs into strips for one widget, with its theme's styles."""

    def __init__(self, widget) -> None:
        self.widget = widget
        self._styles: dict[str, Style] = {}
        self._combined: dict[tuple[str, str], Style] = {}  # (role, extra) -> base + role + extra
        self._base: Style | None = None

    def forget(self) -> None:
        """Drop resolved styles (after a theme or CSS change)."""
        self._styles.clear()
        self._combined.clear()

    def style(self, role: str) -> Style:
        if not role:
            return Style()
        style = self._styles.get(role)
        if style is None:
            style = self._styles[role] = self.widget.get_component_rich_style(f"run--{role}", partial=True)
        return style

    def _over(self, base: Style, role: str, extra: str) -> Style:
        if base is not self._base:
            self._base = base
            self._combined.clear()
        style = self._combined.get((role, extra))
        if style is None:
            style = base + self.style(role) if role else base
            if extra:
                style += self.style(extra)
            self._combined[role, extra] = style
        return style

    def strip(self, line: Line, width: int, base: Style, extra: str = "") -> Strip:
        """One strip of exactly `width` cells (built in one go: a Strip is not cheap to make)."""
        segments = [Segment(text, self._over(base, role, extra)) for text, role in line if text]
        length = sum(cell_len(segment.text) for segment in segments)
        if length < width:
            segments.append(Segment(" " * (width - length), self._over(base, "", extra)))
            length = width
        return Strip(segments, length)
