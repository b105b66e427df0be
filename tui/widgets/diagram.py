"""The network diagram panel: paints `tui.diagram_layout` and keeps the current item in view.

Each line of the picture is rendered once and cached until its text or marking changes, so a
step repaints only the lines that changed (see `LineView`).
"""

from __future__ import annotations

from backprop_stepper.core.ledger import Ledger, LedgerState
from backprop_stepper.core.trace import Event

from ..diagram_layout import DiagramPainter, Picture, whole_columns
from .lines import LineView
from .runs import Line, plain


class NetworkDiagram(LineView, can_focus=False):
    title = "network"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.painter: DiagramPainter | None = None
        self.picture: Picture | None = None
        self._last: tuple[LedgerState, Event] | None = None
        self._height: int | None = None

    def load(self, ledger: Ledger) -> None:
        self.painter = DiagramPainter(ledger)
        self._last = None
        self.picture = None
        self.top = self.left = 0
        self.invalidate_all()

    def show(self, state: LedgerState, event: Event) -> None:
        self._last = (state, event)
        self._paint()

    def on_resize(self) -> None:
        super().on_resize()
        if self._last is not None:
            self._paint()

    def line(self, row: int) -> Line:
        return self.picture.line(row) if self.picture else []

    def _paint(self) -> None:
        if self.painter is None or self._last is None or not self.inner_width:
            return  # not laid out yet: the first resize paints
        state, event = self._last
        # The panel's height follows the picture, so its current size says nothing about the
        # room available: budget from the screen instead, and size the panel to fit.
        width = max(self.inner_width, 20)
        budget = self.height_budget()
        picture = self.painter.paint(state, event, width, budget)
        self.set_content_size(picture.width, picture.height)  # (whether the indicator takes a column)
        view = self.view_width
        if picture.width > view:  # whole columns only: no label is cut at either edge
            picture = picture.showing(*whole_columns(picture, view, self.left))
            start = picture.placed[picture.shown[0]][0]
            # The view starts at that column even near the end of the picture.
            self.set_content_size(max(picture.width, start + view), picture.height)
        previous, self.picture = self.picture, picture
        changed = None if previous is None else picture.changed_rows(previous)
        if changed is None:
            self.invalidate_all()
        else:  # collapsed groups open and close as the focus moves: often only a few rows change
            self.invalidate(changed)
        height = min(picture.height, budget) + self.chrome_top
        if height != self._height:  # a style change costs a layout pass: only when needed
            self._height = height
            self.styles.height = height
        if picture.shown is not None:  # the columns chosen above, and the rows of what is marked
            _, y0, _, y1 = picture.marked or (0, self.top, 0, self.top + 1)
            focus_y, focus_height = picture.focus[1::2] if picture.focus else (y0, 1)
            self.keep_in_view((start, y0, start + view, y1), (start, focus_y, view, focus_height), margin_y=1)
        elif picture.marked is not None:  # what is computed and everything it reads
            self.keep_in_view(picture.marked, picture.focus, margin_x=4, margin_y=1)

    def height_budget(self) -> int:
        """Rows the picture may use: under half the screen, leaving room for the rest (a 2-2-2
        network is drawn whole from the smallest size the app accepts)."""
        share = 0.55 if self.screen.has_class("-wide") else 0.45
        return max(4, min(int(self.app.size.height * share) - 1, 40))

    @property
    def plain(self) -> str:
        """The picture as plain text (for tests and screen readers)."""
        return "\n".join(plain(line) for line in self.picture.lines) if self.picture else ""
