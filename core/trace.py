"""The trace: every computation of a training run, in a careful teacher's order, on demand.

``trace[k]`` builds event k from the plan and the values of its iteration; nothing per event is
stored, so a 100,000-iteration run costs no more to open than a one-iteration one. Stepping,
jumping to the next phase or iteration and finding the event that computes a symbol are all
index arithmetic on the plan.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Iterator
from itertools import count
from typing import NamedTuple

import numpy as np

from .formulas import FormulaWriter
from .notation import Symbols
from .plan import Plan, build_plan
from .printed import Comparison
from .quantities import (
    ANY_SAMPLE,
    BATCH,
    KINDS,
    PHASES,
    AnySample,
    Family,
    Key,
    Kind,
    Phase,
    SampleNumber,
    parse_quantity_id,
)
from .scenario import Note, PrintedValue, Scenario
from .templates import IterationJson, IterationSubstitutions, IterationTable, Templates, value_text
from .training import Training


class Event(NamedTuple):
    """One computation of the trace. Immutable; a tuple underneath, because a walk makes hundreds
    of thousands of them and a tuple is made in one step (a frozen dataclass sets each field)."""

    index: int
    iteration: int  # 1-based
    sample: SampleNumber  # 1-based; None for batch-level events
    update_step: int  # 1-based update step within the iteration (always 1 in batch mode)
    phase: Phase
    kind: Kind
    key: Key
    quantity: str
    symbol: str
    formula: str
    substituted: str
    value: float
    reads: tuple[str, ...]
    read_samples: tuple[SampleNumber, ...]
    read_keys: tuple[tuple[Key, SampleNumber], ...]  # (key, sample) of each read, for highlighting
    read_values: tuple[float, ...]
    meaning: str

    @property
    def layer(self) -> int:
        """The layer of the quantity the event computes (0 for loss events)."""
        return self.key.layer

    def as_json(self) -> dict:
        """The event as a record of the trace format (a value JSON cannot hold is null, with `value_text`)."""
        finite = math.isfinite(self.value)
        record = {
            "index": self.index,
            "iteration": self.iteration,
            "sample": self.sample,
            "phase": self.phase.value,
            "kind": self.kind.value,
            "quantity": self.quantity,
            "symbol": self.symbol,
            "value": self.value if finite else None,
            "formula": self.formula,
            "substituted": self.substituted,
            "reads": list(self.reads),
            "read_samples": list(self.read_samples),
            "meaning": self.meaning,
        }
        if not finite:
            record["value_text"] = value_text(self.value)
        return record


RECENT_EVENTS = 8


class Trace:
    """Every event of a scenario's training run, in order, each built when asked for."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.plan: Plan = build_plan(scenario)
        self.symbols = Symbols(scenario)
        self.training = Training(scenario, self.plan)
        self.per_iteration = self.plan.size
        self.iterations = scenario.iterations
        writer = FormulaWriter(
            self.symbols,
            {l: layer.activation for l, layer in enumerate(scenario.layers, start=1)},
            scenario.loss,
            scenario.learning_rate,
            {l: layer.leak for l, layer in enumerate(scenario.layers, start=1)},
            scenario.batch_reduction,
        )
        self.templates = Templates(self.plan, self.symbols, writer)
        self._any_sample: dict[Key, tuple[int, ...]] | None = None  # offsets of each quantity, any sample
        self._printed, self.unmatched_printed = self._place_printed(scenario.printed)
        self._notes = self._place_notes(scenario.notes)
        # The last few events built: a step asks for the current event several times (the panels,
        # the key bindings, the learning modes). Bounded, so walking a long run keeps nothing.
        self._recent: dict[int, Event] = {}

    # -- the sequence -------------------------------------------------------------------------

    def __len__(self) -> int:
        return self.per_iteration * self.iterations

    def locate(self, index: int) -> tuple[int, int]:
        """(iteration, offset within the iteration) of an event index."""
        if not 0 <= index < len(self):
            raise IndexError(f"event {index} is outside 0..{len(self) - 1}")
        iteration, offset = divmod(index, self.per_iteration)
        return iteration + 1, offset

    def index_of(self, iteration: int, offset: int) -> int:
        """The event index of `offset` within `iteration` (1-based)."""
        return (iteration - 1) * self.per_iteration + offset

    def __getitem__(self, index: int) -> Event:
        if index < 0:
            index += len(self)
        event = self._recent.get(index)
        if event is None:
            event = self._build(index)
            if len(self._recent) >= RECENT_EVENTS:
                del self._recent[next(iter(self._recent))]  # the oldest
            self._recent[index] = event
        return event

    def _build(self, index: int) -> Event:
        """One event, formatting only its own reads (a step of the app)."""
        iteration, offset = self.locate(index)
        values = self.training.iteration(iteration)
        template = self.templates[offset]
        n = self.plan.n_context
        read_values = tuple(float(values.context[slot] if slot < n else values.values[slot - n])
                            for slot in template.read_slots)
        value = float(values.values[offset])
        return tuple.__new__(Event, (
            index, iteration, *template.head, template.substituted(read_values), value, *template.middle,
            read_values, template.meaning if math.isfinite(value) else template.not_finite(value),
        ))

    def __iter__(self) -> Iterator[Event]:
        return self.walk(range(1, self.iterations + 1))

    def walk(self, iterations: range) -> Iterator[Event]:
        """Every event of these iterations, in order; nothing is kept (a walk has no use for the
        memo of recent events). Each number of an iteration is formatted once."""
        if not self.templates.keeps_all:  # too many slots to keep their templates: one by one
            for iteration in iterations:
                start = self.index_of(iteration, 0)
                yield from (self._build(index) for index in range(start, start + self.per_iteration))
            return
        templates = [self.templates[offset] for offset in range(self.per_iteration)]
        styles = {style for template in templates for _, style in template.holes}
        substitutions = IterationSubstitutions(templates, self.plan.n_context + self.per_iteration)
        # Each slot's parts unpacked once: the loop below runs once per event, so every attribute
        # lookup saved there counts.
        rows = [(t.head, t.middle, t.reads_of, t.meaning, t.value_slot, t.not_finite) for t in templates]
        new = tuple.__new__
        isfinite = math.isfinite
        for iteration in iterations:
            table = self._table(iteration, styles)
            values = table.values
            finite = bool(np.isfinite(self.training.iteration(iteration).values).all())
            for index, (head, middle, reads_of, meaning, slot, why_not), substituted in zip(
                    count(self.index_of(iteration, 0)), rows, substitutions.texts(table)):
                value = values[slot]
                yield new(Event, (index, iteration, *head, substituted, value, *middle, reads_of(values),
                                  meaning if finite or isfinite(value) else why_not(value)))

    def json_lines(self, iterations: range) -> Iterator[str]:
        """``json.dumps(event.as_json(), ensure_ascii=False)`` of every event of these
        iterations, written from the templates without making the events."""
        if not self.templates.keeps_all:
            for event in self.walk(iterations):
                yield json.dumps(event.as_json(), ensure_ascii=False, allow_nan=False)
            return
        templates = [self.templates[offset] for offset in range(self.per_iteration)]
        styles = {style for template in templates for _, style in template.holes}
        for iteration in iterations:
            yield from self._json_lines_of(iteration, templates, self._table(iteration, styles))

    def json_text(self, iterations: range, separator: str = "\n") -> Iterator[str]:
        """The JSON lines of each iteration joined by `separator`, one string per iteration:
        the fastest way to write them (see templates.IterationJson)."""
        if not self.templates.keeps_all:
            for iteration in iterations:
                yield separator.join(self.json_lines(range(iteration, iteration + 1)))
            return
        templates = [self.templates[offset] for offset in range(self.per_iteration)]
        styles = {style for template in templates for _, style in template.holes}
        layout = IterationJson(templates, self.plan.n_context + self.per_iteration, separator)
        for iteration in iterations:
            table = self._table(iteration, styles)
            event_values = self.training.iteration(iteration).values
            if np.isfinite(event_values).all():
                yield layout.text(table, self.index_of(iteration, 0), iteration, table.values[self.plan.n_context:])
            else:  # null values and the explanation of divergence: line by line
                yield separator.join(self._json_lines_of(iteration, templates, table))

    def _json_lines_of(self, iteration: int, templates, table: IterationTable) -> Iterator[str]:
        values, texts, width = table.values, table.texts, table.width
        index = self.index_of(iteration, 0)
        for template in templates:
            before_value, before_substitution, pattern, after = template.json_parts()
            value = values[template.value_slot]
            substituted = pattern % template.table_getter(width)(texts)
            if math.isfinite(value):
                meaning = json.dumps(template.meaning, ensure_ascii=False)
                yield (f'{{"index": {index}, "iteration": {iteration}{before_value}{value!r}'
                       f'{before_substitution}{substituted}{after}{meaning}}}')
            else:
                yield (f'{{"index": {index}, "iteration": {iteration}{before_value}null'
                       f'{before_substitution}{substituted}{after}'
                       f'{json.dumps(template.not_finite(value), ensure_ascii=False)}, '
                       f'"value_text": "{value_text(value)}"}}')
            index += 1

    def _table(self, iteration: int, styles: set[str]) -> IterationTable:
        values = self.training.iteration(iteration)
        return IterationTable(values.context, values.values, styles)

    def value(self, index: int) -> float:
        """The value event `index` computes."""
        iteration, offset = self.locate(index)
        return float(self.training.iteration(iteration).values[offset])

    def iteration_values(self, iteration: int) -> np.ndarray:
        """All event values of one iteration, in plan order (a read-only view)."""
        view = self.training.iteration(iteration).values.view()
        view.flags.writeable = False
        return view

    def losses(self, through: int | None = None) -> np.ndarray:
        """Loss per iteration, computing up to `through` (default: every iteration)."""
        return self.training.losses(through)

    def losses_so_far(self) -> np.ndarray:
        """The loss of every iteration computed so far (1…n, computing nothing more)."""
        return self.training.losses(self.training.computed_through)

    def loss_chunks(self, chunk: int) -> Iterator[np.ndarray]:
        """Every iteration's loss, `chunk` iterations more at a time (iterations 1…n each time),
        computed by a Training of its own: nothing is shared with the one the trace steps
        through, so another thread may run this while the trace is stepped."""
        training = Training(self.scenario, self.plan)
        for through in range(chunk, self.iterations + chunk, chunk):
            yield training.losses(min(through, self.iterations))

    # -- navigation ---------------------------------------------------------------------------

    def next_phase(self, index: int) -> int:
        """The first event of the next phase segment; from the last one, of the next iteration."""
        iteration, offset = self.locate(index)
        starts = self.plan.segment_starts
        n = np.searchsorted(starts, offset, side="right")
        if n < len(starts):
            return self.index_of(iteration, int(starts[n]))
        return self.next_iteration(index)

    def previous_phase(self, index: int) -> int:
        """The first event of this phase segment; from its first event, of the segment before."""
        iteration, offset = self.locate(index)
        starts = self.plan.segment_starts
        n = np.searchsorted(starts, offset, side="left")  # starts[n-1] < offset
        if n > 0:
            return self.index_of(iteration, int(starts[n - 1]))
        if iteration == 1:
            return 0
        return self.index_of(iteration - 1, int(starts[-1]))

    def next_iteration(self, index: int) -> int:
        """The first event of the next iteration; in the last iteration, the run's last event."""
        iteration, _ = self.locate(index)
        return self.index_of(iteration + 1, 0) if iteration < self.iterations else len(self) - 1

    def previous_iteration(self, index: int) -> int:
        """The first event of this iteration; from its first event, of the previous iteration."""
        iteration, offset = self.locate(index)
        if offset > 0 or iteration == 1:
            return self.index_of(iteration, 0)
        return self.index_of(iteration - 1, 0)

    def phase_segment(self, index: int) -> tuple[int, int]:
        """[start, end) event indices of the phase segment containing `index`."""
        iteration, offset = self.locate(index)
        starts = self.plan.segment_starts
        n = int(np.searchsorted(starts, offset, side="right")) - 1
        end = int(starts[n + 1]) if n + 1 < len(starts) else self.per_iteration
        return self.index_of(iteration, int(starts[n])), self.index_of(iteration, end)

    def key_of(self, quantity: str | Key) -> Key | None:
        """The quantity a scenario's id names, as the trace computes it. A single-output network
        has no separate loss term: its E[1] is the loss E itself (the trace shows it as E)."""
        key = parse_quantity_id(quantity) if isinstance(quantity, str) else quantity
        if key is not None and key.family is Family.LOSS_TERM and self.scenario.outputs == 1:
            return Key(Family.LOSS)
        return key

    def offsets(self, quantity: str | Key, sample: SampleNumber | AnySample = ANY_SAMPLE) -> tuple[int, ...]:
        """Offsets within an iteration (ascending) of the events that compute a quantity, for
        one sample (None: the batch level) or for any. The one way to find them: every lookup
        of "which event computes this" goes through here, `find` or `event_computing`."""
        key = self.key_of(quantity)
        if key is None:
            return ()
        if sample is ANY_SAMPLE:
            return self._offsets_any(key)
        return self.plan.index.get((key, sample), ())

    def _offsets_any(self, key: Key) -> tuple[int, ...]:
        if self._any_sample is None:  # the plan's index regrouped by quantity, once
            grouped: dict[Key, list[int]] = {}
            for (quantity, _), offsets in self.plan.index.items():
                grouped.setdefault(quantity, []).extend(offsets)
            self._any_sample = {quantity: tuple(sorted(offsets)) for quantity, offsets in grouped.items()}
        return self._any_sample.get(key, ())

    def find(self, quantity: str | Key, iteration: int = 1,
             sample: SampleNumber | AnySample = ANY_SAMPLE) -> list[int]:
        """Indices of the events that compute a quantity in one iteration, for one sample
        (None: the batch level) or for any."""
        return [self.index_of(iteration, o) for o in self.offsets(quantity, sample)]

    def event_computing(self, quantity: str | Key, sample: SampleNumber | AnySample, index: int,
                        latest: bool = False) -> int | None:
        """The event of `index`'s iteration that computes a quantity for `sample` (None: the
        batch level; ANY_SAMPLE: any): the next one after `index`, else the first of the
        iteration; with `latest`, the last one at or before `index`, else None. None when no
        event computes it."""
        iteration, offset = self.locate(index)
        offsets = self.offsets(quantity, sample)
        if latest:
            n = bisect_right(offsets, offset)
            return self.index_of(iteration, offsets[n - 1]) if n else None
        if not offsets:
            return None
        n = bisect_right(offsets, offset)
        return self.index_of(iteration, offsets[n] if n < len(offsets) else offsets[0])

    def same_place(self, other: Trace, index: int) -> int:
        """Where event `index` of `other` (an earlier version of this scenario, e.g. before its
        file was edited) is in this trace, by meaning rather than by number: the same iteration
        and quantity (and sample and update step where they still exist); else the same
        iteration and phase, as far into the phase as it was (clamped to the phase's end). An
        iteration beyond this run becomes its last."""
        event = other[index]
        iteration = min(event.iteration, self.iterations)
        plan = self.plan
        sample = event.sample
        step = event.update_step - 1
        offsets = self.offsets(event.key)
        if offsets:
            def distance(offset: int) -> tuple:
                return (KINDS[plan.kind[offset]] is not event.kind, plan.sample_at(offset) != sample,
                        abs(int(plan.update_step[offset]) - step))
            return self.index_of(iteration, int(min(offsets, key=distance)))
        # The quantity is gone (a smaller network): the same phase of the same update step and
        # sample where they exist, else the nearest step of that phase.
        start, end = other.phase_segment(index)
        into = index - start
        starts = plan.segment_starts.tolist()
        ends = starts[1:] + [plan.size]
        phase = PHASES.index(event.phase)
        segments = [(abs(int(plan.update_step[s]) - step), plan.sample_at(s) != sample, s, e)
                    for s, e in zip(starts, ends, strict=True) if plan.phase[s] == phase]
        if not segments:
            return self.index_of(iteration, min(other.locate(index)[1], plan.size - 1))
        *_, s, e = min(segments)
        return self.index_of(iteration, min(s + into, e - 1))

    # -- the document and the teacher ---------------------------------------------------------

    def _place_printed(self, printed: tuple[PrintedValue, ...]):
        placed: dict[int, list[PrintedValue]] = {}
        unmatched = []
        for value in printed:
            # the updates of a batch step carry no sample: a value printed for a sample is theirs too
            offsets = self.offsets(value.quantity, value.sample) or self.offsets(value.quantity, BATCH)
            if not offsets or value.iteration > self.iterations:
                unmatched.append(value)
                continue
            index = self.index_of(value.iteration, offsets[0])
            placed.setdefault(index, []).append(value)
        return placed, tuple(unmatched)

    def printed_at(self, index: int) -> list[Comparison]:
        """The document's printed values for the quantity event `index` computes."""
        values = self._printed.get(index, ())
        return [Comparison(p, self.value(index)) for p in values]

    def printed_indices(self, iteration: int) -> list[int]:
        """Indices, within one iteration, of the events the document printed a value for."""
        start = self.index_of(iteration, 0)
        return sorted(i for i in self._printed if start <= i < start + self.per_iteration)

    def comparisons(self) -> list[tuple[int, Comparison]]:
        """Every printed value of the scenario with its exact counterpart, in trace order."""
        return [(index, c) for index in sorted(self._printed) for c in self.printed_at(index)]

    def _place_notes(self, notes: tuple[Note, ...]) -> dict[int, list[Note]]:
        placed: dict[int, list[Note]] = {}
        for note in notes:
            for offset in self.offsets(note.at, note.sample):
                placed.setdefault(offset, []).append(note)
        return placed

    def notes_at(self, index: int) -> list[Note]:
        """The teacher's notes on event `index`."""
        iteration, offset = self.locate(index)
        return [n for n in self._notes.get(offset, ()) if n.iteration in (None, iteration)]
