"""The network diagram as lines of styled text: layout only, no widget and no arithmetic.

Layers are columns of neurons. Between two columns, every connection into a neuron has its own row
(source, weight symbol, weight value), bracketed into that neuron:

    I₁ 0.0500     I₁─w₁ 0.1500─┐
                  I₂─w₂ 0.2000─┤
                               ├─▶ ▶h₁      0.5069
                                       net_h₁ 0.0275

No lines cross, so it reads on a plain terminal, a projector and in a screen share. The arrows
point right in the forward pass and left in the backward pass. The item being computed is marked
▶ and reversed, the items it reads • and bold underlined: glyph and weight as well as colour.

When the full picture is taller than the space available, connection groups other than the one in
focus collapse to a single line (keeping any weight that is being read), and when it is wider, the
source names are dropped; the widget scrolls to keep the current item in view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from textual.content import Content

from core.ledger import Ledger, LedgerState
from core.quantities import Family, Key, Phase
from core.trace import Event

CURRENT_STYLE = "bold reverse $accent"
READ_STYLE = "bold underline $accent"
UNKNOWN_STYLE = "dim"
LABEL_STYLE = "$text-muted"
TITLE_STYLE = "bold $secondary"
MARK = {"current": "▶", "read": "•", None: " "}

NODE_FAMILIES = (Family.Z, Family.A, Family.DE_DA, Family.DA_DZ, Family.DELTA)


def short(value: float | None) -> str:
    """A value in at most 8 characters, for the diagram."""
    if value is None:
        return "·"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    magnitude = abs(value)
    if magnitude == 0:
        text = "0"
    elif 1e-3 <= magnitude < 1e4:
        text = f"{value:.4f}"
    else:
        mantissa, exponent = f"{value:.2e}".split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


@dataclass
class _Item:
    x: int
    y: int
    text: str
    style: str = ""


@dataclass
class _Column:
    width: int = 0
    items: list[_Item] = field(default_factory=list)  # x relative to the column
    height: int = 0

    def put(self, x: int, y: int, text: str, style: str = "") -> None:
        self.items.append(_Item(x, y, text, style))
        self.width = max(self.width, x + len(text))
        self.height = max(self.height, y + 1)


@dataclass(frozen=True)
class Picture:
    lines: list[Content]
    width: int
    height: int
    focus: tuple[int, int, int, int] | None  # x, y, width, height of the current item
    collapsed: bool
    compact: bool


def _wire(n: int, count: int, junction: int, has_text: bool, backward: bool) -> str:
    """The bracket that gathers a neuron's connections; its arrow shows the direction of flow."""
    head = "◀─" if backward else "─▶"
    if count == 1:
        return "◀──" if backward else "──▶"
    if n == junction:
        return ("─┼" if has_text else " ├") + head
    if n == 0:
        return "─┐"
    return "─┘" if n == count - 1 else "─┤"


