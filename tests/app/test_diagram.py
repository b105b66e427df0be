"""The diagram's layout holds still while stepping: columns never shift sideways."""

from __future__ import annotations

import re
from dataclasses import replace

from backprop_stepper.core import Trace, resolve
from backprop_stepper.core.ledger import Ledger
from backprop_stepper.core.quantities import Kind
from backprop_stepper.tui.diagram_layout import DiagramPainter, short
from backprop_stepper.tui.widgets.runs import plain


def test_columns_keep_their_places_while_groups_open_and_close():
    # At 117×15 the 6-10-10-4 network collapses its connection groups; a read weight in a
    # collapsed group once made its column one cell wider and moved every column right of it.
    trace = Trace(resolve("wide-6-10-10-4"))
    ledger = Ledger(trace)
    painter = DiagramPainter(ledger)
    places, seen_collapsed, closeups = set(), False, 0
    for index in range(0, 400):
        picture = painter.paint(ledger.at(index, trace[index]), trace[index], 117, 15)
        if picture.closeup:  # a step along the connections, drawn on its own (see test_closeup)
            closeups += 1
            continue
        seen_collapsed |= picture.collapsed
        places.add(tuple(x for x, _ in picture.placed))
    assert seen_collapsed and 0 < closeups < 400
    assert len(places) == 1, sorted(places)


def test_changed_rows_are_exactly_the_rows_whose_text_or_marks_changed():
    trace = Trace(resolve("wide-6-10-10-4"))
    ledger = Ledger(trace)
    painter = DiagramPainter(ledger)
    previous = None
    for index in range(0, 300):
        picture = painter.paint(ledger.at(index, trace[index]), trace[index], 117, 15)
        if previous is not None:
            changed = picture.changed_rows(previous)
            if changed is None and (picture.closeup or previous.closeup):  # a close-up of another shape
                previous = picture
                continue
            assert changed is not None
            height = max(picture.height, previous.height)
            differ = {y for y in range(height)
                      if y >= min(picture.height, previous.height) or picture.line(y) != previous.line(y)}
            assert differ <= changed, f"event {index}: rows {sorted(differ - changed)} changed unnoticed"
        previous = picture


def test_a_step_along_the_connections_of_a_network_too_tall_is_a_closeup_that_fits():
    """Net inputs, error sums and weight gradients of the 6-10-10-4 network read up to 21 values
    two layers apart: at the nine rows of an 80×24 terminal each is drawn as a close-up holding
    every value it reads, within the panel. Other steps, and a network drawn whole, keep the
    network."""
    trace = Trace(resolve("wide-6-10-10-4"))
    ledger = Ledger(trace)
    painter = DiagramPainter(ledger)
    kinds = set()
    for index in range(trace.index_of(2, 0)):  # the first iteration: every kind of step
        event = trace[index]
        state = ledger.at(index, event)
        picture = painter.paint(state, event, 80, 9)
        text = "\n".join(plain(line) for line in picture.lines)
        along = event.kind in (Kind.NET_INPUT, Kind.BACKPROP_SUM, Kind.WEIGHT_GRADIENT)
        assert picture.closeup == along, f"event {index + 1} {event.symbol}"
        if along:
            kinds.add(event.kind)
            assert picture.width <= 80 and picture.height == 9, f"event {index + 1}: {picture.width}×{picture.height}"
            for entry in (*state.reads, state.current):
                item = f"{ledger.entries[entry].symbol} {short(state.value(entry)):>7}"
                assert item.split()[0] in text and re.search(re.escape(item.split()[0]) + r"\s+"
                                                             + re.escape(item.split()[-1]), text), item
    assert len(kinds) == 3
    # Narrower than two columns of terms (the smallest size the app accepts): one column, taller
    # than the panel (it scrolls), never wider than the view.
    index = trace.find("z[2][10]")[0]
    narrow = painter.paint(ledger.at(index), trace[index], 72, 8)
    assert narrow.closeup and narrow.width <= 72 and narrow.height > 8
    # "Why this number?" marks the factors of a chain all over the network: no close-up then.
    index = trace.find("z[2][3]")[0]
    state = ledger.at(index)
    assert painter.paint(state, trace[index], 80, 9).closeup
    assert not painter.paint(replace(state, reads=state.reads[:3]), trace[index], 80, 9).closeup
    small = Trace(resolve("sigmoid-2-2-2"))
    small_ledger = Ledger(small)
    small_painter = DiagramPainter(small_ledger)
    assert not any(small_painter.paint(small_ledger.at(i), small[i], 80, 9).closeup for i in range(len(small)))


def test_a_softmax_output_of_a_network_too_tall_is_a_closeup_of_its_quotient_and_net_inputs():
    """o₂ = e^z₂ / Σⱼ e^zⱼ reads every net input of its layer, which stand beside the other
    neurons: in the nine rows of an 80×24 terminal they did not fit with o₂'s own rows. Drawn as
    a close-up, the quotient and every net input are there; the other steps off the connections
    keep the network, and so does a panel tall enough for all of it."""
    trace = Trace(resolve("40-softmax-2-3-3"))
    ledger = Ledger(trace)
    painter = DiagramPainter(ledger)
    outputs = 0
    for index, event in enumerate(trace):
        state = ledger.at(index, event)
        picture = painter.paint(state, event, 80, 9)
        softmax = event.kind is Kind.ACTIVATION and event.key.layer == 2
        along = event.kind in (Kind.NET_INPUT, Kind.BACKPROP_SUM, Kind.WEIGHT_GRADIENT)  # see above
        assert picture.closeup == (softmax or along), f"event {index + 1} {event.symbol}"
        if softmax:
            outputs += 1
            text = "\n".join(plain(line) for line in picture.lines)
            assert picture.width <= 80 and picture.height == 9
            assert len(state.reads) == 5  # e^z, Σ and the layer's three net inputs
            for entry in (*state.reads, state.current):
                symbol, value = ledger.entries[entry].symbol, short(state.value(entry))
                assert re.search(re.escape(symbol) + r"\s+" + re.escape(value), text), (symbol, value)
            exp, normaliser = (ledger.entries[entry].symbol for entry in state.reads[:2])
            assert re.search(rf"{re.escape(exp)}\s+\S+ ÷ •{re.escape(normaliser)}", text)
        assert not painter.paint(state, event, 80, 40).closeup
    assert outputs == 3
