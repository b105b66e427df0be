"""Plain-text reports for the command line: the trace as a table, `check`, `list`.

Everything here formats what `core` computed; nothing is calculated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

from backprop_stepper.core import Event, Trace, bundled
from backprop_stepper.core.notation import count
from backprop_stepper.core.numbers import plain
from backprop_stepper.core.scenario import Scenario


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - len(text))


def write_json_lines(events: Iterable[Event], out: IO[str]) -> None:
    for event in events:
        out.write(json.dumps(event.as_json(), ensure_ascii=False, allow_nan=False))
        out.write("\n")


def write_lines(lines: Iterable[str], out: IO[str]) -> None:
    """Texts written as they come, each ended by a newline."""
    for line in lines:
        out.write(line)
        out.write("\n")


def write_table(trace: Trace, events: Iterable[Event], out: IO[str]) -> None:
    """The trace for a person: `#` counts events from 1, as the app and its `g` do (the JSON
    `index` stays 0-based)."""
    width = max(len(trace.symbols[key]) for key, _ in trace.symbols.items()) + 1
    width = min(max(width, 8), 24)
    out.write(f"{'#':>6}  {'it':>3} {'s':>3}  {_pad('phase', 8)}  {_pad('symbol', width)} {'value':>16}   formula\n")
    for e in events:
        sample = "-" if e.sample is None else str(e.sample)
        out.write(
            f"{e.index + 1:>6}  {e.iteration:>3} {sample:>3}  {_pad(e.phase.value, 8)}  "
            f"{_pad(e.symbol, width)} {plain(e.value):>16}   {e.formula}  =  {e.substituted}\n"
        )


def describe(scenario: Scenario, trace: Trace) -> str:
    parts = [
        scenario.shape_label,
        count(len(scenario.samples), "sample"),
        count(scenario.iterations, "iteration"),
        f"{trace.per_iteration:,} events per iteration",
    ]
    return ", ".join(parts)


def write_check(trace: Trace, out: IO[str], strict: bool = False) -> int:
    """Report the scenario, every printed value that disagrees and every one that matches no
    computed event; returns how many of either (what `check --strict` fails on)."""
    s = trace.scenario
    out.write(f"{s.path or s.title}: valid: \"{s.title}\" ({describe(s, trace)})\n")
    comparisons = trace.comparisons()
    if not comparisons:
        out.write("No document values recorded: nothing to compare.\n")
    differing = [(index, c) for index, c in comparisons if not c.agrees]
    if comparisons:
        out.write(
            f"Document values: {len(comparisons)} printed, {len(comparisons) - len(differing)} agree "
            f"with the exact value at the printed precision, {len(differing)} differ.\n"
        )
    for index, c in differing:
        event = trace[index]
        sample = "batch" if event.sample is None else f"sample {event.sample}"
        where = f"  [{c.printed.where}]" if c.printed.where else ""
        out.write(
            f"  iteration {event.iteration}, {sample}: {_pad(event.quantity, 15)} {_pad(event.symbol, 12)} "
            f"printed {_pad(c.printed.text, 10)} exact {plain(c.exact):<14} {c.verdict}{where}\n"
        )
    label = "error" if strict else "note"
    for p in trace.unmatched_printed:
        out.write(f"  {label}: printed value for {p.quantity} (iteration {p.iteration}) matches no computed event\n")
    return len(differing) + len(trace.unmatched_printed)


def write_list(out: IO[str]) -> None:
    entries = bundled()
    width = max(len(b.name) for b in entries)
    for entry in entries:
        s = entry.load()
        source = f"  ({s.source})" if s.source else ""
        out.write(f"{_pad(entry.name, width)}  {_pad(s.shape_label, 10)} {s.title}{source}\n")
