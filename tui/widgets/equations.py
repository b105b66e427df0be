"""The equations panel: the current event as the documents write it.

Fixed height (see app.tcss), so stepping never moves the panels below it; a long note scrolls.
"""

from __future__ import annotations

from core.document import Comparison
from core.formulas import title
from core.scenario import Note
from core.trace import Event

from ..format import exact
from .lines import LineView
from .matrices import block_lines
from .runs import Line, plain, wrap



class EquationsPanel(LineView, can_focus=False):
    batch = True  # whether the scenario has several samples (set by the app on load)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._matrix = False
        self._logical: list[Line] = []
        self._wrapped: list[Line] = []

    @property
    def plain(self) -> str:
        """What is shown, as plain text, one logical line per line (before wrapping)."""
        return "\n".join(plain(line) for line in self._logical)

    spacious = False  # maximised for a lecture hall: a blank line between lines

    def show(self, event: Event, printed: list[Comparison], notes: list[Note]) -> None:
        self._logical = equations(event, printed, notes, short=self.screen.has_class("-short") and not self.spacious,
                                  batch=self.batch)
        self._matrix = False
        self.top = 0
        self._layout()

    def show_block(self, block) -> None:
        """The matrix view: the block's vector equation with its matrices."""
        self._logical = block_lines(block.title, block.formula, block.parts, block.phase.value)
        self._matrix = True
        self.top = self.left = 0
        self._layout()

    def on_resize(self) -> None:
        super().on_resize()
        self._layout()

    def _layout(self) -> None:
        width = max(self.size.width, 20)
        wrapped = []
        for line in self._logical:
            # Matrices are laid out cell by cell: never wrap them (the panel scrolls sideways).
            wrapped += [line] if self._matrix else wrap(line, width, indent=4)
            if self.spacious:
                wrapped.append([])
        changed = [y for y in range(max(len(wrapped), len(self._wrapped)))
                   if y >= len(wrapped) or y >= len(self._wrapped) or wrapped[y] != self._wrapped[y]]
        self._wrapped = wrapped
        self.set_content_size(max([width] + [sum(len(t) for t, _ in line) for line in wrapped]), len(wrapped))
        self.invalidate(changed)

    def line(self, row: int) -> Line:
        return self._wrapped[row]


def equations(event: Event, printed: list[Comparison], notes: list[Note], short: bool = False,
              batch: bool = True) -> list[Line]:
    """The event as lines of runs; `short` (a low terminal) folds the heading into the formula."""
    heading = title(event.kind, event.sample is None)
    where = f"sample {event.sample}" if event.sample is not None else ("batch" if batch else "sample 1")
    phase = (f" {event.phase.value.upper()} ", "current")
    if short:
        lines: list[Line] = [[phase, (" ", ""), (event.formula, "bold")]]
    else:
        lines = [
            [phase, (f" {heading} of {event.symbol}", "bold"), (f"  ({where}, iteration {event.iteration})", "muted")],
            [("  ", ""), (event.formula, "bold")],
        ]
    lines += [
        [("  = ", ""), (event.substituted, "")],
        result_line(event, printed),
        [("  ", ""), (event.meaning, "muted")],
    ]
    for comparison in printed:
        if not comparison.agrees:
            where = f" ({comparison.printed.where})" if comparison.printed.where else ""
            lines.append([("  ✗ document ", "bad"), (comparison.printed.text.replace("-", "−"), "bad"),
                          (f": {comparison.verdict}{where}", "")])
    for note in notes:
        lines.append([("  ✎ ", "bold"), (" ".join(note.text.split()), "italic")])
    return lines


def result_line(event: Event, printed: list[Comparison]) -> Line:
    line: Line = [("  = ", ""), (exact(event.value), "current")]
    if printed:
        line.append(("   document: ", ""))
        for n, comparison in enumerate(printed):
            if n:
                line.append((" / ", ""))
            role = "ok" if comparison.agrees else "bad"
            line += [(comparison.printed.text.replace("-", "−"), role), (" ✓" if comparison.agrees else " ✗", role)]
    return line
