"""Event templates: everything about an event but its numbers, written once per plan slot.

The event at offset o of every iteration computes the same quantity from the same reads with the
same formula; its substitution and meaning differ only in the numbers. A template holds what is
fixed (the fields, the substitution as a ``%`` pattern with a hole per number, the constant parts
of the event's JSON line), so making an event is a gather of its read values, one ``%`` and one
tuple.

Walking whole iterations, every value of an iteration is formatted once into a *table* (its
``fmt``, its ``term`` ...) and each hole is a precomputed index into that table, so a walk formats
each number once however many events read it. A single event (the app's step) formats only its
own reads.
"""

from __future__ import annotations

import json
from operator import itemgetter

import numpy as np

from .formulas import HOLE, FormulaWriter, Reading, meaning, not_finite
from .notation import Symbols
from .numbers import fmt, fmt_all, plain, relu_verdict, term, terms_of
from .plan import Plan
from .quantities import KINDS, PHASES, quantity_id

# How a hole writes its number (see formulas.HOLE), and where a style's texts sit in a table.
STYLES = {"f": fmt, "t": term, "n": lambda v: term(-v), "v": relu_verdict}
SECTION = {"f": 0, "t": 1, "n": 2, "v": 3}

# Templates kept at once: every slot of any ordinary plan (a 4-8-8-3 batch of 4 has 1,231), so a
# walk builds each once; a plan larger than this rebuilds them as it goes instead of holding
# hundreds of megabytes.
MAX_TEMPLATES = 32_768


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _getter(indices: tuple[int, ...]):
    """A function returning the items at `indices` of a sequence, always as a tuple."""
    if len(indices) == 1:
        index = indices[0]
        return lambda items: (items[index],)
    if not indices:
        return lambda items: ()
    return itemgetter(*indices)


class EventTemplate:
    """Everything about the event at one plan offset but its numbers: the same in every iteration."""

    __slots__ = ("offset", "head", "middle", "meaning", "value_slot", "read_slots", "holes", "pattern",
                 "literals", "reads_of", "loss", "_table_getter", "_json")

    def __init__(self, offset: int, head: tuple, middle: tuple, meaning: str, value_slot: int,
                 read_slots: tuple[int, ...], substitution: str, loss: str = "") -> None:
        self.offset = offset
        self.loss = loss  # the scenario's loss: it decides why a loss can be infinite
        self.head = head  # sample, update_step, phase, kind, key, quantity, symbol, formula
        self.middle = middle  # reads, read_samples, read_keys
        self.meaning = meaning  # for a finite value
        self.value_slot = value_slot
        self.read_slots = read_slots
        parts = substitution.split(HOLE)
        self.literals = parts[0::2]  # the text between the holes
        self.holes = tuple((int(mark[:-1]), mark[-1]) for mark in parts[1::2])  # (read position, style)
        self.pattern = "%s".join(text.replace("%", "%%") for text in self.literals)
        self.reads_of = _getter(read_slots)
        self._table_getter = None
        self._json = None

    def not_finite(self, value: float) -> str:
        """Why this event's value is not finite (see formulas.not_finite)."""
        return not_finite(self.head[3], value, self.loss)

    def substituted(self, read_values: tuple[float, ...]) -> str:
        """The substitution with these read values written into its holes."""
        return self.pattern % tuple(STYLES[style](read_values[position]) for position, style in self.holes)

    def table_getter(self, width: int):
        """The texts of this event's holes out of an iteration's table (see IterationTable)."""
        if self._table_getter is None:
            self._table_getter = _getter(tuple(
                SECTION[style] * width + self.read_slots[position] for position, style in self.holes
            ))
        return self._table_getter

    def json_parts(self) -> tuple[str, str, str, str]:
        """The constant text of the event's JSON line (as ``json.dumps(event.as_json())`` writes
        it) around its index and iteration, value and substitution."""
        if self._json is None:
            sample, _update_step, phase, kind, _key, quantity, symbol, formula = self.head
            reads, read_samples, _ = self.middle
            before_value = (f', "sample": {_dumps(sample)}, "phase": {_dumps(phase.value)}, '
                            f'"kind": {_dumps(kind.value)}, "quantity": {_dumps(quantity)}, '
                            f'"symbol": {_dumps(symbol)}, "value": ')
            before_substitution = f', "formula": {_dumps(formula)}, "substituted": "'
            # The holes' texts never need escaping (digits, signs, −, ×, ∞, NaN ...); the rest does.
            pattern = "%s".join(_dumps(text)[1:-1].replace("%", "%%") for text in self.literals)
            after = f'", "reads": {_dumps(list(reads))}, "read_samples": {_dumps(list(read_samples))}, "meaning": '
            self._json = (before_value, before_substitution, pattern, after)
        return self._json


