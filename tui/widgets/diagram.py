"""The network diagram panel: paints `tui.diagram` into a scrollable view that follows the step."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.geometry import Region, Spacing
from textual.widgets import Static

from core.ledger import Ledger, LedgerState
from core.trace import Event

from ..diagram import DiagramPainter, Picture


class NetworkDiagram(ScrollableContainer):
    can_focus = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.painter: DiagramPainter | None = None
        self.picture: Picture | None = None
        self._last: tuple[LedgerState, Event] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="diagram-canvas", expand=False, shrink=False)

    def load(self, ledger: Ledger) -> None:
        self.painter = DiagramPainter(ledger)
        self._last = None

    def show(self, state: LedgerState, event: Event) -> None:
        self._last = (state, event)
        self._paint()

    def on_resize(self) -> None:
        if self._last is not None:
            self._paint()

    def _paint(self) -> None:
        if self.painter is None or self._last is None:
            return
        state, event = self._last
        # The panel's height follows its content, so its current size says nothing about the
        # room available: budget from the screen instead, and cap the panel to that budget.
        width = max(self.scrollable_content_region.width, 20)
        height = self.height_budget()
        picture = self.painter.paint(state, event, width, height)
        scrollbar = 1 if picture.width > width else 0
        self.styles.max_height = min(picture.height, height) + scrollbar + 1  # + the title border
        self.styles.overflow_y = "auto" if picture.height > height else "hidden"
        self.picture = picture
        canvas = self.query_one("#diagram-canvas", Static)
        canvas.update(Content("\n").join(picture.lines))
        if picture.focus is not None:
            x, y, w, h = picture.focus
            # After the new picture is laid out, bring the current item into view with a margin.
            self.call_after_refresh(
                self.scroll_to_region, Region(x, y, w, h), spacing=Spacing(1, 4, 1, 4), animate=False, immediate=True
            )

    def height_budget(self) -> int:
        """Rows the picture may use: about two fifths of the screen, leaving room for the rest."""
        screen_height = self.app.size.height
        wide = self.screen.has_class("-wide")
        share = 0.55 if wide else 0.4
        return max(4, min(int(screen_height * share) - 1, 40))

    @property
    def plain(self) -> str:
        """The picture as plain text (for tests and screen readers)."""
        return "\n".join(line.plain for line in self.picture.lines) if self.picture else ""
