"""The diagram's layout holds still while stepping: columns never shift sideways."""

from __future__ import annotations

from backprop_stepper.core import Trace, resolve
from backprop_stepper.core.ledger import Ledger
from backprop_stepper.tui.diagram_layout import DiagramPainter


def test_columns_keep_their_places_while_groups_open_and_close():
    # At 117×15 the 6-10-10-4 network collapses its connection groups; a read weight in a
    # collapsed group once made its column one cell wider and moved every column right of it.
    trace = Trace(resolve("wide-6-10-10-4"))
    ledger = Ledger(trace)
    painter = DiagramPainter(ledger)
    places, seen_collapsed = set(), False
    for index in range(0, 400):
        picture = painter.paint(ledger.at(index, trace[index]), trace[index], 117, 15)
        seen_collapsed |= picture.collapsed
        places.add(tuple(x for x, _ in picture.placed))
    assert seen_collapsed
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
            assert changed is not None
            height = max(picture.height, previous.height)
            differ = {y for y in range(height)
                      if y >= min(picture.height, previous.height) or picture.line(y) != previous.line(y)}
            assert differ <= changed, f"event {index}: rows {sorted(differ - changed)} changed unnoticed"
        previous = picture
