"""The classic mistakes as variants of a scenario, for comparing side by side (`VARIANTS`).

`variant(scenario, "update_order=layerwise")` is the same scenario with one option changed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from .quantities import BATCH
from .scenario import Mode, Scenario, UpdateOrder


class Variant(NamedTuple):
    """One value of one scenario option, and what choosing it means, in words.

    A named tuple, not a frozen dataclass: this module is imported at every start (the --compare
    help names the mistakes), and a dataclass is generated there (0.8 ms)."""

    name: str  # the scenario option, as the TOML file spells it
    value: str  # its value, as typed after --compare name=
    setting: object  # the value the Scenario holds
    words: str  # what it changes, in a sentence's words
    short: str  # a word or two: the value table's column title
    mistake: bool = False  # one of the classic mistakes (the other value is the usual one)

    @property
    def option(self) -> str:
        """The variant as `--compare` writes it: ``name=value``."""
        return f"{self.name}={self.value}"


# Each variant is described here and nowhere else: the options allowed, their descriptions and
# the --compare help all follow from this table.
VARIANTS = (
    Variant("update_order", "after_backward", UpdateOrder.AFTER_BACKWARD,
            "updates after the whole backward pass (correct)", "after backward"),
    Variant("update_order", "layerwise", UpdateOrder.LAYERWISE,
            "layerwise updates (earlier layers backpropagate through updated weights)", "layerwise", mistake=True),
    Variant("mode", "batch", Mode.BATCH, "one update per batch", "batch"),
    Variant("mode", "stochastic", Mode.STOCHASTIC, "one update per sample", "stochastic", mistake=True),
    Variant("update_biases", "true", True, "biases trained", "trained biases"),
    Variant("update_biases", "false", False, "biases never trained", "fixed biases", mistake=True),
    Variant("batch_reduction", "mean", "mean", "the batch's losses and gradients averaged", "averaged batch"),
    Variant("batch_reduction", "sum", "sum", "the batch's losses and gradients summed, not averaged", "summed batch",
            mistake=True),
)
OPTIONS: dict[str, dict[str, object]] = {}
for _variant in VARIANTS:
    OPTIONS.setdefault(_variant.name, {})[_variant.value] = _variant.setting
_BY_OPTION = {v.option: v for v in VARIANTS}


def _parts(option: str) -> tuple[str, str]:
    """("mode", "stochastic") from "mode=stochastic", "mode = Stochastic" ..."""
    name, _, value = option.partition("=")
    return name.strip(), value.strip().lower()


def mistakes() -> str:
    """The classic mistakes as options, for a help text: "a=b, c=d or e=f"."""
    options = [v.option for v in VARIANTS if v.mistake]
    return f"{', '.join(options[:-1])} or {options[-1]}"


def variant(scenario: Scenario, option: str) -> Scenario:
    """The scenario with one option changed; ValueError names what is allowed."""
    name, value = _parts(option)
    if name not in OPTIONS:
        raise ValueError(f"unknown option {name!r}: choose from {', '.join(OPTIONS)}")
    if value not in OPTIONS[name]:
        raise ValueError(f"{name} can be {' or '.join(OPTIONS[name])}, not {value!r}")
    title = f"{scenario.title} [{name} = {value}]"
    return replace(scenario, **{name: OPTIONS[name][value]}, title=title, path=None)


def describe(option: str, short: bool = False) -> str:
    """What a variant option ("mode=stochastic") changes, in words (a word or two when `short`)."""
    found = _BY_OPTION.get("=".join(_parts(option)))
    if found is None:
        return option
    return found.short if short else found.words


def corresponding(trace, other, index: int) -> int:
    """The event of `other` (a variant of `trace`) that computes what event `index` computes, in
    the same iteration and for the same sample; failing that, the event at the same place."""
    iteration, offset = trace.locate(index)
    key, sample = trace.plan.key_at(offset), trace.plan.sample_at(offset)
    occurrence = sum(1 for o in trace.offsets(key, sample) if o < offset)
    found = other.offsets(key, sample) or other.offsets(key, BATCH)
    iteration = min(iteration, other.iterations)
    if found:
        return other.index_of(iteration, found[min(occurrence, len(found) - 1)])
    return other.index_of(iteration, min(offset, other.per_iteration - 1))
