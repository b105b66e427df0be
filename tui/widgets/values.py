"""The value table: every quantity of the network, filled in as it is computed.

Each row is rendered once and cached; a step re-renders only the rows whose value, state or
marking changed, and following the current row scrolls inside the widget (see `LineView`). A
DataTable re-renders every visible cell after any update, which made holding a key down slower.

The row of the current event is marked ▶ with its value reversed; rows it reads are marked • with
their values underlined. A selection cursor follows the current event and can be moved with ↑/↓
(or a click) when the table has focus.
"""

from __future__ import annotations

import numpy as np
from textual.binding import Binding
from textual.events import Click

from backprop_stepper.core.ledger import Ledger, LedgerState, Mark
from backprop_stepper.core.numbers import cell, true_minus
from backprop_stepper.core.printed import Comparison

from .lines import LineView
from .runs import Line, plain, role_classes

BREAK = "◆"
VALUE_WIDTH, DOCUMENT_WIDTH, VARIANT_WIDTH = 24, 14, 16


class ValueTable(LineView, can_focus=True):
    COMPONENT_CLASSES = role_classes("current", "read", "bold", "section", "ok", "bad", "cursor", "heading")
    title = "values"

    BINDINGS = [
        Binding("up", "move_cursor(-1)", "Row up", show=False),
        Binding("down", "move_cursor(1)", "Row down", show=False),
        Binding("pageup", "move_cursor(-10)", show=False),
        Binding("pagedown", "move_cursor(10)", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ledger: Ledger | None = None
        self.cursor_row = 0
        self._rows: list[int | str] = []  # an entry number, or a section title
        self._row_of: list[int] = []
        self._texts: dict[int, tuple] = {}  # entry -> (mark, value text, value role, printed)
        self._widths = (2, 16, 15)
        self._previous: LedgerState | None = None
        self._previous_marks: dict[int, Mark] = {}
        self._previous_printed: dict[int, list[Comparison]] = {}
        self.breakpoints: set[int] = set()  # entries with a breakpoint
        self.variant: np.ndarray | None = None  # compare mode: the variant's value per entry (NaN: unknown)
        self.variant_label = ""
        self._variant_changed: set[int] = set()  # rows whose variant value moved since the last step

    # -- content ------------------------------------------------------------------------------

    def load(self, ledger: Ledger) -> None:
        self.ledger = ledger
        entries = ledger.entries
        # Section titles have rows of their own: only the symbols set the column's width.
        symbol_width = min(max([len("symbol")] + [len(self._symbol(e)) for e in entries]) + 2, 24)
        id_width = min(max(len(e.quantity) for e in entries) + 2, 18)
        self._widths = (2, symbol_width, id_width)
        self._rows, self._row_of = [], []
        section = None
        for position, entry in enumerate(entries):
            if entry.section != section:
                section = entry.section
                self._rows.append(section)
            self._row_of.append(len(self._rows))
            self._rows.append(position)
        self._texts = {p: ("", "·", "muted", ()) for p in range(len(entries))}
        self._previous, self._previous_marks, self._previous_printed = None, {}, {}
        self.cursor_row = 0
        self.top = self.left = 0
        self.content_width = 0  # force set_content_size to repaint
        self.show_heading()
        self.invalidate_all()

    def show_heading(self) -> None:
        """Column titles, aligned with the rows and scrolling sideways with them."""
        _, symbol_width, id_width = self._widths
        if self.variant_label:  # compare mode: the quantity's id moves last (see line())
            variant = f"variant: {self.variant_label}".ljust(self._variant_width())
            text = ("  " + "symbol".ljust(symbol_width) + "value".ljust(VALUE_WIDTH) + variant
                    + "document".ljust(DOCUMENT_WIDTH) + "quantity")
        else:
            text = ("  " + "symbol".ljust(symbol_width) + "quantity".ljust(id_width) + "value".ljust(VALUE_WIDTH)
                    + "document")
        self.set_heading([(text, "")])
        variant = self._variant_width() if self.variant_label else 0
        self.set_content_size(sum(self._widths) + VALUE_WIDTH + variant + DOCUMENT_WIDTH + 2, len(self._rows))

    def row_of(self, entry: int) -> int:
        return self._row_of[entry]

    def row_text(self, entry: int) -> list[str]:
        """An entry's row as shown: mark, symbol, quantity, value, document (plain text), and in
        compare mode the variant's value last."""
        mark, value, _, printed = self._texts[entry]
        e = self.ledger.entries[entry]
        row = [mark, self._symbol(e), e.quantity, value, plain(self._document(printed))]
        if self.variant is not None:
            row.append(plain(self._variant_cell(entry, value)).strip())
        return row

    def set_breakpoints(self, entries: set[int]) -> None:
        changed = entries ^ self.breakpoints
        self.breakpoints = set(entries)
        self.invalidate([self._row_of[p] for p in changed])

    @staticmethod
    def _symbol(entry) -> str:
        return entry.symbol + (" (mean)" if entry.scope == "batch" else "")

    @staticmethod
    def _document(printed) -> Line:
        runs: Line = []
        for n, comparison in enumerate(printed):
            if n:
                runs.append(("/", ""))
            ok = comparison.agrees
            text = true_minus(comparison.printed.text) + ("✓" if ok else "✗")
            runs.append((text, "ok" if ok else "bad"))
        return runs

    def line(self, row: int) -> Line:
        item = self._rows[row]
        _, symbol_width, id_width = self._widths
        if isinstance(item, str):
            return [("  ", ""), (item, "section")]
        mark, value, role, printed = self._texts[item]
        entry = self.ledger.entries[item]
        head: Line = [
            (mark.ljust(1), "bold"),
            (BREAK if item in self.breakpoints else " ", "bad"),
            (self._symbol(entry).ljust(symbol_width), "bold" if mark else ""),
        ]
        value_cell: Line = [(value, role), (" " * max(1, VALUE_WIDTH - len(value)), "")]
        if self.variant is None:
            return head + [(entry.quantity.ljust(id_width), "muted")] + value_cell + self._document(printed)
        # Compare mode: value, variant and document side by side within 80 columns; the id last.
        document = self._document(printed)
        pad = max(1, DOCUMENT_WIDTH - sum(len(text) for text, _ in document))
        return (head + value_cell + self._variant_cell(item, value) + document + [(" " * pad, "")]
                + [(entry.quantity, "muted")])

    def _variant_width(self) -> int:
        return max(VARIANT_WIDTH, len(f"variant: {self.variant_label}") + 1)

    def _variant_cell(self, item: int, shown: str) -> Line:
        other = self.variant[item]
        width = self._variant_width()
        if np.isnan(other) or shown == "·":
            return [("·".ljust(width), "muted")]
        text = cell(float(other))
        mine = self._previous.values[item] if self._previous is not None else np.nan
        differs = not (np.isclose(other, mine, rtol=1e-12, atol=1e-15) or (np.isnan(mine) and np.isnan(other)))
        return [(text, "bad" if differs else ""), ((" ≠" if differs else "").ljust(width - len(text)), "bad")]

    def line_extra(self, row: int) -> str:
        # The ▶ row already shows the current event; the selection is drawn only while the table
        # has focus and the user may move it.
        return "cursor" if row == self.cursor_row and self.has_focus else ""

    def on_focus(self) -> None:
        self.invalidate([self.cursor_row])

    def on_blur(self) -> None:
        self.invalidate([self.cursor_row])

    # -- stepping -----------------------------------------------------------------------------

    def show(self, state: LedgerState, printed: dict[int, list[Comparison]], variant: np.ndarray | None = None) -> None:
        if self.ledger is None:
            return
        if variant is not None or self.variant is not None:
            previous_variant, self.variant = self.variant, variant
            if previous_variant is None or variant is None or len(previous_variant) != len(variant):
                self._previous = None  # the columns changed: repaint every row
            else:
                same = (previous_variant == variant) | (np.isnan(previous_variant) & np.isnan(variant))
                moved = np.flatnonzero(~same)
                self._variant_changed = set(moved.tolist())
        marks = state.marks
        changed = self._changed(state)
        changed.update(marks, self._previous_marks)
        changed.update(self._variant_changed)
        self._variant_changed = set()
        if printed is not self._previous_printed:  # a new iteration or sample on show
            changed.update(printed, self._previous_printed)
        for position in changed:
            value = state.value(position)
            text = cell(value)
            if state.updated[position]:
                text = f"{cell(float(state.before[position]))} → {text}"
            marked = marks.get(position)
            mark = marked.glyph if marked else ""
            role = marked or ("muted" if value is None else "")
            # A document's parameter values are the updated ones: show them once the update is made.
            known = value is not None and (self.ledger.entries[position].scope != "parameter"
                                           or state.updated[position])
            shown = printed.get(position, ()) if known else ()
            self._texts[position] = (mark, text, role, shown)
        # The cursor follows the step; a repaint of the same step (a resize, a mode switched on or
        # off) leaves it where the user put it, so b or w still apply to the row they chose.
        moved = self._previous is None or (self._previous.index, self._previous.current) != (state.index, state.current)
        self._previous, self._previous_marks, self._previous_printed = state, marks, printed
        self.invalidate([self._row_of[p] for p in changed])
        if state.current is not None and moved:
            self.select_row(self._row_of[state.current])

    def _changed(self, state: LedgerState) -> set[int]:
        before = self._previous
        if before is None or len(before.values) != len(state.values):
            return set(range(len(state.values)))
        same_value = (before.values == state.values) | (np.isnan(before.values) & np.isnan(state.values))
        same_before = (before.before == state.before) | (np.isnan(before.before) & np.isnan(state.before))
        differs = (before.known != state.known) | ~same_value | ~same_before | (before.updated != state.updated)
        return set(np.flatnonzero(differs).tolist())

    # -- the selection cursor -----------------------------------------------------------------

    def select_row(self, row: int) -> None:
        """Move the selection cursor to a row (clamped to the table) and keep it in view."""
        row = min(max(row, 0), len(self._rows) - 1)
        if row != self.cursor_row:
            previous, self.cursor_row = self.cursor_row, row
            self.invalidate([previous, row])
        self.scroll_into_view(self.left, row)

    def on_resize(self) -> None:
        super().on_resize()
        self.scroll_into_view(self.left, self.cursor_row)  # e.g. the answer box took some rows

    def action_move_cursor(self, delta: int) -> None:
        self.select_row(self.cursor_row + delta)

    def on_click(self, event: Click) -> None:
        if event.y >= self.chrome_top:  # not the title or the column titles
            self.select_row(self.top + event.y - self.chrome_top)

    @property
    def selected_entry(self) -> int | None:
        item = self._rows[self.cursor_row] if self._rows else None
        return item if isinstance(item, int) else None
