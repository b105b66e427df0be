"""The network diagram as lines of styled runs: layout only, no widget and no arithmetic.

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
source names are dropped; the widget scrolls to keep the current item and everything it reads in
view (the targets and the loss stand beside the outputs for that reason).

Every item is labelled with core's symbol for it, as the equations and the table write it. A
connection's row shows its weight, or the weight's gradient while that is computed or read; a
neuron's second line shows the quantity of that neuron being computed or read, and a step that
reads several (δ reads ∂E/∂a and a′) puts the others on free rows beside it.

Everything that does not change while stepping (symbols, widths, which ledger entry holds which
value) is worked out once, so painting a step is a pass over plain integers and strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from backprop_stepper.core import numbers
from backprop_stepper.core.ledger import Ledger, LedgerState, Mark
from backprop_stepper.core.quantities import Family, Key, Phase
from backprop_stepper.core.trace import Event

# Roles of runs of text (see tui.widgets.runs): the widget maps them to theme styles.
CURRENT_STYLE = Mark.CURRENT
READ_STYLE = Mark.READ
LABEL_STYLE = "muted"
MARK = {Mark.CURRENT: Mark.CURRENT.glyph, Mark.READ: Mark.READ.glyph, None: " "}
Run = tuple[str, str]
_Item = tuple[int, int, str, str]  # x, y, text, role

NODE_FAMILIES = (Family.Z, Family.A, Family.DE_DA, Family.DA_DZ, Family.DELTA)
DETAIL_FAMILIES = (Family.Z, Family.DE_DA, Family.DA_DZ, Family.DELTA)


COLUMNS_KEPT = 64  # painted columns kept for reuse: those of the last eight pictures or so

# A step shows the same few hundred values as the step before.
short = lru_cache(maxsize=4096)(numbers.short)


@dataclass(frozen=True)
class Picture:
    """Columns placed side by side. A line is joined from its columns' runs when it is asked for:
    a step usually changes a column or two, and only their changed rows need painting."""

    placed: list[tuple[int, Column]]  # (x, column), left to right
    width: int
    height: int
    focus: tuple[int, int, int, int] | None  # x, y, width, height of the current item
    collapsed: bool
    compact: bool
    current: tuple[str, ...] = ()  # texts of the items marked as being computed
    reads: tuple[str, ...] = ()  # texts of the items marked as read
    marked: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 around every marked item
    shown: tuple[int, int] | None = None  # the first and last column drawn (None: all of them)
    closeup: bool = False  # one step and its reads, not the network (see tui.diagram_closeup)
    _joined: dict[int, list[Run]] = field(default_factory=dict)

    def showing(self, first: int, last: int) -> Picture:
        """The same picture with only columns first..last drawn: a view narrower than the picture
        shows whole columns, never half a label."""
        return replace(self, shown=(first, last), _joined={})

    def line(self, y: int) -> list[Run]:
        """Line y as (text, role) runs."""
        line = self._joined.get(y)
        if line is None:
            line, end = [], 0
            first, last = self.shown or (0, len(self.placed) - 1)
            for x, column in self.placed[first:last + 1]:
                row = column.rows.get(y)
                if row is not None:
                    start, runs = row
                    if x + start > end:
                        line.append((" " * (x + start - end), ""))
                    line += runs
                    end = x + column.ends[y]
            self._joined[y] = line
        return line

    @property
    def lines(self) -> list[list[Run]]:
        return [self.line(y) for y in range(self.height)]

    def changed_rows(self, previous: Picture) -> set[int] | None:
        """The rows that differ from `previous`, or None if the columns moved (all may differ).
        Columns a step did not touch are the same objects (see DiagramPainter), so only the
        rows of the others are compared."""
        if previous.width != self.width or len(previous.placed) != len(self.placed) or previous.shown != self.shown:
            return None
        rows = set(range(min(previous.height, self.height), max(previous.height, self.height)))
        for (old_x, old), (x, new) in zip(previous.placed, self.placed, strict=True):
            if new is old:
                continue
            if x != old_x:
                return None
            rows.update(y for y in old.rows.keys() | new.rows.keys() if old.rows.get(y) != new.rows.get(y))
        return rows


def whole_columns(picture: Picture, width: int, left: int) -> tuple[int, int]:
    """The columns to show in a view `width` cells wide whose left edge is at `left`: whole
    columns only, including every column of the current item and what it reads (else of the
    current item). The columns shown now stay while they still do; otherwise as many columns as
    fit, with room ahead in the direction of travel, so that the next steps need not move them."""
    spans = [(x, x + column.width) for x, column in picture.placed]

    def reach(start: int) -> int:  # the last column that fits beside `start`
        end = start
        while end + 1 < len(spans) and spans[end + 1][1] - spans[start][0] <= width:
            end += 1
        return end

    x0, _, x1, _ = picture.marked or (left, 0, left + 1, 1)
    if x1 - x0 > width and picture.focus is not None:
        x0, x1 = picture.focus[0], picture.focus[0] + picture.focus[2]
    first = next((i for i, (_, end) in enumerate(spans) if end > x0), len(spans) - 1)
    last = max([i for i, (start, _) in enumerate(spans) if start < x1] + [first])
    now = next((i for i, (start, _) in enumerate(spans) if start == left), None)
    if now is not None and now <= first and reach(now) >= last:
        return now, reach(now)
    fits = [start for start in range(first + 1) if reach(start) >= last]
    if not fits:  # wider than the view: from its first column
        return first, reach(first)
    # As many columns as fit; then a column of context behind, in the direction of travel (what
    # the step came from); then the most room ahead (where the next steps go).
    backward = now is not None and now > first

    def merit(start: int) -> tuple[int, int, int]:
        before, after = first - start, reach(start) - last
        behind, ahead = (after, before) if backward else (before, after)
        return reach(start) - start, min(behind, 1), ahead

    start = max(fits, key=merit)
    return start, reach(start)


def _wire(n: int, count: int, junction: int, has_text: bool, backward: bool, width: int) -> str:
    """The bracket that gathers a neuron's connections; its arrow shows the direction of flow.
    A lone connection's arrow is `width` long, so that it reaches the neuron as a bracket does."""
    head = "◀─" if backward else "─▶"
    if count == 1:
        return "◀" + "─" * (width - 1) if backward else "─" * (width - 1) + "▶"
    if n == junction:
        return ("─┼" if has_text else " ├") + head
    if n == 0:
        return "─┐"
    return "─┘" if n == count - 1 else "─┤"


