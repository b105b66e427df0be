"""The value table: every quantity of the network, filled in as it is computed.

Each step updates only the rows whose value, state or marking changed, so holding a key down
costs a handful of cell updates, not a redraw of hundreds of rows.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widgets import DataTable

from core.document import Comparison
from core.ledger import Ledger, LedgerState

from ..format import cell

COLUMNS = (("mark", " ", 1), ("symbol", "symbol", 16), ("quantity", "quantity", 15),
           ("value", "value", 23), ("document", "document", 12))
CURRENT, READ = "▶", "•"


class ValueTable(DataTable):
    DEFAULT_CSS = """
    ValueTable { scrollbar-size-vertical: 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, show_row_labels=False, **kwargs)
        self.ledger: Ledger | None = None
        self._row_of: list[int] = []
        self._previous: LedgerState | None = None
        self._previous_marks: dict[int, str] = {}
        self._previous_printed: dict[int, list[Comparison]] = {}

    def load(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.clear(columns=True)
        longest = max([len(e.symbol) + 7 for e in ledger.entries] + [len(e.section) for e in ledger.entries])
        symbol_width = min(longest, 22)
        id_width = min(max(len(e.quantity) for e in ledger.entries), 16)
        for key, label, width in COLUMNS:
            width = {"symbol": symbol_width, "quantity": id_width}.get(key, width)
            self.add_column(label, key=key, width=width)
        rows = []
        self._row_of = []
        section = None
        for position, entry in enumerate(ledger.entries):
            if entry.section != section:
                section = entry.section
                rows.append((f"s{position}", ("", Text(section, style="bold underline"), "", "", "")))
            self._row_of.append(len(rows))
            scope = " (mean)" if entry.scope == "batch" else ""
            rows.append((f"e{position}", ("", Text(entry.symbol + scope), Text(entry.quantity, style="dim"), Text("·", style="dim"), "")))
        for key, cells in rows:
            self.add_row(*cells, key=key)
        self._previous = None
        self._previous_marks = {}
        self._previous_printed = {}

    def row_of(self, entry: int) -> int:
        return self._row_of[entry]

    def show(self, state: LedgerState, printed: dict[int, list[Comparison]]) -> None:
        if self.ledger is None:
            return
        marks = {p: READ for p in state.reads}
        if state.current is not None:
            marks[state.current] = CURRENT
        changed = self._changed(state)
        changed.update(marks, self._previous_marks)
        changed.update(printed, self._previous_printed)
        for position in sorted(changed):
            self._paint_row(position, state, marks.get(position), printed.get(position, ()))
        self._previous, self._previous_marks, self._previous_printed = state, marks, printed
        if state.current is not None:
            with self.prevent(DataTable.RowHighlighted):
                self.move_cursor(row=self._row_of[state.current], animate=False, scroll=True)

    def _changed(self, state: LedgerState) -> set[int]:
        before = self._previous
        if before is None or len(before.values) != len(state.values):
            return set(range(len(state.values)))
        same_value = (before.values == state.values) | (np.isnan(before.values) & np.isnan(state.values))
        same_before = (before.before == state.before) | (np.isnan(before.before) & np.isnan(state.before))
        differs = (before.known != state.known) | ~same_value | ~same_before | (before.updated != state.updated)
        return set(np.flatnonzero(differs).tolist())

    def _paint_row(self, position: int, state: LedgerState, mark: str | None, printed) -> None:
        key = f"e{position}"
        value = state.value(position)
        text = cell(value)
        if state.updated[position]:
            text = f"{cell(float(state.before[position]))} → {text}"
        style = "bold reverse" if mark == CURRENT else "bold underline" if mark == READ else ("dim" if value is None else "")
        self.update_cell(key, "mark", Text(mark or "", style="bold"))
        entry = self.ledger.entries[position]
        scope = " (mean)" if entry.scope == "batch" else ""
        self.update_cell(key, "symbol", Text(entry.symbol + scope, style="bold" if mark else ""))
        self.update_cell(key, "value", Text(text, style=style))
        document = Text()
        if value is not None:
            for n, comparison in enumerate(printed):
                if n:
                    document.append("/")
                ok = comparison.agrees
                shown = comparison.printed.text.replace("-", "−")
                document.append(shown + ("✓" if ok else "✗"), style="green" if ok else "bold red")
        self.update_cell(key, "document", document)