class Templates:
    """The templates of one trace's plan, built when first needed."""

    def __init__(self, plan: Plan, symbols: Symbols, writer: FormulaWriter) -> None:
        self.plan, self.symbols, self.writer = plan, symbols, writer
        self.capacity = MAX_TEMPLATES
        self._kept: dict[int, EventTemplate] = {}

    @property
    def keeps_all(self) -> bool:
        """Whether every slot's template can be kept: what walking whole iterations relies on."""
        return self.plan.size <= self.capacity

    def __getitem__(self, offset: int) -> EventTemplate:
        template = self._kept.get(offset)
        if template is None:
            if len(self._kept) >= self.capacity:
                self._kept.clear()
            template = self._kept[offset] = self._build(offset)
        return template

    def _build(self, offset: int) -> EventTemplate:
        plan = self.plan
        kind = KINDS[plan.kind[offset]]
        key = plan.key_at(offset)
        sample = plan.sample_at(offset)
        slots = tuple(int(slot) for slot in plan.reads(offset))
        identities = [plan.slot_identity(slot) for slot in slots]
        readings = [Reading(k, s, position) for position, (k, s) in enumerate(identities)]
        formula, substitution = self.writer.write(kind, key, sample, readings)
        head = (sample, int(plan.update_step[offset]) + 1, PHASES[plan.phase[offset]], kind,
                key, quantity_id(key), self.symbols[key], formula)
        middle = (tuple(quantity_id(k) for k, _ in identities),
                  tuple(s for _, s in identities),
                  tuple(identities))
        w = self.writer
        sense = meaning(kind, sample is None, self.symbols, key, len(slots), loss=w.loss, reduction=w.reduction,
                        reads=tuple(k.family.value for k, _ in identities))
        return EventTemplate(offset, head, middle, sense, plan.n_context + offset, slots, substitution, w.loss)


class IterationTable:
    """Every value of one iteration (context slots, then events) as floats, and their texts in
    each style a hole may ask for, side by side: section s holds slot k at s × width + k."""

    def __init__(self, context, values, styles: set[str]) -> None:
        every = np.concatenate([context, values])
        self.values: list[float] = every.tolist()
        self.width = width = len(self.values)
        fmts = fmt_all(every)
        blank = [""] * width
        negated = terms_of(fmt_all(-every)) if "n" in styles else blank
        above, not_above = relu_verdict(1.0), relu_verdict(0.0)
        verdicts = [above if v > 0 else not_above for v in self.values] if "v" in styles else blank
        self.texts = fmts + terms_of(fmts) + negated + verdicts


def value_text(value: float) -> str:
    """What a JSON event line says of a value JSON cannot hold."""
    return plain(value)



class IterationJson:
    """Every JSON line of an iteration as constant text with gaps, and one gather of what fills
    the gaps.

    The fill comes from a list laid out as: the iteration's table texts (4 × width), each event's
    value as JSON writes it, each event's index, the iteration number. For an iteration whose
    values are all finite (any other is written line by line) its whole text is then the
    constant pieces with the gathered texts slotted in between, joined once.
    """

    def __init__(self, templates: list[EventTemplate], width: int, separator: str) -> None:
        size = len(templates)
        value_at, index_at, iteration_at = 4 * width, 4 * width + size, 4 * width + 2 * size
        pieces, picks = [], []
        text = ""  # the constant text since the last gap

        def gap(pick: int) -> None:
            nonlocal text
            pieces.append(text)
            picks.append(pick)
            text = ""

        for offset, template in enumerate(templates):
            before_value, before_substitution, _, after = template.json_parts()
            text += ("" if offset == 0 else separator) + '{"index": '
            gap(index_at + offset)
            text += ', "iteration": '
            gap(iteration_at)
            text += before_value
            gap(value_at + offset)
            text += before_substitution
            for literal, (position, style) in zip(template.literals, template.holes, strict=False):
                text += _dumps(literal)[1:-1]  # the holes' own texts need no escaping (see json_parts)
                gap(SECTION[style] * width + template.read_slots[position])
            text += _dumps(template.literals[-1])[1:-1] + after + _dumps(template.meaning) + "}"
        pieces.append(text)
        self.parts = [None] * (2 * len(pieces) - 1)  # constant pieces at even places, the gaps between
        self.parts[0::2] = pieces
        self.gather = itemgetter(*picks)

    def text(self, table: IterationTable, first_index: int, iteration: int, event_values: list[float]) -> str:
        """The JSON lines of one iteration, from its table and its events' values."""
        fill = (table.texts + list(map(repr, event_values))  # a float's repr is its JSON
                + list(map(str, range(first_index, first_index + len(event_values)))) + [str(iteration)])
        self.parts[1::2] = self.gather(fill)
        return "".join(self.parts)


class IterationSubstitutions:
    """The substitutions of every event of an iteration at once: their constant pieces with the
    holes' texts slotted in, joined once and split at HOLE (which no text contains: it marks
    the holes themselves)."""

    def __init__(self, templates: list[EventTemplate], width: int) -> None:
        pieces, picks = [], []
        text = ""
        for offset, template in enumerate(templates):
            text += "" if offset == 0 else HOLE
            for literal, (position, style) in zip(template.literals, template.holes, strict=False):
                pieces.append(text + literal)
                picks.append(SECTION[style] * width + template.read_slots[position])
                text = ""
            text += template.literals[-1]
        pieces.append(text)
        self.parts = [None] * (2 * len(pieces) - 1)
        self.parts[0::2] = pieces
        self.gather = _getter(tuple(picks))

    def texts(self, table: IterationTable) -> list[str]:
        """The substitution of every event of one iteration, in plan order."""
        self.parts[1::2] = self.gather(table.texts)
        return "".join(self.parts).split(HOLE)
