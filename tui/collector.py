"""Python's cycle collector, run after a step's frame is out instead of in the middle of a step.

Each step replaces a few painted lines, and every Strip a panel lets go of is cyclic garbage:
Textual's compositor divides each strip it is given, and a strip divided where it ends keeps
itself in its own cache. That is twenty-odd objects per line (the Strip, its seven caches, its
segments) that only the cycle collector frees. Python runs the collector when allocations pass a
threshold, in the middle of whatever is running then; on the wide network one step in fifteen or
so took a collection of the middle generation (1 to 2.5 ms of CPU) and one in a hundred or two a
full one (4 to 15 ms), and those were the slowest steps (see the README's Performance notes).

So after each step the app asks for the collection that is due anyway, once the step's frame has
been written (`App.call_after_refresh`): the youngest generation every step (a step's few hundred
objects), and the older ones as often as Python itself would look at them (its thresholds). The
next key press then starts with nothing young left to walk, and no collection falls within it.
"""

from __future__ import annotations

import gc


def collect_due() -> int | None:
    """Collect the youngest generation, and an older one when Python's thresholds say it is due;
    the generation collected, or None while the collector is off (e.g. paused for start-up)."""
    if not gc.isenabled():
        return None
    _, young_collections, middle_collections = gc.get_count()
    _, middle_threshold, old_threshold = gc.get_threshold()
    # Python collects an older generation once its count passes its threshold; this collection
    # adds one to the count, so an older generation is collected now if that would make it due
    # (else the next collection Python starts by itself, within a step, would be the older one).
    generation = 0
    if young_collections + 1 > middle_threshold:
        generation = 2 if middle_collections + 1 > old_threshold else 1
    gc.collect(generation)
    return generation