class DiagramPainter:
    """Knows the shape and symbols of one trace; paints it for any ledger state."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.trace = ledger.trace
        self.scenario = self.trace.scenario
        self.sym = self.trace.symbols

    # -- what is highlighted ------------------------------------------------------------------

    def _roles(self, state: LedgerState) -> dict[tuple[Key, str], str]:
        roles: dict[tuple[Key, str], str] = {}
        for position in state.reads:
            entry = self.ledger.entries[position]
            roles[(entry.key, entry.scope)] = "read"
        if state.current is not None:
            entry = self.ledger.entries[state.current]
            roles[(entry.key, entry.scope)] = "current"
        return roles

    def _value(self, state: LedgerState, key: Key, scope: str = "sample") -> float | None:
        position = self.ledger.position(key, scope)
        return None if position is None else state.value(position)

    # -- painting -----------------------------------------------------------------------------

    def paint(self, state: LedgerState, event: Event, width: int, height: int) -> Picture:
        """The most detailed picture that fits: collapse groups only if it is too tall, drop the
        source names only if it is too wide; beyond that the widget scrolls."""
        roles = self._roles(state)
        collapse = self._paint(state, event, roles, False, False).height > height
        picture = self._paint(state, event, roles, False, collapse)
        if picture.width > width:
            picture = self._paint(state, event, roles, True, collapse)
        return picture

    def _paint(self, state, event, roles, compact: bool, collapse: bool) -> Picture:
        s = self.scenario
        backward = event.phase is Phase.BACKWARD
        focus_layer, focus_j = event.key.layer, event.key.j
        columns: list[_Column] = []
        node_rows: list[dict[int, int]] = []  # per layer: neuron -> row of its first line
        focus = None

        # Connection columns decide where each neuron of the next layer sits.
        connection_columns: list[_Column] = []
        for l, layer in enumerate(s.layers, start=1):
            column, rows = self._connections(state, roles, l, compact, collapse, focus_layer, focus_j, backward)
            connection_columns.append(column)
            node_rows.append(rows)
        height = max(c.height for c in connection_columns) if connection_columns else 0
        height = max(height, 2 * s.inputs)

        inputs = self._inputs(state, roles, height)
        columns.append(inputs)
        for l in range(1, len(s.layers) + 1):
            columns.append(connection_columns[l - 1])
            columns.append(self._neurons(state, roles, l, node_rows[l - 1], event))
        if compact:  # targets and loss as one line under the network, to save width
            summary = self._loss_row(state, roles, max(c.height for c in columns))
        else:
            columns.append(self._loss(state, roles, node_rows[-1]))
            summary = None

        # Compose rows of text from the columns, two spaces apart.
        gap = 1
        x = 0
        placed: list[_Item] = []
        for column in columns:
            for item in column.items:
                placed.append(_Item(item.x + x, item.y, item.text, item.style))
            x += column.width + gap
        if summary is not None:
            placed.extend(summary.items)
        total_width = max(x - gap, summary.width if summary else 0)
        total_height = max(max(c.height for c in columns), summary.height if summary else 0, 1)
        by_row: list[list[_Item]] = [[] for _ in range(total_height)]
        for item in placed:
            by_row[item.y].append(item)
            if item.style.startswith(CURRENT_STYLE) and focus is None:
                focus = (item.x, item.y, len(item.text), 1)
        lines = []
        for items in by_row:
            items.sort(key=lambda it: it.x)
            parts: list = []
            cursor = 0
            for item in items:
                if item.x > cursor:
                    parts.append(" " * (item.x - cursor))
                parts.append((item.text, item.style) if item.style else item.text)
                cursor = max(cursor, item.x + len(item.text))
            lines.append(Content.assemble(*parts))
        return Picture(lines, total_width, total_height, focus, collapse, compact)

    def _mark(self, column: _Column, x: int, y: int, role: str | None, text: str, base: str = "") -> None:
        column.put(x, y, MARK[role])
        style = CURRENT_STYLE if role == "current" else READ_STYLE if role == "read" else base
        column.put(x + 1, y, text, style)

    def _inputs(self, state, roles, height: int) -> _Column:
        s = self.scenario
        column = _Column()
        labels = [self.sym[Key(Family.X, 0, i)] for i in range(1, s.inputs + 1)]
        label_width = max(len(t) for t in labels)
        for n, label in enumerate(labels):
            key = Key(Family.X, 0, n + 1)
            y = min(height - 1, int((n + 0.5) * height / s.inputs)) if height else n
            text = f"{label.ljust(label_width)} {short(self._value(state, key)):>7}"
            self._mark(column, 0, y, roles.get((key, "sample")), text)
        return column

    def _connections(self, state, roles, l, compact, collapse, focus_layer, focus_j, backward):
        """The wiring into layer l; returns the column and each neuron's row."""
        s = self.scenario
        layer = s.layers[l - 1]
        rows_of_neuron: dict[int, int] = {}
        column = _Column()
        fan_in = layer.weights.shape[1]
        sources = [self.sym.source(l, i) for i in range(1, fan_in + 1)]
        weight_symbols = {(j, i): self.sym[Key(Family.W, l, j, i)] for j in range(1, layer.size + 1) for i in range(1, fan_in + 1)}
        source_width = max(len(t) for t in sources)
        weight_width = max(len(t) for t in weight_symbols.values())
        if layer.biases is not None:
            weight_width = max(weight_width, max(len(self.sym[Key(Family.B, l, j)]) for j in range(1, layer.size + 1)))
        label_width = (0 if compact else source_width + 1) + weight_width + 1 + 7
        y = 0
        for j in range(1, layer.size + 1):
            lines: list[tuple[str, str | None, bool]] = []  # (text, role, updated)
            expanded = not collapse or (focus_layer == l and focus_j == j)
            for i in range(1, fan_in + 1):
                key = Key(Family.W, l, j, i)
                role = roles.get((key, "parameter")) or roles.get((Key(Family.DE_DW, l, j, i), "sample")) \
                    or roles.get((Key(Family.DE_DW, l, j, i), "batch"))
                if not expanded and role is None:
                    continue
                position = self.ledger.position(key, "parameter")
                updated = bool(state.updated[position])
                value = short(state.value(position))
                head = "" if compact else f"{sources[i - 1].ljust(source_width)}─"
                lines.append((f"{head}{weight_symbols[(j, i)].ljust(weight_width)} {value:>7}", role, updated))
            if layer.biases is not None:
                key = Key(Family.B, l, j)
                role = roles.get((key, "parameter")) or roles.get((Key(Family.DE_DB, l, j), "sample")) \
                    or roles.get((Key(Family.DE_DB, l, j), "batch"))
                if expanded or role is not None:
                    position = self.ledger.position(key, "parameter")
                    head = "" if compact else " " * (source_width + 1)
                    lines.append((f"{head}{self.sym[key].ljust(weight_width)} {short(state.value(position)):>7}",
                                  role, bool(state.updated[position])))
            hidden = fan_in + (layer.biases is not None) - len(lines)
            if hidden:
                lines.append((f"⋯ {hidden} more".ljust(label_width), None, False))
            junction = len(lines) // 2
            if len(lines) % 2 == 0:
                lines.insert(junction, ("", None, False))  # a row of its own for the junction
            for n, (text, role, updated) in enumerate(lines):
                row = y + n
                if text:
                    style = "italic" if updated else ""
                    self._mark(column, 0, row, role, text.ljust(label_width), style)
                wire = _wire(n, len(lines), junction, bool(text), backward)
                column.put(label_width + 1, row, wire, LABEL_STYLE)
            rows_of_neuron[j] = y + junction
            y += len(lines) + 1  # a blank row between neurons
        return column, rows_of_neuron

    def _neurons(self, state, roles, l, rows, event: Event) -> _Column:
        s = self.scenario
        layer = s.layers[l - 1]
        column = _Column()
        for j in range(1, layer.size + 1):
            y = rows[j]
            a_key = Key(Family.A, l, j)
            a_text = f"{self.sym[a_key]} {short(self._value(state, a_key))}"
            self._mark(column, 0, y, roles.get((a_key, "sample")), a_text, "bold")
            # The second line shows what this neuron is being asked about right now.
            detail = None
            for family in (Family.Z, Family.DE_DA, Family.DA_DZ, Family.DELTA):
                if (Key(family, l, j), "sample") in roles:
                    detail = Key(family, l, j)
            if detail is None:
                delta = Key(Family.DELTA, l, j)
                late = event.phase in (Phase.BACKWARD, Phase.UPDATE) and self._value(state, delta) is not None
                detail = delta if late else Key(Family.Z, l, j)
            d_text = f"{self.sym[detail]} {short(self._value(state, detail))}"
            self._mark(column, 1, y + 1, roles.get((detail, "sample")), d_text, LABEL_STYLE)
        return column

    def _loss_row(self, state, roles, y: int) -> _Column:
        s = self.scenario
        row = _Column()
        x = 0
        items = [(Key(Family.Y, 0, k), "sample") for k in range(1, s.outputs + 1)]
        if s.outputs > 1:
            items += [(Key(Family.LOSS_TERM, 0, k), "sample") for k in range(1, s.outputs + 1)]
        items.append((Key(Family.LOSS), "sample"))
        if self.ledger.position(Key(Family.LOSS), "batch") is not None:
            items.append((Key(Family.LOSS), "batch"))
        for key, scope in items:
            label = ("batch " if scope == "batch" else "") + self.sym[key]
            text = f"{label} {short(self._value(state, key, scope))}"
            style = "bold" if key.family is Family.LOSS else LABEL_STYLE
            self._mark(row, x, y, roles.get((key, scope)), text, style)
            x += len(text) + 3
        return row

    def _loss(self, state, roles, output_rows: dict[int, int]) -> _Column:
        s = self.scenario
        column = _Column()
        for k, y in output_rows.items():
            target = Key(Family.Y, 0, k)
            self._mark(column, 0, y, roles.get((target, "sample")),
                       f"│ {self.sym[target]} {short(self._value(state, target))}", LABEL_STYLE)
            if s.outputs > 1:
                term = Key(Family.LOSS_TERM, 0, k)
                self._mark(column, 0, y + 1, roles.get((term, "sample")),
                           f"│ {self.sym[term]} {short(self._value(state, term))}", LABEL_STYLE)
        loss = Key(Family.LOSS)
        bottom = max(output_rows.values()) + 2
        self._mark(column, 0, bottom, roles.get((loss, "sample")),
                   f"{self.sym[loss]} {short(self._value(state, loss))}", "bold")
        if self.ledger.position(loss, "batch") is not None:
            self._mark(column, 0, bottom + 1, roles.get((loss, "batch")),
                       f"batch {self.sym[loss]} {short(self._value(state, loss, 'batch'))}", "bold")
        return column
