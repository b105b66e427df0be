"""The diagram's close-up of one step: what it computes, and every value it reads, in one view.

A step along the connections (a net input, an error summed back through the weights, a weight's
gradient) reads values from two layers. In a network too tall to draw whole in the panel, those
values lie far apart: a net input of the 6-10-10-4 network reads ten activations, ten weights and
a bias, twenty-odd rows of the drawing, where an 80×24 terminal has nine. Such a step is drawn as
a close-up instead: its reads two by two as the formula multiplies them (source and weight, δ and
weight, δ and source), flowed into as many bracketed columns as the height needs, gathered into
the quantity being computed:

    z⁽²⁾₃ = the sum of these 11 terms · close-up (no room in the network)
    •a⁽¹⁾₁  −0.4471 × •w⁽²⁾₃,₁  −0.1354 ─┐ •a⁽¹⁾₇   0.2656 × •w⁽²⁾₃,₇  −0.0036 ─┐
    …                                    ┤ …                                    ┤
    •a⁽¹⁾₅   0.5868 × •w⁽²⁾₃,₅  −0.0624 ─┤ •b⁽²⁾₃        0 ─────────────────────┤
    •a⁽¹⁾₆   0.5365 × •w⁽²⁾₃,₆  −0.3523 ─┤                                      │
                                         └──▶ ▶z⁽²⁾₃ −0.1691 ◀──────────────────┘

A softmax output reads its e^z, the layer's normaliser and every net input of its layer (o₂ =
e^z₂ / Σⱼ e^zⱼ depends on z₁ and z₃ too), which lie beside other neurons: drawn whole, they do not
fit the nine rows either. Its close-up shows the quotient, then the net inputs it depends on:

    o₂ = e^z⁽²⁾₂ ÷ Σⱼe^z⁽²⁾ⱼ (Σ: e^z of every net input)
    •e^z⁽²⁾₂  1.6125 ÷ •Σⱼe^z⁽²⁾ⱼ  4.2686 ─┐
    •z⁽²⁾₁    0.2923 ──────────────────────┤
    …
    •z⁽²⁾₃    0.2751 ──────────────────────┤
                                           └──▶ ▶o₂  0.3777

Every item has the symbol and the value the network drawing would give it, with the same marks;
the arrows run from what is read to what is computed. The next step not drawn so shows the
network again.
"""

from __future__ import annotations

from backprop_stepper.core.ledger import Mark
from backprop_stepper.core.quantities import Family, Kind

from .diagram_layout import CURRENT_STYLE, LABEL_STYLE, Column, Picture, short

# Steps whose reads lie in two layers' columns, along the connections between them.
ALONG_CONNECTIONS = frozenset({Kind.NET_INPUT, Kind.BACKPROP_SUM, Kind.WEIGHT_GRADIENT})
TIMES = " × "
DIVIDED = " ÷ "
GAP = 1  # between a column's bracket and the next column


def needs_closeup(ledger, event, state) -> bool:
    """Whether a step is drawn as a close-up in a network that does not fit the panel: one along
    the connections or a softmax output, marked as itself. (The matrix view's blocks, which read whole layers, and
    "why this number?", which marks factors all over the network, keep the network.)"""
    return ((event.kind in ALONG_CONNECTIONS or softmax_output(event)) and not state.block
            and state.current is not None and set(state.reads) == set(own_reads(ledger, event, state)))


def softmax_output(event) -> bool:
    """A softmax output: it reads the layer's normaliser, and with it every net input of the layer."""
    return event.kind is Kind.ACTIVATION and any(key.family is Family.EXP_SUM for key, _ in event.read_keys)


def own_reads(ledger, event, state) -> list[int]:
    """The ledger entries of what the event reads, in the formula's order (as the ledger marks
    them: parameters, batch quantities, and the shown sample's)."""
    found = (ledger.entry_for(key, sample, state.sample) for key, sample in event.read_keys)
    return [entry for entry in found if entry is not None]


