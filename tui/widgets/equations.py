"""The equations panel: the current event as the documents write it.

Its height is fixed by app.tcss, so stepping does not move the panels below it, except when a
step has more to say than fits (a note, a document's slip explained, a matrix): then it grows
for that step into the value table's room, keeping the table's minimum, and scrolls beyond.
"""

from __future__ import annotations

from textual.widgets import Footer

from backprop_stepper.core.formulas import heading
from backprop_stepper.core.numbers import number, result, term, true_minus
from backprop_stepper.core.printed import Comparison
from backprop_stepper.core.scenario import Note
from backprop_stepper.core.trace import Event

from ..controller.view import BlockText, Equation, EventText, QuestionText, WhyText
from .lines import LineView
from .runs import Line, plain, role_classes, wrap


class EquationsPanel(LineView, can_focus=False):
    COMPONENT_CLASSES = role_classes("current", "bold", "italic", "ok", "bad")
    title = "equation"
    padding_x = 1
    batch = True  # whether the scenario has several samples (set by the app on load)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._matrix = False
        self._grown: int | None = None  # the height while grown past the stylesheet's
        self._logical: list[Line] = []
        self._wrapped: list[Line] = []

    @property
    def plain(self) -> str:
        """What is shown, as plain text, one logical line per line (before wrapping)."""
        return "\n".join(plain(line) for line in self._logical)

    spacious = False  # maximised for a lecture hall: a blank line between lines

    def show(self, equation: Equation) -> None:
        """What a step says, laid out once: the body's lines, then the lines the modes add."""
        body = equation.body
        if isinstance(body, EventText):
            lines = equations(body.event, body.printed, body.notes,
                              short=self.screen.has_class("-short") and not self.spacious, batch=self.batch)
        elif isinstance(body, QuestionText):  # predict mode: the value is hidden until answered
            lines = question(body.event, body.hints, body.feedback, body.tolerance, self.batch)
        elif isinstance(body, WhyText):
            lines = explanation_lines(body.explanation)
        else:
            from .matrices import block_lines  # only the matrix view needs it

            block = body.block
            lines = block_lines(block.title, block.formula, block.parts, block.phase.value)
        for at, line in equation.extra:  # e.g. an answer's feedback under the heading, the variant's value
            lines.insert(len(lines) if at is None else at, line)
        self._logical = lines
        self._matrix = isinstance(body, BlockText)
        self.scroll_home()
        self._layout()

    def has_left_rule(self) -> bool:
        return self.screen.has_class("-wide")  # beside the diagram

    def on_resize(self) -> None:
        super().on_resize()
        self._layout()

    def _layout(self) -> None:
        width = max(self.inner_width - 1, 20)  # one column kept for the scroll indicator
        wrapped = []
        for line in self._logical:
            # Matrices are laid out cell by cell: never wrap them (the panel scrolls sideways).
            wrapped += [line] if self._matrix else wrap(line, width, indent=4)
            if self.spacious:
                wrapped.append([])
        changed = [y for y in range(max(len(wrapped), len(self._wrapped)))
                   if y >= len(wrapped) or y >= len(self._wrapped) or wrapped[y] != self._wrapped[y]]
        self._wrapped = wrapped
        self._fit_height()
        self.set_content_size(max([width] + [sum(len(t) for t, _ in line) for line in wrapped]), len(wrapped))
        self.invalidate(changed)

    def release_height(self) -> None:
        """Back to the stylesheet's height. Before the panel is maximised: a height of its own (a
        grown step's) kept it where it was, at its old size, in the maximised view."""
        self._grown = None
        self.styles.height = None

    def _fit_height(self, settle: bool = True) -> None:
        """Grow past the stylesheet's height when this step needs more lines, as far as the value
        table below can spare; back to the stylesheet's height when it does not."""
        grown = None
        base = self.styles.base.height
        need = len(self._wrapped) + self.chrome_top
        if (base is not None and base.is_cells and need > base.value and not self.screen.has_class("-wide")
                and not self.has_class("-maximized") and self.parent is not None):
            table = self.screen.query_one("#values-table")
            minimum = int(table.styles.min_height.value) if table.styles.min_height else 0
            # From this panel's top to the bottom of the table, less the table's minimum (the
            # table ends above the key footer, unless this panel has already pushed it past).
            footer = self.screen.query(Footer)
            bottom = min(table.region.bottom, footer.first().region.y if footer else self.screen.size.height)
            room = bottom - self.region.y - minimum
            grown = max(int(base.value), min(need, room))
            if settle:  # regions are those of the last layout: look again once this one is done
                self.call_after_refresh(self._fit_height, False)
        if grown != self._grown:
            self._grown = grown
            self.styles.height = grown  # None: the stylesheet's height again

    def line(self, row: int) -> Line:
        return self._wrapped[row]


