"""Exports: a worked solution in Markdown (LaTeX math), and the trace as JSON.

Both stream to a text file event by event, so exporting a long run never holds it in memory.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Iterable
from typing import IO

from .formulas import title
from .latex import symbol_latex, to_latex
from .numbers import latex, plain
from .quantities import Family, Key, Phase
from .templates import MAX_TEMPLATES
from .trace import Event, Trace

PHASE_HEADINGS = {Phase.FORWARD: "Forward pass", Phase.LOSS: "Loss", Phase.BACKWARD: "Backward pass",
                  Phase.UPDATE: "Update"}


def _given(value: float) -> str:
    """A number the scenario gives (input, target, initial parameter), in LaTeX: six digits, as typed."""
    return latex(value, 6)


def iteration_range(trace: Trace, first: int | None, last: int | None) -> range:
    """The iterations `first` to `last` (1-based, inclusive) within the run; None means its first or last."""
    first = 1 if first is None else max(1, first)
    last = trace.iterations if last is None else min(trace.iterations, last)
    return range(first, last + 1)


# What the writers are given to follow their progress: it is handed the stream of events (Markdown)
# or of iterations' texts (JSON) and passes it on, e.g. counting them for a progress bar.
Follow = Callable[[Iterable], Iterable]


def _unfollowed(items: Iterable) -> Iterable:
    return items


def estimated_bytes(trace: Trace, iterations: range, markdown: bool) -> int:
    """Roughly how large an export of these iterations will be: one iteration written in full,
    times their number (an iteration's text hardly changes from one to the next)."""
    first = range(iterations.start, iterations.start + 1)
    if markdown:
        sample = io.StringIO()
        fixed: dict[int, tuple[str, str]] = {}
        for event in trace.walk(first):
            _event(trace, event, sample, fixed)
        one = len(sample.getvalue().encode("utf-8"))
    else:
        one = sum(len(line.encode("utf-8")) + 2 for line in trace.json_lines(first))
    return one * len(iterations)


# -- JSON ---------------------------------------------------------------------------------------

def write_json(trace: Trace, out: IO[str], iterations: range | None = None, follow: Follow = _unfollowed) -> int:
    """The scenario, every event and the loss per iteration, as one JSON document."""
    iterations = iterations or iteration_range(trace, None, None)
    s = trace.scenario
    header = {
        "title": s.title, "source": s.source, "shape": s.shape_label, "loss": s.loss,
        "learning_rate": s.learning_rate, "iterations": s.iterations, "samples": len(s.samples),
        "mode": s.mode.value, "update_order": s.update_order.value, "update_biases": s.update_biases,
    }
    out.write('{\n"scenario": ' + json.dumps(header, ensure_ascii=False) + ',\n"events": [\n')
    count = 0
    # json.dumps(event.as_json()) of each event, from the templates: one text per iteration
    for text in follow(trace.json_text(iterations, ",\n")):
        out.write((",\n" if count else "") + text)
        count += trace.per_iteration
    losses = trace.losses(iterations.stop - 1)[iterations.start - 1:]
    out.write('\n],\n"losses": ' + json.dumps([x if math.isfinite(x) else None for x in losses]) + "\n}\n")
    return count


# -- Markdown -----------------------------------------------------------------------------------

def write_markdown(trace: Trace, out: IO[str], iterations: range | None = None, follow: Follow = _unfollowed) -> int:
    """A worked solution: every step's formula, substitution and value, in the document's
    notation, with the document's printed values and the teacher's notes where recorded."""
    iterations = iterations or iteration_range(trace, None, None)
    s = trace.scenario
    w = out.write
    w(f"# {s.title}\n\n")
    origin = f" from the worked example of `{s.source}`" if s.source else ""
    w(f"*A worked solution written by backprop-stepper{origin}. Every value is computed exactly in "
      f"float64; where the document printed a value, it is shown beside the exact one.*\n\n")
    if s.description:
        w(" ".join(s.description.split()) + "\n\n")
    _setup(trace, out)
    count = 0
    segment = None
    fixed: dict[int, tuple[str, str]] = {}
    for event in follow(trace.walk(iterations)):
        if event.index % trace.per_iteration == 0:
            w(f"\n## Iteration {event.iteration}\n")
            segment = None
        here = (event.phase, event.sample)
        if here != segment:
            segment = here
            who = "batch" if event.sample is None and len(s.samples) > 1 else (
                f"sample {event.sample}" if event.sample is not None else "")
            w(f"\n### {PHASE_HEADINGS[event.phase]}{f' ({who})' if who else ''}\n\n")
        _event(trace, event, out, fixed)
        count += 1
    _summary(trace, out, iterations)
    return count


def _setup(trace: Trace, out: IO[str]) -> None:
    s = trace.scenario
    sym = trace.symbols
    w = out.write
    functions = ", ".join(layer.activation for layer in s.layers)
    loss = (rf"{symbol_latex(sym.loss)} = \sum_k \tfrac{{1}}{{2}}(t_k - o_k)^2" if s.loss == "half_squared_error"
            else rf"{symbol_latex(sym.loss)} = \sum_k (\hat{{y}}_k - y_k)^2")
    w("| | |\n|---|---|\n")
    w(f"| Network | {s.shape_label} ({functions}) |\n")
    w(f"| Loss | ${loss}$ |\n")
    w(f"| Learning rate | ${symbol_latex(sym.learning_rate)} = {_given(s.learning_rate)}$ |\n")
    per = "one update per sample" if s.mode.value == "stochastic" else "one update per batch"
    w(f"| Samples | {len(s.samples)} ({per}) |\n")
    w(f"| Iterations | {s.iterations} |\n\n")
    for n, sample in enumerate(s.samples, start=1):
        inputs = ", ".join(f"{symbol_latex(sym[Key(Family.X, 0, i + 1)])} = {_given(v)}"
                           for i, v in enumerate(sample.x))
        targets = ", ".join(f"{symbol_latex(sym[Key(Family.Y, 0, k + 1)])} = {_given(v)}"
                            for k, v in enumerate(sample.y))
        w(f"- Sample {n}: ${inputs}$; targets ${targets}$\n")
    w("\nInitial parameters:\n\n")
    for l, layer in enumerate(s.layers, start=1):
        parts = [f"{symbol_latex(sym[Key(Family.W, l, j + 1, i + 1)])} = {_given(v)}"
                 for (j, i), v in _cells(layer.weights)]
        if layer.biases is not None:
            parts += [f"{symbol_latex(sym[Key(Family.B, l, j + 1)])} = {_given(v)}" for j, v in enumerate(layer.biases)]
        w(f"- Layer {l} ({layer.activation}): ${', '.join(parts)}$\n")
    w("\n")


def _cells(matrix):
    for j, row in enumerate(matrix):
        for i, value in enumerate(row):
            yield (j, i), value


def _event(trace: Trace, event: Event, out: IO[str], fixed: dict[int, tuple[str, str]] | None = None) -> None:
    """One event's paragraph. `fixed` keeps, per plan slot, the parts no number changes: the
    heading and the formula in LaTeX (the same in every iteration)."""
    w = out.write
    offset = event.index % trace.per_iteration
    parts = None if fixed is None else fixed.get(offset)
    if parts is None:
        parts = (f"**{title(event.kind, event.sample is None).capitalize()} ${symbol_latex(event.symbol)}$.** ",
                 f"$$\n{to_latex(event.formula)} = ")
        if fixed is not None and len(fixed) < MAX_TEMPLATES:
            fixed[offset] = parts
    heading, formula = parts
    w(f"{heading}{event.meaning}\n\n")
    w(f"{formula}{to_latex(event.substituted)} = {latex(event.value)}\n$$\n\n")
    for comparison in trace.printed_at(event.index):
        mark = "✓ agrees" if comparison.agrees else f"✗ {comparison.verdict}"
        where = f" ({comparison.printed.where})" if comparison.printed.where else ""
        w(f"*The document prints {comparison.printed.text}{where}: {mark}.*\n\n")
    for note in trace.notes_at(event.index):
        w("> ✎ " + " ".join(note.text.split()) + "\n\n")


def _summary(trace: Trace, out: IO[str], iterations: range) -> None:
    w = out.write
    losses = trace.losses(iterations.stop - 1)
    w("\n## Summary\n\n| Iteration | Loss |\n|---|---|\n")
    for n in iterations:
        w(f"| {n} | {plain(losses[n - 1])} |\n")
    final = trace.training.iteration(iterations.stop - 1).end
    start = trace.training.iteration(iterations.start).start
    w("\n| Parameter | before | after |\n|---|---|---|\n")
    sym = trace.symbols
    for l, ((W0, b0), (W1, b1)) in enumerate(zip(start, final, strict=True), start=1):
        for (j, i), value in _cells(W0):
            w(f"| ${symbol_latex(sym[Key(Family.W, l, j + 1, i + 1)])}$ | {plain(value)} | {plain(W1[j, i])} |\n")
        if b0 is not None:
            for j, value in enumerate(b0):
                w(f"| ${symbol_latex(sym[Key(Family.B, l, j + 1)])}$ | {plain(value)} | {plain(b1[j])} |\n")