def paint_closeup(ledger, state, event, width: int, height: int) -> Picture:
    """The close-up in at most `height` rows where the reads allow (a caption, the terms, and the
    row that gathers them), in as few columns as that takes."""
    entries = ledger.entries
    reads = own_reads(ledger, event, state)
    current = state.current
    name = entries[current].symbol
    if softmax_output(event):
        # e^z over the normaliser, then the net inputs the normaliser brings in, one a row.
        quotient = [r for f in (Family.EXP, Family.EXP_SUM) for r in reads if entries[r].key.family is f]
        terms = [tuple(quotient), *((r,) for r in reads if r not in quotient)]
        operator = DIVIDED
        caption = f"{name} = {DIVIDED.join(entries[r].symbol for r in quotient).strip()} (Σ: e^z of every net input)"
    else:
        # The formula multiplies its reads two by two (a bias stands alone, last).
        terms = [tuple(reads[k:k + 2]) for k in range(0, len(reads), 2)]
        operator = TIMES
        caption = f"{name} = " + (f"the sum of these {len(terms)} terms" if len(terms) > 1
                                  else "the product of these two")
    widths = [max((len(entries[term[k]].symbol) for term in terms if len(term) > k), default=0) for k in (0, 1)]

    def item(entry: int, k: int) -> str:
        return f"{entries[entry].symbol.ljust(widths[k])} {short(state.value(entry)):>7}"

    first = 1 + widths[0] + 8  # the mark, the symbol, a space and the value
    cell = first + (len(operator) + 1 + widths[1] + 8 if widths[1] else 0)
    # As many columns as the rows need, as far as the width allows (a column cut at the edge
    # would cut its labels: a taller close-up scrolls instead).
    fitting = max(1, (width + GAP) // (cell + 3 + GAP))
    columns = min(-(-len(terms) // max(1, height - 2)), fitting)
    rows = -(-len(terms) // columns)
    picture = Column()
    why = " · close-up (no room in the network)"
    picture.put(0, 0, caption + (why if len(caption) + len(why) <= width else ""), LABEL_STYLE)
    brackets = []
    for c in range(columns):
        x = c * (cell + 3 + GAP)
        bracket = x + cell + 2
        chunk = terms[c * rows:(c + 1) * rows]
        for r, term in enumerate(chunk):
            y = 1 + r
            picture.mark(x, y, Mark.READ, item(term[0], 0))
            end = x + first
            if len(term) > 1:
                picture.put(end, y, operator, LABEL_STYLE)
                picture.mark(end + len(operator), y, Mark.READ, item(term[1], 1))
                end += len(operator) + 1 + widths[1] + 8
            # The line runs on to the bracket, which runs down to the row that gathers the terms.
            picture.put(end + 1, y, "─" * (bracket - end - 1) + ("┐" if r == 0 else "┤"), LABEL_STYLE)
        for r in range(len(chunk), rows):  # a shorter last column
            picture.put(bracket, 1 + r, "│", LABEL_STYLE)
        brackets.append(bracket)
    bus = 1 + rows
    label = f"{name} {short(state.value(current)):>7}"
    picture.put(brackets[0], bus, "└──▶", LABEL_STYLE)
    picture.mark(brackets[0] + 5, bus, Mark.CURRENT, label)
    x = brackets[0] + 6 + len(label) + 1
    if len(brackets) > 1:
        line = "◀"
        for bracket in brackets[1:]:
            line += "─" * (bracket - x - len(line)) + ("┘" if bracket == brackets[-1] else "┴")
        picture.put(x, bus, line, LABEL_STYLE)
    # As tall as the network drawing it stands in for, so that the panels below do not move.
    return _picture(picture, height)


def _picture(column: Column, height: int) -> Picture:
    focus, box = None, None
    for x, y, text, role in column.marked:
        if role == CURRENT_STYLE and focus is None:
            focus = (x, y, len(text), 1)
        box = (x - 1, y, x + len(text), y + 1) if box is None else \
            (min(box[0], x - 1), min(box[1], y), max(box[2], x + len(text)), max(box[3], y + 1))
    current = tuple(text.strip() for _, _, text, role in column.marked if role == CURRENT_STYLE)
    reads = tuple(text.strip() for _, _, text, role in column.marked if role != CURRENT_STYLE)
    return Picture([(0, column)], column.width, max(column.height, height), focus, True, True, current, reads, box,
                   closeup=True)