def equations(event: Event, printed: list[Comparison], notes: list[Note], short: bool = False,
              batch: bool = True) -> list[Line]:
    """The event as lines of runs; `short` (a low terminal) folds the heading into the formula."""
    name = heading(event.kind, event.sample is None, event.symbol)
    where = f"sample {event.sample}" if event.sample is not None else ("batch" if batch else "sample 1")
    phase = (f" {event.phase.value.upper()} ", "current")
    if short:
        lines: list[Line] = [[phase, (" ", ""), (event.formula, "bold")]]
    else:
        lines = [
            [phase, (f" {name}", "bold"), (f"  ({where}, iteration {event.iteration})", "muted")],
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
            lines.append([("  ✗ document ", "bad"), (true_minus(comparison.printed.text), "bad"),
                          (f": {comparison.verdict}{where}", "")])
    for note in notes:
        lines.append([("  ✎ ", "bold"), (" ".join(note.text.split()), "italic")])
    return lines


def result_line(event: Event, printed: list[Comparison]) -> Line:
    line: Line = [("  = ", ""), (result(event.value), "current")]
    if printed:
        line.append(("   document: ", ""))
        for n, comparison in enumerate(printed):
            if n:
                line.append((" / ", ""))
            role = "ok" if comparison.agrees else "bad"
            line += [(true_minus(comparison.printed.text), role), (" ✓" if comparison.agrees else " ✗", role)]
    return line


def question(event: Event, hints: int, feedback: Line, tolerance: float, batch: bool = True) -> list[Line]:
    name = heading(event.kind, event.sample is None, event.symbol)
    where = f"sample {event.sample}" if event.sample is not None else ("batch" if batch else "sample 1")
    lines: list[Line] = [
        [(" PREDICT ", "current"), (f" {name}", "bold"), (f"  ({where}, iteration {event.iteration})", "muted")],
        [("  What is ", ""), (event.symbol, "bold"), ("? Type your answer below and press Enter.", "")],
        [("  ", ""), (event.meaning, "muted")],
    ]
    if hints >= 1:
        lines.append([("  hint 1: ", "bold"), (event.formula, "bold")])
    if hints >= 2:
        lines.append([("  hint 2: ", "bold"), (f"= {event.substituted}", "")])
    if feedback:
        lines.append([("  ", "")] + feedback)
    lines.append([(f"  (right within a relative {tolerance:g}; Enter on an empty line for a hint, "
                   "then the answer)", "muted")])
    return lines


def explanation_lines(explanation) -> list[Line]:
    lines: list[Line] = [
        [(" WHY ", "current"), (f" {explanation.symbol} = {result(explanation.value)}", "bold")],
        [("  ", ""), (explanation.headline + ".", "muted")],
    ]
    if explanation.mean_of > 1:
        lines.append([("  It is a batch value: the mean of the ", "muted"), (f"{explanation.mean_of}", "bold"),
                      (" per-sample values; here the expansion of one sample's.", "muted")])
    for depth, text in explanation.tree:
        lines.append([("  " + "   " * depth + ("└ " if depth else ""), "muted"), (text, "")])
    for n, path in enumerate(explanation.paths, start=1):
        symbols = " × ".join(f.symbol for f in path.factors)
        values = " × ".join(term(f.value) for f in path.factors)
        lines.append([(f"  path {n}: ", "bold"), (symbols, "")])
        product = number(path.product)
        lines.append([("          = ", ""), (values, ""), (" = ", ""), (product, "bold")])
    if explanation.hidden_paths:
        lines.append([(f"  … and {explanation.hidden_paths} more paths", "muted")])
    if explanation.paths:
        products = (" + ".join(term(p.product) for p in explanation.paths[:8])
                    + (" + …" if len(explanation.paths) > 8 else ""))
        lines.append([("  total: ", "bold"), (products, ""), (" = ", ""), (result(explanation.total), "current")])
    lines.append([("  (w or Esc closes; every factor is marked in the diagram and the table)", "muted")])
    return lines