class Column:
    """Text put at (x, y), left to right along each row; each row is kept as runs, ready to be
    joined to the other columns' (painting a step is then one pass, with nothing to sort)."""

    def __init__(self, width: int = 0) -> None:
        self.rows: dict[int, tuple[int, list[Run]]] = {}  # y -> (x of the first run, runs)
        self.ends: dict[int, int] = {}  # y -> x just after the row's last run
        self.marked: list[_Item] = []  # items being computed or read, in the order put
        self.width, self.height = width, 0  # so far, kept up to date as items are put

    def put(self, x: int, y: int, text: str, role: str = "") -> None:
        end = self.ends.get(y)
        if end is None:
            self.rows[y] = (x, [(text, role)])
        else:
            runs = self.rows[y][1]
            if x > end:
                runs.append((" " * (x - end), ""))
            runs.append((text, role))
        self.ends[y] = end = x + len(text)
        if end > self.width:
            self.width = end
        if y >= self.height:
            self.height = y + 1
        if role == CURRENT_STYLE or role == READ_STYLE:
            self.marked.append((x, y, text, role))

    def mark(self, x: int, y: int, role: str | None, text: str, base: str = "") -> None:
        self.put(x, y, MARK[role])
        self.put(x + 1, y, text, role or base)


@dataclass(frozen=True)
class _Connection:
    text: str  # the weight's (or bias's) symbol
    source: str  # the source's symbol ("" for a bias)
    value: int  # ledger entry of the parameter
    touched: tuple[int, ...]  # entries whose role marks this row: the parameter and its gradients
    gradients: tuple[tuple[str, int], ...]  # (symbol, entry) of the parameter's gradients


def _row_item(connection: _Connection, roles: dict[int, str]) -> tuple[str, int]:
    """What a connection's row shows: the parameter, or a gradient of it being computed, or read
    while the parameter is not. (A gradient read beside it goes on its neuron's lines.)"""
    items = [(connection.text, connection.value), *connection.gradients]
    return next((item for item in items if roles.get(item[1]) == "current"),
                next((item for item in items if item[1] in roles), items[0]))


class DiagramPainter:
    """Knows the shape and symbols of one trace; paints it for any ledger state."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        trace = ledger.trace
        self.scenario = s = trace.scenario
        sym = trace.symbols
        entry = ledger.row_of
        self._modes: dict[tuple[int, int], tuple[bool, bool]] = {}

        self._inputs = [(sym[Key(Family.X, 0, i)], entry(Key(Family.X, 0, i), "sample"))
                        for i in range(1, s.inputs + 1)]
        self._wiring: dict[int, list[list[_Connection]]] = {}
        self._touched: dict[int, list[frozenset[int]]] = {}  # per group: every entry that marks a row
        self._widths: dict[int, tuple[int, int, int]] = {}  # source, weight symbol, neuron column
        self._wiring_entries: dict[int, tuple[frozenset[int], np.ndarray]] = {}
        self._node_entries: dict[int, tuple[frozenset[int], np.ndarray]] = {}
        self._columns: dict[tuple, object] = {}  # painted columns by what they were painted from
        self._nodes: dict[int, list[dict[Family, tuple[str, int]]]] = {}
        self._gradients: dict[int, list[list[tuple[str, int]]]] = {}
        self._extras: dict[int, list[list[tuple[str, int]]]] = {}
        for l, layer in enumerate(s.layers, start=1):
            fan_in = layer.weights.shape[1]
            groups = []
            for j in range(1, layer.size + 1):
                group = []
                for i in range(1, fan_in + 1):
                    gradient = Key(Family.DE_DW, l, j, i)
                    weight = entry(Key(Family.W, l, j, i), "parameter")
                    group.append(self._connection(sym[Key(Family.W, l, j, i)], sym.source(l, i), weight, gradient))
                if layer.biases is not None:
                    gradient = Key(Family.DE_DB, l, j)
                    bias = entry(Key(Family.B, l, j), "parameter")
                    group.append(self._connection(sym[Key(Family.B, l, j)], "", bias, gradient))
                groups.append(group)
            self._wiring[l] = groups
            self._touched[l] = [frozenset(p for c in group for p in c.touched) for group in groups]
            # The symbols are core's notation, as the equations and the table write them.
            # (A softmax-with-cross-entropy output has no ∂E/∂a or ∂a/∂z of its own: δ = o − t.)
            self._nodes[l] = [
                {family: (sym[Key(family, l, j)], entry(Key(family, l, j), "sample")) for family in NODE_FAMILIES
                 if entry(Key(family, l, j), "sample") is not None}
                for j in range(1, layer.size + 1)
            ]
            # A neuron's second line may show the gradient of one of its parameters (being read
            # by an update, while the parameter's own row shows the parameter being computed).
            self._gradients[l] = [[g for c in group for g in c.gradients] for group in groups]
            # A softmax neuron's steps of its own: its e^z and its column of the Jacobian (the
            # outputs' slopes with respect to its net input); the layer's normaliser goes with the
            # last neuron, so it has one place on screen (and the first neuron's rows stay free
            # for e^z₁ when the normaliser reads it).
            self._extras[l] = [self._softmax_items(l, j) if layer.activation == "softmax" else []
                               for j in range(1, layer.size + 1)]
            # What each layer's columns are painted from, to tell when a column can be reused.
            self._wiring_entries[l] = (frozenset().union(*self._touched[l]),
                                       np.array([p for group in groups for c in group for p in c.touched]))
            self._node_entries[l] = self._entries([p for node in self._nodes[l] for _, p in node.values()]
                                                  + [p for group in groups for c in group for p in c.touched]
                                                  + [p for extras in self._extras[l] for _, p in extras])
            source_width = max(len(c.source) for group in groups for c in group)
            weight_width = max(len(text) for group in groups for c in group
                               for text in (c.text, *(g for g, _ in c.gradients)))
            node_width = 2 + 8 + max([len(text) for node in self._nodes[l] for text, _ in node.values()]
                                     + [len(text) for gradients in self._gradients[l] for text, _ in gradients]
                                     + [len(text) for extras in self._extras[l] for text, _ in extras])
            self._widths[l] = (source_width, weight_width, node_width)
        loss = Key(Family.LOSS)
        self._targets = [(sym[Key(Family.Y, 0, k)], entry(Key(Family.Y, 0, k), "sample"))
                         for k in range(1, s.outputs + 1)]
        self._terms = ([(sym[Key(Family.LOSS_TERM, 0, k)], entry(Key(Family.LOSS_TERM, 0, k), "sample"))
                        for k in range(1, s.outputs + 1)] if s.outputs > 1 else [])
        self._loss = (sym[loss], entry(loss, "sample"))
        batch = entry(loss, "batch")
        self._batch_loss = (f"batch {sym[loss]}", batch) if batch is not None else None
        self._loss_width = 12 + max(len(t) for t, _ in [*self._targets, *self._terms, self._loss])
        self._input_entries = self._entries([p for _, p in self._inputs])
        self._loss_entries = self._entries([p for _, p, _ in self._loss_items()])

    def _softmax_items(self, l: int, j: int) -> list[tuple[str, int]]:
        sym, entry = self.ledger.trace.symbols, self.ledger.row_of
        size = self.scenario.layers[l - 1].size
        keys = [Key(Family.EXP, l, j)] + ([Key(Family.EXP_SUM, l)] if j == size else [])
        keys += [Key(Family.DA_DZ, l, k, j) for k in range(1, size + 1)]
        return [(sym[key], position) for key in keys if (position := entry(key, "sample")) is not None]

    @staticmethod
    def _entries(positions: list[int]) -> tuple[frozenset[int], np.ndarray]:
        return frozenset(positions), np.array(positions, dtype=int)

    def _connection(self, text: str, source: str, parameter: int, gradient: Key) -> _Connection:
        ledger = self.ledger
        gradients = tuple((ledger.entries[p].symbol, p) for scope in ("sample", "batch")
                          if (p := ledger.row_of(gradient, scope)) is not None)
        return _Connection(text, source, parameter, (parameter, *(p for _, p in gradients)), gradients)

    # -- painting -----------------------------------------------------------------------------

    def paint(self, state: LedgerState, event: Event, width: int, height: int) -> Picture:
        """The most detailed picture that fits: collapse groups only if it is too tall, drop the
        source names only if it is too wide; beyond that the widget scrolls.

        Column widths and the full height do not depend on the event, so the choice is made
        once per panel size, and each step paints once."""
        roles = state.marks
        mode = self._modes.get((width, height))
        if mode is None:
            collapse = self._paint(state, event, roles, False, False).height > height
            compact = self._paint(state, event, roles, False, collapse).width > width
            mode = self._modes[(width, height)] = (compact, collapse)
        if mode[1]:  # too tall to draw whole: a step along the connections reads too far apart
            from .diagram_closeup import needs_closeup, paint_closeup  # it draws with this module's parts

            if needs_closeup(self.ledger, event, state):
                return paint_closeup(self.ledger, state, event, width, height)
        return self._paint(state, event, roles, *mode)

    def _paint(self, state, event, roles, compact: bool, collapse: bool) -> Picture:
        s = self.scenario
        backward = event.phase is Phase.BACKWARD
        focus = (event.key.layer, event.key.j)
        late = event.phase in (Phase.BACKWARD, Phase.UPDATE)
        wiring, neuron_rows = [], []
        for l in range(1, len(s.layers) + 1):
            key = ("wiring", l, compact, collapse, focus if collapse and focus[0] == l else None, backward,
                   *self._inputs_of(state, roles, self._wiring_entries[l]))
            column, rows = self._column(key, self._connections, state, roles, l, compact, collapse, focus, backward)
            wiring.append(column)
            neuron_rows.append(rows)
        height = max(max(c.height for c in wiring), 2 * s.inputs)

        key = ("inputs", height, *self._inputs_of(state, roles, self._input_entries))
        columns = [self._column(key, self._input_column, state, roles, height)]
        for l in range(1, len(s.layers) + 1):
            rows = neuron_rows[l - 1]
            # Room under the layer's last neuron for the lines a step may add there (see _neurons).
            # It follows from the layer's own rows, so the column's key does not change when
            # another layer's wiring grows (collapsed groups opening would rebuild every column).
            room = max(rows.values()) + 3
            key = ("neurons", l, late, tuple(rows.values()),
                   *self._inputs_of(state, roles, self._node_entries[l]))
            neurons = self._column(key, self._neurons, state, roles, l, rows, late, room)
            columns += [wiring[l - 1], neurons]
        # The targets and the loss stand beside the outputs they read, even when the picture is
        # too wide for the view: a loss and its reads then fit in one view, wherever it scrolls.
        key = ("loss column", tuple(neuron_rows[-1].items()), *self._inputs_of(state, roles, self._loss_entries))
        columns.append(self._column(key, self._loss_column, state, roles, neuron_rows[-1]))

        # Place the columns side by side, one space apart, joining their rows of runs.
        placed = []
        x = 0
        for column in columns:
            placed.append((x, column))
            x += column.width + 1
        total_width = x - 1
        total_height = max(max(c.height for c in columns), 1)
        current, reads, first, box = [], [], None, None
        for x, column in placed:
            for cx, y, text, role in column.marked:
                if role == CURRENT_STYLE:
                    current.append(text.strip())
                    first = first or (x + cx, y, len(text), 1)
                else:
                    reads.append(text.strip())
                left, right = x + cx - 1, x + cx + len(text)  # with the mark before it
                box = (left, y, right, y + 1) if box is None else \
                    (min(box[0], left), min(box[1], y), max(box[2], right), max(box[3], y + 1))
        return Picture(placed, total_width, total_height, first, collapse, compact, tuple(current), tuple(reads),
                       box)

    # A step changes the values and marks of one or two layers: the other layers' columns are
    # the same as last time, so they are kept, keyed by everything they are painted from.

    @staticmethod
    def _inputs_of(state, roles, entries: tuple[frozenset[int], np.ndarray]) -> tuple:
        members, positions = entries
        marks = frozenset(item for item in roles.items() if item[0] in members)
        return (marks, state.values[positions].tobytes(), state.known[positions].tobytes(),
                state.updated[positions].tobytes())

    def _column(self, key: tuple, paint, *inputs):
        """The column painted from `key`, painted now (paint(*inputs)) unless it is among the last
        few used. Few are kept: a step reuses the columns of the steps just before it, and every
        column kept is a few hundred objects for Python's cycle collector to walk again and again."""
        columns = self._columns
        column = columns.pop(key, None)
        if column is None:
            column = paint(*inputs)
            if len(columns) >= COLUMNS_KEPT:
                del columns[next(iter(columns))]  # the least recently used
        columns[key] = column
        return column

    def _input_column(self, state, roles, height: int) -> Column:
        column = Column()
        label_width = max(len(label) for label, _ in self._inputs)
        n = len(self._inputs)
        for k, (label, position) in enumerate(self._inputs):
            y = min(height - 1, int((k + 0.5) * height / n)) if height else k
            column.mark(0, y, roles.get(position), f"{label.ljust(label_width)} {short(state.value(position)):>7}")
        return column

    def _connections(self, state, roles, l, compact, collapse, focus, backward):
        """The wiring into layer l; returns the column and the row of each neuron."""
        source_width, weight_width, _ = self._widths[l]
        label_width = (0 if compact else source_width + 1) + weight_width + 1 + 7
        # As wide as its widest bracket ("─┼─▶"; "──▶" if a neuron has one connection), whatever
        # groups are open: a column that narrowed would shift every column right of it.
        wire_width = 4 if len(self._wiring[l][0]) > 1 else 3
        column = Column(label_width + 1 + wire_width)
        rows: dict[int, int] = {}
        y = 0
        for j, (group, touched) in enumerate(zip(self._wiring[l], self._touched[l], strict=True), start=1):
            expanded = not collapse or focus == (l, j)
            lines: list[tuple[str, str | None, bool]] = []  # (text, role, updated)
            # A collapsed group shows only the rows being read or computed: often none of them.
            for connection in group if expanded or not roles.keys().isdisjoint(touched) else ():
                role = None
                for p in connection.touched:
                    found = roles.get(p)
                    if found is not None and role != "current":
                        role = found
                if not expanded and role is None:
                    continue
                # The row shows the parameter, or its gradient while that is being computed or
                # read and the parameter is not (an update's gradient goes on the neuron's line).
                text, shown = _row_item(connection, roles)
                if compact:
                    head = ""
                elif connection.source:
                    head = f"{connection.source.ljust(source_width)}─"
                else:
                    head = " " * (source_width + 1)
                # The value right after the symbol; a dash runs on to the bracket (see below).
                lines.append((f"{head}{text} {short(state.value(shown)):>7}", role,
                              shown == connection.value and bool(state.updated[connection.value])))
            hidden = len(group) - len(lines)
            if hidden:
                lines.append((f"⋯ {hidden} more".ljust(label_width), None, False))
            junction = len(lines) // 2
            if len(lines) % 2 == 0:
                lines.insert(junction, ("", None, False))  # a row of its own for the junction
            for n, (text, role, updated) in enumerate(lines):
                if text:
                    column.mark(0, y + n, role, text, "italic" if updated else "")
                    if len(text) < label_width:  # symbols differ in length: the line runs on to the bracket
                        column.put(len(text) + 1, y + n, " " + "─" * (label_width - len(text) - 1), LABEL_STYLE)
                wire = _wire(n, len(lines), junction, bool(text), backward, wire_width)
                column.put(label_width + 1, y + n, wire, LABEL_STYLE)
            rows[j] = y + junction
            y += len(lines) + 1  # a blank row between neurons
        return column, rows

    def _neurons(self, state, roles, l, rows, late: bool, height: int) -> Column:
        # As wide as the widest thing a neuron here can show, so stepping never shifts columns.
        column = Column(self._widths[l][2])
        taken = {y for r in rows.values() for y in (r, r + 1)}  # every neuron's two lines
        for j, node in enumerate(self._nodes[l], start=1):
            y = rows[j]
            label, position = node[Family.A]
            column.mark(0, y, roles.get(position), f"{label} {short(state.value(position)):>7}", "bold")
            # The second line shows what this neuron is being asked about right now: the quantity
            # being computed, else one being read, else δ once known in the backward pass, else
            # the net input. Further quantities read (δ reads ∂E/∂a and a′) go on free rows below
            # or above the neuron, so a step's inputs are on screen with it.
            marked = [node[f] for f in DETAIL_FAMILIES if f in node and node[f][1] in roles]
            marked += [g for c in self._wiring[l][j - 1] for g in c.gradients
                       if g[1] in roles and g != _row_item(c, roles)]
            marked += [item for item in self._extras[l][j - 1] if item[1] in roles]
            marked.sort(key=lambda item: roles[item[1]] != "current")
            if not marked:
                delta = node[Family.DELTA]
                marked = [delta if late and state.known[delta[1]] else node[Family.Z]]
            free = [y + 1] + [row for row in (y + 2, y - 1) if 0 <= row < height and row not in taken]
            for row, (label, position) in zip(free, marked, strict=False):
                column.mark(1, row, roles.get(position), f"{label} {short(state.value(position)):>7}", LABEL_STYLE)
        return column

    def _loss_items(self):
        items = [(label, p, LABEL_STYLE) for label, p in [*self._targets, *self._terms]]
        items.append((*self._loss, "bold"))
        if self._batch_loss:
            items.append((*self._batch_loss, "bold"))
        return items

    def _loss_column(self, state, roles, output_rows: dict[int, int]) -> Column:
        column = Column(self._loss_width)
        for k, y in output_rows.items():
            label, position = self._targets[k - 1]
            column.put(0, y, "│", LABEL_STYLE)
            column.mark(1, y, roles.get(position), f"{label} {short(state.value(position)):>7}", LABEL_STYLE)
            if self._terms:
                label, position = self._terms[k - 1]
                column.put(0, y + 1, "│", LABEL_STYLE)
                column.mark(1, y + 1, roles.get(position), f"{label} {short(state.value(position)):>7}", LABEL_STYLE)
        bottom = max(output_rows.values()) + 2
        for n, (label, position) in enumerate([self._loss, *([self._batch_loss] if self._batch_loss else [])]):
            column.mark(0, bottom + n, roles.get(position), f"{label} {short(state.value(position)):>7}", "bold")
        return column
